import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertCrashSafe, assertExploresClean, CrashSafetyError, isCrashSafetyError, runCampaign } from '../../api/index.ts';
import { thrown } from './thrown.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-api-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const broken = 'test/fixtures/engines/drops-every-second-commit.ts';

describe('assertCrashSafe', () => {
  it('passes the reference engine and returns the campaign', async () => {
    const outcome = await assertCrashSafe({}, { scenarios: ['wal-append', 'rotation'], seeds: 5 });
    expect(outcome?.seeds).toBe(10);
    expect(outcome?.violations).toEqual([]);
  });

  it('throws on a broken engine with the invariant, the message, a shrunk plan file and how to rerun it', async () => {
    const error = await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }));
    expect(isCrashSafetyError(error)).toBe(true);
    const failure = error as CrashSafetyError;
    expect(failure.code).toBe('POWERCUT_VIOLATION');
    expect(failure.planFile).toMatch(/acknowledges-every-2th-commit-without-writing-wal-append-\d+\.json$/);
    expect(failure.message).toContain(`powercut: engine acknowledges-every-2th-commit-without-writing (${broken}) failed the ${failure.invariant} check (scenario wal-append, seed ${failure.seed}):`);
    // Vitest says which test runs: the rerun names it, by a pattern -t takes, and so does the plan.
    expect(failure.message).toContain(`rerun exactly this: POWERCUT_PLAN=${failure.planFile} and run this test: -t 'throws on a broken engine with the invariant, the message, a shrunk plan file and how to rerun it' (the plan names it: other tests leave the plan alone), or: npx powercut replay ${failure.planFile}`);
    const plan = JSON.parse(await readFile(failure.planFile!, 'utf8')) as { engineModule: string; faults: { rates: object }; found: { test?: string } };
    expect(plan.engineModule).toBe(broken);
    expect(plan.found.test).toBe(expect.getState().currentTestName);
    expect(plan.faults.rates).toEqual({});
    // It acknowledges commits it never writes: no fault is needed to lose them.
    expect(failure.message).toContain(`it needs no fault: seed ${failure.seed} fails the same way with none injected`);
  });

  it('stops at the first failing seed and shrinks it, unless allSeeds asks to count every failure: the same first failure either way', async () => {
    const options = { scenarios: ['wal-append', 'rotation'], seeds: 10, failuresDir: dir };
    const fast = (await thrown(assertCrashSafe({ engine: broken }, options))) as CrashSafetyError;
    const all = (await thrown(assertCrashSafe({ engine: broken }, { ...options, allSeeds: true }))) as CrashSafetyError;
    expect([all.unit, all.seed]).toEqual([fast.unit, fast.seed]);
    const stopped = /(\d+) of (\d+) seeds failed \(\d+ violations?\), when the campaign stopped at its first failure after \2 of 20 seeds \(allSeeds: true runs them all\)/.exec(fast.message);
    expect(stopped).not.toBeNull();
    expect(Number(stopped![2])).toBeLessThan(20);
    expect(all.message).toMatch(/(\d+) of 20 seeds failed \(\d+ violations\); /);
    expect(all.message).not.toContain('stopped at its first failure');
  });

  it('puts the environment the engine read (a planted bug\'s switch) in front of both ways to rerun, as repro lines do', async () => {
    process.env['PC_TEST_PLANTED'] = '1';
    try {
      const failure = (await thrown(assertCrashSafe({ engine: 'test/fixtures/engines/planted-by-env.ts' }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
      expect(failure.message).toContain(`rerun exactly this: PC_TEST_PLANTED=1 POWERCUT_PLAN=${failure.planFile} and run this test: -t 'puts the environment the engine read \\(a planted bug'\\''s switch\\) in front of both ways to rerun, as repro lines do' (the plan names it: other tests leave the plan alone), or: PC_TEST_PLANTED=1 npx powercut replay ${failure.planFile}`);
    } finally {
      delete process.env['PC_TEST_PLANTED'];
    }
  });

  it('tests the engine as the environment says now when a variable its module read as it loaded has changed since, in the same thread: clean, then the planted bug, then clean (a new user\'s second test passed on the module first loaded)', async () => {
    const engine = 'test/fixtures/engines/planted-by-env.ts';
    const options = { scenarios: ['wal-append'], seeds: 4, failuresDir: dir };
    expect((await assertCrashSafe({ engine }, options))?.seeds).toBe(4);
    process.env['PC_TEST_PLANTED'] = '1';
    try {
      // The first failing run's root: the check that failed first in it.
      expect(await thrown(assertCrashSafe({ engine }, options))).toMatchObject({ code: 'POWERCUT_VIOLATION', unit: 'wal-append', seed: 1, invariant: 'self-consistency' });
    } finally {
      delete process.env['PC_TEST_PLANTED'];
    }
    expect((await assertCrashSafe({ engine }, options))?.seeds).toBe(4);
  });

  it('refuses in one line, by code, to test an engine whose switch changed since a module it imports read it as it loaded, which loading the engine anew cannot read again', async () => {
    const engine = 'test/fixtures/engines/planted-by-env-deep.ts';
    expect((await assertCrashSafe({ engine }, { scenarios: ["wal-append"], seeds: 2 }))?.seeds).toBe(2);
    process.env['PC_TEST_PLANTED_DEEP'] = '1';
    try {
      const error = await thrown(assertCrashSafe({ engine }, { scenarios: ['wal-append'], seeds: 2 }));
      expect(error).toMatchObject({ code: 'SUBJECT_LOAD' });
      expect((error as Error).message).toBe(`engine ${engine}: PC_TEST_PLANTED_DEEP was unset when this thread first loaded it, and is "1" now, but loading it anew does not read PC_TEST_PLANTED_DEEP again (a module it imports does, and Node loads that once per thread), so its runs would test the code as first loaded: read PC_TEST_PLANTED_DEEP when the engine opens rather than when a module loads, or test each value in a test file of its own`);
      // Asked again, it fails again: never the module as first loaded.
      expect(await thrown(assertCrashSafe({ engine }, { scenarios: ['wal-append'], seeds: 2 }))).toMatchObject({ code: 'SUBJECT_LOAD' });
    } finally {
      delete process.env['PC_TEST_PLANTED_DEEP'];
    }
  });

  it('replays the plan file it wrote (the plan option, or POWERCUT_PLAN) instead of a campaign, and fails the same way', async () => {
    const first = (await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
    const again = (await thrown(assertCrashSafe({ engine: broken }, { plan: first.planFile! }))) as CrashSafetyError;
    expect(again.code).toBe('POWERCUT_VIOLATION');
    expect(again.message).toMatch(new RegExp(`replayed from the plan file; invariants broken: .*${first.invariant}`));
    process.env['POWERCUT_PLAN'] = first.planFile!;
    try {
      expect(((await thrown(assertCrashSafe({ engine: broken }))) as CrashSafetyError).message).toBe(again.message);
      // A campaign's plan is not replayed by the exploration of the same engine: it explores.
      const explored = (await thrown(assertExploresClean({ engine: broken }, { steps: 4, failuresDir: dir }))) as CrashSafetyError;
      expect(explored.message).toContain('found by explore');
    } finally {
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('leaves a plan POWERCUT_PLAN names alone in a test other than the one it names: the other assertions of the file search as they would without it', async () => {
    const first = (await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
    const document = JSON.parse(await readFile(first.planFile!, 'utf8')) as { found: object };
    const elsewhere = join(dir, 'found-elsewhere.json');
    await writeFile(elsewhere, JSON.stringify({ ...document, found: { ...document.found, test: 'another suite > another test' } }));
    process.env['POWERCUT_PLAN'] = elsewhere;
    try {
      const searched = (await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
      expect(searched.message).not.toContain('replayed from the plan file');
      expect(searched.planFile).not.toBe(elsewhere);
      // Named for this test, it replays.
      await writeFile(elsewhere, JSON.stringify({ ...document, found: { ...document.found, test: expect.getState().currentTestName } }));
      expect(((await thrown(assertCrashSafe({ engine: broken }))) as CrashSafetyError).message).toContain('replayed from the plan file');
    } finally {
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('warns (shown by the test runner with the test) that a plan POWERCUT_PLAN names passes now, and passes (a rerun of a failure since fixed); a plan option passes quietly (a regression test)', async () => {
    const first = (await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
    // The same plan, for the reference engine (which keeps every commit): it passes.
    const { engineModule: _broken, ...document } = JSON.parse(await readFile(first.planFile!, 'utf8')) as Record<string, unknown>;
    const fixed = join(dir, 'fixed.json');
    await writeFile(fixed, JSON.stringify(document));
    const said: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      said.push(String(line));
    });
    try {
      expect(await assertCrashSafe({}, { plan: fixed })).toBeUndefined();
      expect(said).toEqual([]);
      process.env['POWERCUT_PLAN'] = fixed;
      expect(await assertCrashSafe({})).toBeUndefined();
      expect(said.join('')).toContain(`powercut: POWERCUT_PLAN=${fixed} passes now: fixed, or that run leaned on something the plan does not record`);
    } finally {
      spy.mockRestore();
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('warns, of a plan POWERCUT_PLAN names that passes without a variable it was found with, which variable and how to rerun it as found', async () => {
    const engine = 'test/fixtures/engines/planted-by-env.ts';
    process.env['PC_TEST_PLANTED'] = '1';
    let planFile: string;
    try {
      planFile = ((await thrown(assertCrashSafe({ engine }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError).planFile!;
    } finally {
      delete process.env['PC_TEST_PLANTED'];
    }
    const said: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      said.push(String(line));
    });
    process.env['POWERCUT_PLAN'] = planFile;
    try {
      expect(await assertCrashSafe({ engine })).toBeUndefined();
      expect(said.join('')).toBe(`powercut: POWERCUT_PLAN=${planFile} passes now, but it was found with PC_TEST_PLANTED=1 set (here PC_TEST_PLANTED is not set): rerun it as found with PC_TEST_PLANTED=1 POWERCUT_PLAN=${planFile}, in the test that found it`);
    } finally {
      spy.mockRestore();
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('throws IncompleteError for a plan whose scheduled fault never fires, as replay exits 5: a regression test that no longer reaches its I/O tests nothing there', async () => {
    const entry = JSON.parse(await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8')) as { plan: { faults: { scheduled: unknown[] } } };
    entry.plan.faults.scheduled.push({ io: 9_999_999, kind: 'kill-9' });
    const unfired = join(dir, 'unfired.json');
    await writeFile(unfired, JSON.stringify(entry.plan));
    const error = await thrown(assertCrashSafe({}, { plan: unfired }));
    expect(error).toMatchObject({ name: 'IncompleteError', code: 'POWERCUT_INCOMPLETE' });
    expect((error as Error).message).toBe(`powercut: ${unfired} passes, but its scheduled fault never fired (kill-9@9999999): the code changed under the plan, which no longer reaches the I/O it was written for and tests nothing there. Shrink the bug again from its seed on the new code with the bug put back, or remove the plan`);
  });

  it('leaves an assertion on another subject to its campaign when POWERCUT_PLAN names a plan of another engine', async () => {
    const first = (await thrown(assertCrashSafe({ engine: broken }, { scenarios: ['wal-append'], seeds: 4, failuresDir: dir }))) as CrashSafetyError;
    process.env['POWERCUT_PLAN'] = first.planFile!;
    try {
      // The reference engine's own campaign runs (and passes); the broken engine's plan is not replayed on it.
      const outcome = await assertCrashSafe({}, { scenarios: ['wal-append'], seeds: 3 });
      expect(outcome?.seeds).toBe(3);
      // The same module, named by URL, is the same subject: its plan is replayed.
      const again = (await thrown(assertCrashSafe({ engine: new URL(`../../${broken}`, import.meta.url) }))) as CrashSafetyError;
      expect(again.message).toContain('replayed from the plan file');
    } finally {
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('says so when the shrunk plan does not fail alone in a fresh thread, where POWERCUT_PLAN would replay it', async () => {
    const error = (await thrown(assertCrashSafe({ target: 'test/targets/fixtures/thread-state.ts' }, { seeds: 3, failuresDir: dir }))) as CrashSafetyError;
    expect(error.code).toBe('POWERCUT_VIOLATION');
    // A workload's plan file names it once (its unit is its own name).
    expect(error.planFile).toMatch(/[/\\]thread-state-\d+\.json$/);
    expect(error.message).toMatch(/(kept the unshrunk plan, which does|neither the shrunk plan nor the one it came from fails leaky in a fresh thread)/);
  });

  it('says so when the failing seed does not fail again on a rerun, instead of claiming a shrink', async () => {
    const error = (await thrown(assertCrashSafe({ target: 'test/targets/fixtures/fails-once.ts' }, { seeds: 1, failuresDir: dir }))) as CrashSafetyError;
    expect(error.invariant).toBe('once');
    expect(error.message).toContain('1 of 1 seeds failed (1 violation); seed 1 did not fail once again when rerun in this thread, so nothing was shrunk');
    expect(error.message).not.toMatch(/shrunk .* to .* in \d+ runs/);
  });

  it('never passes when no seed ran', async () => {
    const error = await thrown(assertCrashSafe({}, { scenarios: ['wal-append'], seeds: 0 }));
    expect(error).toMatchObject({ code: 'POWERCUT_NOTHING_TESTED', message: 'powercut: nothing was tested: no seed ran (0 planned)' });
  });

  it('never passes when the seeds tested nothing: a workload every operation of which rejects', async () => {
    const error = await thrown(assertCrashSafe({ target: 'test/targets/fixtures/every-operation-fails.ts' }, { seeds: 2 }));
    expect(error).toMatchObject({ code: 'POWERCUT_NOTHING_TESTED' });
    expect((error as Error).message).toMatch(/^powercut: nothing was tested: no operation of the 2 seeds succeeded/);
  });

  it('refuses a module that is not there with a one-line error by code', async () => {
    // Told as the option that named it: there is no --engine flag in a test.
    expect(await thrown(assertCrashSafe({ engine: 'no/such/engine.ts' }))).toMatchObject({ code: 'SUBJECT_LOAD', message: 'engine no/such/engine.ts: no such file' });
  });
});

describe('runCampaign', () => {
  it('runs a library workload named by URL in worker threads', async () => {
    const outcome = await runCampaign({ target: new URL('../targets/fixtures/careful-writer.ts', import.meta.url), seeds: 4, jobs: 2 });
    expect(outcome.subject).toEqual({ kind: 'library', name: 'careful-writer', module: 'test/targets/fixtures/careful-writer.ts' });
    expect(outcome.seeds).toBe(4);
    expect(outcome.violations).toEqual([]);
  });

  it('takes second looks at power losses by default, none with looks: 0, and refuses looks that are not a natural number', async () => {
    const looked = await runCampaign({ scenarios: ['wal-append'], seeds: 3 });
    const none = await runCampaign({ scenarios: ['wal-append'], seeds: 3, looks: 0 });
    expect(looked.looks).toBeGreaterThan(0);
    expect(none.looks).toBeUndefined();
    expect(none.digest).toBe(looked.digest);
    expect(await thrown(runCampaign({ seeds: 1, looks: 1.5 }))).toMatchObject({ message: 'looks must be an integer >= 0, not 1.5' });
    expect(await thrown(runCampaign({ seeds: 1, seedTimeoutSec: -1 }))).toMatchObject({ message: 'seedTimeoutSec must be a number of seconds >= 0, not -1' });
  });
});
