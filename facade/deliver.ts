/**
 * How the facade's asynchronous calls deliver: the work is done on the simulated disk later, not
 * inside the call, right before the result arrives, and a dead process's call never delivers at
 * all (see sync-port.ts, {@link ProcessCrashedError}). A call is in flight from when it is made
 * until then, as it is in libuv's thread pool: code that acknowledges before the write it started
 * completes (a missing `await`) is caught by a crash that falls in between. When the work was
 * done inside the call, no crash could fall there, and a library that never waited for its
 * writes passed every seed under kill -9. Shared by api.ts, dir.ts, read-stream.ts, write-stream.ts and
 * handle-stream-fs.ts so that every asynchronous face keeps the same order.
 *
 * When: once the microtasks queued so far, and the ones they queue, have all run, in a tick
 * (a microtask queues a `process.nextTick`, which Node runs only after the microtask queue is
 * empty). That is where Node delivers an fs result, from the event loop: after everything the
 * caller had already set going, and, for a callback, before the microtasks it queues itself.
 * Node's streams depend on both: `fs.WriteStream` emits `ready` before the tick that marks it
 * constructed, and emits `drain` while its next write is still in flight, so code resuming
 * after either in a microtask must find the same state as on the real fs (the differential
 * tests catch both). It stays deterministic: unlike a macrotask (`setImmediate`), it can never
 * interleave with a library's timers, so a chain of facade calls completes before any timer.
 */
import { ProcessCrashedError } from '../sim/index.ts';

/** A function of any arguments, for callbacks of any shape. */
export type AnyFunction = (...args: never[]) => unknown;

/** A promise that never settles: what a dead process's asynchronous calls return. */
export const never: Promise<never> = new Promise<never>(() => {});

/** Runs `fn` once the microtask queue is empty, in a tick (see the module comment). */
function afterMicrotasks(fn: () => void): void {
  queueMicrotask(() => process.nextTick(fn));
}

/**
 * Calls `callback` later with `args`, as Node's fs does (never synchronously; see the module
 * comment for when).
 * @param callback - the caller's callback
 * @param args - its arguments (error first)
 */
export function later(callback: AnyFunction, ...args: unknown[]): void {
  afterMicrotasks(() => (callback as (...a: unknown[]) => void)(...args));
}

/**
 * Runs `body` later and settles with what it gave (see the module comment for when); a dead
 * process's promise never settles.
 * @param body - the synchronous work
 * @returns a promise of its result, rejected with its error
 */
export function settle<T>(body: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => afterMicrotasks(() => {
    let value: T;
    try {
      value = body();
    } catch (error) {
      if (!(error instanceof ProcessCrashedError)) reject(error);
      return;
    }
    resolve(value);
  }));
}

/**
 * Runs `body` later and calls `callback` with `(null, result)` or `(error)` right after; a dead
 * process never calls back.
 * @param callback - the caller's Node-style callback
 * @param body - the synchronous work
 */
export function callBack<T>(callback: AnyFunction, body: () => T): void {
  afterMicrotasks(() => {
    let result: T;
    try {
      result = body();
    } catch (error) {
      if (!(error instanceof ProcessCrashedError)) (callback as (...a: unknown[]) => void)(error);
      return;
    }
    (callback as (...a: unknown[]) => void)(null, result);
  });
}
