/**
 * The first open, which creates a library's store, runs under the plan's faults as everything
 * after it does (TargetPlan.firstOpenFaults): a crash may strike the creation, the library must
 * open again after it, and an open an injected error failed must open when tried again. Plans
 * written before the field run it with faults off, and still replay as they did.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { explorePlan } from '../../harness/explore.ts';
import type { TraceEvent } from '../../sim/types.ts';
import { targetPlan, type TargetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { librarySubject } from '../../targets/subject.ts';
import { defineWorkload, type Workload, type WorkloadCrash } from '../../targets/workload.ts';
import { createsAtomically, createsInPlace, locksThenCreates } from './fixtures/creates-store.ts';

/** Creates a store file in place, in two writes (creates-store.ts's createsInPlace, without its folder fsync). */
function createsInPlaceStore(path: string): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.writeSync(fd, '{"count":');
    fs.writeSync(fd, '0}');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;
const subjectOf = (workload: unknown) => librarySubject(asAny(workload), 'test');

/** Seed `seed`'s plan without random faults or looks, and with `scheduled` faults. */
function quietPlan(workload: unknown, seed: number, scheduled: TargetPlan['faults']['scheduled'] = []): TargetPlan {
  const { looks: _looks, ...plan } = targetPlan(asAny(workload), 'test', seed);
  return { ...plan, faults: { ...plan.faults, rates: {}, scheduled } };
}

/** The global indices of the I/O the first open made, from a full trace. */
function firstOpenIo(trace: readonly TraceEvent[]): number[] {
  return trace.filter((event) => event.type === 'io').flatMap((event, io) => (event.phase === 'first-open' ? [io] : []));
}

