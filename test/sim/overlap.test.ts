/**
 * Operations that overlap (plans' `overlap` steps) under the runner: what a read, a sync and a
 * close issued while commits are in flight may observe and must acknowledge (sim/model.ts), and
 * the checks of what the engine reports about itself (sim/report-witness.ts), each shown with a
 * deliberately broken engine that the rule catches and the reference engine that passes.
 */
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { checkPlan, PlanFileError } from '../../sim/plan-file.ts';
import type { Plan, PlanStep } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { noFaults } from '../../sim/world.ts';
import { defaultShape, generateSteps } from '../../sim/workload.ts';
import { Rng } from '../../sim/rng.ts';
import { shrinkPlan } from '../../harness/shrink.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { findScenario } from '../../scenarios/index.ts';
import { baseEngine } from '../../scenarios/scenario.ts';
import { brokenEngine } from './broken-engines.ts';

/** A fault-free plan of `steps` in `none` mode; power losses keep nothing unsynced (crash state 1). */
function plan(steps: readonly PlanStep[], fields: Partial<Plan> = {}): Plan {
  return {
    format: 'powercut-plan', version: 1, scenario: 'test', seed: 1, engine: { ...baseEngine, sync: 'none' },
    faults: noFaults(), steps, crashStates: [1, 1, 1], livenessCommits: 1, stepsMax: 100_000, ...fields,
  };
}

const put = (key: string, value: string) => [{ type: 'put' as const, key, value }];

/** A sync that resolves without making anything durable. */
const syncsNothing = brokenEngine('sync-does-nothing', () => ({ sync: async () => undefined }));

/** Resolves after `hops` promise continuations: later than what is in flight without latency. */
async function hops(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await Promise.resolve();
}

describe('a get concurrent with a commit', () => {
  const steps: PlanStep[] = [
    { op: 'commit', batch: put('a', 'old') },
    { op: 'overlap', ops: [{ op: 'commit', batch: put('a', 'new') }, { op: 'get', key: 'a' }, { op: 'get', key: 'a', afterMs: 0 }] },
  ];

  it('may see the value before it (the reference engine, which applies a commit when it acknowledges it)', async () => {
    expect((await runPlan(plan(steps), referenceEngine)).violations).toEqual([]);
  });

  it('may see the value after it (an engine that shows commits in flight)', async () => {
    const dirty = new Map<string, Uint8Array>();
    const engine = brokenEngine('dirty-reads', (handle) => ({
      commit: (ops) => {
        for (const op of ops) if (op.type === 'put') dirty.set(op.key, op.value);
        return handle.commit(ops);
      },
      get: async (key) => dirty.get(key) ?? (await handle.get(key)),
    }));
    expect((await runPlan(plan(steps), engine)).violations).toEqual([]);
  });

  it('never sees anything else: a read that finds neither value is a reads violation', async () => {
    const engine = brokenEngine('reads-nothing', () => ({ get: async () => undefined }));
    const result = await runPlan(plan(steps), engine);
    expect(result.violations[0]).toMatchObject({
      invariant: 'reads', step: 1, message: 'get(a) returned absent; the model holds "new" (3 bytes)',
    });
  });
});

describe('a sync issued while commits are in flight', () => {
  const steps: PlanStep[] = [
    { op: 'commit', batch: put('a', '1') },
    { op: 'overlap', ops: [{ op: 'commit', batch: put('b', '2') }, { op: 'sync' }] },
    { op: 'crash', kind: 'power-loss' },
  ];

  it('makes durable every commit acknowledged before it was issued (the reference engine)', async () => {
    expect((await runPlan(plan(steps), referenceEngine)).violations).toEqual([]);
  });

  it('is caught when it resolves without making them durable: durability names the commit', async () => {
    // It resolves once the commit issued with it was acknowledged, which it did not promise.
    const engine = brokenEngine('sync-does-nothing-late', () => ({ sync: () => hops(50) }));
    const result = await runPlan(plan(steps), engine);
    expect(result.violations).toContainEqual(expect.objectContaining({
      invariant: 'durability', message: 'commit #0 (lsn 1), acknowledged and synced, is missing: key a should be "1" (1 byte) but is absent',
    }));
    // Commit #1 was acknowledged after the sync was issued: the sync did not promise it.
    expect(result.violations.filter((v) => v.commit === 1)).toEqual([]);
  });

  it('does not promise a commit acknowledged after it was issued, even one acknowledged before it resolved', async () => {
    // The sync covers commit #0, then lingers while commit #1 is written and acknowledged.
    const engine = brokenEngine('sync-lingers', (handle) => ({
      sync: async () => {
        await handle.sync!();
        await hops(50);
      },
    }));
    const lingering: PlanStep[] = [steps[0]!, { op: 'overlap', ops: [{ op: 'sync' }, { op: 'commit', batch: put('b', '2') }] }, steps[2]!];
    const result = await runPlan(plan(lingering), engine);
    expect(result.acknowledged).toBe(2 + 1);
    expect(result.violations).toEqual([]);
  });
});

