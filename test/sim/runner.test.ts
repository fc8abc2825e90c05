import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { SutHandle, SystemUnderTest } from '../../sim/adapter.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario, scenarios } from '../../scenarios/index.ts';
import type { Plan } from '../../sim/plan.ts';
import { acknowledgesWithoutWriting } from './broken-engines.ts';

/** Wraps the reference engine, changing what one method does. */
function broken(name: string, change: (handle: SutHandle) => Partial<SutHandle>): SystemUnderTest {
  return {
    name,
    async open(env) {
      const handle = await referenceEngine.open(env);
      return { ...handle, ...change(handle), replayStats: handle.replayStats };
    },
  };
}

const plan = (scenario: string, seed: number): Plan => findScenario(scenario)!.plan(seed);

describe('runner', () => {
  it('finds no violation in the reference engine over 5 seeds of every scenario', async () => {
    for (const scenario of scenarios) {
      for (let seed = 1; seed <= 5; seed++) {
        const result = await runPlan(scenario.plan(seed), referenceEngine);
        expect(result.violations, `${scenario.name} seed ${seed}`).toEqual([]);
      }
    }
  });

  it('gives the same digest and result for the same plan, and a different digest for another seed', async () => {
    const a = await runPlan(plan('swarm', 11), referenceEngine);
    const b = await runPlan(plan('swarm', 11), referenceEngine, { trace: 'full' });
    const c = await runPlan(plan('swarm', 12), referenceEngine);
    expect(b.digest).toBe(a.digest);
    expect(b.faults).toEqual(a.faults);
    expect(c.digest).not.toBe(a.digest);
  });

  it('replays a run from its fired faults alone (rates off) with the same digest', async () => {
    const original = plan('wal-append', 3);
    const first = await runPlan(original, referenceEngine);
    expect(first.crashes).toBeGreaterThan(0);
    const explicit: Plan = { ...original, faults: { ...original.faults, rates: {}, scheduled: first.faultsFired } };
    const again = await runPlan(explicit, referenceEngine);
    expect(again.digest).toBe(first.digest);
  });

  it('catches an engine that acknowledges a commit it never wrote', async () => {
    const result = await runPlan(plan('wal-append', 1), acknowledgesWithoutWriting(3));
    expect(result.violations.length).toBeGreaterThan(0);
  });

  it('reports a read that returns a wrong value as a reads violation', async () => {
    const sut = broken('stale-reads', () => ({ async get() { return new TextEncoder().encode('stale'); } }));
    const withReads: Plan = { ...plan('wal-append', 2), steps: [
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: 'fresh' }] },
      { op: 'get', key: 'a' },
    ] };
    const result = await runPlan(withReads, sut);
    expect(result.violations.map((v) => v.invariant)).toContain('reads');
  });

  it('reports a deadlocked engine as a liveness failure instead of hanging', async () => {
    const sut = broken('hangs-on-sync', () => ({ sync: () => new Promise<void>(() => undefined) }));
    const hanging: Plan = { ...plan('wal-append', 2), faults: { ...plan('wal-append', 2).faults, rates: {} }, steps: [{ op: 'sync' }] };
    const result = await runPlan(hanging, sut);
    expect(result.violations.map((v) => v.invariant)).toContain('liveness');
  });

  it('counts a refusal to open after an injected bit flip as detected damage, not a violation', async () => {
    let detected = 0;
    for (let seed = 1; seed <= 30 && detected === 0; seed++) {
      const result = await runPlan(plan('read-corruption', seed), referenceEngine);
      expect(result.violations).toEqual([]);
      detected += result.detected;
    }
    expect(detected).toBeGreaterThan(0);
  });
});
