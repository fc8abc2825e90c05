import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realExitCode } from '../../cli/commands/real.ts';
import { invocationOf } from '../../cli/invocation.ts';
import { childExecArgv } from '../../real/index.ts';
import type { RealViolation } from '../../real/index.ts';
import { cli, launchBin, packageRoot, type CliResult } from '../cli/helpers.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** `bin/powercut.mjs ...args` with the working directory in the system's temporary folder. */
const fromTmpdir = (...args: string[]): Promise<CliResult> => launchBin(args);

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line !== '');
}

describe('how a real-disk child starts', () => {
  it('imports tsx by a file URL resolved from powercut, not by the bare name the working directory would resolve', () => {
    const [flag, url] = childExecArgv();
    expect(flag).toBe('--import');
    expect(url).toMatch(/^file:\/\/.*\/tsx\//);
  });

  it('runs powercut real --cycles 2 from another folder', async () => {
    const result = await fromTmpdir('real', '--cycles', '2', '--seed', 'from-tmpdir', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: engine powercut-reference \(reference\), 2 of 2 kill -9 cycles/);
    // A pass on the real disk says what it cannot show.
    expect(result.stdout).toContain('note: a kill -9 keeps every page the process wrote (the OS page cache survives): a missing fsync or a torn write cannot show here');
  });

  it('runs an engine module named relative to that folder, and names it in the summary and the repro line', async () => {
    const module = relative(tmpdir(), fixture('log-engine.ts'));
    const result = await fromTmpdir('real', '--engine', module, '--cycles', '1', '--seed', 'user-engine', '--quiet');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ok: engine json-lines-log (${module}), 1 of 1 kill -9 cycles`);
    // The bin as it was run from tmpdir: its path relative to it when inside it, else absolute.
    const bin = invocationOf(['node', `${packageRoot.replace(/\/$/, '')}/bin/powercut.mjs`], {}, tmpdir());
    expect(result.stdout).toContain(`reproduce: ${bin} real --engine ${module} --cycles 1 --seed user-engine --sync strict`);
  });
});

describe('real: exit codes', () => {
  // Failed runs keep their data folder: name them inside one folder the tests remove.
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'powercut-real-cli-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const violation = { invariant: 'durability', message: 'm', at: 1, place: 'cycle 1' } as RealViolation;

  it('is 0 with nothing found, 1 on a violation, 3 on a harness failure whatever else was found, 4 when nothing was tested', () => {
    expect(realExitCode({ harnessErrors: [], violations: [] })).toBe(0);
    expect(realExitCode({ harnessErrors: [], violations: [], nothingTested: 'no commit was acknowledged' })).toBe(4);
    expect(realExitCode({ harnessErrors: [], violations: [violation], nothingTested: 'no commit was acknowledged' })).toBe(1);
    expect(realExitCode({ harnessErrors: [], violations: [violation] })).toBe(1);
    expect(realExitCode({ harnessErrors: ['cycle 1: open: the child exited with code 9'], violations: [violation] })).toBe(3);
  });

  it('exits 2 with one line for an engine module that does not exist', async () => {
    const result = await cli('real', '--engine', './no-such-engine.ts', '--cycles', '1');
    expect(result.code).toBe(2);
    expect(stderrLines(result)).toEqual(['powercut: --engine ./no-such-engine.ts: no such file']);
    expect(result.stdout).toBe('');
  });

  it('exits 3 with one line on stderr when the child dies without being killed', async () => {
    const result = await cli('real', '--engine', fixture('dies-on-open.ts'), '--cycles', '2', '--seed', 'ci-dies', '--dir', join(dir, 'dies'), '--quiet');
    expect(result.code).toBe(3);
    expect(stderrLines(result)).toEqual(['powercut: harness failure: cycle 1: open: the child exited with code 9: dies-on-open: exiting on purpose']);
    expect(result.stdout).toMatch(/^HARNESS FAILURE: engine dies-on-open/);
  });

  it('exits 4, NOTHING TESTED, when no commit was acknowledged: an engine that refuses every commit is not a pass', async () => {
    const result = await cli('real', '--engine', fixture('refuses-commits.ts'), '--cycles', '2', '--seed', 'ci-refuses', '--dir', join(dir, 'refuses'), '--quiet');
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/^NOTHING TESTED: engine refuses-commits/);
    expect(stderrLines(result)).toEqual(['powercut: nothing was tested: no commit was acknowledged, so no kill could lose one (see the engine calls that failed)']);
  });

  it('exits 3 when the child does not answer within --timeout', async () => {
    const result = await cli('real', '--engine', fixture('hangs-on-open.ts'), '--cycles', '1', '--seed', 'ci-timeout', '--timeout', '1', '--dir', join(dir, 'hangs'), '--quiet');
    expect(result.code).toBe(3);
    expect(stderrLines(result)).toEqual(['powercut: harness failure: cycle 1: open: no answer within 1000 ms']);
  });
});
