/**
 * Liveness: the engine never hangs, and once faults stop it comes back and makes progress.
 *
 * Provides the violations; the runner enforces the bounds, since only it counts steps and open
 * attempts (sim/runner.ts). Every liveness verdict of a run is one of these:
 * - a section of the run hung: nothing pending could make progress (a deadlock), or it took more
 *   than the step budget;
 * - with faults off, the store did not open within the attempts allowed;
 * - with faults off, the engine still failed its commits (it kept reporting `failed`), or
 *   rejected one with any other error (an engine whose every commit throws would otherwise
 *   pass: a rejected commit is only "in doubt" while faults are on).
 *
 * Does not verify: anything while faults are still being injected (refusing or failing then is
 * allowed), nor the correctness of what is recovered (the model checks that).
 */
import type { ModelViolation } from './violation.ts';

/** How a simulated section that did not finish ended. */
export type HangKind = 'stuck' | 'steps-exceeded';

/**
 * A section of the run that did not finish.
 * @param what - the section (`recovery`, `step 3 (sync)`, `liveness phase`)
 * @param kind - deadlocked, or over the step budget
 * @param stepsMax - the budget
 */
export function hung(what: string, kind: HangKind, stepsMax: number): ModelViolation {
  const why = kind === 'stuck' ? 'deadlocked (nothing pending could make progress)' : `exceeded ${stepsMax} simulated steps`;
  return { invariant: 'liveness', message: `${what}: ${why}`, expected: 'progress', seen: kind };
}

/** With faults off, the store did not open in `attempts` attempts; `last`: how the last one failed, when it threw. */
export function neverOpened(attempts: number, last?: string): ModelViolation {
  const why = last === undefined ? '' : `; the last failed with ${last}`;
  return { invariant: 'liveness', message: `with faults off the store did not open in ${attempts} attempts${why}`, expected: 'an open', seen: `${attempts} failed attempts` };
}

/** With faults off, the engine still reported itself failed when committing. */
export function stillFailing(): ModelViolation {
  return { invariant: 'liveness', message: 'with faults off the engine still failed to commit', expected: 'durable commits', seen: 'failed' };
}

/**
 * A get, sync or checkpoint of a store that opened failed with an error the contract does not
 * name (`detail`), with no fault but crashes injected so far in the run: nothing excuses it. A
 * read's is a `reads` violation, the others' `liveness`.
 */
export function failedUnfaulted(label: string, detail: string, read: boolean): ModelViolation {
  return {
    invariant: read ? 'reads' : 'liveness',
    message: `${label} failed with ${detail}, with no fault but crashes injected in the run: a store that opened must serve it`,
    expected: read ? 'a value or none' : 'success',
    seen: detail,
  };
}

/** With faults off, after a fresh open, the engine rejected a commit (`detail`: the error). */
export function refusedWithFaultsOff(detail: string): ModelViolation {
  return { invariant: 'liveness', message: `with faults off, after a fresh open, the engine rejected a commit: ${detail}`, expected: 'acknowledged commits', seen: 'rejected' };
}
