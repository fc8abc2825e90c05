/**
 * A deterministic environment for unmodified library code. Libraries name their temporary files
 * and make their choices from the process id, the thread id, the time and random numbers
 * (write-file-atomic hashes `process.pid`, `threadId` and a counter into every temporary name),
 * so the same seed would give another trace in another process or worker thread. While a target
 * plan runs, these sources are replaced by values that depend only on the seed and the
 * simulated clock, and put back afterwards:
 *
 * - `process.pid`: a fixed number plus the incarnation (a process restarted after a crash has
 *   another id, so a library's temporary names and lock files differ from the dead one's, as on
 *   a real machine); `process.ppid`: a fixed number; `worker_threads.threadId`: 0 (the main
 *   thread). A named import of `pid` (`import { pid } from 'node:process'`) keeps the value of
 *   the incarnation the run was pinned in;
 * - `process.kill(pid, signal)`: no real process is ever signalled. Signal 0 (is it alive?)
 *   answers for the simulated machine: the running incarnation and its parent are alive, every
 *   other id (a crashed incarnation's, anyone's) is not (`ESRCH`). Another signal to another
 *   id fails with `ESRCH` too; one to the running process or its parent is not simulated
 *   (an error saying so);
 * - `Math.random`, `crypto.randomBytes`, `randomFillSync`, `randomInt`, `randomUUID` and
 *   `crypto.getRandomValues`: a stream of the world's seed;
 * - `Date.now()`, `new Date()` without arguments, `performance.now()`, `process.hrtime()`,
 *   `process.hrtime.bigint()` and `process.uptime()`: the simulated clock, from a fixed epoch;
 *   `performance.now()` and `process.uptime()` from the start of the simulated process, so a
 *   process restarted after a crash reads them from 0 again, as a real one does (a value of
 *   `performance.now()` kept on disk is no clock reading for the next process);
 * - timers (`setTimeout`, `setInterval`, `setImmediate`, their clears, `node:timers` and
 *   `node:timers/promises`): virtual timers on the same clock (targets/timers.ts);
 * - `console.log`, `info`, `warn`, `error`, `debug`, `trace` and `dir`: recorded in the run's
 *   trace as `note` events named `console.error` (and so on), one line each, instead of
 *   printed, so a library's logging shows in repro and reports and never floods a terminal;
 * - `process.on('exit' | 'beforeExit' | 'SIG...')` and the other listener methods for those
 *   events: the incarnation's own, dropped at a crash (targets/process-events.ts);
 * - `process.env`: what a run changes there is undone when it ends;
 * - `process`'s own properties: what a run sets, replaces or deletes there is undone when it
 *   ends. signal-exit 3, loaded afresh in every incarnation (through proper-lockfile), wraps
 *   `process.emit` and `process.reallyExit` again at each load: kept from run to run, an
 *   exploration's thousands of runs in one thread stacked as many wrappers, and the next event
 *   emitted overflowed the stack.
 *
 * What it cannot reach: values a library computed before it was loaded in the run (load it in
 * the workload's `open`, as freshRequire does), native addons, and the asynchronous
 * `crypto.randomFill`/`crypto.subtle` (left real; no library under test here uses them).
 */
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { format } from 'node:util';
import workerThreads from 'node:worker_threads';
import { wallClockEpochMs, type SimWorld } from '../sim/index.ts';
import { pinProcessEvents } from './process-events.ts';
import { pinTimers } from './timers.ts';

/** The process id every target run sees. */
export const pinnedPid = 4242;
/** The parent process id every target run sees. */
export const pinnedPpid = 4241;
/** The wall-clock time at simulated time 0: 2020-01-01T00:00:00Z (the simulator's {@link wallClockEpochMs}). */
export const pinnedEpochMs = wallClockEpochMs;

/** The longest console line kept in a trace note; the rest is cut (`…`). */
export const consoleNoteCharsMax = 500;

/** The console methods whose output goes to the trace. */
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

type Replace = (target: object, key: PropertyKey, value: unknown) => void;

/**
 * One function of Node's that a run pins: what Node had, and what the bound run puts in its
 * place. The property itself is replaced once per thread by a router that reads this slot (see
 * {@link pinEnvironment}); properties in `swapped` have no slot.
 */
interface Slot {
  readonly original: unknown;
  pinned: unknown;
  bound: boolean;
}

/** The slots, shared by every copy of this module in the thread (the routers of one copy serve all). */
const slots: Map<object, Map<PropertyKey, Slot>> = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.environment.slots')] ??= new Map()) as Map<object, Map<PropertyKey, Slot>>;

