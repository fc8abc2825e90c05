/**
 * Real time for the harness's reports only (seeds per second, elapsed time, time budgets).
 * Nothing read from it reaches a simulated run: runs see only their world's virtual clock, so
 * results and digests stay the same whatever the wall clock says.
 */

/** Milliseconds from an arbitrary origin, monotonic. */
export function wallClockMs(): number {
  return performance.now();
}
