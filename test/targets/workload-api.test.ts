/**
 * The workload API as a user meets it: invariants know the crash they follow (`ctx.crash`), a
 * check reports several violations (`ctx.violate`), the library's console output goes to the
 * trace, a crash the library catches still ends the incarnation, a crash state is named only
 * for a power loss, and `loadOnce` loads a library once per thread.
 */
import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { Rng } from '../../sim/rng.ts';
import type { TraceEvent } from '../../sim/types.ts';
import { targetPlan, type TargetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { librarySubject } from '../../targets/subject.ts';
import { defineWorkload, InvariantViolation, type Workload, type WorkloadCrash } from '../../targets/workload.ts';
import { writeBehind, writeThrough } from './fixtures/kill-9-promise.ts';

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;

/** The plan of `seed` without random faults: only the final power loss, unless `faults` says more. */
function quietPlan(workload: unknown, seed: number, extra: Partial<TargetPlan> = {}): TargetPlan {
  // No second looks: each would reopen and check once more, and these specs count what one check sees.
  const { looks: _looks, ...plan } = targetPlan(asAny(workload), 'test', seed);
  return { ...plan, faults: { ...plan.faults, rates: {} }, ...extra };
}

/** The global I/O index of the first I/O of operation `index`, from a full trace. */
function firstIoOf(trace: readonly TraceEvent[], index: number): number {
  const start = trace.findIndex((event) => event.type === 'op' && event.detail === String(index));
  return trace.slice(0, start).filter((event) => event.type === 'io').length;
}

/** A library that writes one file per operation (open, write, close) and logs. */
function loggingWorkload(crashes: (WorkloadCrash | undefined)[]) {
  return defineWorkload({
    name: 'logging',
    operationsCount: 4,
    initialState: () => ({}),
    open() {
      console.log('opening the store');
      return undefined;
    },
    setup: async () => {},
    operations: [{
      name: 'write',
      async run(ctx, _library, index) {
        console.error('slow write of %d', index);
        console.warn({ warned: index });
        fs.writeFileSync(ctx.path('file'), String(index));
      },
    }],
    async invariants(ctx) {
      crashes.push(ctx.crash);
    },
  });
}

describe('ctx.crash', () => {
  it('tells the reopen and the invariants which crash came before: a kill -9 without a crash state, the operation, not final', async () => {
    const crashes: (WorkloadCrash | undefined)[] = [];
    const workload = loggingWorkload(crashes);
    const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    const io = firstIoOf(clean.trace, 2);
    crashes.length = 0;
    const plan = quietPlan(workload, 1, { crashStates: [3, 4] });
    await runTargetPlan(asAny(workload), { ...plan, faults: { ...plan.faults, scheduled: [{ io, kind: 'kill-9' }] } });
    expect(crashes).toEqual([
      { kind: 'kill-9', crashState: undefined, operation: { name: 'write', index: 2 }, final: false, firstOpen: false, reopenCrashes: [], powerLost: false },
      { kind: 'power-loss', crashState: 4, operation: undefined, final: true, firstOpen: false, reopenCrashes: [], powerLost: true },
    ]);
  });

  it('tells a power loss during an operation with its crash state', async () => {
    const crashes: (WorkloadCrash | undefined)[] = [];
    const workload = loggingWorkload(crashes);
    const clean = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    crashes.length = 0;
    const plan = quietPlan(workload, 1, { crashStates: [1, 2] });
    await runTargetPlan(asAny(workload), { ...plan, faults: { ...plan.faults, scheduled: [{ io: firstIoOf(clean.trace, 1), kind: 'power-loss' }] } });
    expect(crashes[0]).toEqual({ kind: 'power-loss', crashState: 1, operation: { name: 'write', index: 1 }, final: false, firstOpen: false, reopenCrashes: [], powerLost: true });
  });
});

describe('ctx.violate', () => {
  const several = defineWorkload({
    name: 'several',
    operationsCount: 1,
    initialState: () => ({ reported: 0 }),
    open: () => undefined,
    setup: async () => {},
    operations: [{
      name: 'nothing',
      async run(ctx) {
        ctx.violate('early', 'an operation is no check');
      },
    }],
    async invariants(ctx) {
      ctx.violate('first', 'one thing is wrong');
      ctx.violate('second', 'and another');
      ctx.state.reported += 2;
      throw new InvariantViolation('third', `and a third, after ${ctx.state.reported} reported`);
    },
  });

  it('reports several violations of one check, and a thrown InvariantViolation still counts', async () => {
    const result = await runTargetPlan(asAny(several), quietPlan(several, 1, { crashStates: [2] }));
    expect(result.violations.map((violation) => [violation.invariant, violation.message])).toEqual([
      ['first', 'one thing is wrong (after the final power-loss, crash state 2)'],
      ['second', 'and another (after the final power-loss, crash state 2)'],
      ['third', 'and a third, after 2 reported (after the final power-loss, crash state 2)'],
    ]);
  });

  it('is refused outside a check: the operation fails', async () => {
    const result = await runTargetPlan(asAny(several), quietPlan(several, 1));
    expect(result.failedOperations).toBe(1);
    expect(result.violations.some((violation) => violation.invariant === 'early')).toBe(false);
  });
});

describe('a library run', () => {
  it('records the library\'s console output in the trace as notes instead of printing it', async () => {
    const spies = (['log', 'error', 'warn'] as const).map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
    try {
      const workload = loggingWorkload([]);
      const result = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      const notes = result.trace.filter((event) => event.type === 'note' && event.name.startsWith('console.'));
      expect(notes.slice(0, 4).map((event) => [event.name, event.phase, event.detail])).toEqual([
        ['console.log', 'first-open', 'opening the store'],
        ['console.error', 'operation', 'slow write of 0'],
        ['console.warn', 'operation', '{ warned: 0 }'],
        ['console.error', 'operation', 'slow write of 1'],
      ]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('traces an operation that failed as a failed note naming it and its error, after its op event', async () => {
    const busy = defineWorkload({
      name: 'busy',
      operationsCount: 3,
      initialState: () => ({}),
      open: () => undefined,
      setup: async () => {},
      operations: [{
        name: 'save',
        run(_ctx, _library, index) {
          if (index === 1) throw Object.assign(new Error('the store is busy\nsecond line'), { code: 'EBUSY' });
        },
      }],
      invariants: async () => {},
    });
    const result = await runTargetPlan(asAny(busy), quietPlan(busy, 1), { trace: 'full' });
    const failed = result.trace.filter((event) => event.type === 'note' && event.name === 'failed');
    expect(failed.map((event) => [event.phase, event.detail])).toEqual([['operation', 'save 1: Error: the store is busy']]);
    expect(result.trace[result.trace.indexOf(failed[0]!) - 1]).toMatchObject({ type: 'op', name: 'save', detail: '1' });
  });

  it.each([
    ['catches ProcessCrashedError and returns', async (path: string) => {
      try {
        fs.writeFileSync(path, 'x');
      } catch {
        // The library swallows the harness's crash.
      }
    }],
    ['stops waiting for a write that never settles after a timeout', async (path: string) => {
      await Promise.race([fs.promises.writeFile(path, 'x'), new Promise((resolve) => setTimeout(resolve, 5))]);
    }],
  ])('still ends the incarnation as crashed when the library %s', async (_how, write) => {
    const swallowing = defineWorkload({
      name: 'swallowing',
      operationsCount: 3,
      initialState: () => ({}),
      open: () => undefined,
      setup: async () => {},
      operations: [{ name: 'write', run: (ctx) => write(ctx.path('file')) }],
      invariants: async () => {},
    });
    const plan = quietPlan(swallowing, 1);
    const result = await runTargetPlan(asAny(swallowing), { ...plan, faults: { ...plan.faults, scheduled: [{ io: 0, kind: 'kill-9' }] } }, { trace: 'full' });
    expect(result.crashes).toBe(2);
    expect(result.acknowledged).toBe(2);
    expect(result.trace.filter((event) => event.type === 'crash').map((event) => event.name)).toEqual(['kill-9', 'power-loss']);
  });
});

describe('a crash seen by code that maps fs errors to errnos (test/targets/fixtures/errno-mapper.ts, as Emscripten\'s NODEFS under PGlite)', () => {
  it('goes through it: the crash error has no code, so the code does not retry a dead process\'s write', async () => {
    const { default: mapper, counters } = await import('./fixtures/errno-mapper.ts');
    const plan = quietPlan(mapper, 1);
    const clean = await runTargetPlan(asAny(mapper), plan, { trace: 'full' });
    const writes = clean.trace.filter((event) => event.type === 'io').flatMap((event, io) => (event.name === 'append' && event.phase === 'operation' ? [io] : []));
    counters.retries = 0;
    const result = await runTargetPlan(asAny(mapper), { ...plan, faults: { ...plan.faults, scheduled: [{ io: writes[1]!, kind: 'kill-9' }] } });
    expect(result.faultsFired.map((fault) => fault.kind)).toEqual(['kill-9']);
    expect(counters.retries).toBe(0);
    expect(result.violations).toEqual([]);
  });
});

describe('promises that depend on the crash (test/targets/fixtures/kill-9-promise.ts)', () => {
  const campaign = (workload: unknown) => runCampaign({ subject: librarySubject(asAny(workload), 'test/targets/fixtures/kill-9-promise.ts'), seeds: 60, jobs: 1, invocation: 'npx powercut' });

  it('catches a write-behind library: acknowledged writes lost by a kill -9, named without a crash state', async () => {
    const result = await campaign(writeBehind);
    expect(result.violations.length).toBeGreaterThan(0);
    for (const violation of result.violations) {
      expect(violation.invariant).toBe('acknowledged-after-kill-9');
      expect(violation.message).toMatch(/\(after kill-9 during operation \d+(, then kill-9 during the reopen)*\)$/);
    }
  });

  it('passes a write-through library without a directory fsync: a kill -9 loses nothing, and power losses are held only to a whole file', async () => {
    const result = await campaign(writeThrough);
    expect(result.faults['kill-9']).toBeGreaterThan(10);
    expect(result.faults['power-loss']).toBeGreaterThan(10);
    expect(result.violations).toEqual([]);
  });
});

describe('loading', () => {
  it('loads a loadOnce library once per thread, in a world of its own, whatever the runs', async () => {
    let loads = 0;
    const drawn: number[] = [];
    const once = defineWorkload({
      name: 'once',
      operationsCount: 2,
      loadOnce: true,
      initialState: () => ({}),
      load() {
        loads++;
        return { drawn: Math.random() };
      },
      open: (_ctx, loaded) => loaded,
      setup: async () => {},
      operations: [{ name: 'nothing', run: async (_ctx, loaded) => void drawn.push(loaded.drawn) }],
      invariants: async () => {},
    });
    const first = await runTargetPlan(asAny(once), quietPlan(once, 1));
    const again = await runTargetPlan(asAny(once), quietPlan(once, 1));
    await runTargetPlan(asAny(once), quietPlan(once, 2));
    expect(loads).toBe(1);
    expect(again.digest).toBe(first.digest);
    // Drawn from the pinned Math.random of the loading world (seed 0), not from a run's.
    expect(new Set(drawn)).toEqual(new Set([new Rng(0).fork('environment-random').next()]));
  });

  it('loads a library before every open by default: a restarted process loads its modules again', async () => {
    let loads = 0;
    const every = defineWorkload({
      name: 'every',
      operationsCount: 2,
      initialState: () => ({}),
      load: () => ++loads,
      open: (_ctx, loaded) => loaded,
      setup: async () => {},
      operations: [{ name: 'nothing', run: async () => {} }],
      invariants: async () => {},
    });
    const result = await runTargetPlan(asAny(every), quietPlan(every, 1));
    // The setup's open, and the reopen after the final power loss.
    expect(loads).toBe(2);
    expect(result.crashes).toBe(1);
  });
});
