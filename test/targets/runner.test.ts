/**
 * Library workloads in the simulator: a careless writer is caught, a careful one passes every
 * seed tried, a seed gives the same run in any thread, and the two shipped workloads give the
 * findings the README reports, each shrunk to the plan that names the missing step.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { campaignSummary } from '../../cli/format.ts';
import { runCampaign } from '../../harness/campaign.ts';
import { explorePlan } from '../../harness/explore.ts';
import { shrinkPlan } from '../../harness/shrink.ts';
import { mergeResults } from '../../reports/index.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import { noFaults, type ScheduledFault } from '../../sim/world.ts';
import { lookPrefix } from '../../sim/second-look.ts';
import { targetPlan, type TargetPlan } from '../../targets/plan.ts';
import { messageOf, runTargetPlan } from '../../targets/runner.ts';
import { librarySubject } from '../../targets/subject.ts';
import { defineWorkload, InvariantViolation, type Workload, type WorkloadContext } from '../../targets/workload.ts';
import lowdbWorkload from '../../targets/lowdb.ts';
import writeFileAtomicWorkload from '../../targets/write-file-atomic.ts';
import { carefulWriter, carelessWriter, fsyncIgnoringWriter, journalWriter, reopenRenamer, syncedInPlaceWriter, writeCarefully } from './writers.ts';
import { fsyncPath, writeAll } from './planted-writers.ts';
import { documentOf } from '../../targets/write-file-atomic.ts';

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;
const planOf = (workload: unknown, seed: number): TargetPlan => targetPlan(asAny(workload), 'test', seed);
/** Seed `seed`'s plan with no fault drawn at random (only those `scheduled`, if given), `rest` over it. */
const quietPlan = (workload: unknown, seed: number, rest: Partial<TargetPlan>, scheduled?: ScheduledFault[]): TargetPlan => {
  const plan = planOf(workload, seed);
  return { ...plan, faults: { ...plan.faults, rates: {}, ...(scheduled === undefined ? {} : { scheduled }) }, ...rest };
};
const invariants = (violations: readonly { invariant: string }[]): Set<string> => new Set(violations.map((v) => v.invariant));

/** A campaign on a workload module, in this thread or in workers. */
async function campaign(target: string, seeds: number, jobs = 1, shard?: { index: number; count: number }) {
  return runCampaign({ subject: await loadSubject({ kind: 'library', module: target }), seeds, jobs, workerScript, invocation: 'npx powercut', ...(shard ? { shard } : {}) });
}

/** Shrinks a plan of a workload. */
const shrinkTargetPlan = (workload: unknown, plan: TargetPlan, options: { invariant?: string } = {}) => shrinkPlan(librarySubject(asAny(workload), 'test'), plan, options);