/**
 * Properties swapped at each bind instead of routed: `Date` (a class with statics), plain values,
 * the console (so that a spy or logger put on it later is bypassed during a run, not wrapped), and
 * the timers (a function a run kept must stay the run's: called after the run, its timer never
 * fires; a router would hand it Node's).
 */
const swapped: ReadonlySet<PropertyKey> = new Set([
  'Date', 'ppid', 'threadId', 'log', 'info', 'warn', 'error', 'debug', 'trace', 'dir',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'wait', 'yield',
]);

/** A function that calls the bound run's replacement, or Node's own when no run is bound. */
function routerOf(slot: Slot): (...args: unknown[]) => unknown {
  return function routed(this: unknown, ...args: unknown[]): unknown {
    const fn = (slot.bound ? slot.pinned : slot.original) as (...a: unknown[]) => unknown;
    return fn.apply(this, args);
  };
}

/** `router[extra]`: the bound run's function's own `extra`, or Node's. */
function extraRouterOf(slot: Slot, extra: PropertyKey): (...args: unknown[]) => unknown {
  return function routed(this: unknown, ...args: unknown[]): unknown {
    const owner = (slot.bound ? slot.pinned : slot.original) as Record<PropertyKey, (...a: unknown[]) => unknown>;
    return owner[extra]!.apply(this, args);
  };
}

/** The slot of the function `target[key]`, putting its router in place the first time. */
function slotOf(target: object, key: PropertyKey): Slot {
  let byKey = slots.get(target);
  if (byKey === undefined) slots.set(target, (byKey = new Map()));
  let slot = byKey.get(key);
  if (slot !== undefined) return slot;
  const original = (target as Record<PropertyKey, unknown>)[key];
  if (typeof original !== 'function') throw new Error(`pinEnvironment: ${String(key)} is not a function; a plain value is swapped, not routed`);
  slot = { original, pinned: undefined, bound: false };
  byKey.set(key, slot);
  const router = routerOf(slot);
  // What Node's functions carry besides being called: hrtime.bigint, promisify.custom.
  for (const extra of [...Object.getOwnPropertyNames(original), ...Object.getOwnPropertySymbols(original)]) {
    if (typeof (original as unknown as Record<PropertyKey, unknown>)[extra] !== 'function' || extra === 'prototype') continue;
    Object.defineProperty(router, extra, { value: extraRouterOf(slot, extra), enumerable: true, configurable: true, writable: true });
  }
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value: router, writable: true, configurable: true, enumerable: own?.enumerable ?? true });
  routersAdded = true;
  return slot;
}

/** Set when a router was put in place since ESM named imports were last synced. */
let routersAdded = false;

/** Options of {@link pinEnvironment}. */
export interface PinOptions {
  /**
   * Also pin ESM named imports of built-in modules for the swapped properties (`import { pid }
   * from 'node:process'`, `import { setTimeout } from 'node:timers'`), by syncing them at each
   * pin and unpin. It costs most of a pin (~0.2 ms), so engine runs, whose code reaches time and
   * storage through the ports, leave it out; library runs keep it. Routed functions (random
   * numbers, `performance.now`, `process.hrtime`) are pinned for named imports either way.
   * @defaultValue true
   */
  readonly esmBindings?: boolean;
  /**
   * Undo, at the unpin, what the run's code added to or changed on the global object and the
   * built-in objects libraries extend (`JSON.parseAsync`, `setTimeout.turn`: gun's), as `process`'s
   * own properties always are: else the next seed of the thread finds the last one's, bound to a
   * finished run's clock. A `loadOnce` library's load keeps them: it runs once per thread; an
   * engine module's runs leave it out, as they leave out `esmBindings` (scenarios/engine-subject.ts).
   * @defaultValue true
   */
  readonly undoGlobals?: boolean;
}

/** The end of the queue of runs waiting for this thread's pinned environment, shared by every copy of this module. */
const turns: { last: Promise<unknown> } = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.environment.turns')] ??= { last: Promise.resolve() }) as { last: Promise<unknown> };

/**
 * Runs `body` when every run queued before it in this thread has ended: the pinned environment
 * (and the facade) serve one run at a time, so runs started together (two campaigns in one test,
 * shards awaited with `Promise.all`) take turns instead of pinning over each other.
 * @returns what `body` returns
 */
export function inPinnedTurn<T>(body: () => Promise<T>): Promise<T> {
  const turn = turns.last.then(body);
  turns.last = turn.catch(() => undefined);
  return turn;
}

