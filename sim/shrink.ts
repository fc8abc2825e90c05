/**
 * Shrinking: turns a failing plan into a small plan that fails with the same invariant.
 *
 * First the plan's random faults become explicit: the faults one run fired are scheduled at
 * their exact I/O indexes and every rate is set to 0, which the simulator guarantees replays the
 * same run. Explicit faults can then be removed one by one, which rates cannot. Then
 * delta debugging (Zeller's ddmin, complement variant) removes workload steps, scheduled faults,
 * batches of concurrent steps and ops of batches, and simplification passes shorten values,
 * rename keys and zero crash states, each candidate kept only if the same invariant still fails.
 * The passes repeat until none makes progress or the run budget is spent.
 *
 * Removing steps shifts the I/O indexes of everything after them, which moves scheduled faults
 * off the operations they hit. Re-anchoring compensates: each fault is tied to the step whose
 * I/O it fell in (from a full trace of the current plan), and a candidate that drops steps moves
 * later faults back by the I/O count of the dropped steps. It is an estimate (the remaining
 * steps may do different I/O once earlier ones are gone); a wrong estimate is simply rejected.
 *
 * What it does not do: shrink the engine configuration, or search for a different failure than
 * the one named (a candidate failing another invariant is rejected).
 */
import type { RunViolation, CheckedSystem } from './runner.ts';
import { runPlan } from './runner.ts';
import type { Plan, PlanOp, PlanStep } from './plan.ts';
import { planSize } from './plan.ts';
import type { ScheduledFault } from './disk/faults.ts';
import { anchorsOf, ddmin, range, reanchorFaults, type Anchors } from './ddmin.ts';

/** The sizes {@link planSize} reports. */
export type PlanSize = ReturnType<typeof planSize>;

/** Options of {@link shrinkPlan}. */
export interface ShrinkOptions {
  /** The invariant that must keep failing. @defaultValue the first violation's invariant */
  readonly invariant?: string;
  /** Total runs allowed, the first included. @defaultValue 2000 */
  readonly runsMax?: number;
  /** Re-anchor scheduled faults when steps are removed. @defaultValue true */
  readonly reanchor?: boolean;
}

/** What {@link shrinkPlan} returns. */
export interface ShrinkResult {
  /** The smallest failing plan found (the input plan when it does not fail). */
  readonly plan: Plan;
  readonly before: PlanSize;
  readonly after: PlanSize;
  /** Runs spent, the first included. */
  readonly runs: number;
  /** The violation of the shrunk plan; `undefined` when the input plan does not fail. */
  readonly violation: RunViolation | undefined;
  /** Whether the faults were made explicit (rates 0, scheduled faults). */
  readonly explicitFaults: boolean;
  /** Candidates accepted only thanks to re-anchored faults. */
  readonly reanchored: number;
  /** Whether the run budget ran out before the passes reached a fixpoint. */
  readonly budgetExhausted: boolean;
}

/** Default of {@link ShrinkOptions.runsMax}. */
export const shrinkRunsMaxDefault = 2000;

class BudgetExhausted extends Error {}

/**
 * Minimises a failing plan.
 * @param plan - the failing plan
 * @param sut - the system under test it fails on
 * @returns the shrunk plan and figures; `violation` is undefined when `plan` does not fail
 */
