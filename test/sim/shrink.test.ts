import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { planSize, type Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { shrinkPlan } from '../../sim/shrink.ts';
import { acknowledgesWithoutWriting } from './broken-engines.ts';
import { loadPlanted, plantedBug } from './planted.ts';

const plan = (scenario: string, seed: number): Plan => findScenario(scenario)!.plan(seed);

describe('shrinkPlan', () => {
  it('shrinks a planted missing directory sync to a smaller plan that fails with the same invariant', async () => {
    const sut = await loadPlanted(plantedBug('segment-no-dirsync'));
    const original = plan('wal-append', 3);
    const first = await runPlan(original, sut);
    const invariant = first.violations[0]!.invariant;
    const result = await shrinkPlan(original, sut);
    expect(result.violation?.invariant).toBe(invariant);
    expect(result.explicitFaults).toBe(true);
    expect(result.after.steps).toBeLessThan(result.before.steps);
    expect(result.after.ops).toBeLessThan(result.before.ops);
    expect(result.after).toEqual(planSize(result.plan));
    const again = await runPlan(result.plan, sut);
    expect(again.violations.map((v) => v.invariant)).toContain(invariant);
    expect(Object.values(result.plan.faults.rates).every((rate) => (rate ?? 0) === 0)).toBe(true);
  });

  it('shrinks a workload-only bug (no faults needed) to a handful of steps', async () => {
    const sut = acknowledgesWithoutWriting(3);
    const result = await shrinkPlan(plan('wal-append', 1), sut);
    expect(result.violation).toBeDefined();
    expect(result.after.steps).toBeLessThanOrEqual(5);
  });

  it('returns the plan unchanged with no violation when the plan does not fail', async () => {
    const original = plan('wal-append', 1);
    const result = await shrinkPlan(original, referenceEngine);
    expect(result.violation).toBeUndefined();
    expect(result.plan).toBe(original);
    expect(result.runs).toBe(1);
  });

  it('stops at the run budget and still returns a failing plan', async () => {
    const sut = await loadPlanted(plantedBug('segment-no-dirsync'));
    const result = await shrinkPlan(plan('wal-append', 3), sut, { runsMax: 6 });
    expect(result.runs).toBeLessThanOrEqual(6);
    expect(result.budgetExhausted).toBe(true);
    const again = await runPlan(result.plan, sut);
    expect(again.violations.map((v) => v.invariant)).toContain(result.violation!.invariant);
  });

  it('keeps only the named invariant failing when one is given', async () => {
    const sut = await loadPlanted(plantedBug('segment-no-dirsync'));
    const result = await shrinkPlan(plan('wal-append', 3), sut, { invariant: 'no-such-invariant' });
    expect(result.violation).toBeUndefined();
  });
});