/**
 * Pins the environment to `world` (its seed and clock) until the returned function is called.
 *
 * The functions of random numbers and of the clock are replaced once per thread by routers that
 * serve whichever run is bound and Node's own functions otherwise, so a pin only fills their
 * slots; `Date`, the plain values, the console and the timers are swapped in and out (see
 * `swapped`), and ESM named imports of built-in modules follow them when `esmBindings` is on.
 * @returns a function that unbinds the run (call it once; a second call does nothing)
 * @throws Error when another run is pinned in this thread
 */
export function pinEnvironment(world: SimWorld, options: PinOptions = {}): () => void {
  const esm = options.esmBindings ?? true;
  const pinnedSlots: Slot[] = [];
  const swaps: (() => void)[] = [];
  const replace: Replace = (target, key, value) => {
    if (!swapped.has(key)) {
      const slot = slotOf(target, key);
      slot.pinned = value;
      slot.bound = true;
      pinnedSlots.push(slot);
      return;
    }
    const own = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: own?.enumerable ?? true });
    swaps.push(() => {
      if (own === undefined) delete (target as Record<PropertyKey, unknown>)[key];
      else Object.defineProperty(target, key, own);
    });
  };
  pinPid(world, swaps);
  replace(process, 'ppid', pinnedPpid);
  replace(process, 'kill', (pid: number, signal?: string | number) => killOnTheSimulatedMachine(pid, signal, pinnedPid + world.kernel.incarnation));
  replace(workerThreads, 'threadId', 0);
  pinRandom(world, replace);
  pinClock(world, replace, swaps);
  const unbindTimers = pinTimers(world, replace);
  pinConsole(world, replace);
  const emitWarnings = pinProcessEvents(world, replace);
  const restoreEnv = keepEnv(world);
  // Last, so that it sees the environment pinned: only what the run's code changes is undone.
  const restoreProcess = keepOwnProperties(process, processOfWorld, world);
  const restoreGlobals = options.undoGlobals === false ? [] : globalObjects().map((target) => keepOwnProperties(target, changesOf(target), world));
  if (esm || routersAdded) syncBuiltinESMExports();
  routersAdded = false;
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    for (const restore of restoreGlobals) restore();
    restoreProcess();
    for (const slot of pinnedSlots) {
      slot.bound = false;
      slot.pinned = undefined;
    }
    for (const swap of swaps.reverse()) swap();
    unbindTimers();
    if (esm) syncBuiltinESMExports();
    restoreEnv();
    emitWarnings();
  };
}

/** `process.pid` reads the running incarnation's id (see the module comment) until the swap is undone. */
function pinPid(world: SimWorld, swaps: (() => void)[]): void {
  pinGetter(process, 'pid', () => pinnedPid + world.kernel.incarnation, swaps);
}

/** Makes `target[key]` a getter of `get` until the swap pushed on `swaps` puts the old property back. */
function pinGetter(target: object, key: PropertyKey, get: () => unknown, swaps: (() => void)[]): void {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { get, configurable: true, enumerable: own?.enumerable ?? true });
  swaps.push(() => {
    if (own === undefined) delete (target as Record<PropertyKey, unknown>)[key];
    else Object.defineProperty(target, key, own);
  });
}

/** The error Node's `process.kill` throws for a process that does not exist. */
function noSuchProcess(): NodeJS.ErrnoException {
  return Object.assign(new Error('kill ESRCH'), { code: 'ESRCH', errno: -3, syscall: 'kill' });
}

/** `process.kill` on the simulated machine, where `running` and its parent are the only live processes. */
function killOnTheSimulatedMachine(pid: number, signal: string | number | undefined, running: number): true {
  if (typeof pid !== 'number' || !Number.isInteger(pid)) throw new TypeError(`The "pid" argument must be of type number. Received ${typeof pid}`);
  const alive = pid === running || pid === pinnedPpid;
  if (!alive) throw noSuchProcess();
  if (signal === 0 || signal === '0') return true;
  throw new Error(`powercut: process.kill(${pid}, ${JSON.stringify(signal ?? 'SIGTERM')}) during a run is not simulated (signal 0, to ask whether a process is alive, is)`);
}

/**
 * Each world's `process.env` as its run left it when it was last unpinned, kept across pins as
 * its random stream is: a run unpinned for a moment (to pin a second look's world) finds the
 * variables its library set (in `open`, a `TMPDIR` it chose) when it is pinned again.
 */
const envOfWorld = new WeakMap<SimWorld, NodeJS.ProcessEnv>();

/** Makes `process.env` hold exactly `wanted` (variables not in it removed, the others set). */
function setEnv(wanted: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!Object.hasOwn(wanted, key)) delete process.env[key];
  for (const [key, value] of Object.entries(wanted)) if (process.env[key] !== value) process.env[key] = value;
}