describe('an invariant check that throws', () => {
  const checking = (thrown: () => unknown) => defineWorkload<Record<string, never>, Record<string, never>>({
    name: 'check-throws', operationsCount: 1, initialState: () => ({}), open: () => ({}),
    operations: [{ name: 'nothing', run() {} }],
    invariants() {
      throw thrown();
    },
  });

  it('is invariants-threw, naming the error; a coding error is said to be the check\'s or what the library handed it, with where it was thrown', async () => {
    const typeError = checking(() => new TypeError('Cannot read properties of undefined (reading \'count\')'));
    const typed = (await runTargetPlan(asAny(typeError), targetPlan(asAny(typeError), 'test', 1, noFaults()))).violations.find((v) => v.invariant === 'invariants-threw');
    expect(typed?.message).toMatch(/^the invariant check threw TypeError: Cannot read properties of undefined \(reading 'count'\): a coding error, in the workload's check or in what the library handed it after the crash \(repro shows where it was thrown\)/);
    expect(typed?.thrownAt?.[0]).toContain('runner.test.ts');
    const plain = checking(() => new Error('Error during load'));
    const failed = (await runTargetPlan(asAny(plain), targetPlan(asAny(plain), 'test', 1, noFaults()))).violations.find((v) => v.invariant === 'invariants-threw');
    expect(failed?.message).toMatch(/^the invariant check threw Error: Error during load \(after/);
  });
});

describe('an operation that rejects with a coding error', () => {
  it('is the violation engine-error, naming the operation and the error, while a plain rejection is only counted', async () => {
    const typeErrors = (await import('./fixtures/every-operation-fails.ts')).typeErrors;
    const result = await runTargetPlan(asAny(typeErrors), targetPlan(asAny(typeErrors), 'test', 1, noFaults()));
    const found = result.violations.filter((v) => v.invariant === 'engine-error');
    expect(found.length).toBe(4);
    expect(found[0]!.message).toMatch(/^operation 0 \(save\) threw TypeError: .*is not a function: a coding error, in the library or in the workload, not a failure of the disk \(in operation 0 \(save\)\)/);
    // After a fault, the same error may be how the library met what the fault left.
    const readsTorn = onFileA('reads-torn', async (ctx) => {
      fs.writeFileSync(ctx.path('a'), 'chunk');
      throw new TypeError('Unknown chunk type 135');
    }, 1);
    const afterFault = await runTargetPlan(readsTorn, targetPlan(readsTorn, 'test', 1, noFaults({ scheduled: [{ io: 4, kind: 'short-write' }] })));
    expect(afterFault.faultsFired.map((fault) => fault.kind)).toEqual(['short-write']);
    expect(afterFault.violations[0]!.message).toMatch(/^operation 0 \(reads-torn\) threw TypeError: Unknown chunk type 135: a coding error, in the library or in the workload, after faults: a library that meets damaged or missing data should refuse it with an error of its own/);
    // One the operation was told of itself is its error path's: nedb read `.code` of an undefined
    // close error while handling a failed fsync's EIO.
    const errorPath = onFileA('error-path', async (ctx) => {
      const fd = fs.openSync(ctx.path('a'), 'w');
      fs.writeSync(fd, 'y');
      try {
        fs.fsyncSync(fd);
      } catch (error) {
        const onClose = undefined as { code: string } | undefined;
        if ((error as { code?: string }).code === 'EPERM' || onClose!.code === 'EISDIR') throw error;
      }
    }, 1);
    const told = await runTargetPlan(errorPath, targetPlan(errorPath, 'test', 1, noFaults({ rates: { 'fsync-error': 1 } })));
    const fsyncFailed = told.faultsFired.find((fault) => fault.kind === 'fsync-error');
    expect(told.violations[0]!.message).toMatch(new RegExp(`^operation 0 \\(error-path\\) threw TypeError: Cannot read properties of undefined \\(reading 'code'\\): a coding error, in the library or in the workload, after an injected fsync-error at I/O #${fsyncFailed!.io} failed a call of this operation: the library's error path should reject with that error, or one of its own, not throw`));
    const plain = (await import('./fixtures/every-operation-fails.ts')).default;
    const passed = await runTargetPlan(asAny(plain), targetPlan(asAny(plain), 'test', 1, noFaults()));
    expect(passed.violations).toEqual([]);
    expect(passed.failedOperations).toBe(4);
    expect(passed.acknowledged).toBe(0);
  });
});

describe('a library workload campaign', () => {
  it('catches a careless writer (in place, no fsync): the document is torn', async () => {
    const result = await campaign('test/targets/fixtures/careless-writer.ts', 30);
    expect(invariants(result.violations)).toContain('whole');
    expect(result.violations[0]!.repro).toBe(`npx powercut repro --target test/targets/fixtures/careless-writer.ts --seed ${result.violations[0]!.seed}`);
  });

  it('passes a careful writer (tmp file, fsync, rename, directory fsync) on every seed tried, through crashes and failed operations', async () => {
    const result = await campaign('test/targets/fixtures/careful-writer.ts', 200);
    expect(result.perScenario['careful-writer']!.crashes).toBeGreaterThan(200);
    expect(result.faults['fsync-error'] + result.faults['disk-full']).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('gives the same digest and violations with --jobs 1 and 2: pid, thread id, time and randomness are pinned to the seed', async () => {
    const one = await campaign('targets/write-file-atomic.ts', 24, 1);
    const two = await campaign('targets/write-file-atomic.ts', 24, 2);
    expect(two.digest).toBe(one.digest);
    expect(two.violations.map((v) => [v.seed, v.message])).toEqual(one.violations.map((v) => [v.seed, v.message]));
    expect(one.violations.length).toBeGreaterThan(0);
    // Traces are attached for the reports' timelines, ending at the check that failed.
    expect(one.violations[0]!.trace?.at(-1)).toMatchObject({ type: 'check', name: one.violations[0]!.invariant });
  });

  it('splits into shards that merge to the unsharded campaign: digest, violations and the workload module', async () => {
    const whole = await campaign('targets/lowdb.ts', 12);
    const shards = await Promise.all([1, 2].map((index) => campaign('targets/lowdb.ts', 12, 1, { index, count: 2 })));
    const merged = mergeResults(shards);
    expect(merged.digest).toBe(whole.digest);
    expect(merged.violations.map((v) => [v.seed, v.message])).toEqual(whole.violations.map((v) => [v.seed, v.message]));
    expect(merged.subject).toEqual({ kind: 'library', name: 'lowdb', module: 'targets/lowdb.ts', description: lowdbWorkload.description });
  });

  it('marks the faults it aims at as targeted cells of the coverage table, by I/O class', async () => {
    const result = await campaign('test/targets/fixtures/careful-writer.ts', 5);
    expect(result.targets['append']).toEqual(['kill-9', 'power-loss', 'disk-full', 'short-write', 'write-error']);
    expect(result.targets['fsync']).toEqual(['fsync-error']);
    expect(result.subject).toEqual({ kind: 'library', name: 'careful-writer', module: 'test/targets/fixtures/careful-writer.ts' });
  });
});

describe('a library\'s error message in a report', () => {
  it('shows binary garbage the library quoted (a torn record) as <binary>, so that runs choking on different garbage share a root cause', () => {
    const garbage = (bytes: number[]): Error => new Error(`Could not load corrupted row: ${new TextDecoder().decode(new Uint8Array(bytes))},`);
    expect(messageOf(garbage([0xff, 0x64, 0x09, 0x61, 0xfe, 0x00]))).toBe('Could not load corrupted row: <binary>,');
    expect(messageOf(garbage([0x00, 0x00, 0x00]))).toBe(messageOf(garbage([0xc3, 0x28])));
    expect(messageOf(new Error('Unexpected token } in JSON at position 5, café'))).toBe('Unexpected token } in JSON at position 5, café');
  });

  it('leaves the escapes of text a workload quoted with JSON.stringify whole: it escapes C0 controls but not C1 ones', () => {
    const quoted = JSON.stringify('\u0000\u0085\u0001x');
    expect(quoted).toBe('"\\u0000\u0085\\u0001x"');
    expect(messageOf(new Error(`bad record ${quoted}`))).toBe('bad record "\\u0000<binary>\\u0001x"');
  });

  it('shows binary garbage a workload quoted in ctx.violate as <binary> too: no control character reaches a terminal', async () => {
    const quoting = asAny(defineWorkload<Record<string, never>, Record<string, never>>({
      name: 'quotes-garbage',
      operationsCount: 1,
      initialState: () => ({}),
      open: () => ({}),
      operations: [{ name: 'nothing', run() {} }],
      invariants(ctx) {
        ctx.violate('whole', `a torn line: ${new TextDecoder().decode(new Uint8Array([0x1b, 0x5b, 0x32, 0x4a, 0xff, 0x00]))} then text`);
      },
    }));
    const result = await runTargetPlan(quoting, targetPlan(quoting, 'test', 1, noFaults()));
    expect(result.violations[0]?.message).toMatch(/^a torn line: <binary> then text \(after /);
  });
});

describe('a library that throws where nothing catches it', () => {
  it('is counted over a campaign, deaths and seeds, and said in the summary: no violation by itself, but worth knowing', async () => {
    const result = await campaign('test/targets/fixtures/throws-uncaught.ts', 3);
    expect(result.processDeaths).toBe(6);
    expect(result.processDeathSeeds).toBe(3);
    expect(result.processDeathFirstSeed).toBe(1);
    expect(campaignSummary(result).some((line) => line.startsWith('the library\'s process died 6 times (in 3 seeds, the first seed 1) of an exception nobody caught'))).toBe(true);
  });

  it('ends the simulated process there, as Node would, and restarts the library as after a kill -9: an unhandled rejection and an exception thrown in a callback end neither the run nor powercut', async () => {
    const { default: throwsUncaught } = await import('./fixtures/throws-uncaught.ts');
    const plan = targetPlan(asAny(throwsUncaught), 'test', 1, noFaults());
    const result = await runTargetPlan(asAny(throwsUncaught), plan, { trace: 'full' });
    const notes = result.trace.filter((event) => event.type === 'note' && event.name === 'uncaught').map((event) => event.detail);
    expect(notes).toEqual([expect.stringContaining("ENOENT: no such file or directory, open '/powercut-target/missing'"), 'thrown in a callback']);
    // Each note is followed by the process's death and a restart, then the library's reopen.
    const after = (note: number): string[] => {
      const at = result.trace.findIndex((event) => event.type === 'note' && event.detail === notes[note]);
      return result.trace.slice(at + 1, at + 3).map((event) => `${event.type} ${event.name}`);
    };
    expect([after(0), after(1)]).toEqual([['crash kill-9', 'restart kill-9'], ['crash kill-9', 'restart kill-9']]);
    // Operation 3 had resolved when the rejection it left was reported (its caller saw it succeed:
    // acknowledged); operation 5's callback threw before its write resolved (the process died first: failed).
    expect(result.failedOperations).toBe(1);
    expect(result.processDeaths).toBe(2);
    // Deaths are not faults powercut fired: only the run's final crash is counted.
    expect(result.faults['kill-9'] + result.faults['power-loss']).toBe(1);
    expect(result.acknowledged).toBe(plan.operations.length - 1);
    expect(result.violations).toEqual([]);
  });

  it('counts an operation that resolved before the rejection it left unhandled ended the process as acknowledged, not failed', async () => {
    const resolvesThenDies = defineWorkload<{ acked: number }, Record<string, never>>({
      name: 'resolves-then-dies',
      operationsCount: 2,
      initialState: () => ({ acked: 0 }),
      open: () => ({}),
      operations: [{
        name: 'write',
        async run(ctx, _lib, index) {
          await fs.promises.writeFile(ctx.path('n'), String(index));
          // Its caller sees the write succeed; the rejection surfaces after, when the queues drain.
          if (index === 0) void Promise.reject(new Error('left unhandled'));
          ctx.state.acked++;
        },
      }],
      invariants() {},
    });
    const result = await runTargetPlan(asAny(resolvesThenDies), targetPlan(asAny(resolvesThenDies), 'test', 1, noFaults()));
    expect(result.processDeaths).toBe(1);
    expect(result.failedOperations).toBe(0);
    expect(result.acknowledged).toBe(2);
  });

  /** One operation whose fs callback unlinks `a`, then throws (the process dies there); its check wants `a` kept. */
  const diesThenLoses = (): Workload<unknown, unknown> => ({
    ...onFileA('dies-then-loses', async (ctx) => {
      fs.stat(ctx.path('a'), () => {
        fs.unlinkSync(ctx.path('a'));
        throw new Error('thrown in a callback');
      });
    }, 1),
    async invariants(ctx: WorkloadContext<unknown>) {
      if (!fs.existsSync(ctx.path('a'))) throw new InvariantViolation('kept', 'a is gone');
    },
  });

  it('says so in a violation found after such an exit', async () => {
    const checked = diesThenLoses();
    const result = await runTargetPlan(checked, { ...targetPlan(checked, 'test', 1, noFaults()), looks: 0 });
    expect(result.violations.map((violation) => violation.message)).toEqual(['a is gone (after the process died of an uncaught exception during operation 0)']);
  });

  it('joins the lines of a multi-line violation message into one, as every report lists it', async () => {
    const lost = onFileA('reports-two-lines', async () => {}, 1);
    const checked = { ...lost, async invariants() {
      throw new InvariantViolation('integrity', '*** in database main ***\nPage 3: never used\n');
    } };
    const result = await runTargetPlan(checked, { ...targetPlan(checked, 'test', 1, noFaults()), looks: 0 });
    expect(result.violations[0]?.message).toMatch(/^\*\*\* in database main \*\*\* \/ Page 3: never used \(after the final power-loss, crash state \d+\)$/);
  });

  it('names the operation by its index, as the trace does, in a plan whose operations a shrink cut (operations [7])', async () => {
    const checked = diesThenLoses();
    const result = await runTargetPlan(checked, { ...targetPlan(checked, 'test', 1, noFaults()), operations: [7], looks: 0 });
    expect(result.violations.map((violation) => violation.message)).toEqual(['a is gone (after the process died of an uncaught exception during operation 7)']);
  });
});

/** A workload whose setup writes the file `a` and whose one operation is `run`. */
function onFileA(name: string, run: (ctx: WorkloadContext<Record<string, never>>) => Promise<void>, operationsCount = 12): Workload<unknown, unknown> {
  return asAny(defineWorkload<Record<string, never>, Record<string, never>>({
    name,
    description: name,
    operationsCount,
    initialState: () => ({}),
    async open() {
      return {};
    },
    async setup(ctx) {
      fs.writeFileSync(ctx.path('a'), 'x');
    },
    operations: [{ name, run: (ctx) => run(ctx) }],
    async invariants() {},
  }));
}

describe('a library that makes an fs call the facade does not simulate', () => {
  it('fails the run with TargetUnsupportedError naming the call, even when the library caught the error and went on', async () => {
    const watcher = onFileA('blob-or-copy', async (ctx) => {
      try {
        await (fs as unknown as { openAsBlob(path: string): Promise<unknown> }).openAsBlob(ctx.path('a'));
      } catch {
        fs.copyFileSync(ctx.path('a'), ctx.path('b'));
      }
    });
    const run = runTargetPlan(watcher, targetPlan(watcher, 'test', 1, noFaults()));
    await expect(run).rejects.toMatchObject({ code: 'TARGET_UNSUPPORTED', message: expect.stringContaining("the library called fs.openAsBlob on '/powercut-target/a'") });
  });
});

describe('a workload that cannot start with faults off', () => {
  it('fails the run with TargetSetupError, saying when load() threw (a package name misspelt) rather than blaming open', async () => {
    const base = onFileA('loads-nothing', async () => {}, 1);
    const missing = { ...base, load: async () => { throw new Error("Cannot find module 'jsonfle'"); } };
    await expect(runTargetPlan(missing, targetPlan(missing, 'test', 1, noFaults()))).rejects.toMatchObject({
      code: 'TARGET_SETUP', message: "loads-nothing seed 1: open did not complete with faults off: load() threw Error: Cannot find module 'jsonfle'",
    });
  });

  it('says so when open returned an object with a then method (not a Promise) that never settled, as await waits on it', async () => {
    const base = onFileA('thenable-handle', async () => {}, 1);
    // gun's chain object has a `then`: returned bare from open, it is awaited and never settles.
    const thenable = { ...base, open: () => ({ then: () => {} }) };
    await expect(runTargetPlan(thenable, targetPlan(thenable, 'test', 1, noFaults()))).rejects.toMatchObject({
      code: 'TARGET_SETUP',
      message: expect.stringContaining('thenable-handle seed 1: open did not complete with faults off: stuck; open returned an object with a then method (not a Promise), which powercut awaits as await does, and it never settled: return the handle inside an object, e.g. { db }'),
    });
    const wrapped = { ...base, open: () => Promise.resolve(new Promise(() => {})) };
    await expect(runTargetPlan(wrapped, targetPlan(wrapped, 'test', 1, noFaults()))).rejects.toMatchObject({
      message: expect.not.stringContaining('then method'),
    });
  });

  it('names setup when the workload\'s setup throws, and a coding error as one (faults were off)', async () => {
    const base = onFileA('bad-setup', async () => {}, 1);
    const broken = { ...base, setup: () => { throw new TypeError('x is not a function'); } };
    await expect(runTargetPlan(broken, targetPlan(broken, 'test', 1, noFaults()))).rejects.toMatchObject({
      code: 'TARGET_SETUP', message: 'bad-setup seed 1: setup did not complete with faults off: TypeError: x is not a function (a coding error, in the workload\'s setup or in the library it calls: no fault was on)',
    });
    const failing = { ...base, setup: () => { throw new Error('disk says no'); } };
    await expect(runTargetPlan(failing, targetPlan(failing, 'test', 1, noFaults()))).rejects.toMatchObject({
      code: 'TARGET_SETUP', message: 'bad-setup seed 1: setup did not complete with faults off: disk says no',
    });
  });
});

/** What a stuck operation of a workload without `load` is told when its run had no crash before it. */
const earlierSeedHint = '; nothing was left to run (no timer, no I/O): if the library keeps a lock or queue at module level, a process an earlier seed killed in this thread may still hold it (without load(), its modules are loaded once per thread: load it afresh with freshRequire or freshImport, see README "Loading")';

describe('a library whose operation never settles', () => {
  it('is a liveness violation told where it hung; a kill -9 and its check follow, and the run ends there', async () => {
    // Every operation hangs: going on would pay ~1 s of real grace turns for each of the three.
    const hangs = onFileA('hangs', () => new Promise(() => {}), 3);
    const result = await runTargetPlan(hangs, targetPlan(hangs, 'test', 1, noFaults()));
    expect(result.violations.map((v) => [v.invariant, v.message])).toEqual([['liveness', `operation 0 (hangs) ended stuck${earlierSeedHint} (in operation 0, then ended by kill-9)`]]);
    expect(result.crashes).toBe(1);
  });
});

describe('a library loaded afresh in every incarnation whose operation never settles', () => {
  it('is told it waits on something nothing will settle, not to load itself afresh, crash or not: one hint, one root cause', async () => {
    let calls = 0;
    // The second call hangs (an error it dropped), with a crash before it or not.
    const base = onFileA('drops-an-error', async (ctx) => {
      if (calls++ === 1) await new Promise(() => {});
      await fs.promises.writeFile(ctx.path('a'), 'y');
    }, 3);
    const fresh = { ...base, load: () => ({}) } as unknown as Workload<unknown, unknown>;
    const hint = '; nothing was left to run (no timer, no I/O): the library waits on something no I/O or timer will settle (an error it dropped, a callback or event that never comes)';
    const plain = await runTargetPlan(fresh, targetPlan(fresh, 'test', 1, noFaults()));
    expect(plain.violations[0]?.message).toContain(`ended stuck${hint} (in operation`);
    calls = 0;
    const killed = await runTargetPlan(fresh, targetPlan(fresh, 'test', 1, noFaults({ scheduled: [{ io: 4, kind: 'kill-9' }] })));
    expect(killed.violations.find((v) => v.invariant === 'liveness')?.message).toContain(`ended stuck${hint} (in operation`);
  });
});

describe('a loadOnce library whose modules keep what a dead process left', () => {
  it('fails to open after the crash, and is told that loadOnce keeps that state', async () => {
    // Its module-level state: a file open in memory that only a clean close releases.
    const shared = { open: false };
    const base = onFileA('in-memory-file', async (ctx) => fs.promises.writeFile(ctx.path('a'), 'y'), 2);
    const once = {
      ...base,
      loadOnce: true,
      load: () => shared,
      open: (_ctx: unknown, module: typeof shared) => {
        if (module.open) throw new Error('EEXIST: the file is open already');
        module.open = true;
        return module;
      },
    } as unknown as Workload<unknown, unknown>;
    // Setup's open, write and close are I/O 0-2; the first operation's write is I/O 4.
    const result = await runTargetPlan(once, targetPlan(once, 'test', 1, noFaults({ scheduled: [{ io: 4, kind: 'kill-9' }] })));
    expect(result.violations[0]).toMatchObject({
      invariant: 'opens',
      message: expect.stringContaining('the library does not open after the crash: EEXIST: the file is open already; the workload has loadOnce: true, so what a dead process left in the library\'s modules'),
    });
  });
});

describe('a library whose open fails after a crash, then fails its retry for what the first attempt left', () => {
  it('tells the first attempt\'s error as the cause beside the retry\'s (jsonl-db: a bad line, then its own lock)', async () => {
    const base = onFileA('refuses-then-locked', async (ctx) => fs.promises.writeFile(ctx.path('a'), 'bad'), 2);
    // The lock the process takes (held by the process the crash count names) outlives a failed open.
    let lockedBy: number | undefined;
    const locking = {
      ...base,
      open: (ctx: WorkloadContext<Record<string, never>>) => {
        if (lockedBy === ctx.crashCount) throw new Error('Failed to lock the database');
        lockedBy = ctx.crashCount;
        if (fs.existsSync(ctx.path('a')) && fs.readFileSync(ctx.path('a'), 'utf8') === 'bad') throw new Error('Invalid data in line 1');
        return {};
      },
    } as unknown as Workload<unknown, unknown>;
    // Killed at the second operation's open: the first wrote the bad line.
    const clean = await runTargetPlan(locking, targetPlan(locking, 'test', 1, noFaults()), { trace: 'full' });
    const io = clean.trace.filter((event) => event.type === 'io').findIndex((event, i) => i > 4 && event.name === 'open');
    lockedBy = undefined;
    const result = await runTargetPlan(locking, { ...targetPlan(locking, 'test', 1, noFaults({ scheduled: [{ io, kind: 'kill-9' }] })), looks: 0 });
    expect(result.violations[0]).toMatchObject({
      invariant: 'opens',
      message: expect.stringContaining('the library does not open after the crash: Failed to lock the database (retried with faults off, in the same process, after its first open failed: Invalid data in line 1)'),
    });
  });
});

describe('a library whose module-level lock a crash leaves held', () => {
  let busy = false;
  // Two operations: the second is stuck (and a stuck section waits ~1 s of real turns for real work).
  const locked = onFileA('write-under-a-module-lock', async (ctx) => {
    if (busy) await new Promise(() => {});
    busy = true;
    await fs.promises.writeFile(ctx.path('a'), 'y');
    busy = false;
  }, 2);

  it('reports the next operation stuck, and says why that happens after a crash', async () => {
    // Setup's open, write and close are I/O 0-2; the first operation's write is I/O 4.
    const result = await runTargetPlan(locked, targetPlan(locked, 'test', 1, noFaults({ scheduled: [{ io: 4, kind: 'kill-9' }] })));
    expect(result.violations[0]).toMatchObject({ invariant: 'liveness', message: expect.stringContaining('ended stuck; nothing was left to run (no timer, no I/O): after a crash this is often a lock or queue the library keeps at module level') });
  });

  it('reports a later seed in the thread stuck from its first operation, without a crash of its own, and says an earlier seed\'s kill may hold the lock', async () => {
    // The seed before left the lock held: this one crashes nowhere and hangs at once.
    const result = await runTargetPlan(locked, targetPlan(locked, 'test', 2, noFaults()));
    expect(result.violations.map((v) => [v.invariant, v.message])).toEqual([['liveness', `operation 0 (write-under-a-module-lock) ended stuck${earlierSeedHint} (in operation 0, then ended by kill-9)`]]);
  });
});

/**
 * A workload whose setup writes `n` = -1 and whose three operations `save` their index, run with
 * a kill -9 at the second save's write: setup's open, write, close are I/O 0-2, the first
 * save's 3-5, the second save's write is I/O 7.
 */
function killedAtSecondSave<S>(name: string, initialState: () => S, save: (ctx: WorkloadContext<S>, index: number) => void, invariants: (ctx: WorkloadContext<S>) => void) {
  const workload = asAny(defineWorkload<S, Record<string, never>>({
    name,
    description: name,
    operationsCount: 3,
    initialState,
    async open() {
      return {};
    },
    async setup(ctx) {
      fs.writeFileSync(ctx.path('n'), '-1');
    },
    operations: [{ name: 'save', run: async (ctx, _lib, index) => save(ctx, index) }],
    invariants: async (ctx) => invariants(ctx),
  }));
  return runTargetPlan(workload, targetPlan(workload, 'test', 1, noFaults({ scheduled: [{ io: 7, kind: 'kill-9' }] })));
}

describe('a library that catches the dead process\'s error and returns', () => {
  it('does not let the workload acknowledge what the dead process never wrote: ctx.state goes back to the crash instant', async () => {
    const result = await killedAtSecondSave('swallows-errors-as-flat-cache-does', () => ({ acked: -1 }), (ctx, index) => {
      try {
        fs.writeFileSync(ctx.path('n'), String(index));
      } catch {
        // swallowed, as the library does
      }
      ctx.state.acked = index;
    }, (ctx) => {
      const n = Number(fs.readFileSync(ctx.path('n'), 'utf8'));
      if (ctx.crash?.powerLost === false && n < ctx.state.acked) ctx.violate('acked-after-kill-9', `${n} < ${ctx.state.acked}`);
    });
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('leaves a state that is not plain data (a class instance) as it is, since a clone would lose its methods', async () => {
    class Model {
      acked = -1;
      ack(index: number): void {
        this.acked = index;
      }
    }
    const result = await killedAtSecondSave('class-state', () => new Model(), (ctx, index) => {
      fs.writeFileSync(ctx.path('n'), String(index));
      ctx.state.ack(index);
    }, (ctx) => ctx.state.ack(ctx.state.acked));
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});

describe('one target plan', () => {
  it('replays to the same trace digest, and its fired faults replay as scheduled faults to the same run', async () => {
    const plan = planOf(writeFileAtomicWorkload, 7);
    const first = await runTargetPlan(asAny(writeFileAtomicWorkload), plan);
    const again = await runTargetPlan(asAny(writeFileAtomicWorkload), plan);
    expect(again.digest).toBe(first.digest);
    expect(first.faultsFired.length).toBeGreaterThan(0);
    const explicit = await runTargetPlan(asAny(writeFileAtomicWorkload), {
      ...plan, faults: { ...plan.faults, rates: {}, scheduled: first.faultsFired }, crashStates: first.crashStates,
    });
    expect(explicit.violations).toEqual(first.violations);
    expect(explicit.crashStates).toEqual(first.crashStates);
  });

  it('crashes inside the library\'s own recovery (its open after a crash) and checks that crash too', async () => {
    // Every crash keeps everything (state 2), and no second look tries another: steno's missing
    // directory fsync, which other states show, stays out of this spec of the reopen's crash.
    const base = quietPlan(lowdbWorkload, 1, { operations: [0, 1], crashStates: [2, 2, 2], looks: 0 });
    // Where the operations' I/O and the reopen's I/O are, from a run with one kill -9.
    const clean = await runTargetPlan(asAny(lowdbWorkload), base, { trace: 'full' });
    const checkpoint = clean.trace.findIndex((event) => event.type === 'note' && event.name === 'checkpoint');
    const opIo = clean.trace.slice(0, checkpoint).filter((event) => event.type === 'io').length + 1;
    const once = await runTargetPlan(asAny(lowdbWorkload), { ...base, faults: { ...base.faults, scheduled: [{ io: opIo, kind: 'kill-9' }] } }, { trace: 'full' });
    const events = once.trace;
    const restart = events.findIndex((event) => event.type === 'restart');
    const reopenIo = events.slice(0, restart).filter((event) => event.type === 'io').length;
    expect(events.slice(restart).find((event) => event.type === 'io')?.name).toBeDefined();
    const twice = await runTargetPlan(asAny(lowdbWorkload), { ...base, faults: { ...base.faults, scheduled: [{ io: opIo, kind: 'kill-9' }, { io: reopenIo, kind: 'power-loss' }] } }, { trace: 'full' });
    expect(twice.faultsFired.map((fault) => fault.io)).toEqual([opIo, reopenIo]);
    expect(twice.crashes).toBe(once.crashes + 1);
    // The second crash came before any check of the first one's recovery.
    const kinds = twice.trace.filter((event) => event.type === 'crash' || (event.type === 'check' && event.name === 'invariants')).map((event) => event.type);
    expect(kinds.slice(0, 3)).toEqual(['crash', 'crash', 'check']);
    expect(twice.violations).toEqual([]);
  });

  it('runs only the operations the plan lists, with their own indexes', async () => {
    const result = await runTargetPlan(asAny(carefulWriter), quietPlan(carefulWriter, 1, { operations: [4, 6] }));
    expect(result.acknowledged).toBe(2);
    expect(result.trace.filter((event) => event.type === 'op').map((event) => event.detail)).toEqual(['4', '6']);
  });
});

describe('findings on npm libraries, shrunk', () => {
  it('write-file-atomic: never torn or missing, but truncated by a write that landed short, and one acknowledged write is lost by a power loss that keeps data without names (no directory fsync after rename)', async () => {
    const result = await campaign('targets/write-file-atomic.ts', 100);
    expect(invariants(result.violations)).toEqual(new Set(['durable', 'whole']));
    // Never when every rename is kept (2) or only unsynced data is dropped (3): the data was
    // fsynced, the rename was not made durable. (Seeded random states, 0 and 5 up, as second
    // looks settle on, may drop the rename.) The message names the rename lost under durable data.
    for (const violation of result.violations.filter((v) => v.invariant === 'durable')) {
      expect(violation.message).toMatch(/crash state (?![23]\))\d+\); the power loss before it lost the rename \S+ -> \S+config\.json, which named a file whose data was durable \(if what failed rests on that file: /);
    }
    // Never torn or mixed: a whole document's prefix, which a short write (or a disk filling up)
    // left and write-file-atomic renamed into place without checking the count.
    for (const violation of result.violations.filter((v) => v.invariant === 'whole')) expect(violation.message.replace(lookPrefix, '')).toMatch(/^config\.json is truncated: \d+ of \d+ bytes/);
    // Shrunk without second looks, the finding shows in the named crash state that explains it.
    const shrunk = await shrinkTargetPlan(asAny(writeFileAtomicWorkload), { ...planOf(writeFileAtomicWorkload, 1), looks: 0 });
    expect(shrunk.violation).toMatchObject({ invariant: 'durable', crash: { kind: 'power-loss', final: true } });
    expect(shrunk.plan.operations).toHaveLength(1);
    expect(shrunk.plan.faults.scheduled).toEqual([]);
    expect([1, 4]).toContain(shrunk.plan.crashStates?.[0]);
  });

  it('lowdb + steno: a power loss that keeps the rename but not the data leaves an empty db.json that lowdb cannot open (no fsync before rename)', async () => {
    const shrunk = await shrinkTargetPlan(asAny(lowdbWorkload), planOf(lowdbWorkload, 3), { invariant: 'opens' });
    expect(shrunk.violation).toMatchObject({ invariant: 'opens', crash: { crashState: 3 } });
    expect(shrunk.violation?.message).toMatch(/Unexpected end of JSON input/);
    expect(shrunk.plan.operations.length).toBeLessThanOrEqual(2);
    expect(shrunk.runs).toBeLessThan(200);
  });

  it('lowdb + steno: an acknowledged write is lost without a directory fsync', async () => {
    const shrunk = await shrinkTargetPlan(asAny(lowdbWorkload), { ...planOf(lowdbWorkload, 1), looks: 0 }, { invariant: 'durable' });
    expect(shrunk.violation).toMatchObject({ invariant: 'durable', crash: { crashState: 4 } });
    expect(shrunk.plan.operations).toHaveLength(1);
  });

  it('does not shrink a plan that does not fail', async () => {
    const result = await shrinkTargetPlan(asAny(carefulWriter), planOf(carefulWriter, 1));
    expect(result.violation).toBeUndefined();
    expect(result.runs).toBe(1);
  });
});

describe('second looks at a library\'s power loss (sim/second-look.ts)', () => {
  // lowdb over steno renames a temporary file into place without an fsync of the directory. A
  // run whose every crash keeps everything (state 2) cannot see that; other disks of the same
  // power loss can.
  const kept = (looks: number): TargetPlan => quietPlan(lowdbWorkload, 1, { operations: [0, 1], crashStates: [2], looks });
  // A writer that rewrites its file in place and then fsyncs it, struck by a power loss between
  // the write and the fsync (I/O 9) that keeps everything (state 2): whole. Other states tear it.
  const tornInPlace = (looks: number): TargetPlan => quietPlan(syncedInPlaceWriter, 3, { operations: [0, 1], crashStates: [2], looks }, [{ io: 9, kind: 'power-loss' }]);

  it('stop once one found a violation: the run has failed, and looks at its later crashes would only repeat it', async () => {
    // lowdb fails a look at most crashes; each run's looks that found something are of one crash.
    let failing = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const run = await runTargetPlan(asAny(lowdbWorkload), planOf(lowdbWorkload, seed));
      const crashes = new Set(run.violations.flatMap((v) => (v.look === undefined ? [] : [v.look.crash])));
      expect(crashes.size, `seed ${seed}`).toBeLessThanOrEqual(1);
      failing += crashes.size;
    }
    expect(failing).toBeGreaterThan(2);
  });

  it('reopen and check other disks the power loss could have left, and report what they find with the crash and crash state', async () => {
    expect((await runTargetPlan(asAny(syncedInPlaceWriter), tornInPlace(0))).violations).toEqual([]);
    const looked = await runTargetPlan(asAny(syncedInPlaceWriter), tornInPlace(3));
    const [violation] = looked.violations;
    expect(violation?.look).toMatchObject({ crash: 0 });
    expect(violation?.look?.crashState).toBeGreaterThanOrEqual(8);
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) settled on crash state \d+ \([^)]+\) instead of 2: doc\.json is torn \(\d+ bytes\) \(after power-loss during operation 1, crash state \d+\)$/);
  });

  it('look at a power loss right after a rename moved a file whose data was not synced (lowdb over steno: ext4 may publish it empty), settled on the state that keeps the rename and drops the data; shrinking pins it at the next I/O', async () => {
    expect((await runTargetPlan(asAny(lowdbWorkload), kept(0))).violations).toEqual([]);
    const looked = await runTargetPlan(asAny(lowdbWorkload), kept(3));
    const [violation] = looked.violations;
    expect(violation?.look).toMatchObject({ crash: 0, crashState: 3, beforeStep: 0, why: 'rename-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) in step 0, right after a rename moved a file whose data was not synced: the library does not open after the crash: .*\(after power-loss during operation 0, crash state 3\)$/);
    const shrunk = await shrinkTargetPlan(asAny(lowdbWorkload), kept(3));
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.plan.looks).toBeUndefined();
    expect(shrunk.plan.crashStates?.[0]).toBe(3);
    const again = await runTargetPlan(asAny(lowdbWorkload), shrunk.plan);
    expect(again.violations[0]?.invariant).toBe(shrunk.violation?.invariant);
  });

  it('look at a power loss right after a rename inside a reopen after a crash, told as a power loss in that reopen', async () => {
    // A kill -9 between the temporary file's write and its fsync (I/O 9); the reopen renames the
    // file in, its data still unsynced. The final power loss keeps everything (state 2).
    const plan = (looks: number): TargetPlan => quietPlan(reopenRenamer, 1, { operations: [0], crashStates: [0, 2], looks }, [{ io: 9, kind: 'kill-9' }]);
    expect((await runTargetPlan(asAny(reopenRenamer), plan(0))).violations).toEqual([]);
    const [violation] = (await runTargetPlan(asAny(reopenRenamer), plan(3))).violations;
    expect(violation?.look).toMatchObject({ crash: 1, crashState: 3, beforeStep: 0, why: 'rename-unsynced' });
    expect(violation?.crash).toMatchObject({ kind: 'kill-9', afterOperation: 0, reopenCrashes: [{ kind: 'power-loss', crashState: 3 }] });
    expect(violation?.message).toMatch(/^crash 2 \(a power loss\) in step 0, right after a rename moved a file whose data was not synced: doc\.json is torn \(0 bytes\) \(after kill-9 during operation 0, then power-loss during the reopen, crash state 3\)$/);
    // Shrinking moves it onto the run's own path; nothing but reads comes between the reopen's
    // rename and the final power loss, so the shrinker may settle that one on state 3 instead.
    const shrunk = await shrinkTargetPlan(asAny(reopenRenamer), plan(3));
    expect(shrunk.violation).toMatchObject({ invariant: 'whole', crash: { crashState: 3 } });
    expect(shrunk.violation?.look).toBeUndefined();
    expect((await runTargetPlan(asAny(reopenRenamer), shrunk.plan)).violations[0]).toMatchObject({ invariant: 'whole' });
  });

  it('look at a power loss inside a reopen that began on unsynced writes, right before the fsync after it wrote over durable data: a rollback from a journal only the page cache holds is caught, one that makes the journal durable first is not looked at', async () => {
    // A kill -9 at the journal's fsync in operation 0: the journal the reopen reads is unsynced.
    const plan = (workload: unknown, looks: number, seed: number): TargetPlan => quietPlan(workload, seed, { operations: [0, 1], crashStates: [0, 2], looks }, [{ io: 0, kind: 'kill-9', step: 0, ioInStep: 0, at: 'sync /powercut-target/doc.journal' }]);
    const trusting = journalWriter(true);
    const caught: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      expect((await runTargetPlan(asAny(trusting), plan(trusting, 0, seed))).violations).toEqual([]);
      const [violation] = (await runTargetPlan(asAny(trusting), plan(trusting, 5, seed))).violations;
      if (violation === undefined) continue;
      caught.push(seed);
      expect(violation.look).toMatchObject({ crash: 1, beforeStep: 0, why: 'recovery-unsynced' });
      expect(violation.crash).toMatchObject({ kind: 'kill-9', afterOperation: 0, reopenCrashes: [{ kind: 'power-loss' }] });
      expect(violation.message).toMatch(/^crash 2 \(a power loss\) before step 0, right before an fsync of an open that began on unsynced writes, after it wrote over durable data(, settled on crash state \d+ \([^)]+\))?: doc\.json is (torn|gone)/);
    }
    expect(caught.length).toBeGreaterThan(0);
    // Nothing the careful one began on is unsynced once it writes over the document: no look.
    const careful = journalWriter(false);
    for (let seed = 1; seed <= 12; seed++) {
      const looked = await runTargetPlan(asAny(careful), plan(careful, 5, seed));
      expect(looked.violations).toEqual([]);
      expect(looked.looks ?? 0).toBe(0);
    }
    // Shrinking moves it onto the run's own path: a power loss at that fsync.
    const shrunk = await shrinkTargetPlan(asAny(trusting), plan(trusting, 5, caught[0]!));
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.violation?.invariant).toMatch(/^(whole|durable)$/);
    expect((await runTargetPlan(asAny(trusting), shrunk.plan)).violations[0]?.invariant).toBe(shrunk.violation?.invariant);
  });

  it('look at a power loss right after an operation that left more than new names unsynced, settled on the state that keeps nothing unsynced: write-file-atomic does not fsync the directory, so an acknowledged write is lost', async () => {
    const plan = (looks: number): TargetPlan => quietPlan(writeFileAtomicWorkload, 1, { operations: [0, 1], crashStates: [2], looks });
    expect((await runTargetPlan(asAny(writeFileAtomicWorkload), plan(0))).violations).toEqual([]);
    const looked = await runTargetPlan(asAny(writeFileAtomicWorkload), plan(3));
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('durable');
    expect(violation?.look).toMatchObject({ crash: 0, crashState: 1, beforeStep: 1, why: 'operation-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) before step 1, right after an operation that left writes unsynced: config\.json holds version 0/);
    // Triage strips where a look found it, to group it with the same bug found on a run's own path.
    expect(violation?.message.replace(lookPrefix, '')).toMatch(/^config\.json holds version 0/);
    const shrunk = await shrinkTargetPlan(asAny(writeFileAtomicWorkload), plan(3));
    expect(shrunk.violation).toMatchObject({ invariant: 'durable' });
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.plan.crashStates?.[0]).toBe(1);
    // The careful writer syncs the directory too: nothing but the run's own crash to look at.
    const careful = await runTargetPlan(asAny(carefulWriter), quietPlan(carefulWriter, 1, { operations: [0, 1, 2], looks: 3 }));
    expect(careful.violations).toEqual([]);
    expect(careful.looks ?? 0).toBe(0);
  });

  it('look at a power loss after an fsync failed ext4\'s way: a writer that ignores the error and renames is caught, which the run alone misses; shrinking moves it onto the run\'s own path', async () => {
    // Three replacements; the fsync of the second one's temporary file (I/O 14) fails, its pages
    // forgotten: the rename publishes bytes no power loss keeps, until the third replaces them.
    const base = { ...targetPlan(asAny(fsyncIgnoringWriter), 'test', 1, noFaults({ fsyncFailureMode: 'ext4', scheduled: [{ io: 14, kind: 'fsync-error' }] })), operations: [0, 1, 2] };
    expect((await runTargetPlan(asAny(fsyncIgnoringWriter), { ...base, looks: 0 })).violations).toEqual([]);
    const looked = await runTargetPlan(asAny(fsyncIgnoringWriter), { ...base, looks: 5 });
    expect(looked.faults['fsync-error']).toBe(1);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('whole');
    expect(violation?.look).toEqual({ crash: 0, crashState: 0, io: 18, beforeStep: 2, why: 'fsync-failed' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) before step 2, with pages a failed fsync left unwritten: doc\.json is torn \(0 bytes\) \(after power-loss before operation 2, crash state 0\)$/);
    // The careful writer does not rename what it could not fsync: the same looks find nothing.
    const careful = await runTargetPlan(asAny(carefulWriter), { ...base, looks: 5 });
    expect(careful.looks).toBeGreaterThan(0);
    expect(careful.violations).toEqual([]);
    const shrunk = await shrinkTargetPlan(asAny(fsyncIgnoringWriter), { ...base, looks: 5 });
    expect(shrunk.plan.looks).toBeUndefined();
    const own = await runTargetPlan(asAny(fsyncIgnoringWriter), shrunk.plan);
    expect(own.violations[0]?.invariant).toBe('whole');
    expect(own.violations[0]?.look).toBeUndefined();
  });

  it('are skipped, and counted as skipped, at crashes whose workload state is not plain data (a look needs a copy of it)', async () => {
    // The careful writer with its state in a class instance: structuredClone would drop its class.
    class Acked {
      acked = 0;
    }
    const classState = { ...carefulWriter, name: 'careful-class-state', initialState: () => new Acked() };
    let [looks, skipped, crashes] = [0, 0, 0];
    for (let seed = 1; seed <= 4; seed++) {
      const plain = await runTargetPlan(asAny(carefulWriter), planOf(carefulWriter, seed));
      const classy = await runTargetPlan(asAny(classState), planOf(classState, seed));
      expect(plain.looksSkipped).toBeUndefined();
      expect(classy.looks).toBeUndefined();
      expect(classy.digest).toBe(plain.digest);
      looks += plain.looks ?? 0;
      skipped += classy.looksSkipped ?? 0;
      crashes += classy.crashes;
    }
    expect(looks).toBeGreaterThan(0);
    expect(skipped).toBeGreaterThan(0);
    expect(skipped).toBeLessThanOrEqual(crashes);
  });

  it('leave a run whose looks find nothing as it was: the same digest, the same random numbers after a look', async () => {
    // The careful writer, with a name drawn from Math.random for each temporary file: a run whose
    // random numbers started over after a look would write other names, and trace them.
    const randomNames = { ...carefulWriter, name: 'careful-random', operations: [{
      name: 'replace',
      async run(ctx: WorkloadContext<{ acked: number }>, _library: unknown, index: number) {
        await writeCarefully(ctx, documentOf(index + 1));
        fs.writeFileSync(ctx.path(`note-${Math.random().toString(36).slice(2, 8)}`), 'x');
        ctx.state.acked = index + 1;
      },
    }] };
    let looks = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const plan = planOf(randomNames, seed);
      const [plain, looked] = [await runTargetPlan(asAny(randomNames), { ...plan, looks: 0 }), await runTargetPlan(asAny(randomNames), plan)];
      expect(looked.violations).toEqual([]);
      expect(looked.digest).toBe(plain.digest);
      looks += looked.looks ?? 0;
    }
    expect(looks).toBeGreaterThan(5);
  });

  it('let a bit of the newest durable data rot when the workload asks for bit flips: the careful writer keeps no checksum, and reads a rotted document back', async () => {
    // A bit-flip rate too small to fire: only the looks let bits rot, at the final power loss.
    const rotting = (looks: number): TargetPlan => ({ ...planOf(carefulWriter, 1), faults: { ...planOf(carefulWriter, 1).faults, rates: { 'bit-flip': 1e-12 } }, operations: [0, 1], looks });
    expect((await runTargetPlan(asAny(carefulWriter), rotting(0))).violations).toEqual([]);
    const looked = await runTargetPlan(asAny(carefulWriter), rotting(3));
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('whole');
    expect(violation?.look?.rot).toMatchObject({ fault: 'bit-flip', path: '/powercut-target/doc.json', read: expect.any(Number) });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\), then bit \d+ of \/powercut-target\/doc\.json rotted: doc\.json is torn/);
    // Shrinking moves it onto the run's own path: the bit flips at the read that met it.
    const shrunk = await shrinkTargetPlan(asAny(carefulWriter), rotting(3));
    expect(shrunk.violation?.invariant).toBe('whole');
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.plan.looks).toBeUndefined();
    // The bit flips where the read that met it now is (shrinking moved it with the operations it dropped).
    expect(shrunk.plan.faults.scheduled).toContainEqual(expect.objectContaining({ kind: 'bit-flip', arg: violation!.look!.rot!.at }));
    const again = await runTargetPlan(asAny(carefulWriter), shrunk.plan);
    expect(again.violations[0]).toMatchObject({ invariant: 'whole' });
    expect(again.violations[0]?.look).toBeUndefined();
  });

  it('shrink onto the run\'s own path: the shrunk plan has no looks, the look\'s crash state, and fails itself', async () => {
    const shrunk = await shrinkTargetPlan(asAny(syncedInPlaceWriter), tornInPlace(3));
    expect(shrunk.violation).toBeDefined();
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.plan.looks).toBeUndefined();
    expect(shrunk.plan.crashStates?.[0]).toBeGreaterThanOrEqual(8);
    const again = await runTargetPlan(asAny(syncedInPlaceWriter), shrunk.plan);
    expect(again.violations[0]?.invariant).toBe(shrunk.violation?.invariant);
  });
});

