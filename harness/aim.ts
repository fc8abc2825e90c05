/**
 * A found plan made to last as a regression test: an exploration schedules its faults by global
 * I/O index, and a fix that adds I/O before them (a directory fsync at the start of recovery)
 * moves every later index, so the kept plan's fault lands elsewhere or never fires (`replay`
 * exit 5). Aimed by step at the operation it struck (`fsync /db/seg-2.log` in step 3), as a
 * shrunk plan's faults are, it strikes that operation wherever the fix moved it.
 */
import { anchorToSteps, unanchored, type ScheduledFault } from '../sim/index.ts';
import { ioLabelsOf } from './ddmin.ts';
import type { BasePlan, Subject } from './subject.ts';

/**
 * `plan` with its scheduled faults aimed by step ({@link anchorToSteps}), when the aimed plan
 * still fails `invariant`; else `plan` as it was. Costs two runs of the plan (one traced).
 */
export async function aimedPlan<P extends BasePlan>(subject: Subject<P>, plan: P, invariant: string): Promise<P> {
  const scheduled = plan.faults.scheduled ?? [];
  if (scheduled.length === 0) return plan;
  const traced = await subject.run(plan, { trace: 'full' });
  const aimedFaults = anchorToSteps(unanchored(scheduled), traced.stepStartIo ?? [], ioLabelsOf(traced.trace));
  if (sameFaults(aimedFaults, scheduled)) return plan;
  const aimed: P = { ...plan, faults: { ...plan.faults, scheduled: aimedFaults } };
  const again = await subject.run(aimed);
  return again.violations.some((violation) => violation.invariant === invariant) ? aimed : plan;
}

function sameFaults(a: readonly ScheduledFault[], b: readonly ScheduledFault[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