/**
 * Takes a copy of `process.env` and, when `world` was pinned before, puts back the variables its
 * run had then; the function returned keeps the run's for its next pin and puts the copy back
 * (variables a run added are removed, changed ones restored), so what a library sets there (a
 * once-guard, a default it exports) does not carry over to the next seed the thread runs, nor to
 * a second look's process, which starts from the environment the run started from.
 */
function keepEnv(world: SimWorld): () => void {
  const kept = { ...process.env };
  const run = envOfWorld.get(world);
  if (run !== undefined) setEnv(run);
  return () => {
    envOfWorld.set(world, { ...process.env });
    setEnv(kept);
  };
}

/** What each world's run changed of `process`'s own properties when it was last unpinned (see {@link keepOwnProperties}). */
const processOfWorld = new WeakMap<SimWorld, OwnChanges>();

/**
 * The objects besides `process` whose own properties a run's changes are undone on (see
 * `undoGlobals`): the global object, the built-ins libraries extend, and the timer functions as
 * pinned (the virtual ones, the same for the life of the thread).
 */
function globalObjects(): object[] {
  const global = globalThis as unknown as Record<string, unknown>;
  const timers = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'].map((name) => global[name]);
  return [globalThis, JSON, Math, Reflect, Object, Array, Promise, ...timers].filter((target): target is object => typeof target === 'object' || typeof target === 'function');
}

/** What each world's run changed of each global object's own properties, by object. */
const globalsOfWorld = new WeakMap<object, WeakMap<SimWorld, OwnChanges>>();

function changesOf(target: object): WeakMap<SimWorld, OwnChanges> {
  let changes = globalsOfWorld.get(target);
  if (changes === undefined) {
    changes = new WeakMap();
    globalsOfWorld.set(target, changes);
  }
  return changes;
}

/** Own properties a run set or replaced (their descriptor), or deleted (undefined). */
type OwnChanges = ReadonlyMap<string | symbol, PropertyDescriptor | undefined>;

/**
 * Own properties that are not the run's to change: `process`'s EventEmitter bookkeeping, which
 * the real process's listeners (powercut's own, a test runner's) change during a run, and a test
 * runner's state on the global object; they must not be put back.
 */
const emitterFields: ReadonlySet<string | symbol> = new Set(['_events', '_eventsCount', '_maxListeners']);

/** Whether `key` is one a run's changes to are never undone (see {@link emitterFields}). */
function notTheRuns(key: string | symbol): boolean {
  return emitterFields.has(key) || (typeof key === 'string' && /^__vitest|^__VITEST/.test(key));
}

/** Whether two descriptors of one property are the same property. */
function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}

/** Sets `key` of `target` to `descriptor`, or deletes it (undefined); a property that cannot be redefined is left. */
function putOwn(target: object, key: string | symbol, descriptor: PropertyDescriptor | undefined): void {
  try {
    if (descriptor === undefined) Reflect.deleteProperty(target, key);
    else Reflect.defineProperty(target, key, descriptor);
  } catch {
    // A non-configurable property (Node defines few on `process`) keeps what it has.
  }
}

/**
 * As {@link keepEnv}, for the own properties of `target`: takes their descriptors and, when
 * `world` was pinned before, puts back what its run had changed then; the function returned
 * keeps the run's changes for its next pin and undoes them (added properties deleted, replaced
 * or deleted ones put back).
 */
function keepOwnProperties(target: object, ofWorld: WeakMap<SimWorld, OwnChanges>, world: SimWorld): () => void {
  const before = new Map(Reflect.ownKeys(target).map((key) => [key, Reflect.getOwnPropertyDescriptor(target, key)!] as const));
  for (const [key, descriptor] of ofWorld.get(world) ?? []) putOwn(target, key, descriptor);
  return () => {
    const changes = new Map<string | symbol, PropertyDescriptor | undefined>();
    for (const key of Reflect.ownKeys(target)) {
      if (notTheRuns(key)) continue;
      const now = Reflect.getOwnPropertyDescriptor(target, key)!;
      const was = before.get(key);
      if (was === undefined || !sameDescriptor(was, now)) changes.set(key, now);
    }
    for (const key of before.keys()) if (!notTheRuns(key) && !Reflect.getOwnPropertyDescriptor(target, key)) changes.set(key, undefined);
    ofWorld.set(world, changes);
    for (const key of changes.keys()) putOwn(target, key, before.get(key));
  };
}

