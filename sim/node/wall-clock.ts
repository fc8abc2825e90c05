/**
 * Real time for the harness's reports only (seeds per second, elapsed time, time budgets).
 * Nothing read from it reaches a simulated run: runs see only their world's virtual clock, so
 * results and digests stay the same whatever the wall clock says.
 */

/**
 * Node's own `performance.now`, taken when this module loads: while a library workload runs,
 * the global one follows the simulated clock (targets/environment.ts).
 */
const realNow = performance.now.bind(performance);

/** Milliseconds from an arbitrary origin, monotonic. */
export function wallClockMs(): number {
  return realNow();
}
