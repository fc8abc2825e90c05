/**
 * `powercut real --target`: a library workload in a real child process on the real disk, killed
 * with SIGKILL (mostly by itself, right before a chosen file-system call), and checked with the
 * workload's own invariants after every kill.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realTargetExitCode, realTargetSummary } from '../../cli/commands/real.ts';
import { untestedReason } from '../../real/target-campaign.ts';
// From the package's root, as a user's test would import it.
import { runRealTargetCampaign } from '../../api/index.ts';
import { launchBin } from '../cli/helpers.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

// Failed runs keep their data folder: name them inside one folder the tests remove.
let parent: string;
let folders = 0;
const nextDir = (): string => join(parent, `run-${folders++}`);
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'powercut-real-target-test-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('real --target: a library workload killed on the real disk', () => {
  it('passes a careful writer (tmp, fsync, rename, folder fsync) through every kill, and checks after each one', async () => {
    const result = await runRealTargetCampaign({ target: fixture('careful-writer-target.ts'), cycles: 6, seed: 'careful', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.kills).toBe(6);
    expect(result.checks).toBeGreaterThanOrEqual(5);
    expect(result.operationsAcknowledged).toBeGreaterThan(0);
    expect(realTargetExitCode(result)).toBe(0);
  });

  it('says which native addons the workload loaded, and that their I/O is tested by the kills alone, not by the simulated disk', async () => {
    const result = await runRealTargetCampaign({ target: fixture('native-careful-target.ts'), cycles: 2, seed: 'native', dir: nextDir() });
    expect(result.ok).toBe(true);
    expect(result.nativeAddons.some((file) => /lightningcss[^/\\]*\.node$/.test(file))).toBe(true);
    const note = realTargetSummary(result, 'powercut real').at(-1)!;
    expect(note).toMatch(/the simulated disk covers them only for I\/O through Node's fs \(powercut run\), not for the native addons the workload loaded \(lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\)\): what they persist is tested by these kills alone/);
    const plain = await runRealTargetCampaign({ target: fixture('careful-writer-target.ts'), cycles: 1, seed: 'native', dir: nextDir() });
    expect(plain.nativeAddons).toEqual([]);
    expect(realTargetSummary(plain, 'powercut real').at(-1)).toMatch(/the simulated disk covers them \(powercut run\)$/);
  });

  it('catches a rewrite in place: a kill between the truncating open and the write leaves the file empty (whole)', async () => {
    const result = await runRealTargetCampaign({ target: fixture('in-place-target.ts'), cycles: 12, seed: 'in-place', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations[0]).toMatchObject({ invariant: 'whole', message: 'doc holds ""', place: expect.stringMatching(/^cycle \d+, after kill -9 during operation \d+ \(rewrite\)$/) });
    expect(result.dirKept).toBe(true);
    expect(realTargetExitCode(result)).toBe(1);
    expect(result.reproduceArgs).toEqual(['real', '--target', fixture('in-place-target.ts'), '--seed', 'in-place', '--cycles', '12', '--dir', expect.any(String)]);
  });

  it('leaves the model as it was at the kill, changes made inside the interrupted operation included, as the simulator does (no phantom)', async () => {
    const result = await runRealTargetCampaign({ target: fixture('notes-attempts-target.ts'), cycles: 16, seed: 'attempts', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.checks).toBeGreaterThanOrEqual(12);
  });

  it('keeps the model noted before a call even when it is larger than a pipe holds: no phantom after a kill at the call', async () => {
    const result = await runRealTargetCampaign({ target: fixture('notes-attempts-large-target.ts'), cycles: 16, seed: 'attempts', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.checks).toBeGreaterThanOrEqual(12);
  });

  it('says nothing was tested, and why: no check after a kill, no operation run, none acknowledged', () => {
    const base = { checks: 1, operationsStarted: 3, operationsAcknowledged: 2, failedOperations: [] };
    expect(untestedReason(base)).toBeUndefined();
    expect(untestedReason({ ...base, checks: 0 })).toBe('no check ran after a kill (raise --cycles)');
    // Every kill came before the first operation: nothing failed, nothing ran.
    expect(untestedReason({ ...base, operationsStarted: 0, operationsAcknowledged: 0 })).toBe('no operation ran: every kill came before the first one (raise --cycles)');
    expect(untestedReason({ ...base, operationsAcknowledged: 0, failedOperations: ['operation 0 (put): EIO'] })).toBe('no operation was acknowledged, so no kill could lose one (every operation failed; the first: operation 0 (put): EIO)');
  });

  it('says nothing was tested when no check ran after a kill', () => {
    expect(realTargetExitCode({ harnessErrors: [], violations: [], nothingTested: 'no check ran after a kill (raise --cycles)' })).toBe(4);
    expect(realTargetExitCode({ harnessErrors: ['x'], violations: [], nothingTested: undefined })).toBe(3);
  });

  it('never kills the first incarnation before its setup is done: a library never set up would fail every operation', async () => {
    // Seed setup-23 draws a kill at the first call of the first open (setup's first write); it lands in the first operation instead.
    const result = await runRealTargetCampaign({ target: new URL('./fixtures/needs-setup-target.ts', import.meta.url), cycles: 3, seed: 'setup-23', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.failedOperations).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.operationsAcknowledged).toBeGreaterThan(0);
    expect(result.ok).toBe(true);
  });

  it('kills the first open of a workload without a setup, the store\'s creation: one that creates its store in place no longer opens', async () => {
    // Seed 10 draws a kill at a call of the first open, between the two writes that create the store.
    const result = await runRealTargetCampaign({ target: fileURLToPath(new URL('../targets/fixtures/creates-store.ts', import.meta.url)), cycles: 1, seed: '10', dir: nextDir() });
    expect(result.harnessErrors).toEqual([]);
    expect(result.killsWhileOpening).toBe(1);
    expect(result.violations.map((v) => v.invariant)).toEqual(['opens']);
    expect(result.violations[0]!.message).toMatch(/^the library does not open after the kill: SyntaxError: /);
  });

  it('says nothing was tested when no operation was acknowledged (exit 4), not ok', async () => {
    const result = await runRealTargetCampaign({ target: fixture('always-fails-target.ts'), cycles: 2, seed: 'fails', dir: nextDir() });
    expect(result.violations).toEqual([]);
    expect(result.checks).toBeGreaterThan(0);
    expect(result.ok).toBe(false);
    expect(result.nothingTested).toMatch(/^no operation was acknowledged, so no kill could lose one \(every operation failed; the first: operation 0 \(refused\): Error: the library refuses\)$/);
    expect(realTargetExitCode(result)).toBe(4);
    const cli = await launchBin(['real', '--target', fixture('always-fails-target.ts'), '--cycles', '2', '--seed', 'fails', '--quiet']);
    expect(cli.code).toBe(4);
    expect(cli.stdout).toMatch(/^NOTHING TESTED: workload always-fails/);
    expect(cli.stderr).toMatch(/^powercut: nothing was tested: no operation was acknowledged/);
  });

  it('fails an operation that throws a coding error (engine-error), as the simulator does', async () => {
    process.env.POWERCUT_TEST_CODING = '1';
    try {
      const result = await runRealTargetCampaign({ target: fixture('always-fails-target.ts'), cycles: 1, seed: 'coding', dir: nextDir() });
      expect(result.violations[0]).toMatchObject({
        invariant: 'engine-error',
        message: expect.stringMatching(/^operation 0 \(refused\) threw TypeError: Cannot read properties of undefined \(reading 'x'\): a coding error, in the library or in the workload, not a failure of the disk$/),
      });
      expect(realTargetExitCode(result)).toBe(1);
      // After a kill -9 the same error may be how the library met a torn file: said so.
      const twice = await runRealTargetCampaign({ target: fixture('always-fails-target.ts'), cycles: 2, seed: 'coding', dir: nextDir() });
      expect(twice.kills).toBeGreaterThan(0);
      expect(twice.violations.at(-1)!.message).toMatch(/a coding error, in the library or in the workload, after a kill -9: a library that meets torn or missing data should refuse it with an error of its own$/);
    } finally {
      delete process.env.POWERCUT_TEST_CODING;
    }
  });

  it('runs from the command line, and refuses engine-only options with one line', async () => {
    const ok = await launchBin(['real', '--target', fixture('careful-writer-target.ts'), '--cycles', '2', '--seed', 'cli', '--quiet']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: workload careful-writer \(.*careful-writer-target\.ts\), 2 of 2 kill -9 cycles on the real disk, seed cli/);
    const refused = await launchBin(['real', '--target', fixture('careful-writer-target.ts'), '--sync', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe('powercut: real --target: --sync apply to an engine, not to a library workload');
  });
});
