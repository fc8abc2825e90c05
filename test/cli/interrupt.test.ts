/**
 * Ctrl-C during `run` (and `explore`): the seeds (crash candidates) under way finish, what ran is reported (the summary, the
 * --report folder, with the gate saying the campaign is incomplete), and the command exits 130,
 * never 0: a campaign cut short is not a pass.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers.ts';

/**
 * Runs `powercut ARGS`, sends it one SIGINT once its stderr shows `progress` (work is under way,
 * the handler in place), and waits for it to end.
 */
async function interrupted(args: readonly string[], progress: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`${packageRoot}/bin/powercut.mjs`, ...args], { cwd: packageRoot });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (progress.test(stderr) && !stderr.includes('interrupted')) child.kill('SIGINT');
    });
    child.on('exit', resolve);
  });
  return { code, stdout, stderr };
}

describe('run interrupted by SIGINT', () => {
  it('reports the seeds that ran, as incomplete, and exits 130', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'powercut-interrupt-')), 'report');
    const { code, stdout, stderr } = await interrupted(['run', '--scenario', 'swarm', '--seeds', '100000', '--jobs', '1', '--report', report], /^powercut: \d+\/100000 seeds/m);
    expect(code).toBe(130);
    expect(stderr).toContain('powercut: interrupted: the seeds under way finish, then what ran is reported');
    const ran = Number(/^seeds run: (\d+) of 100000 planned \(interrupted\)/m.exec(stdout)?.[1]);
    expect(ran).toBeGreaterThan(0);
    expect(stderr).toContain(`powercut: interrupted after ${ran} of 100000 seeds: nothing found in those, but the campaign is not done`);
    expect(stderr).not.toContain('never hit');
    const summary = JSON.parse(readFileSync(join(report, 'summary.json'), 'utf8')) as { seeds: number; gate: { verdict: string } };
    expect(summary).toMatchObject({ seeds: ran, gate: { verdict: 'incomplete' } });
  });
});

describe('explore interrupted by SIGINT', () => {
  it('reports the crash candidates that ran, says the rest were not run, claims no clean prefix, and exits 130', async () => {
    const { code, stdout, stderr } = await interrupted(['explore', '--scenario', 'swarm', '--seed', '1', '--steps', '40'], /^powercut: explore: \d+ of \d+ crash candidates run/m);
    expect(code).toBe(130);
    expect(stderr).toContain('powercut: interrupted: the crash candidates under way finish, then what ran is reported');
    const [, ran, of] = /^interrupted \(Ctrl-C\): (\d+) of (\d+) crash candidates run, in order from the first crash point/m.exec(stdout) ?? [];
    expect(Number(ran)).toBeGreaterThan(0);
    expect(Number(ran)).toBeLessThan(Number(of));
    expect(stdout).toContain(`no violation in the ${ran} of ${of} crash candidates run of the first 40 steps`);
    expect(stdout).not.toContain('--steps N explores a longer prefix');
  });
});
