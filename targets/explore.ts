/**
 * Exhaustive crash exploration of a library workload, as sim/explore.ts does for the engine:
 * the first operations of one seed's plan, with every fault removed, crashed at every one of
 * their I/O operations, once with kill -9 and once per power-loss crash state, plus the run's
 * final power loss in every crash state.
 *
 * Crash point k is "the process dies at I/O operation k" of the clean run (global index, setup
 * included; only the operations' I/O are crash points). After an injected crash the run goes on
 * as usual (restart, reopen, invariants, the remaining operations); its final power loss then
 * keeps everything (crash state 2), so a violation belongs to the crash that was injected.
 *
 * What it does not explore: two crashes in one run, or faults other than crashes.
 */
import { wallClockMs } from '../sim/node/wall-clock.ts';
import type { TargetPlan } from './plan.ts';
import { runTargetPlan, type TargetViolation } from './runner.ts';
import type { Workload } from './workload.ts';

/** Options of {@link exploreTargetPlan}. */
export interface TargetExploreOptions {
  /** Power-loss crash states tried at each crash point (0 .. states-1). @defaultValue 5 */
  readonly states?: number;
  /** Operations kept from the plan. @defaultValue 4 */
  readonly operations?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One distinct violation and the first crash that showed it. */
export interface TargetExploreViolation {
  readonly invariant: string;
  /** The first message seen (messages differing only in numbers count as one violation). */
  readonly message: string;
  /** The crash point (global I/O index), or `end` for the final power loss. */
  readonly io: number | 'end';
  readonly kind: 'kill-9' | 'power-loss';
  readonly crashState?: number;
  /** How many runs showed it. */
  readonly count: number;
  /** Every crash (kind and state) that showed it, as `kill-9` or `power-loss state N`, sorted. */
  readonly crashes: readonly string[];
  /** A plan that reproduces it. */
  readonly plan: TargetPlan;
}

/** What {@link exploreTargetPlan} returns. */
export interface TargetExploreResult {
  /** The fault-free plan explored. */
  readonly plan: TargetPlan;
  /** I/O operations of the operations in the clean run: the crash points. */
  readonly crashPoints: number;
  /** Runs over crash points and end states. */
  readonly statesExplored: number;
  readonly runs: number;
  readonly violations: readonly TargetExploreViolation[];
  readonly elapsedMs: number;
  readonly runsPerSecond: number;
}

/** Default of {@link TargetExploreOptions.operations}. */
export const targetExploreOperationsDefault = 4;
/** Crash state 2 keeps every unsynced write and name: a final power loss that changes nothing. */
const keepEverything = 2;

/**
 * Crashes the fault-free prefix of `plan` at every I/O of its operations.
 * @throws RangeError for `states` or `operations` below 1
 */
export async function exploreTargetPlan<S, L>(workload: Workload<S, L>, plan: TargetPlan, options: TargetExploreOptions = {}): Promise<TargetExploreResult> {
  const states = options.states ?? 5;
  const operations = options.operations ?? targetExploreOperationsDefault;
  if (!Number.isInteger(states) || states < 1) throw new RangeError(`states must be a positive integer, not ${states}`);
  if (!Number.isInteger(operations) || operations < 1) throw new RangeError(`operations must be a positive integer, not ${operations}`);
  const started = wallClockMs();
  const { phases: _phases, capacityBytes: _capacity, ...faults } = plan.faults;
  const { crashStates: _states, ...rest } = plan;
  const base: TargetPlan = { ...rest, faults: { ...faults, rates: {}, scheduled: [] }, operations: plan.operations.slice(0, operations) };
  const clean = await runTargetPlan(workload, base, { trace: 'full' });
  // Crash points: the I/O between the setup's checkpoint and the final power loss.
  const points: number[] = [];
  let io = 0;
  let inOperations = false;
  for (const event of clean.trace) {
    if (event.type === 'note' && event.name === 'checkpoint') inOperations = true;
    else if (event.type === 'crash') break;
    else if (event.type === 'io') {
      if (inOperations) points.push(io);
      io++;
    }
  }
  const candidates: { io: number | 'end'; kind: 'kill-9' | 'power-loss'; crashState?: number; plan: TargetPlan }[] = [];
  for (const point of points) {
    candidates.push({ io: point, kind: 'kill-9', plan: { ...base, faults: { ...base.faults, scheduled: [{ io: point, kind: 'kill-9' }] }, crashStates: [0, keepEverything] } });
    for (let state = 0; state < states; state++) {
      candidates.push({ io: point, kind: 'power-loss', crashState: state, plan: { ...base, faults: { ...base.faults, scheduled: [{ io: point, kind: 'power-loss' }] }, crashStates: [state, keepEverything] } });
    }
  }
  for (let state = 0; state < states; state++) candidates.push({ io: 'end', kind: 'power-loss', crashState: state, plan: { ...base, crashStates: [state] } });

  const found = new Map<string, { violation: Omit<TargetExploreViolation, 'count' | 'crashes'>; count: number; crashes: Set<string> }>();
  const note = (violation: TargetViolation, candidate: (typeof candidates)[number]): void => {
    const key = `${violation.invariant}\u0000${violation.message.replace(/\d+/g, '#')}`;
    const known = found.get(key) ?? { count: 0, crashes: new Set<string>(), violation: { invariant: violation.invariant, message: violation.message, ...candidate } };
    known.count++;
    known.crashes.add(candidate.kind === 'kill-9' ? 'kill-9' : `power-loss state ${candidate.crashState}`);
    found.set(key, known);
  };
  let runs = 1;
  for (const [at, candidate] of candidates.entries()) {
    const result = await runTargetPlan(workload, candidate.plan);
    runs++;
    for (const violation of result.violations) note(violation, candidate);
    options.onProgress?.(at + 1, candidates.length);
  }
  const elapsedMs = wallClockMs() - started;
  return {
    plan: base, crashPoints: points.length, statesExplored: candidates.length, runs,
    violations: [...found.values()].map(({ violation, count, crashes }) => ({ ...violation, count, crashes: [...crashes].sort() })),
    elapsedMs, runsPerSecond: elapsedMs > 0 ? runs / (elapsedMs / 1000) : 0,
  };
}
