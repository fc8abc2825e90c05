/**
 * Liveness: once faults stop, the store comes back and makes progress.
 *
 * Provides the violation; the runner enforces the bound, since only it counts steps. After the
 * last fault, the engine must reopen and durably commit new writes within `stepsMax` steps.
 *
 * Does not verify: anything while faults are still being injected (refusing or failing then is
 * allowed), nor the correctness of what is recovered (the model checks that).
 */
import type { ModelViolation } from './violation.ts';

/** What did not happen in time. */
export interface LivenessFailure {
  /** `reopen`: the store did not open; `commit`: it opened but no new commit became durable. */
  readonly stage: 'reopen' | 'commit';
  /** Steps taken since faults stopped. */
  readonly steps: number;
  /** The bound. */
  readonly stepsMax: number;
  /** The last error seen, if any. */
  readonly lastError?: unknown;
}

/** Builds the `liveness` violation the runner reports when the bound is passed. */
export function livenessViolation(failure: LivenessFailure): ModelViolation {
  const goal = failure.stage === 'reopen' ? 'reopen' : 'durably commit a new write';
  const cause = failure.lastError === undefined ? '' : `; last error: ${describeError(failure.lastError)}`;
  return {
    invariant: 'liveness',
    message: `after faults stopped, the store did not ${goal} within ${failure.stepsMax} steps (${failure.steps} taken)${cause}`,
    expected: `${failure.stage} within ${failure.stepsMax} steps`,
    seen: `none after ${failure.steps} steps`,
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