describe('a crash in the first open (the store\'s creation)', () => {
  it('is injected in a fresh plan: a store created in place and torn by a kill -9 no longer opens, and the violation says where', async () => {
    const clean = await runTargetPlan(asAny(createsInPlace), quietPlan(createsInPlace, 1), { trace: 'full' });
    expect(clean.violations).toEqual([]);
    // exists, open (create), write, write, sync, close, then the folder's open, fsync and close.
    const io = firstOpenIo(clean.trace);
    expect(io.length).toBeGreaterThanOrEqual(4);
    const torn = await runTargetPlan(asAny(createsInPlace), quietPlan(createsInPlace, 1, [{ io: io[2]!, kind: 'kill-9' }]));
    expect(torn.violations.map((v) => v.invariant)).toEqual(['opens']);
    expect(torn.violations[0]!.message).toMatch(/^the library does not open after the crash: .*JSON.* \(after kill-9 during the first open\)$/);
  });

  it('is found by a campaign\'s seeds, and never in plans that run the first open with faults off', async () => {
    const found = await runCampaign({ subject: subjectOf(createsInPlace), seeds: 60, jobs: 1 });
    const creation = found.violations.filter((v) => v.message.includes('during the first open'));
    expect(creation.length).toBeGreaterThan(0);
    const before = subjectOf(createsInPlace);
    const withoutFirstOpenFaults = { ...before, plan: (unit: string, seed: number) => { const { firstOpenFaults: _off, ...plan } = before.plan(unit, seed); return plan; } };
    const missed = await runCampaign({ subject: withoutFirstOpenFaults, seeds: 60, jobs: 1 });
    expect(missed.seeds).toBe(60);
    expect(missed.violations).toEqual([]);
  });

  it('finds nothing in a store created as carefully as it is written (no false alarm over a campaign and an exploration)', async () => {
    const campaign = await runCampaign({ subject: subjectOf(createsAtomically), seeds: 80, jobs: 1 });
    expect(campaign.seeds).toBe(80);
    expect(campaign.violations).toEqual([]);
    const explored = await explorePlan(subjectOf(createsAtomically), targetPlan(asAny(createsAtomically), 'test', 1), { size: 2 });
    expect(explored.violations).toEqual([]);
  });

  it('is explored: exploration crashes the first open at each of its I/O', async () => {
    const explored = await explorePlan(subjectOf(createsInPlace), targetPlan(asAny(createsInPlace), 'test', 1), { size: 1 });
    expect(explored.violations.some((v) => v.invariant === 'opens' && v.message.includes('during the first open'))).toBe(true);
  });

  it('is told to the workload: ctx.crash names no operation, is not final, and says firstOpen', async () => {
    const crashes: WorkloadCrash[] = [];
    const workload = defineWorkload<{ acked: number }, null>({
      ...createsAtomically,
      name: 'telling',
      invariants(ctx) {
        crashes.push(ctx.crash!);
      },
    });
    const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    crashes.length = 0;
    await runTargetPlan(asAny(workload), quietPlan(workload, 1, [{ io: firstOpenIo(clean.trace)[1]!, kind: 'kill-9' }]));
    expect(crashes[0]).toEqual({ kind: 'kill-9', crashState: undefined, operation: undefined, final: false, firstOpen: true, reopenCrashes: [], powerLost: false });
    expect(crashes.slice(1).every((crash) => !crash.firstOpen)).toBe(true);
  });

  it('of a workload with a setup is checked for opens only, and the setup then runs on the reopened library', async () => {
    let setups = 0;
    const checkedBeforeSetup: number[] = [];
    const workload = defineWorkload<{ acked: number }, null>({
      ...createsAtomically,
      name: 'set-up',
      setup() {
        setups++;
      },
      invariants(ctx) {
        if (setups === 0) checkedBeforeSetup.push(ctx.crashCount);
      },
    });
    const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    setups = 0;
    const crashed = await runTargetPlan(asAny(workload), quietPlan(workload, 1, [{ io: firstOpenIo(clean.trace)[1]!, kind: 'kill-9' }]));
    expect(crashed.crashes).toBe(2);
    expect(setups).toBe(1);
    expect(checkedBeforeSetup).toEqual([]);
    expect(crashed.violations).toEqual([]);
  });

  it('that leaves a store the library opens but cannot set up is the violation opens, not the workload\'s own failure', async () => {
    // Opens whenever the file exists, as acebase does; the setup reads what the creation wrote.
    const workload = defineWorkload<{ acked: number }, null>({
      ...createsInPlace,
      name: 'opens-anything',
      open(ctx) {
        if (!fs.existsSync(ctx.path('store.json'))) createsInPlaceStore(ctx.path('store.json'));
        return null;
      },
      setup(ctx) {
        JSON.parse(fs.readFileSync(ctx.path('store.json'), 'utf8'));
      },
    });
    const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    expect(clean.violations).toEqual([]);
    const writes = clean.trace.filter((event) => event.type === 'io').flatMap((event, io) => (event.phase === 'first-open' && event.name === 'write' ? [io] : []));
    const torn = await runTargetPlan(asAny(workload), quietPlan(workload, 1, [{ io: writes[1]!, kind: 'kill-9' }]));
    expect(torn.violations.map((v) => v.invariant)).toEqual(['opens']);
    expect(torn.violations[0]!.message).toMatch(/^the library opens again, but its setup then fails: .*JSON.* \(after kill-9 during the first open\)$/);
  });
});

describe('an injected error in the first open', () => {
  it('is retried with faults off in the same process; a library its failed creation left locked is the violation opens', async () => {
    const fsyncOf = async (workload: unknown): Promise<number> => {
      const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
      return clean.trace.filter((event) => event.type === 'io').findIndex((event) => event.phase === 'first-open' && event.name === 'sync');
    };
    const failed = await runTargetPlan(asAny(locksThenCreates), quietPlan(locksThenCreates, 1, [{ io: await fsyncOf(locksThenCreates), kind: 'fsync-error' }]));
    expect(failed.faultsFired.map((fault) => fault.kind)).toEqual(['fsync-error']);
    expect(failed.violations.map((v) => v.invariant)).toEqual(['opens']);
    expect(failed.violations[0]!.message).toMatch(/^the library does not open after its first open failed: store\.lock is held.* \(retried with faults off, in the same process, after the first attempt failed: .*\) \(in the first open, retried with faults off after an injected fault\)$/);
    // A library that creates without a lock opens on the retry.
    const retried = await runTargetPlan(asAny(createsAtomically), quietPlan(createsAtomically, 1, [{ io: await fsyncOf(createsAtomically), kind: 'fsync-error' }]));
    expect(retried.faultsFired.map((fault) => fault.kind)).toEqual(['fsync-error']);
    expect(retried.violations).toEqual([]);
  });
});
