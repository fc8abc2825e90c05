/**
 * The shapes the engine contract (sim/engine-contract.ts) promises for what an engine returns:
 * `open` a handle with `commit`, `get`, `state` and `close` (and `sync`, `checkpoint` as functions
 * when given), `get` a `Uint8Array` or `undefined`, `state()` a Map or an iterable of `[key, value]` pairs
 * with string keys and `Uint8Array` values. A value of another shape is the engine's bug
 * (`engine-error`), named with what came back, never a harness error thrown deep in a checker
 * (a user's engine returning a string from `get` used to end every seed with
 * `value.subarray is not a function`).
 *
 * Does not verify: whether the values are right (the model does that).
 */
import type { ModelViolation } from './checkers/violation.ts';
import type { EngineHandle } from './engine-contract.ts';

/** What `value` is, as a message names it: `a string`, `an object (Object)`, `null`. */
function shapeOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'no prototype'})`;
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

function contractBreach(message: string, seen: string): ModelViolation {
  return { invariant: 'engine-error', message: `${message} (see the engine contract, defineEngine)`, expected: 'what the contract promises', seen };
}

/** A violation when `get(key)` returned something other than a Uint8Array or undefined. */
export function checkGetResult(key: string, value: unknown): ModelViolation | undefined {
  if (value === undefined || value instanceof Uint8Array) return undefined;
  return contractBreach(`get(${JSON.stringify(key)}) returned ${shapeOf(value)}, not a Uint8Array or undefined`, shapeOf(value));
}

/** The recovered state as a Map, or the violation saying why `state()`'s value is not one. */
export function recoveredState(value: unknown): { readonly state: ReadonlyMap<string, Uint8Array> } | { readonly violation: ModelViolation } {
  // A Map (what most engines return) is checked in place, not copied: this runs at every recovery.
  if (value instanceof Map) {
    for (const [key, item] of value as Map<unknown, unknown>) {
      const violation = entryViolation(key, item);
      if (violation !== undefined) return { violation };
    }
    return { state: value as Map<string, Uint8Array> };
  }
  const iterable = typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
  if (!iterable) return { violation: contractBreach(`state() returned ${shapeOf(value)}, not a Map or an iterable of [key, value] pairs`, shapeOf(value)) };
  const state = new Map<string, Uint8Array>();
  for (const entry of value as Iterable<unknown>) {
    if (!Array.isArray(entry)) return { violation: contractBreach(`state() gave an entry ${shapeOf(entry)}, not a [string, Uint8Array] pair`, shapeOf(entry)) };
    const [key, item] = entry as unknown[];
    const violation = entryViolation(key, item);
    if (violation !== undefined) return { violation };
    state.set(key as string, item as Uint8Array);
  }
  return { state };
}

/** The violation for a `state()` entry that is not a string key with a Uint8Array value. */
function entryViolation(key: unknown, item: unknown): ModelViolation | undefined {
  if (typeof key !== 'string') return contractBreach(`state() gave a key that is ${shapeOf(key)}, not a string`, shapeOf(key));
  if (!(item instanceof Uint8Array)) return contractBreach(`state() gave key ${JSON.stringify(key)} ${shapeOf(item)}, not a Uint8Array`, shapeOf(item));
  return undefined;
}

/** The handle methods that return promises. */
const promiseMethods: ReadonlySet<PropertyKey> = new Set(['commit', 'get', 'state', 'sync', 'checkpoint', 'close']);

/**
 * `handle` with a method's synchronous throw turned into a rejected promise, as an `await` of the
 * call in an application meets it: a plain-JavaScript engine whose non-async `commit` throws its
 * own `LimitError` is judged by that error (a rejection, or an engine error for a `TypeError`), not
 * reported as a failure of the harness. A call that returns is passed through as it is, so runs
 * take the same promise hops as without it.
 */
export function promising(handle: EngineHandle): EngineHandle {
  // One wrapper per method the handle holds, made on first use: a run calls commit and get
  // thousands of times, and a handle may swap a method, which then gets a wrapper of its own.
  const wrappers = new Map<PropertyKey, { readonly method: unknown; readonly wrapper: unknown }>();
  return new Proxy(handle, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || !promiseMethods.has(property)) return value;
      const known = wrappers.get(property);
      if (known?.method === value) return known.wrapper;
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = (...args: unknown[]): unknown => {
        try {
          return method.apply(target, args);
        } catch (error) {
          return Promise.reject(error);
        }
      };
      wrappers.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
}

/** A violation when what `open` resolved with is not a handle the contract describes. */
export function checkHandle(handle: unknown): ModelViolation | undefined {
  if (typeof handle !== 'object' || handle === null) {
    return contractBreach(`open() resolved with ${shapeOf(handle)}, not a handle { commit, get, state, close }`, shapeOf(handle));
  }
  const methods = handle as Record<string, unknown>;
  const missing = ['commit', 'get', 'state', 'close'].filter((name) => typeof methods[name] !== 'function');
  const wrong = ['sync', 'checkpoint'].filter((name) => methods[name] !== undefined && typeof methods[name] !== 'function');
  if (missing.length === 0 && wrong.length === 0) return undefined;
  const parts = [
    ...(missing.length > 0 ? [`has no ${missing.map((name) => `${name}()`).join(', ')}`] : []),
    ...(wrong.length > 0 ? [`has a ${wrong.join(' and a ')} that ${wrong.length === 1 ? 'is' : 'are'} not a function`] : []),
  ];
  return contractBreach(`open() resolved with a handle that ${parts.join(' and ')}`, 'an incomplete handle');
}