/** `Math.random` and the synchronous random functions of `node:crypto` and Web Crypto draw from the seed. */
/**
 * Each world's stream of pinned random numbers, kept across pins: a run that unpins its world for
 * a moment (to pin a second look's, sim/second-look.ts) and pins it again goes on drawing where
 * it stopped, as if it had never been unpinned.
 */
const randomStreams = new WeakMap<SimWorld, ReturnType<SimWorld['stream']>>();

function pinRandom(world: SimWorld, replace: Replace): void {
  let random = randomStreams.get(world);
  if (random === undefined) {
    random = world.stream('environment-random');
    randomStreams.set(world, random);
  }
  const fill = <V extends ArrayBufferView>(view: V): V => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
    return view;
  };
  replace(Math, 'random', () => random.next());
  const randomBytes = (size: number, callback?: (error: Error | null, buffer: Buffer) => void): Buffer | undefined => {
    const buffer = fill(Buffer.alloc(size));
    if (callback === undefined) return buffer;
    queueMicrotask(() => callback(null, buffer));
    return undefined;
  };
  replace(crypto, 'randomBytes', randomBytes);
  replace(crypto, 'pseudoRandomBytes', randomBytes);
  replace(crypto, 'randomFillSync', <V extends ArrayBufferView>(view: V, offset = 0, size?: number): V => {
    const length = size ?? view.byteLength - offset;
    fill(new Uint8Array(view.buffer, view.byteOffset + offset, length));
    return view;
  });
  replace(crypto, 'randomInt', (minOrMax: number, maybeMax?: number, callback?: (error: Error | null, value: number) => void) => {
    const [min, max] = maybeMax === undefined || typeof maybeMax === 'function' ? [0, minOrMax] : [minOrMax, maybeMax];
    const value = min + random.int(max - min);
    const done = typeof maybeMax === 'function' ? maybeMax as (error: Error | null, value: number) => void : callback;
    if (done === undefined) return value;
    queueMicrotask(() => done(null, value));
    return undefined;
  });
  const uuid = (): string => {
    const bytes = fill(new Uint8Array(16));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  replace(crypto, 'randomUUID', uuid);
  // node:crypto's getRandomValues is a fixed getter that calls the web Crypto object's method.
  const webcrypto = globalThis.crypto;
  replace(webcrypto, 'getRandomValues', fill);
  replace(webcrypto, 'randomUUID', uuid);
}

/**
 * `Date` and `process.hrtime` follow the simulated clock from {@link pinnedEpochMs} (hrtime, as
 * Node's, is monotonic across processes); `performance.now` and `process.uptime` count from the
 * start of the current simulated process (SimWorld.startedAtMs), as a restarted process's do, and
 * `performance.timeOrigin` is that start's time of day.
 */
function pinClock(world: SimWorld, replace: Replace, swaps: (() => void)[]): void {
  const now = (): number => pinnedEpochMs + world.clock.now();
  const RealDate = Date;
  class PinnedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }

    static override now(): number {
      return now();
    }
  }
  replace(globalThis, 'Date', PinnedDate);
  // performance.now() counts from timeOrigin, so timeOrigin + now() is the time of day, as Date's.
  pinGetter(performance, 'timeOrigin', () => pinnedEpochMs + world.startedAtMs, swaps);
  replace(performance, 'now', () => world.clock.now() - world.startedAtMs);
  const hrtime = (previous?: [number, number]): [number, number] => {
    const ns = BigInt(Math.round(world.clock.now() * 1e6));
    let seconds = Number(ns / 1_000_000_000n);
    let nanos = Number(ns % 1_000_000_000n);
    if (previous !== undefined) {
      seconds -= previous[0];
      nanos -= previous[1];
      if (nanos < 0) {
        seconds--;
        nanos += 1e9;
      }
    }
    return [seconds, nanos];
  };
  hrtime.bigint = (): bigint => BigInt(Math.round(world.clock.now() * 1e6));
  replace(process, 'hrtime', hrtime);
  // Seconds since the simulated process started.
  replace(process, 'uptime', () => (world.clock.now() - world.startedAtMs) / 1000);
}

/** Console output becomes `note` events of the trace, one line each (see the module comment). */
function pinConsole(world: SimWorld, replace: Replace): void {
  for (const method of consoleMethods) {
    replace(console, method, (...args: unknown[]) => {
      const text = format(...args).replace(/\r?\n/g, ' \u23ce ');
      world.record('note', `console.${method}`, text.length > consoleNoteCharsMax ? `${text.slice(0, consoleNoteCharsMax - 1)}\u2026` : text);
    });
  }
}
