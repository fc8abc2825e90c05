/**
 * The fs facade in this thread: one set of routes for the thread's life, and the run bound to
 * them now. The routes replace the functions of Node's `fs` and `fs.promises` objects in place,
 * then `module.syncBuiltinESMExports()` copies them to the ESM bindings of `node:fs` and
 * `node:fs/promises`. That reaches CommonJS `require('fs')`, ESM default and named imports (live
 * bindings, so even modules imported earlier), and libraries that copy `fs` functions when they
 * load (graceful-fs clones it; `promisify(fs.fsync)` keeps one): put the routes in before such a
 * library loads ({@link installFacadeRoutes}; workload modules are loaded after it), and every
 * copy reaches whichever run is bound when it is called. Runs bind and unbind
 * ({@link installFacade}); the routes stay. A simulated path, descriptor or FileHandle used while
 * no run (or another run) is bound fails with {@link NoActiveRunError}: never the real disk.
 *
 * Routing, per call: a path argument (string, Buffer or file: URL) under the simulated root, a
 * descriptor the facade handed out, or a facade FileHandle goes to the simulated disk; anything
 * else goes to the real function, unchanged (Node itself loads modules through fs). A function
 * the facade does not implement throws {@link UnsupportedFsCallError} on a simulated argument and
 * never falls through to the real disk. A two-path call across the root boundary (`rename` from
 * the real disk into the simulated one) fails with `EXDEV`, as across devices.
 *
 * `mkdtemp` is routed by what it creates (the prefix plus six characters), and `createReadStream`
 * and `createWriteStream` by `options.fd` when one is given (Node then ignores the path).
 *
 * `symlink(target, path)` is routed by the link's own `path`: its target is text the link
 * holds, resolved only when a later call walks through the link (FacadeCore), and a walk that
 * a link leads out of the root fails instead of reaching the real disk.
 *
 * Not supported on simulated paths (throw): `openAsBlob`, and simulated latency (a facade call
 * completes at once). Watchers (`watch`, `watchFile`) are the facade's own (watch.ts).
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from '../engine/assert.ts';
import type { SimWorld } from '../sim/index.ts';
import { callbackImpls, fsCreateReadStream, fsCreateWriteStream, isFacadeFileHandle, promiseImpls, syncImpls } from './api.ts';
import { FacadeCore, facadeFdFirst } from './core.ts';
import { listenForUnsupportedCalls, NoActiveRunError, nodeError, UnsupportedFsCallError } from './errors.ts';
import { later, settle } from './deliver.ts';
import { endsInSlash, slashVerdict, type EntryKind } from './trailing-slash.ts';

/** What {@link installFacade} returns. */
export interface InstalledFacade {
  /** The simulated root, absolute. */
  readonly root: string;
  /** The facade's synchronous core (for tests and workload runners). */
  readonly core: FacadeCore;
  /** Ends this binding: from now on the root's paths fail loudly until the next install. Idempotent. */
  uninstall(): void;
}

/** Calls taking two paths: each may be simulated. */
const twoPathCalls: ReadonlySet<string> = new Set(['rename', 'copyFile', 'link', 'cp']);

type Impl = (...args: unknown[]) => unknown;

/** Calls that act on the last name itself: a slash after a symbolic link's name does not follow it there. */
const namesItself: ReadonlySet<string> = new Set(['rename', 'unlink', 'rmdir', 'mkdir']);

/** One run's facade: the world behind the routes, its root and its implementations. */
interface Binding {
  readonly root: string;
  readonly core: FacadeCore;
  readonly sync: Record<string, Impl>;
  readonly callbacks: Record<string, Impl>;
  readonly promises: Record<string, Impl>;
  readonly handle: InstalledFacade;
}

/**
 * The facade's state in this thread, shared by every copy of this module (a test runner that
 * loads it once per test file, a second install of powercut), since `fs` itself is shared.
 */
interface FacadeState {
  /** The run using the facade now, if any. */
  binding: Binding | undefined;
  /** Every root ever bound in this thread: their paths never reach the real disk, bound or not. */
  readonly knownRoots: Set<string>;
  /** How to take the routes out again (tests only), once they are in. */
  routes: { readonly restore: () => void } | undefined;
}

