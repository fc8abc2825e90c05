/**
 * Coding errors: what an operation rejects with that no disk failure explains, told by name (a
 * type, reference or range error, or a failed assertion). The simulator's runner and the real
 * disk's child judge a library's operations by the same rule.
 */

/**
 * The names of coding errors. A `SyntaxError` is not among them: a library that parses a torn
 * file throws one, and the workload's invariants judge what that costs.
 */
const codingErrorNames: ReadonlySet<string> = new Set(['TypeError', 'ReferenceError', 'RangeError', 'AssertionError']);

/** Whether `error` is a coding error (see {@link codingErrorNames}). */
export function isCodingError(error: unknown): boolean {
  // By name, not class: a library loaded afresh may throw from another realm's Error.
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return typeof name === 'string' && codingErrorNames.has(name);
}

/**
 * The message of an `invariants-threw` violation: what the workload's check threw, by its name
 * (`TypeError: Cannot read properties of undefined`); for a coding error, that it is one, and that
 * it is the check's own or comes of what the library handed it after the crash, a question only the
 * stack answers (where the repro line says it was thrown). A new user's TypeError in their own
 * check read as the library's bug.
 */
export function checkThrewMessage(error: unknown, describe: (error: unknown) => string): string {
  const what = `the invariant check threw ${describe(error)}`;
  return isCodingError(error) ? `${what}: a coding error, in the workload's check or in what the library handed it after the crash (repro shows where it was thrown)` : what;
}