export async function shrinkPlan(plan: Plan, sut: CheckedSystem, options: ShrinkOptions = {}): Promise<ShrinkResult> {
  const runsMax = options.runsMax ?? shrinkRunsMaxDefault;
  const reanchor = options.reanchor ?? true;
  const before = planSize(plan);
  let runs = 1;
  const first = await runPlan(plan, sut);
  const target = options.invariant ?? first.violations[0]?.invariant;
  const matching = first.violations.find((violation) => violation.invariant === target);
  if (target === undefined || matching === undefined) {
    return { plan, before, after: before, runs, violation: undefined, explicitFaults: false, reanchored: 0, budgetExhausted: false };
  }

  /** Outcome cache by plan text: passes often rebuild a plan tried before. */
  const tried = new Map<string, Attempt>();
  const attempt = async (candidate: Plan): Promise<Attempt> => {
    const key = JSON.stringify(candidate);
    const known = tried.get(key);
    if (known) return known;
    if (runs >= runsMax) throw new BudgetExhausted();
    runs++;
    const result = await runPlan(candidate, sut, { trace: reanchor ? 'full' : 'digest' });
    const violation = result.violations.find((found) => found.invariant === target);
    const outcome: Attempt = { fails: violation !== undefined, violation, anchors: violation && reanchor ? anchorsOf(candidate.steps.length, result.trace, (event) => event.type === 'op' && event.name !== 'open') : undefined, crashes: result.crashes, fired: result.faultsFired ?? [] };
    tried.set(key, outcome);
    return outcome;
  };

  let current = plan;
  let currentAttempt: Attempt = { fails: true, violation: matching, anchors: undefined, crashes: first.crashes, fired: first.faultsFired ?? [] };
  let explicitFaults = false;
  let reanchored = 0;
  let budgetExhausted = false;
  /** Adopts `candidate` if it fails with the target invariant. */
  const accept = async (candidate: Plan): Promise<boolean> => {
    const outcome = await attempt(candidate);
    if (!outcome.fails) return false;
    current = candidate;
    currentAttempt = outcome;
    return true;
  };

  try {
    // Explicit faults: the exact faults this run fired, nothing random left.
    const { phases: _phases, ...faultsWithoutPhases } = plan.faults;
    const explicit: Plan = { ...plan, faults: { ...faultsWithoutPhases, rates: {}, scheduled: first.faultsFired ?? [] } };
    explicitFaults = await accept(explicit);
    if (reanchor && !currentAttempt.anchors) {
      // The input plan was run without a full trace; one more run gives the anchors.
      const again = await attempt(current);
      if (again.fails) currentAttempt = again;
    }

    /**
     * Candidates keeping the steps `keep` of `base` (indexes into `base.steps`): plain, and with
     * the faults re-anchored when that moves any.
     */
    const withSteps = (base: Plan, anchors: Anchors | undefined, keep: readonly number[]): Plan[] => {
      const plain: Plan = { ...base, steps: keep.map((index) => base.steps[index]!) };
      if (!reanchor || !explicitFaults || anchors === undefined) return [plain];
      const moved = reanchorFaults(base.faults.scheduled ?? [], anchors, keep);
      if (moved === undefined) return [plain];
      return [plain, { ...plain, faults: { ...plain.faults, scheduled: moved } }];
    };

    const ddminSteps = async (): Promise<boolean> => {
      let progress = false;
      // Steps after the one where the violation showed cannot matter to it; try cutting them first.
      const step = currentAttempt.violation?.step ?? -1;
      if (step >= 0 && step + 1 < current.steps.length) {
        progress = (await tryAll(withSteps(current, currentAttempt.anchors, range(step + 1)))) || progress;
      }
      const base = current;
      const anchors = currentAttempt.anchors;
      const kept = await ddmin(base.steps.length, async (keep) => tryAll(withSteps(base, anchors, keep)));
      return kept || progress;
    };
    const tryAll = async (candidates: readonly Plan[]): Promise<boolean> => {
      for (const [index, candidate] of candidates.entries()) {
        if (await accept(candidate)) {
          if (index > 0) reanchored++;
          return true;
        }
      }
      return false;
    };

    const ddminFaults = async (): Promise<boolean> => {
      const scheduled = current.faults.scheduled ?? [];
      if (!explicitFaults || scheduled.length === 0) return false;
      const base = current;
      return ddmin(scheduled.length, async (keep) => accept({ ...base, faults: { ...base.faults, scheduled: keep.map((index) => scheduled[index]!) } }));
    };

    const ddminBatches = async (): Promise<boolean> => {
      let progress = false;
      for (let index = 0; index < current.steps.length; index++) {
        const step = current.steps[index]!;
        if (step.op === 'concurrent') {
          const batches = step.batches;
          progress = (await ddmin(batches.length, async (keep) => keep.length > 0 && accept(replaceStep(current, index, { op: 'concurrent', batches: keep.map((at) => batches[at]!) })), 1)) || progress;
          const now = current.steps[index]!;
          if (now.op === 'concurrent' && now.batches.length === 1) progress = (await accept(replaceStep(current, index, { op: 'commit', batch: now.batches[0]! }))) || progress;
        }
        const now = current.steps[index]!;
        if (now.op === 'commit') {
          const batch = now.batch;
          progress = (await ddmin(batch.length, async (keep) => keep.length > 0 && accept(replaceStep(current, index, { op: 'commit', batch: keep.map((at) => batch[at]!) })), 1)) || progress;
        } else if (now.op === 'concurrent') {
          for (let b = 0; b < now.batches.length; b++) {
            const step = current.steps[index] as Extract<PlanStep, { op: 'concurrent' }>;
            const batch = step.batches[b]!;
            progress = (await ddmin(batch.length, async (keep) => keep.length > 0 && accept(replaceStep(current, index, {
              op: 'concurrent', batches: step.batches.map((other, at) => (at === b ? keep.map((k) => batch[k]!) : other)),
            })), 1)) || progress;
          }
        }
      }
      return progress;
    };

    const simplify = async (): Promise<boolean> => {
      let progress = false;
      // Values: find the fewest that must stay long, then shorten the rest to one character.
      const longValues = opRefs(current).filter((ref) => ref.op.type === 'put' && ref.op.value.length > 1);
      if (longValues.length > 0) {
        const base = current;
        progress = (await ddmin(longValues.length, async (keep) => {
          const kept = new Set(keep);
          const shortened = longValues.filter((_, at) => !kept.has(at));
          return accept(mapOps(base, (op, where) => (shortened.some((ref) => ref.where === where) && op.type === 'put' ? { ...op, value: op.value.slice(0, 1) } : op)));
        }, 0)) || progress;
      }
      // Keys: rename to short names in the same sort order, so equal keys stay equal.
      const keys = [...new Set(opRefs(current).map((ref) => ref.op.key).concat(current.steps.flatMap((step) => (step.op === 'get' ? [step.key] : []))))].sort();
      const width = String(keys.length).length;
      const names = new Map(keys.map((key, at) => [key, `k${String(at).padStart(width, '0')}`]));
      if (keys.some((key) => names.get(key) !== key)) {
        const renamed = mapOps(current, (op) => ({ ...op, key: names.get(op.key)! }));
        progress = (await accept({ ...renamed, steps: renamed.steps.map((step) => (step.op === 'get' ? { op: 'get', key: names.get(step.key)! } : step)) })) || progress;
      }
      // Crash states: only as many as crashes happen, each the seeded default where possible.
      const states = current.crashStates;
      if (states !== undefined) {
        const needed = states.slice(0, currentAttempt.crashes);
        const trimmed = needed.length === 0 || needed.every((state) => state === 0) ? withoutCrashStates(current) : { ...current, crashStates: needed };
        if (JSON.stringify(trimmed) !== JSON.stringify(current)) progress = (await accept(trimmed)) || progress;
        const left = current.crashStates ?? [];
        for (let at = 0; at < left.length; at++) {
          if (left[at] !== 0) progress = (await accept({ ...current, crashStates: left.map((state, k) => (k === at ? 0 : state)) })) || progress;
        }
      }
      if (current.latency !== undefined) {
        const { latency: _latency, ...rest } = current;
        progress = (await accept(rest)) || progress;
      }
      return progress;
    };

    for (let pass = 0; pass < 20; pass++) {
      let progress = false;
      progress = (await ddminSteps()) || progress;
      progress = (await ddminFaults()) || progress;
      progress = (await ddminBatches()) || progress;
      progress = (await simplify()) || progress;
      if (!progress) break;
    }
    // Keep only the faults that actually fire: the same run, a shorter list.
    if (explicitFaults) {
      const fired = currentAttempt.fired;
      await accept({ ...current, faults: { ...current.faults, scheduled: fired } });
    }
  } catch (error) {
    if (!(error instanceof BudgetExhausted)) throw error;
    budgetExhausted = true;
  }
  return { plan: current, before, after: planSize(current), runs, violation: currentAttempt.violation, explicitFaults, reanchored, budgetExhausted };
}

