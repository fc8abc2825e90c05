/**
 * Whether a root cause needs a fault at all. The first run of each root cause is run again with
 * every fault removed: its operations kept, and one crash after the last of them that loses
 * nothing written (a power loss that keeps every unsynced write and name, or the workload's own
 * kill -9). When that run breaks the same invariant with the same message, its crash clause
 * aside, no torn or lost write is needed: the code's logic is wrong, or it never wrote what it
 * acknowledged. A blob store whose gc deleted a blob a ref still named was reported after the
 * kill -9 that came before the check that saw it, and its author looked for a crash bug.
 */
import { keepEverythingState, type RunViolation } from '../sim/index.ts';
import type { SeedExecutor } from './executor.ts';
import type { SeedRun } from './seed-run.ts';
import type { BasePlan, Subject } from './subject.ts';
import { crashlessCauseKey } from './triage.ts';

/** Root causes checked this way in one campaign (one run each), the first in campaign order. */
export const faultFreeChecksMax = 10;

/**
 * `plan` with no fault: the same operations, then one crash that loses nothing written.
 * @returns undefined when the subject cannot end a plan that way
 */
export function faultFreePlan<P extends BasePlan>(subject: Subject<P>, plan: P): P | undefined {
  const base = subject.explore.base(plan, subject.shrink.stepCount(plan));
  return subject.explore.candidate(base, { io: undefined, kind: 'power-loss', crashState: keepEverythingState });
}

/** What a root cause that needs no fault says of its run (`seed 4`). */
export function needsNoFaultWords(run: string): string {
  return `${run} fails the same way with none injected and one crash, after its last operation, that loses nothing written: `
    + 'look at what the code does (or never writes), not at torn or lost writes';
}

/** Whether `found` (a fault-free run's violations) breaks `root`'s invariant with its message's shape, crash clause aside. */
export function failsTheSameWay(root: Pick<RunViolation, 'invariant' | 'message'>, found: readonly Pick<RunViolation, 'invariant' | 'message'>[]): boolean {
  const key = crashlessCauseKey(root.invariant, root.message);
  return found.some((violation) => crashlessCauseKey(violation.invariant, violation.message) === key);
}

/**
 * Which of `roots` (violations of `run`, its root causes) fail the same way with no fault.
 * @returns the indexes, in `run.violations`, of those that do; none when the rerun cannot be made or throws
 */
export async function rootsWithoutFault<P extends BasePlan>(subject: Subject<P>, executor: SeedExecutor, run: SeedRun, roots: readonly number[]): Promise<number[]> {
  // A note on a finding, not a finding: a plan it cannot make leaves the root unmarked.
  let plan: P | undefined;
  try {
    plan = faultFreePlan(subject, subject.plan(run.unit, run.seed));
  } catch {
    return [];
  }
  if (plan === undefined) return [];
  const again = await executor.run({ unit: run.unit, seed: run.seed, plan }).catch(() => undefined);
  if (again === undefined || again.spun === true) return [];
  return roots.filter((index) => failsTheSameWay(run.violations[index]!, again.violations));
}