const state: FacadeState = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.facade.state')] ??= {
  binding: undefined, knownRoots: new Set<string>(), routes: undefined,
}) as FacadeState;

/** The currently installed facade, if any. */
export function installedFacade(): InstalledFacade | undefined {
  return state.binding?.handle;
}

/**
 * Puts the facade's routes into this thread's `fs`, once, for the thread's life: every function
 * of `fs` and `fs.promises` becomes a router that sends simulated paths to the run bound now
 * ({@link installFacade}) and everything else to the real function. A library that copies fs
 * functions when it loads (graceful-fs, `promisify(fs.fsync)`) copies the routers, so it reaches
 * whichever run is current when it calls. Call it before loading code under test. Idempotent.
 */
export function installFacadeRoutes(): void {
  if (state.routes === undefined) state.routes = { restore: putRoutes() };
}

/**
 * Takes the routes out again, putting Node's own functions back (for tests of the facade itself).
 * @throws AssertionError while a run is bound
 */
export function removeFacadeRoutes(): void {
  assert(state.binding === undefined, 'removeFacadeRoutes: no run is bound');
  state.routes?.restore();
  state.routes = undefined;
}

/**
 * Binds `world` to the facade: paths under `root` live on its simulated disk until `uninstall`.
 * The routes are put in first if they are not yet.
 * @param world - the simulated world; its current incarnation serves each call
 * @param root - the simulated root (made absolute; created on the simulated disk, durable)
 * @returns the handle to end the binding
 * @throws AssertionError when another run is bound
 */
export function installFacade(world: SimWorld, root: string): InstalledFacade {
  assert(state.binding === undefined, 'installFacade: one run at a time (uninstall the previous one)');
  const rootAbs = resolve(root).replace(/\/+$/, '') || '/';
  assert(rootAbs !== '/', 'installFacade: the root is not / (Node must still load modules from the real disk)');
  installFacadeRoutes();
  world.createDirectory(rootAbs);
  const core = new FacadeCore(world, rootAbs);
  const sync = syncImpls(core);
  listenForUnsupportedCalls((error) => core.refused(error));
  const handle: InstalledFacade = {
    root: rootAbs,
    core,
    uninstall() {
      if (state.binding?.handle !== handle) return;
      state.binding = undefined;
      listenForUnsupportedCalls(undefined);
    },
  };
  state.binding = { root: rootAbs, core, sync, callbacks: callbackImpls(core, sync), promises: promiseImpls(core, sync), handle };
  state.knownRoots.add(rootAbs);
  return handle;
}

/**
 * Runs `body` with the bound run's root served by `world` instead (its files' times taken from
 * the run's), then binds the run again exactly as it was (the same core: its descriptors, times
 * and refused calls): for a second look
 * at a power loss (sim/second-look.ts, targets/runner.ts). A call the facade refuses meanwhile is
 * recorded with the run's, which then fails as unsupported.
 * @throws AssertionError when no run is bound
 */
export async function withFacadeBoundTo<T>(world: SimWorld, body: () => Promise<T>): Promise<T> {
  const saved = state.binding;
  assert(saved !== undefined, 'withFacadeBoundTo: a run is bound');
  const core = new FacadeCore(world, saved.root);
  core.times.takeFrom(saved.core.times);
  const sync = syncImpls(core);
  state.binding = { root: saved.root, core, sync, callbacks: callbackImpls(core, sync), promises: promiseImpls(core, sync), handle: saved.handle };
  listenForUnsupportedCalls((error) => saved.core.refused(error));
  try {
    return await body();
  } finally {
    state.binding = saved;
    listenForUnsupportedCalls((error) => saved.core.refused(error));
  }
}

/** The root a path lies under: the bound one, or (`stale`) one bound earlier in this thread. */
function rootOf(abs: string): { root: string; stale: boolean } | undefined {
  const under = (root: string): boolean => abs === root || abs.startsWith(`${root}/`);
  const bound = state.binding;
  if (bound !== undefined && under(bound.root)) return { root: bound.root, stale: false };
  for (const root of state.knownRoots) if (under(root)) return { root, stale: true };
  return undefined;
}