describe('a close issued while commits are in flight', () => {
  it('settles each of them (the reference engine: those before it acknowledged, one after it rejected as closed)', async () => {
    const steps: PlanStep[] = [
      { op: 'overlap', ops: [{ op: 'commit', batch: put('a', '1') }, { op: 'commit', batch: put('b', '2') }, { op: 'close' }, { op: 'commit', batch: put('c', '3') }] },
      { op: 'get', key: 'c' },
    ];
    const result = await runPlan(plan(steps), referenceEngine);
    expect(result.violations).toEqual([]);
    expect(result.acknowledged).toBe(2 + 1);
  });

  it('holds a commit acknowledged after the close resolved to the clean close', async () => {
    let release: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => { release = resolve; });
    const engine = brokenEngine('acks-after-close', (handle) => ({
      commit: async () => {
        await closed;
        await hops(20);
      },
      close: async () => { await handle.close(); release(); },
    }));
    const result = await runPlan(plan([{ op: 'overlap', ops: [{ op: 'commit', batch: put('a', '1') }, { op: 'close' }] }]), engine);
    expect(result.violations).toContainEqual(expect.objectContaining({
      invariant: 'durability', message: 'commit #0, acknowledged before a clean close, is missing: key a should be "1" (1 byte) but is absent',
    }));
  });

  it('reports a commit the close leaves in flight for ever as a liveness failure of the step', async () => {
    const engine = brokenEngine('strands-commits', () => ({ commit: () => new Promise(() => undefined) }));
    const result = await runPlan(plan([{ op: 'overlap', ops: [{ op: 'commit', batch: put('a', '1') }, { op: 'close' }] }]), engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'liveness', message: expect.stringMatching(/^step 0 \(overlap\): deadlocked/) })]);
  });
});

describe('what the engine reports about itself', () => {
  it('a clean shutdown reported after a kill -9 of the open store is a self-consistency violation', async () => {
    const base: Engine = brokenEngine('always-clean', () => ({}));
    const engine: Engine = {
      ...base,
      async open(env) {
        const handle = await base.open(env);
        return { ...handle, replayStats: { ...handle.replayStats, uncleanShutdown: false } };
      },
    };
    const result = await runPlan(plan([{ op: 'commit', batch: put('a', '1') }, { op: 'crash', kind: 'kill-9' }]), engine);
    expect(result.violations).toEqual([expect.objectContaining({
      invariant: 'self-consistency', step: 2, message: 'replayStats.uncleanShutdown is false, but the process crashed while the store was open',
    })]);
  });

  it('a count of commits the session did not acknowledge is a self-consistency violation, after the step', async () => {
    const engine = brokenEngine('counts-one-more', (handle) => ({ metrics: () => ({ ...handle.metrics!(), commits: handle.metrics!().commits! + 1 }) }));
    const result = await runPlan(plan([{ op: 'commit', batch: put('a', '1') }]), engine);
    expect(result.violations[0]).toMatchObject({
      invariant: 'self-consistency', step: -1, message: 'metrics().commits is 1, but 0 commits were acknowledged since the store opened',
    });
    expect(result.violations[1]).toMatchObject({
      invariant: 'self-consistency', step: 0, message: 'metrics().commits is 2, but 1 commits were acknowledged since the store opened',
    });
  });

  it('a sync that leaves the durable LSN behind what it promised is caught without any crash', async () => {
    const result = await runPlan(plan([{ op: 'commit', batch: put('a', '1') }, { op: 'sync' }]), syncsNothing);
    expect(result.violations).toContainEqual(expect.objectContaining({
      invariant: 'self-consistency', step: 1, message: 'metrics().durableLsn is 0, below lsn 1, which the engine promised durable',
    }));
  });
});

