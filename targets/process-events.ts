/**
 * A simulated process's lifecycle listeners: what a library registers with `process.on('exit')`,
 * `'beforeExit'`, a signal (`'SIGINT'`, ...) or its IPC channel (`'message'`, `'disconnect'`: log4js
 * adds a `'message'` listener at every `configure`), and any listener on the `cluster` module,
 * belongs to the incarnation that registered it, and dies with it at a crash, as with a real
 * process. Without this, every incarnation of every
 * run added its listeners to the real process: a library loaded afresh each time (atomically,
 * through when-exit, registers an exit handler when it loads) piled up hundreds of them, Node
 * printed `MaxListenersExceededWarning`, and at the real exit they all ran, on simulated paths no
 * run was bound to.
 *
 * While a run is pinned, `on`, `addListener`, `once`, `prependListener`, `prependOnceListener`,
 * `off`, `removeListener`, `removeAllListeners`, `listeners`, `rawListeners` and `listenerCount`
 * of `process` keep those events in an emitter of the current incarnation; every other event
 * (`uncaughtException`, `warning`, ...) goes to the real process as before
 * (`removeAllListeners()` with no event clears the incarnation's listeners only: the real
 * process's are powercut's own). Nothing
 * emits them: a simulated process never exits normally (a run ends with a crash), and no real
 * signal reaches it.
 *
 * Warnings (`process.emitWarning`, which `util.deprecate` and Node's own listener-count check
 * use) are held while the run is pinned and emitted, synchronously, when it ends, outside its
 * trace (Node's 'warning' listeners, its printer among them, hear them then): Node warns
 * once per process, so a warning printed into a run's trace (through the pinned console) landed
 * in whichever seed a thread ran first, and a campaign's digest depended on `--jobs` (measured on
 * atomically: 0559522e… with one job, dfd95712… with two).
 */
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { SimWorld } from '../sim/index.ts';
import { isLoaderWarning } from './loader-warning.ts';

type Replace = (target: object, key: PropertyKey, value: unknown) => void;

/** The methods that register, remove or list listeners, by event as their first argument. */
const byEvent = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'listeners', 'rawListeners', 'listenerCount'] as const;

/** Methods that return the emitter (`process`, for chaining) rather than a value. */
const chaining: ReadonlySet<string> = new Set(['on', 'addListener', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners']);

/**
 * Whether `event` is one a process's life decides: its exit, a signal, or, in a process without
 * an IPC channel, a message from its parent. With a channel (vitest's forks pool, a child a
 * process manager forked), messages are the host's own: its RPC listens for them, and a
 * dynamic `import()` inside a run waits on it.
 */
export function isLifecycleEvent(event: unknown, hasChannel = process.channel !== undefined): boolean {
  if (event === 'message' || event === 'disconnect') return !hasChannel;
  return event === 'exit' || event === 'beforeExit' || (typeof event === 'string' && /^SIG[A-Z0-9]+$/.test(event));
}

/** Node's own method of `process` (an EventEmitter's), for the events that stay real. */
const nodeMethod = (name: string): ((...args: unknown[]) => unknown) => (EventEmitter.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;

/** An emitter per incarnation of `world`: a fresh one once the process was restarted. */
function perIncarnation(world: SimWorld): () => EventEmitter {
  const fresh = (): EventEmitter => new EventEmitter().setMaxListeners(0);
  let emitter = fresh();
  let incarnation = world.kernel.incarnation;
  return () => {
    if (world.kernel.incarnation !== incarnation) {
      emitter = fresh();
      incarnation = world.kernel.incarnation;
    }
    return emitter;
  };
}

/**
 * Routes the listener methods of `target` for the events `scoped` picks to the incarnation's
 * emitter `current()`; other events stay on `target`. `removeAllListeners()` with no event
 * clears the incarnation's listeners only.
 */
function scopeListeners(target: EventEmitter, scoped: (event: unknown) => boolean, current: () => EventEmitter, replace: Replace): void {
  for (const name of byEvent) {
    replace(target, name, function (this: unknown, event: unknown, ...rest: unknown[]): unknown {
      if (!scoped(event)) return nodeMethod(name).call(target, event, ...rest);
      const result = (current() as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!(event, ...rest);
      return chaining.has(name) ? target : result;
    });
  }
  replace(target, 'removeAllListeners', function (this: unknown, ...args: unknown[]): unknown {
    // With no event: the incarnation's own listeners only; the real process's are powercut's (and
    // a test runner's), which a library in a real process would not find there.
    if (args.length === 0 || scoped(args[0])) current().removeAllListeners(...(args as [string]));
    else nodeMethod('removeAllListeners').call(target, args[0]);
    return target;
  });
}

/**
 * Puts the lifecycle listeners of `world`'s incarnations, and every listener on `cluster`, in
 * emitters of their own, and holds warnings, while the run is pinned. A simulated process has
 * no cluster workers, so nothing emits cluster events; a library loaded afresh in every
 * incarnation that listens on `cluster` (acebase: `online`, `exit`, `message`; log4js: `message`
 * at every `configure`) no longer piles its listeners on the real module.
 * @returns a function, to call once the run is unpinned, that emits the warnings held
 */
export function pinProcessEvents(world: SimWorld, replace: Replace): () => void {
  const current = perIncarnation(world);
  scopeListeners(process, isLifecycleEvent, current, replace);
  const clusterListeners = perIncarnation(world);
  scopeListeners(cluster, () => true, clusterListeners, replace);
  const warnings: unknown[][] = [];
  replace(process, 'emitWarning', (...args: unknown[]) => {
    warnings.push(args);
  });
  return () => {
    for (const args of warnings.splice(0)) {
      const warning = warningOf(args);
      if (warning !== undefined) process.emit('warning', warning);
    }
  };
}

/**
 * The Error `process.emitWarning(...args)` would emit (its message, `name` the type, `code`,
 * `detail`), or undefined for a deprecation Node is told to drop (`--no-deprecation`). Emitted
 * synchronously when the run ends (Node's own would wait for a tick, which could fall inside the
 * next run of the thread).
 */
function warningOf([warning, typeOrOptions, code]: unknown[]): Error | undefined {
  if (isLoaderWarning(warning)) return undefined;
  const options = typeof typeOrOptions === 'object' && typeOrOptions !== null ? typeOrOptions as { type?: string; code?: string; detail?: string } : {};
  const type = typeof typeOrOptions === 'string' ? typeOrOptions : options.type ?? 'Warning';
  if (type === 'DeprecationWarning' && (process as { noDeprecation?: boolean }).noDeprecation === true) return undefined;
  const error = warning instanceof Error ? warning : Object.assign(new Error(String(warning)), { name: type });
  const errorCode = typeof typeOrOptions === 'string' ? code : options.code;
  if (errorCode !== undefined) (error as Error & { code?: unknown }).code = errorCode;
  if (options.detail !== undefined) (error as Error & { detail?: unknown }).detail = options.detail;
  return error;
}