/** Where a call argument goes: the real fs, the bound run (with the argument mapped), or nowhere (stale). */
type Target = { readonly kind: 'real' } | { readonly kind: 'sim'; readonly arg: unknown } | { readonly kind: 'stale'; readonly what: string };

function targetOf(arg: unknown): Target {
  const bound = state.binding;
  if (isFacadeFileHandle(arg)) {
    return bound !== undefined && arg.core === bound.core ? { kind: 'sim', arg: arg.fd } : { kind: 'stale', what: `FileHandle ${arg.fd}` };
  }
  if (typeof arg === 'number') {
    if (bound?.core.ownsFd(arg)) return { kind: 'sim', arg };
    return arg >= facadeFdFirst ? { kind: 'stale', what: `descriptor ${arg}` } : { kind: 'real' };
  }
  const path = pathText(arg);
  if (path === undefined) return { kind: 'real' };
  const abs = resolve(path);
  const root = rootOf(abs);
  if (root === undefined) return { kind: 'real' };
  return root.stale ? { kind: 'stale', what: abs } : { kind: 'sim', arg: abs };
}

/** The facade's implementation of `name` in the bound run (`kind`: which object it replaces). */
function implOf(kind: 'fs' | 'promises', name: string): Impl | undefined {
  const bound = state.binding;
  if (bound === undefined) return undefined;
  if (kind === 'promises') return bound.promises[name];
  if (name === 'createWriteStream') return (path, options) => fsCreateWriteStream(bound.core, path as string | undefined, options);
  if (name === 'createReadStream') return (path, options) => fsCreateReadStream(bound.core, path as string | undefined, options);
  return name.endsWith('Sync') ? bound.sync[name.slice(0, -'Sync'.length)] : bound.callbacks[name];
}

/**
 * The router of `name` (`label` for messages): each call goes to the bound run's facade, or to
 * `original`; a simulated argument of no run fails loudly.
 */
function route(kind: 'fs' | 'promises', name: string, label: string, original: Impl, implName = name): Impl {
  const base = name.replace(/Sync$/, '');
  const paths = twoPathCalls.has(base) ? 2 : 1;
  const facade = (target: unknown, args: readonly unknown[], self: unknown): unknown => {
    const impl = implOf(kind, implName);
    if (impl === undefined) throw new UnsupportedFsCallError(label, String(target));
    return impl.apply(self, args as unknown[]);
  };
  if (base === 'mkdtemp') {
    return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
      const prefix = prefixTarget(args[0]);
      if (prefix.kind === 'real') return original.apply(this, args);
      if (prefix.kind === 'stale') throw new NoActiveRunError(label, prefix.what);
      return facade(prefix.arg, [prefix.arg, ...args.slice(1)], this);
    };
  }
  if (base === 'symlink') {
    // The target is what the link will hold, not a path to route: only the link's place counts.
    return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
      const link = targetOf(args[1]);
      if (link.kind === 'real') return original.apply(this, args);
      if (link.kind === 'stale') throw new NoActiveRunError(label, link.what);
      return facade(link.arg, [pathText(args[0]) ?? args[0], link.arg, ...args.slice(2)], this);
    };
  }
  if (base === 'createReadStream' || base === 'createWriteStream') {
    // Node uses `options.fd` when it is given and ignores the path.
    return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
      const fd = typeof args[1] === 'object' && args[1] !== null ? (args[1] as { fd?: unknown }).fd : undefined;
      const byFd = fd !== undefined && fd !== null;
      const target = byFd ? targetOf(fd) : targetOf(args[0]);
      if (target.kind === 'real') return original.apply(this, args);
      if (target.kind === 'stale') throw new NoActiveRunError(label, target.what);
      // A stream opens its path later: a slash the caller wrote goes with it (FacadeCore.openSync).
      const path = !byFd && endsInSlash(pathText(args[0])) ? `${String(target.arg)}/` : target.arg;
      return facade(byFd ? fd : path, [byFd ? undefined : path, ...args.slice(1)], this);
    };
  }
  return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
    const targets = args.slice(0, paths).map(targetOf);
    const stale = targets.find((target) => target.kind === 'stale');
    if (stale !== undefined && stale.kind === 'stale') throw new NoActiveRunError(label, stale.what);
    const simulated = targets.map((target) => target.kind === 'sim');
    if (!simulated.includes(true)) return original.apply(this, args);
    if (paths === 2 && simulated[0] !== simulated[1]) {
      if (name.startsWith('rename')) return failAsFace(kind, name, args, nodeError('EXDEV', 'rename', String(pathText(args[0])), String(pathText(args[1]))));
      throw new UnsupportedFsCallError(label, String(args[simulated[0] === true ? 0 : 1]), 'one path is simulated and the other is not');
    }
    const mapped = args.map((arg, index) => {
      const target = targets[index];
      if (target === undefined || target.kind !== 'sim') return arg;
      // A slash after a symbolic link's name makes the kernel follow it, even where the call
      // would not (`lstat`, `readlink`, `unlink`): FacadeCore follows a path that ends in one.
      const followed = endsInSlash(pathText(arg)) && !namesItself.has(base) && state.binding?.core.world.linkTargetAt(target.arg as string) !== undefined;
      return followed ? `${target.arg as string}/` : target.arg;
    });
    const slashed = answerForSlash(kind, name, base, args, mapped, paths, implName !== name);
    if (slashed !== undefined) return slashed.value;
    return facade(mapped[0], mapped, this);
  };
}