/**
 * A list that appends a line per item and fsyncs it; its open creates the file. `dirSync` says
 * whether the open then fsyncs the folder, which makes the new name durable.
 */
function listCreatedAtOpen(dirSync: boolean): Workload<{ acked: number }, number> {
  return {
    name: dirSync ? 'list-dir-synced' : 'list-dir-unsynced',
    operationsCount: 6,
    initialState: () => ({ acked: 0 }),
    open(ctx) {
      const file = ctx.path('list.log');
      const fd = fs.openSync(file, 'a');
      if (dirSync) {
        const dir = fs.openSync(ctx.root, 'r');
        fs.fsyncSync(dir);
        fs.closeSync(dir);
      }
      return fd;
    },
    operations: [{
      name: 'append',
      run(ctx, fd, index) {
        writeAll(fd, `item ${index}\n`);
        fs.fsyncSync(fd);
        ctx.state.acked++;
      },
    }],
    invariants(ctx) {
      const text = fs.existsSync(ctx.path('list.log')) ? fs.readFileSync(ctx.path('list.log'), 'utf8') : '';
      const lines = text.split('\n').filter((line) => /^item \d+$/.test(line));
      if (lines.length < ctx.state.acked) throw new InvariantViolation('durable', `${lines.length} items < acknowledged ${ctx.state.acked}`);
    },
  };
}

