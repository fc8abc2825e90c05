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
