/**
 * A library workload's `faults.dirOrder`: with `per-name`, a power loss keeps a directory's
 * operations on different names in any combination, so "rename the new pointer in, unlink the old
 * version, sync the directory once" is caught; with the default journal order it never is.
 */
import { describe, expect, it } from 'vitest';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);

describe('a library workload on a disk that keeps directory operations per name', () => {
  it('is caught losing the version its pointer names, told that the power loss kept operations out of order', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/rename-then-unlink.ts' });
    const violations = [];
    for (const seed of seeds) {
      const plan = subject.plan('rename-then-unlink', seed) as TargetPlan;
      expect(plan.faults.dirOrder).toBe('per-name');
      violations.push(...(await subject.run(plan)).violations.filter((v) => v.invariant === 'current-exists'));
    }
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]!.message).toMatch(/current names v\d+, which is missing .*kept a directory's operations out of order/);
  });

  it('passes the same seeds when the directory keeps its operations in order (journal)', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/rename-then-unlink.ts' });
    for (const seed of seeds) {
      const plan = subject.plan('rename-then-unlink', seed) as TargetPlan;
      const journal = { ...plan, faults: { ...plan.faults, dirOrder: 'journal' as const } };
      expect((await subject.run(journal)).violations, `seed ${seed}`).toEqual([]);
    }
  });
});
