/**
 * Virtual timers for unmodified library code: while a target plan runs, `setTimeout`,
 * `setInterval`, `setImmediate` and their clears (the globals, the `node:timers` module and
 * `util.promisify` of them), and `setTimeout`, `setImmediate`, `setInterval`, `scheduler.wait`
 * and `scheduler.yield` of `node:timers/promises`, put their callbacks on the world's
 * {@link SimClock}: the clock the simulated disk's latency and the engine's timers use. So a
 * library that debounces its writes runs in virtual time, in the (time, creation) order of every
 * other event of the world, and the scheduler advances time to its next timer when nothing else
 * is pending (sim/scheduler.ts). A crash drops the timers of the incarnation (`SimClock.clear`),
 * and a finished run (`SimWorld.finish`) drops the rest: a library's `setInterval` never fires
 * into a later run, and none of a finished run's callbacks runs afterwards.
 *
 * Node's own rules are kept where they say when a callback runs: a timeout's delay below 1 ms or
 * above 2^31 - 1 is 1 ms, so `setImmediate` (delay 0) runs before `setTimeout(fn, 0)` set at the
 * same moment; an interval is set again after its callback, unless the callback cleared it;
 * extra arguments are passed to the callback; the handles have `ref`, `unref`, `hasRef`,
 * `refresh`, `close` and a number (`+timeout`) that `clearTimeout` takes.
 * Not kept: `unref()` is remembered but an unref'd timer still fires (the simulated process
 * does not exit while main waits), and `AbortSignal.timeout()` and timers Node sets internally
 * stay real.
 *
 * Why not @sinonjs/fake-timers (what vitest's fake timers are): it brings its own clock and its
 * own queue of timers, driven by whoever calls `tick`. The simulator already has both, with the
 * (time, creation) order the disk's latency timers and the engine's timers use, and a scheduler
 * that fires them only when every continuation has run. Two clocks would need keeping in step
 * and two queues merging in the scheduler, or the disk's I/O and the library's timers could be
 * ordered differently from one run to the next. Mapping the handful of timer functions onto
 * {@link SimClock} keeps one clock and one order, and it adds no dependency to the package.
 *
 * The functions are the same for the life of the thread and serve the run bound now: a library
 * that takes `setTimeout` from `node:timers` when it loads (in a run, or once per thread with
 * `loadOnce`) reaches the clock of whichever run calls it. Called while no run is bound (only
 * code of a finished run can, since the globals are Node's own between runs), they set a timer
 * that never fires.
 */
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SimWorld } from '../sim/index.ts';

type SimClock = SimWorld['clock'];
type Callback = (...args: unknown[]) => void;
type Replace = (target: object, key: PropertyKey, value: unknown) => void;

/** Node's largest timeout; a longer one is 1 ms. */
const timeoutMsMax = 2 ** 31 - 1;

/** The run the timers serve now, shared by every copy of this module in the thread. */
interface TimersState {
  binding: Binding | undefined;
}

/** One run's timers: its clock and the handles whose number was asked for. */
interface Binding {
  readonly clock: SimClock;
  readonly byId: Map<number, VirtualTimer>;
  nextId: number;
}

const state: TimersState = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.timers.state')] ??= { binding: undefined }) as TimersState;

/** Node's own timer functions, taken when this module loads (for handles that are not ours). */
const real = {
  clearTimeout: globalThis.clearTimeout as (handle: unknown) => void,
  clearImmediate: globalThis.clearImmediate as (handle: unknown) => void,
};

/** The brand of {@link VirtualTimer}s of every copy of this module (a clear may come from another copy). */
const timerBrand = Symbol.for('powercut.virtual-timer');

/** A timeout, interval or immediate on the simulated clock, shaped like Node's handles. */
class VirtualTimer {
  readonly [timerBrand] = true;
  readonly #binding: Binding | undefined;
  readonly #id: number;
  #pending: { cancel(): void } | undefined;
  #ref = true;

  constructor(
    binding: Binding | undefined,
    private readonly callback: Callback,
    private readonly args: readonly unknown[],
    private readonly delayMs: number,
    private readonly repeat: boolean,
  ) {
    this.#binding = binding;
    this.#id = binding === undefined ? 0 : binding.nextId++;
    this.#arm();
  }