describe('a workload without a setup', () => {
  it('starts from an empty folder and makes nothing durable for the library: a file its first open created without a directory fsync is lost by a power loss, with the acknowledged items in it', async () => {
    const plan = (workload: unknown): TargetPlan => quietPlan(workload, 1, { operations: [0, 1], crashStates: [4], looks: 0 });
    const unsynced = await runTargetPlan(asAny(listCreatedAtOpen(false)), plan(listCreatedAtOpen(false)));
    expect(unsynced.violations[0]).toMatchObject({ invariant: 'durable' });
    expect(unsynced.violations[0]?.message).toMatch(/^0 items < acknowledged 2 .*lost the create of \/powercut-target\/list\.log/);
    const synced = await runTargetPlan(asAny(listCreatedAtOpen(true)), plan(listCreatedAtOpen(true)));
    expect(synced.violations).toEqual([]);
  });

  it('is explored at every I/O of its first open and of its operations: the unsynced create is found, the synced one never', async () => {
    const explore = (dirSync: boolean) => explorePlan(librarySubject(asAny(listCreatedAtOpen(dirSync)), 'test'), planOf(listCreatedAtOpen(dirSync), 1), { size: 2 });
    const unsynced = await explore(false);
    // The open creates the file (one I/O); each append writes and fsyncs: two I/O each.
    expect(unsynced.crashPoints).toBe(1 + 4);
    expect(unsynced.violations.map((v) => v.invariant)).toContain('durable');
    const synced = await explore(true);
    // Its open also fsyncs the folder.
    expect(synced.crashPoints).toBe(2 + 4);
    expect(synced.violations).toEqual([]);
  });

  it('is explored at the I/O of its operations only when its plan runs the first open with faults off (written before firstOpenFaults)', async () => {
    const workload = listCreatedAtOpen(true);
    const { firstOpenFaults: _on, ...before } = planOf(workload, 1);
    const explored = await explorePlan(librarySubject(asAny(workload), 'test'), before, { size: 2 });
    expect(explored.crashPoints).toBe(4);
  });
});

