/** Campaign violations: their order, and how a run's violation becomes one. */
import type { RunViolation } from '../sim/index.ts';
import type { FaultKind, TraceEvent, Violation } from '../sim/index.ts';

/** Code-unit order, independent of locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order of violations in results and reports: unit, seed, invariant, message. */
export function compareViolations(a: Violation, b: Violation): number {
  return compareStrings(a.scenario, b.scenario)
    || a.seed - b.seed
    || compareStrings(a.invariant, b.invariant)
    || compareStrings(a.message, b.message);
}

/** Where a violation happened, as the campaign knows it. */
export interface ViolationContext {
  readonly unit: string;
  readonly seed: number;
  readonly repro: string;
  readonly trace?: readonly TraceEvent[];
  /** Its position among its run's violations, in the order they were found (0: the root cause). */
  readonly indexInRun?: number;
  /** The fault kinds injected in its run. */
  readonly runFaultKinds?: readonly FaultKind[];
  /** It fails the same way with no fault (harness/fault-free.ts). */
  readonly needsNoFault?: boolean;
  /** Its run spun and its worker was ended (seed-run.ts `spunRun`). */
  readonly spun?: boolean;
}

/** Turns a run's violation into the `Violation` campaigns and reports carry. */
export function toViolation(violation: RunViolation, context: ViolationContext): Violation {
  return {
    scenario: context.unit,
    seed: context.seed,
    invariant: violation.invariant,
    message: violation.message,
    repro: context.repro,
    step: violation.step,
    ...(violation.lsn !== undefined ? { lsn: violation.lsn } : {}),
    ...(violation.key !== undefined ? { key: violation.key } : {}),
    ...(violation.look !== undefined ? { look: violation.look } : {}),
    ...(context.indexInRun !== undefined ? { indexInRun: context.indexInRun } : {}),
    ...(context.runFaultKinds !== undefined ? { runFaultKinds: context.runFaultKinds } : {}),
    ...(context.trace !== undefined ? { trace: context.trace } : {}),
    ...(context.needsNoFault === true ? { needsNoFault: true } : {}),
    ...(context.spun === true ? { spun: true } : {}),
  };
}
