/**
 * Shrinking a failing target plan (a library workload's run) to a small plan that fails with the
 * same invariant, as sim/shrink.ts does for the engine and with the same search steps
 * (sim/ddmin.ts).
 *
 * First the run's random choices become explicit: the faults it fired are scheduled at their
 * exact I/O indexes with every rate at 0, and the crash state of every crash is written down;
 * the simulator guarantees this replays the same run. Then delta debugging removes operations
 * (re-anchoring later faults by the I/O of the removed operations) and scheduled faults, and
 * the crash states are cut to the crashes that happen. Each candidate is kept only if the same
 * invariant still fails. The passes repeat until none makes progress or the budget is spent.
 *
 * What it does not do: shrink inside an operation (a library call is one step), or search for a
 * failure other than the one named.
 */
import { anchorsOf, ddmin, range, reanchorFaults, type Anchors } from '../sim/ddmin.ts';
import type { ScheduledFault } from '../sim/world.ts';
import { targetPlanSize, type TargetPlan } from './plan.ts';
import { runTargetPlan, type TargetViolation } from './runner.ts';
import type { Workload } from './workload.ts';

/** Options of {@link shrinkTargetPlan}. */
export interface TargetShrinkOptions {
  /** The invariant that must keep failing. @defaultValue the first violation's */
  readonly invariant?: string;
  /** Total runs allowed, the first included. @defaultValue 500 */
  readonly runsMax?: number;
}

/** What {@link shrinkTargetPlan} returns. */
export interface TargetShrinkResult {
  /** The smallest failing plan found (the input plan when it does not fail). */
  readonly plan: TargetPlan;
  readonly before: ReturnType<typeof targetPlanSize>;
  readonly after: ReturnType<typeof targetPlanSize>;
  readonly runs: number;
  /** The violation of the shrunk plan; `undefined` when the input plan does not fail. */
  readonly violation: TargetViolation | undefined;
  /** Whether the faults and crash states were made explicit. */
  readonly explicitFaults: boolean;
  readonly budgetExhausted: boolean;
}

/** Default of {@link TargetShrinkOptions.runsMax}. */
export const targetShrinkRunsMaxDefault = 500;

class BudgetExhausted extends Error {}

interface Attempt {
  readonly violation: TargetViolation | undefined;
  readonly anchors: Anchors | undefined;
  readonly crashes: number;
  readonly fired: readonly ScheduledFault[];
  readonly crashStates: readonly number[];
}

/**
 * Minimises a failing target plan.
 * @param workload - the workload the plan belongs to
 * @param plan - the failing plan
 */
export async function shrinkTargetPlan<S, L>(workload: Workload<S, L>, plan: TargetPlan, options: TargetShrinkOptions = {}): Promise<TargetShrinkResult> {
  const runsMax = options.runsMax ?? targetShrinkRunsMaxDefault;
  const before = targetPlanSize(plan);
  let runs = 0;
  let target = options.invariant;
  const tried = new Map<string, Attempt>();
  const attempt = async (candidate: TargetPlan): Promise<Attempt> => {
    const key = JSON.stringify(candidate);
    const known = tried.get(key);
    if (known) return known;
    if (runs >= runsMax) throw new BudgetExhausted();
    runs++;
    const result = await runTargetPlan(workload, candidate, { trace: 'full' });
    target ??= result.violations[0]?.invariant;
    const violation = result.violations.find((found) => found.invariant === target);
    const outcome: Attempt = {
      violation, crashes: result.crashCount, fired: result.faultsFired, crashStates: result.crashStates,
      anchors: violation ? anchorsOf(candidate.operations.length, result.trace, (event) => event.type === 'op') : undefined,
    };
    tried.set(key, outcome);
    return outcome;
  };

  const first = await attempt(plan);
  if (first.violation === undefined) {
    return { plan, before, after: before, runs, violation: undefined, explicitFaults: false, budgetExhausted: false };
  }
  let current = plan;
  let currentAttempt = first;
  let explicitFaults = false;
  let budgetExhausted = false;
  const accept = async (candidate: TargetPlan): Promise<boolean> => {
    const outcome = await attempt(candidate);
    if (outcome.violation === undefined) return false;
    current = candidate;
    currentAttempt = outcome;
    return true;
  };
  /** The candidate keeping operations `keep`: re-anchored when that moves a fault, else plain. */
  const withOperations = async (base: TargetPlan, anchors: Anchors | undefined, keep: readonly number[]): Promise<boolean> => {
    const plain: TargetPlan = { ...base, operations: keep.map((index) => base.operations[index]!) };
    const moved = explicitFaults && anchors !== undefined ? reanchorFaults(base.faults.scheduled ?? [], anchors, keep) : undefined;
    if (moved !== undefined && await accept({ ...plain, faults: { ...plain.faults, scheduled: moved } })) return true;
    return accept(plain);
  };

  try {
    const { phases: _phases, ...faults } = plan.faults;
    explicitFaults = await accept({ ...plan, faults: { ...faults, rates: {}, scheduled: first.fired }, crashStates: first.crashStates });
    for (let pass = 0; pass < 20; pass++) {
      let progress = false;
      // Operations after the crash that showed the violation cannot matter to it: cut them first.
      const after = currentAttempt.violation!.crash.afterOperation;
      if (after + 1 < current.operations.length) progress = (await withOperations(current, currentAttempt.anchors, range(after + 1))) || progress;
      const base = current;
      const anchors = currentAttempt.anchors;
      progress = (await ddmin(base.operations.length, (keep) => withOperations(base, anchors, keep))) || progress;
      const scheduled = current.faults.scheduled ?? [];
      if (explicitFaults && scheduled.length > 0) {
        const withFaults = current;
        progress = (await ddmin(scheduled.length, (keep) => accept({ ...withFaults, faults: { ...withFaults.faults, scheduled: keep.map((index) => scheduled[index]!) } }))) || progress;
      }
      const states = current.crashStates;
      if (states !== undefined && states.length > currentAttempt.crashes) progress = (await accept({ ...current, crashStates: states.slice(0, currentAttempt.crashes) })) || progress;
      if (!progress) break;
    }
    // Keep only the faults that fire: the same run, a shorter list.
    if (explicitFaults) await accept({ ...current, faults: { ...current.faults, scheduled: currentAttempt.fired } });
  } catch (error) {
    if (!(error instanceof BudgetExhausted)) throw error;
    budgetExhausted = true;
  }
  return { plan: current, before, after: targetPlanSize(current), runs, violation: currentAttempt.violation, explicitFaults, budgetExhausted };
}
