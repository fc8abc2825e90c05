import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { gcFlag, relaunchArgs } from '../../bin/gc-flag.mjs';
import { packageRoot } from './helpers.ts';

const script = '/p/bin/powercut.mjs';

describe('the launcher starts seed-running commands with single-threaded GC', () => {
  it('starts Node again with the flag, its own flags and the same arguments for a command that runs seeds', () => {
    for (const command of ['run', 'ci', 'explore', 'shrink', 'repro']) {
      expect(relaunchArgs(['node', script, command, '--seeds', '5'], ['--enable-source-maps'], {}))
        .toEqual(['--enable-source-maps', gcFlag, script, command, '--seeds', '5']);
    }
  });

  it('runs in this process when the flag is already there, when POWERCUT_GC=parallel, or for a command that runs no seeds', () => {
    expect(relaunchArgs(['node', script, 'run'], [gcFlag], {})).toBeUndefined();
    expect(relaunchArgs(['node', script, 'run'], [], { POWERCUT_GC: 'parallel' })).toBeUndefined();
    for (const args of [['list'], ['--help'], ['store', 'verify', 'x'], ['real'], ['exec', 'app.js'], []]) {
      expect(relaunchArgs(['node', script, ...args], [], {})).toBeUndefined();
    }
  });

  const launch = (env: Record<string, string>): Promise<{ code: number; stderr: string }> => new Promise((resolve) => {
    const args = [`${packageRoot}/bin/powercut.mjs`, 'run', '--engine', `${packageRoot}/test/cli/fixtures/exec-argv-engine.mjs`, '--seeds', '1'];
    execFile(process.execPath, args, { cwd: tmpdir(), env: { ...process.env, ...env } }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr });
    });
  });

  it('loads the subject in a process started with the flag, and passes its one error line and exit code through', async () => {
    const { POWERCUT_GC: _, ...env } = process.env;
    const result = await launch(env as Record<string, string>);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`started with [${gcFlag}]`);
  });

  it('keeps the default GC, in this process, with POWERCUT_GC=parallel', async () => {
    const result = await launch({ POWERCUT_GC: 'parallel' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('started with []');
  });
});
