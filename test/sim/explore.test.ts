import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { explorationBase, explorePlan } from '../../sim/explore.ts';
import { loadPlanted, plantedBug } from './planted.ts';

describe('explorePlan', () => {
  it('finds nothing in the reference engine and explores crash points x (1 + K) states', async () => {
    const states = 3;
    const result = await explorePlan(findScenario('wal-append')!.plan(1), referenceEngine, { steps: 6, states });
    expect(result.crashPoints).toBeGreaterThan(10);
    expect(result.statesExplored).toBe(result.crashPoints * (1 + states));
    expect(result.runs).toBe(result.statesExplored + 1);
    expect(result.cleanViolations).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it('removes every fault and crash step from the explored workload', () => {
    const base = explorationBase(findScenario('swarm')!.plan(2), 100);
    expect(base.faults.rates).toEqual({});
    expect(base.faults.scheduled).toEqual([]);
    expect(base.faults.capacityBytes).toBeUndefined();
    expect(base.steps.some((step) => step.op === 'crash')).toBe(false);
  });

  it('finds a planted unsynced rename, deduplicated, with the smallest crash point first', async () => {
    const sut = await loadPlanted(plantedBug('stage-no-fsync'));
    const result = await explorePlan(findScenario('wal-append')!.plan(1), sut, { steps: 4, states: 5 });
    expect(result.violations.length).toBeGreaterThan(0);
    const first = result.violations[0]!;
    expect(first.kind).toBe('power-loss');
    expect(first.count).toBeGreaterThanOrEqual(1);
    const keys = result.violations.map((v) => `${v.invariant}|${v.message}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const violation of result.violations) expect(violation.io).toBeGreaterThanOrEqual(first.io);
  });
});