  #arm(): void {
    const binding = this.#binding;
    if (binding === undefined || state.binding !== binding) return;
    this.#pending = binding.clock.setTimer(this.delayMs, () => {
      this.#pending = undefined;
      if (this.repeat) this.#arm();
      try {
        this.callback(...this.args);
      } catch (error) {
        this.close();
        throw error;
      }
    });
  }

  /** Keeps the process alive (the default); remembered only. */
  ref(): this {
    this.#ref = true;
    return this;
  }

  /** Lets the process exit; remembered only, the timer still fires. */
  unref(): this {
    this.#ref = false;
    return this;
  }

  hasRef(): boolean {
    return this.#ref;
  }

  /** Starts the delay again from now. */
  refresh(): this {
    if (this.#pending === undefined) return this;
    this.#pending.cancel();
    this.#arm();
    return this;
  }

  /** Cancels the timer. */
  close(): this {
    this.#pending?.cancel();
    this.#pending = undefined;
    this.#binding?.byId.delete(this.#id);
    return this;
  }

  [Symbol.toPrimitive](): number {
    this.#binding?.byId.set(this.#id, this);
    return this.#id;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function invalidCallback(callback: unknown): TypeError {
  return Object.assign(new TypeError(`The "callback" argument must be of type function. Received ${typeof callback}`), { code: 'ERR_INVALID_ARG_TYPE' });
}

/** Node's delay rule for timeouts and intervals. */
function timeoutDelayMs(delay: unknown): number {
  const ms = Number(delay);
  return ms >= 1 && ms <= timeoutMsMax ? ms : 1;
}

function startTimer(callback: unknown, delayMs: number, args: readonly unknown[], repeat: boolean): VirtualTimer {
  if (typeof callback !== 'function') throw invalidCallback(callback);
  return new VirtualTimer(state.binding, callback as Callback, args, delayMs, repeat);
}

/** A clear function: ours for our handles and their numbers, Node's `realClear` for anything else. */
function clearWith(realClear: (handle: unknown) => void): (handle: unknown) => void {
  return (handle) => {
    if (typeof handle === 'object' && handle !== null && (handle as Record<symbol, unknown>)[timerBrand] === true) {
      (handle as VirtualTimer).close();
      return;
    }
    const byId = state.binding?.byId;
    const id = typeof handle === 'string' ? Number(handle) : handle;
    if (typeof id === 'number' && byId?.has(id)) {
      byId.get(id)!.close();
      return;
    }
    realClear(handle);
  };
}

const clearTimer = clearWith(real.clearTimeout);

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Resolves with `value` after `delayMs` of virtual time (0: as `setImmediate`), or rejects when `signal` aborts. */
function after<T>(delayMs: number, value: T, options?: { signal?: AbortSignal }): Promise<T> {
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      timer.close();
      reject(abortError(signal!));
    };
    const timer = new VirtualTimer(state.binding, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(value);
    }, [], delayMs, false);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `timers/promises` `setInterval`: an async iterator yielding `value` every `delay`. */
async function* intervalOf<T>(delay?: number, value?: T, options?: { signal?: AbortSignal }): AsyncGenerator<T | undefined> {
  for (;;) {
    await after(timeoutDelayMs(delay), undefined, options);
    yield value;
  }
}

const promiseSetTimeout = <T>(delay?: number, value?: T, options?: { signal?: AbortSignal }): Promise<T | undefined> => after(timeoutDelayMs(delay), value, options);
const promiseSetImmediate = <T>(value?: T, options?: { signal?: AbortSignal }): Promise<T | undefined> => after(0, value, options);

function virtualSetTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimer {
  return startTimer(callback, timeoutDelayMs(delay), args, false);
}

function virtualSetInterval(callback: unknown, delay?: unknown, ...args: unknown[]): VirtualTimer {
  return startTimer(callback, timeoutDelayMs(delay), args, true);
}

function virtualSetImmediate(callback: unknown, ...args: unknown[]): VirtualTimer {
  return startTimer(callback, 0, args, false);
}

Object.defineProperty(virtualSetTimeout, promisify.custom, { value: promiseSetTimeout, enumerable: true });
Object.defineProperty(virtualSetImmediate, promisify.custom, { value: promiseSetImmediate, enumerable: true });

/** The replacements, by name, for the globals and `node:timers`. */
const callbackTimers: Readonly<Record<string, unknown>> = {
  setTimeout: virtualSetTimeout,
  setInterval: virtualSetInterval,
  setImmediate: virtualSetImmediate,
  clearTimeout: clearTimer,
  clearInterval: clearTimer,
  clearImmediate: clearWith(real.clearImmediate),
};

/** Each world's timer binding, kept across pins (a run pinned again after a second look goes on numbering). */
const bindings = new WeakMap<SimWorld, Binding>();

/**
 * Binds the timers to `world`'s clock and puts them in place of Node's with `replace`, which
 * remembers how to put each original back. The caller restores, then calls the returned unbind
 * (and `syncBuiltinESMExports`, so ESM named imports of `node:timers` follow).
 * @returns a function that unbinds the run: its timers never fire afterwards
 * @throws Error when another run's timers are bound in this thread
 */
export function pinTimers(world: SimWorld, replace: Replace): () => void {
  if (state.binding !== undefined) throw new Error('pinTimers: another run\'s timers are bound in this thread');
  // Kept per world, so a run pinned again after a second look numbers its timers on (see bindings).
  let binding = bindings.get(world);
  if (binding === undefined) {
    binding = { clock: world.clock, byId: new Map(), nextId: 1 };
    bindings.set(world, binding);
  }
  state.binding = binding;
  for (const [name, value] of Object.entries(callbackTimers)) {
    replace(globalThis, name, value);
    replace(timers, name, value);
  }
  replace(timersPromises, 'setTimeout', promiseSetTimeout);
  replace(timersPromises, 'setImmediate', promiseSetImmediate);
  replace(timersPromises, 'setInterval', intervalOf);
  replace(timersPromises.scheduler, 'wait', (delay: number, options?: { signal?: AbortSignal }) => after(timeoutDelayMs(delay), undefined, options));
  replace(timersPromises.scheduler, 'yield', () => after(0, undefined));
  return () => {
    if (state.binding === binding) state.binding = undefined;
    binding.byId.clear();
  };
}