/**
 * The outcome of a call whose path ends in a slash where the slash decides it (trailing-slash.ts),
 * delivered as the call's face delivers: thrown (sync), a rejected promise, or a later callback.
 */
function answerForSlash(kind: 'fs' | 'promises', name: string, base: string, args: readonly unknown[], mapped: readonly unknown[], paths: number, native = false): { value: unknown } | undefined {
  const bound = state.binding;
  const slashed = args.slice(0, paths).map((arg) => endsInSlash(pathText(arg)));
  // JavaScript's realpath resolves a slash away; realpath(3) (promises, `.native`) holds it to a directory.
  if (bound === undefined || !slashed.includes(true) || (base === 'realpath' && kind !== 'promises' && !native)) return undefined;
  // A slash after a link's name follows it, except in the calls that change the name itself:
  // there the link is what the slash is checked against (`rename('link/', x)` is ENOTDIR).
  const follows = !namesItself.has(base);
  const kindAt = (arg: unknown, parent: boolean): EntryKind => {
    if (typeof arg !== 'string') return undefined;
    return parent || follows ? bound.core.entryKindFollowing(parent ? dirname(arg) : arg) : bound.core.world.entryKind(arg);
  };
  const on = mapped.slice(0, paths);
  const sync = kind === 'fs' && name.endsWith('Sync');
  const face = sync ? 'sync' : kind === 'promises' ? 'promise' : 'callback';
  const verdict = slashVerdict(base, args, slashed, on.map((arg) => kindAt(arg, false)), on.map((arg) => kindAt(arg, true)), face);
  if (verdict === undefined) return undefined;
  const callback = sync || kind === 'promises' ? undefined : args.findLast((arg) => typeof arg === 'function') as ((...a: unknown[]) => void) | undefined;
  if ('answer' in verdict) {
    if (callback !== undefined) later(callback, verdict.answer);
    return { value: sync ? verdict.answer : undefined };
  }
  return { value: failAsFace(kind, name, args, nodeError(verdict.code, verdict.syscall, pathText(args[0]), paths === 2 ? pathText(args[1]) : undefined)) };
}

/**
 * A call's failure delivered as its face delivers one: thrown from a `Sync` call, a rejected
 * promise from `fs.promises`, the callback called later with it (never a synchronous throw from
 * an asynchronous call, which code that handles the error with `.catch` or in its callback, as
 * an EXDEV fallback to copying does, would never see).
 * @returns what the call returns
 */
function failAsFace(kind: 'fs' | 'promises', name: string, args: readonly unknown[], error: Error): unknown {
  if (kind === 'fs' && name.endsWith('Sync')) throw error;
  if (kind === 'promises') return settle(() => { throw error; });
  const callback = args.findLast((arg) => typeof arg === 'function') as ((...a: unknown[]) => void) | undefined;
  if (callback !== undefined) later(callback, error);
  return undefined;
}