interface Attempt {
  readonly fails: boolean;
  readonly violation: RunViolation | undefined;
  /** Where each scheduled fault fell, relative to the steps (from a full trace). */
  readonly anchors: Anchors | undefined;
  readonly crashes: number;
  readonly fired: readonly ScheduledFault[];
}

function replaceStep(plan: Plan, index: number, step: PlanStep): Plan {
  return { ...plan, steps: plan.steps.map((old, at) => (at === index ? step : old)) };
}

function withoutCrashStates(plan: Plan): Plan {
  const { crashStates: _states, ...rest } = plan;
  return rest;
}

/** Where an op is: step index, batch index (0 for `commit`), op index. */
type OpWhere = `${number}/${number}/${number}`;

function opRefs(plan: Plan): { where: OpWhere; op: PlanOp }[] {
  const refs: { where: OpWhere; op: PlanOp }[] = [];
  plan.steps.forEach((step, s) => {
    const batches = step.op === 'commit' ? [step.batch] : step.op === 'concurrent' ? step.batches : [];
    batches.forEach((batch, b) => batch.forEach((op, o) => refs.push({ where: `${s}/${b}/${o}`, op })));
  });
  return refs;
}

function mapOps(plan: Plan, change: (op: PlanOp, where: OpWhere) => PlanOp): Plan {
  return {
    ...plan,
    steps: plan.steps.map((step, s): PlanStep => {
      if (step.op === 'commit') return { op: 'commit', batch: step.batch.map((op, o) => change(op, `${s}/0/${o}`)) };
      if (step.op === 'concurrent') return { op: 'concurrent', batches: step.batches.map((batch, b) => batch.map((op, o) => change(op, `${s}/${b}/${o}`))) };
      return step;
    }),
  };
}
