/**
 * Assertions: a failed assertion is a bug in powercut's own code, never an expected condition
 * such as corruption or a full disk (those are typed errors, see errors.ts). Keep each assertion
 * to one condition so that the message names exactly what broke.
 */

/** Thrown when an internal invariant of the engine does not hold. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/** Throws {@link AssertionError} unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
