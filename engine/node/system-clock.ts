/**
 * The real clock adapter: implements the {@link Clock} port with `performance.now()` (monotonic,
 * unaffected by changes to the wall clock) and `setTimeout`.
 */
import type { Clock, Timer } from '../ports/clock.ts';

/** The {@link Clock} port over the process's monotonic clock and timers. */
export class SystemClock implements Clock {
  /** @returns milliseconds since the process started; never decreases */
  now(): number {
    return performance.now();
  }

  /**
   * Calls `callback` once, after at least `delayMs`.
   * @param delayMs - delay in milliseconds; 0 runs the callback after pending I/O callbacks
   * @returns a timer whose `cancel` is a no-op once the callback has run
   */
  setTimer(delayMs: number, callback: () => void): Timer {
    // A zero delay means "once pending work has settled" (the port's contract). setTimeout(0)
    // waits at least a millisecond in Node, which would tax every group commit; setImmediate
    // runs after the promise continuations and I/O callbacks already queued.
    if (delayMs <= 0) {
      const immediate = setImmediate(callback);
      return {
        cancel(): void {
          clearImmediate(immediate);
        },
      };
    }
    const handle = setTimeout(callback, delayMs);
    return {
      cancel(): void {
        clearTimeout(handle);
      },
    };
  }
}
