/**
 * A found plan aimed by step (harness/aim.ts): kept as a regression test, it still strikes the
 * operation it was written for when a later version of the code does one I/O more before it.
 */
import { describe, expect, it } from 'vitest';
import { aimedPlan, explorePlan, unfiredFaults } from '../../harness/index.ts';
import { loadSubject } from '../../subjects/index.ts';

describe('aimedPlan of an exploration\'s plan', () => {
  it('aims each fault at the operation it struck in its step, and the plan then fails the version with one I/O more, where the plan by global index no longer does', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unchecked-count.ts' });
    const found = await explorePlan(subject, subject.plan('unchecked-count', 1), { size: 2 });
    const first = found.violations.find((violation) => violation.invariant === 'whole')!;
    expect(first.plan.faults.scheduled?.some((fault) => fault.kind === 'short-write')).toBe(true);
    const aimed = await aimedPlan(subject, first.plan, 'whole');
    const shortWrite = aimed.faults.scheduled!.find((fault) => fault.kind === 'short-write')!;
    expect(shortWrite).toMatchObject({ step: expect.any(Number), at: expect.stringMatching(/^write \/powercut-target\/settings\.json\.tmp$/) });

    const later = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unchecked-count-stat-first.ts' });
    const byIndex = await later.run(first.plan);
    expect(byIndex.violations.some((violation) => violation.invariant === 'whole') && unfiredFaults(first.plan, byIndex).length === 0).toBe(false);
    const byStep = await later.run(aimed);
    expect(byStep.violations.map((violation) => violation.invariant)).toContain('whole');
    expect(unfiredFaults(aimed, byStep)).toEqual([]);
  });
});