/** A log that appends a line per operation and fsyncs it; its bug: a failed fsync is retried, and the line acknowledged when the retry succeeds (fsyncgate). */
const fsyncRetrier: Workload<{ acked: number }, number> = {
  name: 'fsync-retrier',
  operationsCount: 3,
  initialState: () => ({ acked: 0 }),
  open: (ctx) => fs.openSync(ctx.path('log.txt'), 'a'),
  setup(ctx) {
    fs.closeSync(fs.openSync(ctx.path('log.txt'), 'w'));
    fsyncPath(ctx.root);
  },
  operations: [{
    name: 'append',
    run(ctx, fd, index) {
      fs.writeSync(fd, `item ${index}\n`);
      try {
        fs.fsyncSync(fd);
      } catch {
        fs.fsyncSync(fd);
      }
      ctx.state.acked = index + 1;
    },
  }],
  invariants(ctx) {
    const lines = fs.readFileSync(ctx.path('log.txt'), 'latin1').split('\n').filter((line) => /^item \d+$/.test(line));
    if (lines.length < ctx.state.acked) throw new InvariantViolation('durable', `${lines.length} items < acknowledged ${ctx.state.acked}`);
    ctx.state.acked = Math.min(ctx.state.acked, lines.length);
  },
};

describe('a look at a power loss before an operation, after a failed fsync', () => {
  it('is pinned right before that operation\'s first I/O, so a shrunk plan keeps it: a write that reached the page cache first would write the forgotten line back', async () => {
    const clean = await runTargetPlan(asAny(fsyncRetrier), quietPlan(fsyncRetrier, 4, { looks: 0 }), { trace: 'full' });
    const ios = clean.trace.filter((event) => event.type === 'io');
    const firstSync = ios.findIndex((event) => event.name === 'sync' && event.phase === 'operation');
    // Seed 4: pinned after the next write reached the page cache, the power loss (a random crash
    // state) keeps the line that write dirtied again, and the plan passes (as on half the seeds).
    const plan = quietPlan(fsyncRetrier, 4, { looks: 5 }, [{ io: firstSync, kind: 'fsync-error' }]);
    const found = await runTargetPlan(asAny(fsyncRetrier), plan);
    expect(found.violations[0]?.look).toMatchObject({ why: 'fsync-failed', beforeStep: 1 });
    const shrunk = await shrinkTargetPlan(fsyncRetrier, plan);
    expect(shrunk.explicitFaults).toBe(true);
    expect(shrunk.plan.operations).toHaveLength(1);
    const replayed = await runTargetPlan(asAny(fsyncRetrier), shrunk.plan);
    expect(replayed.violations[0]).toMatchObject({ invariant: 'durable' });
    expect(replayed.violations[0]?.look).toBeUndefined();
  });
});
