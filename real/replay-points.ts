/**
 * Where a plan crashes, read from the simulator's full trace of it, as plan-step positions that a
 * real process can be killed at (`replay --real`).
 *
 * The runner (sim/runner.ts) records one `op` event when each plan step starts, named after the
 * step's `op`, and one `op` event named `open` for every attempt to open the store (the first
 * open, and every open after a crash, a reopen or a failed store). A `crash` event ends the
 * process. So the last `op` event before a `crash` event says where it landed:
 * - a `crash` step: the step itself (`at: 'crash-step'`);
 * - any other step: during that step (`at: 'in-step'`); the runner counts the step as run and
 *   goes on with the next one after recovery;
 * - `open`: during recovery, before the next step to run (`at: 'recovery'`; `step` may equal
 *   the number of steps, when the crash came in the open after the last one).
 * Events after the `liveness` note are ignored: the liveness phase runs with faults off.
 *
 * What this does not do: place a kill at the exact I/O the simulated crash struck. A real
 * process cannot be stopped at a chosen write from outside; the step is as fine as it gets.
 */
import { assert } from '../engine/assert.ts';
import type { Plan } from '../sim/index.ts';
import type { RunResult } from '../sim/index.ts';
import type { FaultKind } from '../sim/index.ts';

/** One crash of the simulated run, placed at a plan step. */
export interface CrashPoint {
  /** Index of the plan step (for `recovery`: the step that runs after the recovery). */
  readonly step: number;
  /** What the simulated crash was; the real replay always kills with SIGKILL. */
  readonly simulated: 'kill-9' | 'power-loss';
  readonly at: 'crash-step' | 'in-step' | 'recovery';
}

/** Faults of the simulated run that a real disk cannot be made to produce, by kind. */
export type SkippedFaults = ReadonlyArray<{ readonly kind: FaultKind; readonly count: number }>;

/**
 * The crash points of a simulated run.
 * @param plan - the plan that was run
 * @param result - its result, run with `trace: 'full'`
 * @throws AssertionError when the trace does not match the plan's steps (not a full trace, or
 *   the runner changed how it records steps)
 */
export function crashPointsOf(plan: Plan, result: RunResult): CrashPoint[] {
  const points: CrashPoint[] = [];
  let stepIndex = -1;
  let lastOp: 'step' | 'open' | undefined;
  for (const event of result.trace) {
    if (event.type === 'note' && event.name === 'liveness') break;
    if (event.type === 'op') {
      if (event.name === 'open') {
        lastOp = 'open';
        continue;
      }
      stepIndex++;
      const step = plan.steps[stepIndex];
      assert(step !== undefined, `trace has an op event (${event.name}) past the plan's ${plan.steps.length} steps`);
      assert(step.op === event.name, `trace op ${event.name} does not match plan step ${stepIndex} (${step.op})`);
      lastOp = 'step';
    } else if (event.type === 'crash') {
      assert(event.name === 'kill-9' || event.name === 'power-loss', `unknown crash kind ${event.name}`);
      assert(lastOp !== undefined, 'a crash before the first open');
      const simulated = event.name;
      if (lastOp === 'open') points.push({ step: stepIndex + 1, simulated, at: 'recovery' });
      else if (plan.steps[stepIndex]?.op === 'crash') points.push({ step: stepIndex, simulated, at: 'crash-step' });
      else points.push({ step: stepIndex, simulated, at: 'in-step' });
    }
  }
  return points;
}

/** The faults a run injected other than crashes (fsync errors, disk full, bit flips, ...). */
export function skippedFaultsOf(result: RunResult): SkippedFaults {
  const counts = new Map<FaultKind, number>();
  for (const fault of result.faultsFired ?? []) {
    if (fault.kind === 'kill-9' || fault.kind === 'power-loss') continue;
    counts.set(fault.kind, (counts.get(fault.kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, count]) => ({ kind, count }));
}

/**
 * The crash points a real replay kills at: those the simulated run reached, plus every `crash`
 * step it did not reach (a simulated run stops early when the store refuses to open or keeps
 * crashing while it recovers); in plan order, kills during a recovery before the step that
 * follows it.
 */
export function replayedCrashPoints(plan: Plan, simulated: readonly CrashPoint[]): CrashPoint[] {
  const points = simulated.filter((point) => point.at !== 'crash-step');
  plan.steps.forEach((step, index) => {
    if (step.op === 'crash') points.push({ step: index, simulated: step.kind, at: 'crash-step' });
  });
  const order = (point: CrashPoint): number => point.step * 2 + (point.at === 'recovery' ? 0 : 1);
  return points.sort((a, b) => order(a) - order(b));
}
