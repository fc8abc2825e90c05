/**
 * How the facade's asynchronous calls deliver: the work is done when the call is made, the
 * result arrives later (a microtask), and a dead process's call never delivers at all (see
 * sync-port.ts, {@link ProcessCrashedError}). Shared by api.ts, dir.ts and read-stream.ts so
 * that every asynchronous face keeps the same order.
 */
import { ProcessCrashedError } from './sync-port.ts';

/** A function of any arguments, for callbacks of any shape. */
export type AnyFunction = (...args: never[]) => unknown;

/** A promise that never settles: what a dead process's asynchronous calls return. */
export const never: Promise<never> = new Promise<never>(() => {});

/**
 * Calls `callback` later with `args`, as Node's fs does (never synchronously).
 * @param callback - the caller's callback
 * @param args - its arguments (error first)
 */
export function later(callback: AnyFunction, ...args: unknown[]): void {
  queueMicrotask(() => (callback as (...a: unknown[]) => void)(...args));
}

/**
 * Runs `body` now and settles later; a dead process's promise never settles.
 * @param body - the synchronous work
 * @returns a promise of its result, rejected with its error
 */
export function settle<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    if (error instanceof ProcessCrashedError) return never;
    return Promise.reject(error);
  }
}

/**
 * Runs `body` now and calls `callback` later with `(null, result)` or `(error)`; a dead process
 * never calls back.
 * @param callback - the caller's Node-style callback
 * @param body - the synchronous work
 */
export function callBack<T>(callback: AnyFunction, body: () => T): void {
  let result: T;
  try {
    result = body();
  } catch (error) {
    if (error instanceof ProcessCrashedError) return;
    later(callback, error);
    return;
  }
  later(callback, null, result);
}