describe('overlap plans', () => {
  it('record their late writes, and replay exactly from that list alone', async () => {
    const original = findScenario('overlap')!.plan(3);
    const first = await runPlan(original, referenceEngine);
    expect(first.lateWrites?.length).toBeGreaterThan(0);
    const explicit: Plan = {
      ...original, faults: { ...original.faults, rates: {}, scheduled: first.faultsFired }, crashStates: first.crashStates,
      reorder: { lateWriteProbability: 0, lateWrites: first.lateWrites! },
    };
    const again = await runPlan(explicit, referenceEngine);
    expect(again.digest).toBe(first.digest);
    expect(again.lateWrites).toEqual(first.lateWrites);
  });

  it('are plain JSON that a plan file check accepts, and a misspelt operation is named', () => {
    const written = JSON.parse(JSON.stringify(findScenario('overlap')!.plan(3))) as unknown;
    expect(checkPlan(written, 'p.json')).toEqual(written);
    const bad = plan([{ op: 'overlap', ops: [{ op: 'commit', batch: put('a', '1') }, { op: 'reopen' } as never] }]);
    expect(() => checkPlan(bad, 'p.json')).toThrow(PlanFileError);
    expect(() => checkPlan(bad, 'p.json')).toThrow('p.json: steps[0].ops[1].op is not an operation an overlap step can issue ("reopen")');
    expect(() => checkPlan({ ...bad, steps: [], reorder: { lateWriteProbability: 2 } }, 'p.json')).toThrow('p.json: reorder.lateWriteProbability must be a probability between 0 and 1');
  });

  it('shrink: operations of an overlap step are removed, and those the failure does not need overlapping become plain steps', async () => {
    const failing = plan([
      { op: 'commit', batch: put('a', '1') },
      { op: 'overlap', ops: [{ op: 'get', key: 'a' }, { op: 'commit', batch: put('b', '2') }, { op: 'get', key: 'c', afterMs: 1 }, { op: 'sync', afterMs: 0 }, { op: 'get', key: 'b' }] },
      { op: 'commit', batch: put('c', '3') },
      { op: 'crash', kind: 'power-loss' },
    ], { engine: { ...baseEngine, sync: 'none', walSizeBytesMax: 1 << 20 } });
    const shrunk = await shrinkPlan(engineSubject(syncsNothing), failing, { invariant: 'durability', runsMax: 300 });
    expect(shrunk.violation?.invariant).toBe('durability');
    expect(shrunk.plan.steps.some((step) => step.op === 'overlap')).toBe(false);
    expect(shrunk.plan.steps.map((step) => step.op)).toEqual(['commit', 'sync', 'crash']);
  });

  it('shrink: an overlap the failure needs stays, with only the operations it needs', async () => {
    let inFlight = 0;
    const skipsWhenBusy = brokenEngine('sync-skips-when-busy', (handle) => ({
      commit: async (ops) => {
        inFlight++;
        try {
          return await handle.commit(ops);
        } finally {
          inFlight--;
        }
      },
      sync: async () => (inFlight > 0 ? undefined : handle.sync!()),
    }));
    const failing = plan([
      { op: 'commit', batch: put('a', '1') },
      { op: 'get', key: 'a' },
      { op: 'overlap', ops: [{ op: 'commit', batch: put('b', '2') }, { op: 'get', key: 'a' }, { op: 'sync' }, { op: 'get', key: 'b', afterMs: 1 }, { op: 'commit', batch: put('c', '3'), afterMs: 0 }] },
      { op: 'crash', kind: 'power-loss' },
    ]);
    const shrunk = await shrinkPlan(engineSubject(skipsWhenBusy), failing, { invariant: 'durability', runsMax: 300 });
    expect(shrunk.violation?.invariant).toBe('durability');
    expect(shrunk.plan.steps).toEqual([
      { op: 'commit', batch: put('k0', '1') },
      { op: 'overlap', ops: [{ op: 'commit', batch: put('k1', '2') }, { op: 'sync' }] },
      { op: 'crash', kind: 'power-loss' },
    ]);
  });

  it('are drawn with the weight `overlap`; a weight of 0 draws exactly the steps it drew before', () => {
    const shape = { ...defaultShape, steps: 60, weights: { ...defaultShape.weights, concurrent: 2, crash: 1 } };
    expect(generateSteps(new Rng(5), { ...shape, weights: { ...shape.weights, overlap: 0 } })).toEqual(generateSteps(new Rng(5), shape));
    const steps = generateSteps(new Rng(5), { ...shape, weights: { ...shape.weights, overlap: 5 } });
    const overlaps = steps.flatMap((step) => (step.op === 'overlap' ? [step] : []));
    expect(overlaps.length).toBeGreaterThan(5);
    for (const step of overlaps) {
      expect(step.ops.length).toBeGreaterThanOrEqual(2);
      expect(step.ops.length).toBeLessThanOrEqual(shape.concurrentMax);
      expect(step.ops[0]!.afterMs).toBeUndefined();
    }
    expect(new Set(overlaps.flatMap((step) => step.ops.map((op) => op.op)))).toEqual(new Set(['commit', 'get', 'sync', 'checkpoint', 'close']));
  });
});
