/**
 * The clock port: monotonic time and timers. The engine uses it for group commit (how long a
 * leader waits for company before it fsyncs) and for recovery timing in metrics.
 * `SystemClock` implements it with the process clock and real timers; the simulator with
 * virtual time that only advances when its scheduler says so.
 */

/** A pending timer. */
export interface Timer {
  /** Stops the timer if it has not fired; does nothing otherwise. */
  cancel(): void;
}

/** Monotonic time in milliseconds and one-shot timers. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  now(): number;
  /** Calls `callback` once, `delayMs` from now (0 means: after pending work settles). */
  setTimer(delayMs: number, callback: () => void): Timer;
}

/** Resolves after `delayMs` on `clock`. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(delayMs, resolve);
  });
}