/**
 * mkdtemp's argument is a prefix, not a path: what it creates is the prefix plus six
 * characters, so that is what must lie below a root (`<root>/` creates inside the root, `<root>`
 * a sibling of it on the real disk). The prefix is made absolute, keeping its end.
 */
function prefixTarget(arg: unknown): Target {
  const prefix = pathText(arg);
  if (prefix === undefined) return { kind: 'real' };
  const template = resolve(`${prefix}XXXXXX`);
  const root = rootOf(template);
  if (root === undefined || template === root.root) return { kind: 'real' };
  return root.stale ? { kind: 'stale', what: template } : { kind: 'sim', arg: template.slice(0, -'XXXXXX'.length) };
}

/** Replaces every function of `fs` and `fs.promises` by its router. @returns how to undo it */
function putRoutes(): () => void {
  const restore: Array<() => void> = [];
  const replace = (target: Record<string, unknown>, name: string, value: unknown): void => {
    const descriptor = Object.getOwnPropertyDescriptor(target, name);
    restore.push(() => {
      if (descriptor === undefined) delete target[name];
      else Object.defineProperty(target, name, descriptor);
    });
    Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: descriptor?.enumerable ?? true });
  };
  const fsObject = fs as unknown as Record<string, unknown>;
  for (const name of Object.keys(fsObject)) {
    if (name === 'promises' || !/^[a-z]/.test(name)) continue;
    const original = fsObject[name];
    if (typeof original !== 'function') continue;
    const wrapper = route('fs', name, `fs.${name}`, original as Impl);
    copySymbols(original, wrapper);
    // `fs.realpath.native` and `fs.realpathSync.native` are separate functions libraries call.
    if ('native' in original) {
      const native = (original as { native: Impl }).native;
      // The native one is realpath(3), failing under that name (api.ts `realpathNative`).
      Object.defineProperty(wrapper, 'native', { value: route('fs', name, `fs.${name}.native`, native, name.endsWith('Sync') ? 'realpathNativeSync' : 'realpathNative'), enumerable: true });
    }
    replace(fsObject, name, wrapper);
  }
  const promisesObject = fs.promises as unknown as Record<string, unknown>;
  for (const name of Object.keys(promisesObject)) {
    const original = promisesObject[name];
    if (typeof original !== 'function') continue;
    const wrapper = route('promises', name, `fs.promises.${name}`, original as Impl);
    copySymbols(original, wrapper);
    replace(promisesObject, name, wrapper);
  }
  syncBuiltinESMExports();
  return () => {
    for (const undo of restore.reverse()) undo();
    syncBuiltinESMExports();
  };
}

/**
 * Gives `wrapper` the symbol-keyed properties of `original`, as they are. Node marks some fs
 * functions for `util.promisify`: `fs.exists` carries `util.promisify.custom` (a promise of a
 * boolean, since its callback has no error argument) and `read`, `write`, `readv` and `writev`
 * carry Node's internal `customPromisifyArgs` (so the promise resolves to `{ bytesRead, buffer }`
 * rather than the byte count). Copying whatever symbols the running Node puts there, rather than
 * a list, keeps the wrappers promisifying exactly as the originals on any Node version. The
 * copied `promisify.custom` of `exists` calls `fs.exists` when it runs, so it reaches the facade.
 */
function copySymbols(original: object, wrapper: object): void {
  for (const key of Object.getOwnPropertySymbols(original)) {
    Object.defineProperty(wrapper, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
}

/** The path text of a path argument (string, Buffer or file: URL), or undefined for anything else. */
function pathText(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (Buffer.isBuffer(arg)) return arg.toString();
  if (arg instanceof URL && arg.protocol === 'file:') return fileURLToPath(arg);
  return undefined;
}

/**
 * Runs `body` with the facade installed, and uninstalls it afterwards whatever happens.
 * @param world - the simulated world
 * @param root - the simulated root
 * @param body - the code to run
 */
export async function withFacade<T>(world: SimWorld, root: string, body: (facade: InstalledFacade) => Promise<T> | T): Promise<T> {
  const facade = installFacade(world, root);
  try {
    return await body(facade);
  } finally {
    facade.uninstall();
  }
}
