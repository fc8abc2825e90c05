/**
 * What `assertCrashSafe` throws: told apart by `code` (and a brand), never by class identity, so
 * a test file that loaded its own copy of powercut still recognises them.
 */

const brand = Symbol.for('powercut.crash-safety-error');

/** The subject broke an invariant: what, where, and how to rerun exactly that. */
export class CrashSafetyError extends Error {
  override readonly name = 'CrashSafetyError';
  readonly code = 'POWERCUT_VIOLATION';
  readonly [brand] = true;
  /**
   * @param invariant - the invariant broken (`durability`, or a workload's own)
   * @param planFile - the shrunk plan that reproduces it (replay it with `POWERCUT_PLAN` or `powercut replay`)
   */
  constructor(message: string, readonly invariant: string, readonly planFile: string | undefined, readonly unit: string, readonly seed: number) {
    super(message);
  }
}

/** Nothing was tested (no seed ran): never a pass. */
export class NothingTestedError extends Error {
  override readonly name = 'NothingTestedError';
  readonly code = 'POWERCUT_NOTHING_TESTED';
  readonly [brand] = true;
}

/**
 * Something the assertion was to exercise was not: a plan replayed as a regression test whose
 * scheduled faults no longer fire (the code changed under it), so it passed without testing what
 * it was kept for. Never a pass, as `powercut replay` exits 5 on it.
 */
export class IncompleteError extends Error {
  override readonly name = 'IncompleteError';
  readonly code = 'POWERCUT_INCOMPLETE';
  readonly [brand] = true;
}

/** Whether `error` is a {@link CrashSafetyError} of any copy of powercut. */
export function isCrashSafetyError(error: unknown): error is CrashSafetyError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'POWERCUT_VIOLATION'
    && (error as Record<symbol, unknown>)[brand] === true;
}
