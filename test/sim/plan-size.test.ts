/**
 * A plan's size as shrinking reports it (sim/plan.ts): steps, operations, and faults, where
 * crash steps count as faults and are named, since a plan's list of scheduled faults does not
 * show them.
 */
import { describe, expect, it } from 'vitest';
import { faultsSize, planSize, type Plan } from '../../sim/plan.ts';
import { findScenario } from '../../scenarios/index.ts';
import { noFaults } from '../../sim/world.ts';

const base = findScenario('wal-append')!.plan(1);

describe('planSize and faultsSize', () => {
  it('counts a crash step as a fault and names it, beside the scheduled ones', () => {
    const plan: Plan = {
      ...base,
      faults: noFaults({ scheduled: [{ io: 4, kind: 'fsync-error' }] }),
      steps: [{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }, { type: 'delete', key: 'b' }] }, { op: 'crash', kind: 'power-loss' }],
    };
    const size = planSize(plan);
    expect(size).toMatchObject({ steps: 2, ops: 3, faults: 2, rates: false, crashSteps: 1 });
    expect(faultsSize(size)).toBe('faults 2 (crash steps 1)');
  });

  it('says faults drawn at rates count as one, and names no crash step when there is none', () => {
    expect(faultsSize({ faults: 1, rates: true })).toBe('faults drawn at rates');
    expect(faultsSize({ faults: 3, rates: true, crashSteps: 0 })).toBe('faults 2 + drawn at rates');
    expect(faultsSize({ faults: 0, rates: false })).toBe('faults 0');
  });
});
