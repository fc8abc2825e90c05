import { describe, expect, it } from 'vitest';
import { toViolation } from '../../../harness/violations.ts';
import { describeCommit, invariantNames } from '../../../sim/checkers/violation.ts';

describe('violations', () => {
  it('become campaign violations carrying scenario, seed, repro and the LSN and key', () => {
    const violation = toViolation(
      { invariant: 'durability', message: 'lost', lsn: 7, key: 'k', commit: 3, expected: 'x', seen: 'y', step: 4 },
      { unit: 'power-loss', seed: 42, repro: 'powercut run --seed 42' },
    );
    expect(violation).toEqual({ scenario: 'power-loss', seed: 42, invariant: 'durability', message: 'lost', repro: 'powercut run --seed 42', step: 4, lsn: 7, key: 'k' });
  });

  it('leave out what is unknown', () => {
    const violation = toViolation({ invariant: 'liveness', message: 'stuck', step: -1 }, { unit: 's', seed: 1, repro: 'r' });
    expect(Object.keys(violation).sort()).toEqual(['invariant', 'message', 'repro', 'scenario', 'seed', 'step']);
  });

  it('name commits by index and LSN', () => {
    expect(describeCommit({ id: 3, lsn: 17 })).toBe('commit #3 (lsn 17)');
    expect(describeCommit({ id: 3 })).toBe('commit #3');
  });

  it('list every invariant once', () => {
    expect(new Set(invariantNames).size).toBe(invariantNames.length);
    expect(invariantNames).toContain('no-resurrection');
  });
});
