/**
 * Installs the fs facade into this process: Node's `fs` and `fs.promises` objects are mutated in
 * place, then `module.syncBuiltinESMExports()` copies the new functions to the ESM bindings of
 * `node:fs` and `node:fs/promises`. That reaches CommonJS `require('fs')`, ESM default and named
 * imports (live bindings, so even modules imported earlier), and libraries that copy `fs` when
 * they load (graceful-fs clones it: install before the library loads).
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
 * Not supported on simulated paths (throw): watchers (`watch`, `watchFile`), `openAsBlob`, links
 * (`link`, `symlink`, `readlink`), `cp`, `statfs`, removing or renaming directories, and
 * simulated latency (a facade call completes at once).
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert } from '../engine/assert.ts';
import type { SimWorld } from '../sim/world.ts';
import { callbackImpls, FacadeFileHandle, fsCreateReadStream, fsCreateWriteStream, promiseImpls, syncImpls } from './api.ts';
import { FacadeCore } from './core.ts';
import { nodeError, UnsupportedFsCallError } from './errors.ts';

/** What {@link installFacade} returns. */
export interface InstalledFacade {
  /** The simulated root, absolute. */
  readonly root: string;
  /** The facade's synchronous core (for tests and workload runners). */
  readonly core: FacadeCore;
  /** Puts every original fs function back. Idempotent. */
  uninstall(): void;
}

/** Calls taking two paths: each may be simulated. */
const twoPathCalls: ReadonlySet<string> = new Set(['rename', 'copyFile', 'link', 'symlink', 'cp']);

let installed: InstalledFacade | undefined;

/** The currently installed facade, if any. */
export function installedFacade(): InstalledFacade | undefined {
  return installed;
}

/**
 * Installs the facade: paths under `root` live on `world`'s simulated disk from now on.
 * @param world - the simulated world; its current incarnation serves each call
 * @param root - the simulated root (made absolute; created on the simulated disk, durable)
 * @returns the handle to uninstall it
 * @throws AssertionError when a facade is already installed
 */
export function installFacade(world: SimWorld, root: string): InstalledFacade {
  assert(installed === undefined, 'installFacade: one facade at a time (uninstall the previous one)');
  const rootAbs = resolve(root).replace(/\/+$/, '') || '/';
  assert(rootAbs !== '/', 'installFacade: the root is not / (Node must still load modules from the real disk)');
  world.kernel.disk.mkdir(rootAbs);
  const core = new FacadeCore(world, rootAbs);
  const sync = syncImpls(core);
  const promises = promiseImpls(core, sync);
  const callbacks = callbackImpls(core, sync);

  const simPath = (arg: unknown): string | undefined => {
    const path = pathText(arg);
    if (path === undefined) return undefined;
    const abs = resolve(path);
    return abs === rootAbs || abs.startsWith(`${rootAbs}/`) ? abs : undefined;
  };
  const isSim = (arg: unknown): boolean => simPath(arg) !== undefined || core.ownsFd(arg) || arg instanceof FacadeFileHandle;
  // mkdtemp's argument is a prefix, not a path: what it creates is the prefix plus six
  // characters, so that is what must lie below the root (`<root>/` creates inside the root,
  // `<root>` a sibling of it on the real disk). The prefix is made absolute, keeping its end.
  const simPrefix = (arg: unknown): string | undefined => {
    const prefix = pathText(arg);
    if (prefix === undefined) return undefined;
    const template = resolve(`${prefix}XXXXXX`);
    return template.startsWith(`${rootAbs}/`) ? template.slice(0, -'XXXXXX'.length) : undefined;
  };

  /** The wrapper of `name` (`label` for messages): routes each call to `facade` or `original`. */
  const route = (name: string, label: string, original: (...args: unknown[]) => unknown, facade: ((...args: unknown[]) => unknown) | undefined) => {
    const base = name.replace(/Sync$/, '');
    const paths = twoPathCalls.has(base) ? 2 : 1;
    const unsupported = (target: unknown): never => {
      throw new UnsupportedFsCallError(label, String(simPath(target) ?? target));
    };
    if (base === 'mkdtemp') {
      return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
        const prefix = simPrefix(args[0]);
        if (prefix === undefined) return original.apply(this, args);
        return facade === undefined ? unsupported(prefix) : facade.apply(this, [prefix, ...args.slice(1)]);
      };
    }
    if (base === 'createReadStream' || base === 'createWriteStream') {
      // Node uses `options.fd` when it is given and ignores the path.
      return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
        const fd = typeof args[1] === 'object' && args[1] !== null ? (args[1] as { fd?: unknown }).fd : undefined;
        if (fd !== undefined && fd !== null ? !isSim(fd) : !isSim(args[0])) return original.apply(this, args);
        if (facade === undefined) return unsupported(fd ?? args[0]);
        return facade.apply(this, [fd !== undefined && fd !== null ? undefined : simPath(args[0]), ...args.slice(1)]);
      };
    }
    return function facadeRoute(this: unknown, ...args: unknown[]): unknown {
      const simulated = args.slice(0, paths).map(isSim);
      if (!simulated.includes(true)) return original.apply(this, args);
      if (facade === undefined) return unsupported(args[0]);
      if (paths === 2 && simulated[0] !== simulated[1]) {
        if (name.startsWith('rename')) throw nodeError('EXDEV', 'rename', String(args[0]), String(args[1]));
        throw new UnsupportedFsCallError(label, String(args[simulated[0] === true ? 0 : 1]), 'one path is simulated and the other is not');
      }
      const mapped = args.map((arg, index) => (index < paths ? simPath(arg) ?? (arg instanceof FacadeFileHandle ? arg.fd : arg) : arg));
      return facade.apply(this, mapped);
    };
  };

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
    let facade: ((...args: unknown[]) => unknown) | undefined;
    if (name === 'createWriteStream') facade = (path, options) => fsCreateWriteStream(core, path as string | undefined, options);
    else if (name === 'createReadStream') facade = (path, options) => fsCreateReadStream(core, path as string | undefined, options);
    else if (name.endsWith('Sync')) facade = sync[name.slice(0, -'Sync'.length)];
    else facade = callbacks[name];
    const wrapper = route(name, `fs.${name}`, original as (...args: unknown[]) => unknown, facade);
    copySymbols(original, wrapper);
    // `fs.realpath.native` and `fs.realpathSync.native` are separate functions libraries call.
    if ('native' in original) {
      const native = (original as { native: (...args: unknown[]) => unknown }).native;
      Object.defineProperty(wrapper, 'native', { value: route(name, `fs.${name}.native`, native, facade), enumerable: true });
    }
    replace(fsObject, name, wrapper);
  }
  const promisesObject = fs.promises as unknown as Record<string, unknown>;
  for (const name of Object.keys(promisesObject)) {
    const original = promisesObject[name];
    if (typeof original !== 'function') continue;
    const wrapper = route(name, `fs.promises.${name}`, original as (...args: unknown[]) => unknown, promises[name]);
    copySymbols(original, wrapper);
    replace(promisesObject, name, wrapper);
  }
  syncBuiltinESMExports();

  const handle: InstalledFacade = {
    root: rootAbs,
    core,
    uninstall() {
      if (installed !== handle) return;
      for (const undo of restore.reverse()) undo();
      syncBuiltinESMExports();
      installed = undefined;
    },
  };
  installed = handle;
  return handle;
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
