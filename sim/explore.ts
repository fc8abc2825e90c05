/**
 * Exhaustive crash exploration, as ALICE and CrashMonkey do it: instead of sampling crash points
 * at random, crash a short workload at every one of its I/O operations, once with kill -9 and
 * once per post-power-loss crash state, and check each recovery.
 *
 * The workload is the prefix of one seed's plan with every fault removed (rates, scheduled
 * faults, a fixed capacity and `crash` steps), so that a clean run has a fixed I/O sequence of
 * N operations before the liveness phase. Crash point k in [0, N) then means "the process dies
 * at I/O operation k"; the run continues as usual (recovery, oracle checks, liveness phase).
 *
 * What it does not explore: a second crash during recovery, faults other than crashes, or I/O of
 * the liveness phase (faults are off there by design).
 */
import { wallClockMs } from './node/wall-clock.ts';
import type { CheckedSystem, RunViolation } from './runner.ts';
import { runPlan } from './runner.ts';
import type { Plan } from './plan.ts';

/** Options of {@link explorePlan}. */
export interface ExploreOptions {
  /** Power-loss crash states tried at each crash point (0 .. states-1). @defaultValue 5 */
  readonly states?: number;
  /** Workload steps kept from the plan. @defaultValue 12 */
  readonly steps?: number;
  /** Called after each crash point. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One distinct violation and the first crash that showed it. */
export interface ExploreViolation {
  readonly invariant: string;
  readonly message: string;
  /** The smallest crash point (I/O index) that showed it. */
  readonly io: number;
  readonly kind: 'kill-9' | 'power-loss';
  /** The crash state, for power loss. */
  readonly crashState?: number;
  /** How many (crash point, state) runs showed it. */
  readonly count: number;
  /** A plan that reproduces it (`powercut replay`-able JSON). */
  readonly plan: Plan;
}

/** What {@link explorePlan} returns. */
export interface ExploreResult {
  /** The fault-free workload explored. */
  readonly plan: Plan;
  /** I/O operations of the clean run before the liveness phase: the crash points. */
  readonly crashPoints: number;
  /** Runs over crash points: crashPoints × (1 + states). */
  readonly statesExplored: number;
  /** Runs in total, the clean run included. */
  readonly runs: number;
  /** Violations of the clean run itself (the workload fails without any crash). */
  readonly cleanViolations: readonly RunViolation[];
  /** Distinct violations, in the order first seen (by crash point). */
  readonly violations: readonly ExploreViolation[];
  readonly elapsedMs: number;
  readonly runsPerSecond: number;
}

/** Default of {@link ExploreOptions.states}. */
export const exploreStatesDefault = 5;
/** Default of {@link ExploreOptions.steps}. */
export const exploreStepsDefault = 12;

/**
 * The fault-free prefix of `plan` that exploration crashes.
 * @param steps - workload steps to keep (after `crash` steps are removed)
 */
export function explorationBase(plan: Plan, steps: number): Plan {
  const { capacityBytes: _capacity, phases: _phases, ...faults } = plan.faults;
  const { crashStates: _states, ...rest } = plan;
  return {
    ...rest,
    faults: { ...faults, rates: {}, scheduled: [] },
    steps: plan.steps.filter((step) => step.op !== 'crash').slice(0, steps),
  };
}

/**
 * Crashes the fault-free prefix of `plan` at every I/O operation, with kill -9 and with each
 * power-loss crash state.
 * @param plan - any plan (a scenario's plan of one seed)
 * @param sut - the system under test
 * @throws RangeError for `states` or `steps` below 1
 */
export async function explorePlan(plan: Plan, sut: CheckedSystem, options: ExploreOptions = {}): Promise<ExploreResult> {
  const states = options.states ?? exploreStatesDefault;
  const steps = options.steps ?? exploreStepsDefault;
  if (!Number.isInteger(states) || states < 1) throw new RangeError(`states must be a positive integer, not ${states}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, not ${steps}`);
  const started = wallClockMs();
  const base = explorationBase(plan, steps);
  const clean = await runPlan(base, sut, { trace: 'full' });
  // Crash points stop where the liveness phase begins: faults are off from there on.
  let crashPoints = 0;
  for (const event of clean.trace) {
    if (event.type === 'note' && event.name === 'liveness') break;
    if (event.type === 'io') crashPoints++;
  }
  let runs = 1;
  const found = new Map<string, { violation: ExploreViolation; count: number }>();
  const crashes: { kind: 'kill-9' | 'power-loss'; crashState?: number }[] = [{ kind: 'kill-9' }];
  for (let state = 0; state < states; state++) crashes.push({ kind: 'power-loss', crashState: state });
  for (let io = 0; io < crashPoints; io++) {
    for (const crash of crashes) {
      const candidate: Plan = {
        ...base,
        faults: { ...base.faults, scheduled: [{ io, kind: crash.kind }] },
        ...(crash.crashState !== undefined ? { crashStates: [crash.crashState] } : {}),
      };
      const result = await runPlan(candidate, sut);
      runs++;
      for (const violation of result.violations) {
        const key = `${violation.invariant}\u0000${violation.message}`;
        const known = found.get(key);
        if (known) known.count++;
        else found.set(key, { count: 1, violation: { invariant: violation.invariant, message: violation.message, io, ...crash, count: 1, plan: candidate } });
      }
    }
    options.onProgress?.(io + 1, crashPoints);
  }
  const elapsedMs = wallClockMs() - started;
  return {
    plan: base,
    crashPoints,
    statesExplored: crashPoints * crashes.length,
    runs,
    cleanViolations: clean.violations,
    violations: [...found.values()].map(({ violation, count }) => ({ ...violation, count })),
    elapsedMs,
    runsPerSecond: elapsedMs > 0 ? runs / (elapsedMs / 1000) : 0,
  };
}
