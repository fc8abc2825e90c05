/**
 * Loading a CommonJS package afresh, as a restarted process would, without paying for it again:
 * {@link freshRequire} runs the package's files again (so their module-level state, such as
 * write-file-atomic's queue of files being written, starts empty), but reads, resolves and
 * compiles each file once per thread. A file's compiled module wrapper is a plain function;
 * calling it again with a new `module` object evaluates the file again in a new scope, which is
 * all "loading afresh" needs. Reloading was the cost of such workloads: Node (and tsx's require
 * hook) read, transformed and compiled every file of the package in every incarnation.
 *
 * What it keeps of Node's loader: the fresh modules go into `require.cache` in place of the old
 * ones (so a later plain `require` of a package file gets the fresh instance, as before), each
 * gets `exports`, `require` (with `resolve`, `cache`, `main`, `extensions`), `module`,
 * `__filename` and `__dirname`, cycles see the partial exports, and `import()` inside the
 * package works. Its dependencies (any file under a `node_modules` folder, wherever npm put it)
 * are loaded afresh in the same load too, in a private table rather than `require.cache`: a
 * restarted process loads them again as well, and a dependency that kept state, or drew random
 * numbers when it loaded, did so in a thread's first run only, so where npm hoisted it decided
 * whether a workload passed and a campaign's digest changed with `--jobs` (glob, under cacache;
 * atomically, under node-json-db). Powercut's own files are never reloaded.
 * A package file that does not compile as a CommonJS wrapper (ESM syntax that tsx would
 * transform, a native addon, `.mjs`, TypeScript) is loaded by Node's own `require`, afresh; a
 * `.json` file is parsed again from the text read once.
 *
 * Not kept: files changed on disk after their first load in the thread are not read again.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { quietLoaderWarning } from './loader-warning.ts';

/** Node's module objects, with the internals the loader needs. */
type NodeModule = Module & { filename: string; paths: string[]; loaded: boolean; exports: unknown };
type ModuleStatics = typeof Module & { _nodeModulePaths(dir: string): string[] };

/** The parameters of Node's CommonJS module wrapper. */
const wrapperParameters = ['exports', 'require', 'module', '__filename', '__dirname'];

/** How a package file is evaluated: its compiled wrapper, its JSON text, or by Node's `require`. */
type Body =
  | { readonly kind: 'wrapper'; readonly fn: (...args: unknown[]) => unknown }
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'native' };

/** A package file as read and compiled once, with a `require` resolving from its folder. */
interface Compiled {
  readonly body: Body;
  readonly base: NodeJS.Require;
}

/** Shared by every copy of this module in the thread, so a file is compiled once per thread. */
interface LoaderCache {
  readonly compiled: Map<string, Compiled>;
  /** `<requiring file or folder>\0<specifier>` → resolved filename (or builtin name). */
  readonly resolved: Map<string, string>;
}

const cache: LoaderCache = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.fresh-require.cache')] ??= {
  compiled: new Map(), resolved: new Map(),
}) as LoaderCache;

/** Powercut's own folder (the checkout or the installed package), whose files are never loaded afresh. */
const powercutDir = ((): string => {
  const here = dirname(dirname(fileURLToPath(import.meta.url)));
  return here.endsWith(`${sep}dist`) ? dirname(here) : here;
})();

/** Whether `filename` is powercut's own code (not a dependency installed inside its folder). */
function isPowercutCode(filename: string): boolean {
  return filename.startsWith(`${powercutDir}${sep}`) && !filename.slice(powercutDir.length).includes(nodeModules);
}

/** `${sep}node_modules${sep}` */
const nodeModules = `${sep}node_modules${sep}`;

/** Node's module cache (`require.cache`). */
const moduleCache = createRequire(import.meta.url).cache;

/** `specifier` resolved by `require` (from `origin`), remembered: the real disk does not change under a run. */
function resolveFrom(require: NodeJS.Require, origin: string, specifier: string): string {
  const key = `${origin}\0${specifier}`;
  let filename = cache.resolved.get(key);
  if (filename === undefined) {
    filename = require.resolve(specifier);
    cache.resolved.set(key, filename);
  }
  return filename;
}

function bodyOf(filename: string): Body {
  const extension = extname(filename);
  if (extension === '.json') return { kind: 'json', text: readFileSync(filename, 'utf8') };
  if (extension !== '.js' && extension !== '.cjs') return { kind: 'native' };
  const source = readFileSync(filename, 'utf8').replace(/^#!.*/, '');
  try {
    const fn = vm.compileFunction(source, wrapperParameters, {
      filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as (...args: unknown[]) => unknown;
    return { kind: 'wrapper', fn };
  } catch (error) {
    // ESM syntax in a .js file: Node's require (with tsx's hook, when present) decides what it is.
    if (error instanceof SyntaxError) return { kind: 'native' };
    throw error;
  }
}

function compiledOf(filename: string): Compiled {
  let compiled = cache.compiled.get(filename);
  if (compiled === undefined) {
    compiled = { body: bodyOf(filename), base: createRequire(filename) };
    cache.compiled.set(filename, compiled);
  }
  return compiled;
}

/**
 * One fresh load: the files of its packages (under `packageDirs`) and of every dependency (under
 * a `node_modules` folder) evaluated again, once each, kept in the load's own table, which makes
 * a file load once and lets cycles see partial exports. The packages' own files also go into
 * `require.cache` (freshRequire removes the earlier load's first); dependencies' do not, so the
 * rest of the process keeps the instances it had.
 */
class FreshLoad {
  readonly #modules = new Map<string, NodeModule>();
  readonly #packageDirs = new Set<string>();

  constructor(packageDir?: string) {
    if (packageDir !== undefined) this.#packageDirs.add(packageDir);
  }

  /** Loads the files under `packageDir` in this load as well, as a package's own. */
  addPackage(packageDir: string): void {
    this.#packageDirs.add(packageDir);
  }

  #isPackageFile(filename: string): boolean {
    for (const dir of this.#packageDirs) if (filename.startsWith(`${dir}${sep}`)) return true;
    return false;
  }

  owns(filename: string): boolean {
    if (!isAbsolute(filename)) return false;
    return this.#isPackageFile(filename) || (filename.includes(nodeModules) && !isPowercutCode(filename));
  }

  /** The exports of `filename` (a file it {@link owns}), evaluated in this load (once). */
  load(filename: string, parent: NodeModule | undefined): unknown {
    const present = this.#modules.get(filename);
    if (present !== undefined) return present.exports;
    const { body, base } = compiledOf(filename);
    if (body.kind === 'native') return base(filename);
    const module = new Module(filename, parent) as NodeModule;
    module.filename = filename;
    module.paths = (Module as ModuleStatics)._nodeModulePaths(dirname(filename));
    const cached = this.#isPackageFile(filename);
    this.#modules.set(filename, module);
    if (cached) moduleCache[filename] = module;
    try {
      if (body.kind === 'json') module.exports = JSON.parse(body.text) as unknown;
      else body.fn.call(module.exports, module.exports, this.#requireOf(module, base), module, filename, dirname(filename));
    } catch (error) {
      this.#modules.delete(filename);
      if (cached) delete moduleCache[filename];
      throw error;
    }
    module.loaded = true;
    return module.exports;
  }

  /** The `require` a fresh module sees: package and dependency files from this load, anything else from Node. */
  #requireOf(module: NodeModule, base: NodeJS.Require): NodeJS.Require {
    const require = ((specifier: string) => {
      const filename = resolveFrom(base, module.filename, specifier);
      return this.owns(filename) ? this.load(filename, module) : base(specifier);
    }) as NodeJS.Require;
    require.resolve = base.resolve;
    require.cache = base.cache;
    require.main = base.main;
    require.extensions = base.extensions;
    return require;
  }
}

/**
 * Loads a CommonJS package afresh: its files (everything under its package folder) and its
 * dependencies' are evaluated again, so module-level state (queues, counters, random draws made
 * at load) starts over, as in a restarted process. Each file is read and compiled once per thread (see the module comment), so a
 * workload can reload its library in every incarnation cheaply.
 * @param specifier - the package name (or a path, relative to `from`)
 * @param from - where to resolve it from: pass your workload's `import.meta.url` when the package
 * is installed in your project rather than in powercut's @defaultValue powercut's own folder
 * @returns the package's exports, fresh
 */
export function freshRequire<T>(specifier: string, from: string | URL = import.meta.url): T {
  quietLoaderWarning();
  const requireFrom = createRequire(from);
  const main = resolveFrom(requireFrom, String(from), specifier);
  const marker = join('node_modules', specifier);
  const cut = main.lastIndexOf(marker);
  const packageDir = cut >= 0 ? main.slice(0, cut + marker.length) : dirname(main);
  return freshLoadOf(packageDir).load(main, undefined) as T;
}

/**
 * Drops the files of the package in `packageDir` an earlier load put in `require.cache`, so a
 * new load never serves them stale.
 */
function dropCached(packageDir: string): void {
  for (const key of Object.keys(moduleCache)) if (key.startsWith(`${packageDir}${sep}`)) delete moduleCache[key];
}

/** A new load of the package in `packageDir` (and its dependencies). */
function freshLoadOf(packageDir: string): FreshLoad {
  dropCached(packageDir);
  return new FreshLoad(packageDir);
}

/** The package folder a CommonJS file belongs to: `.../node_modules/name` (or `@scope/name`), else its own folder. */
function packageDirOf(filename: string): string {
  const marker = `${sep}node_modules${sep}`;
  const cut = filename.lastIndexOf(marker);
  if (cut < 0) return dirname(filename);
  const parts = filename.slice(cut + marker.length).split(sep);
  const length = parts[0]?.startsWith('@') === true ? 2 : 1;
  return filename.slice(0, cut + marker.length) + parts.slice(0, length).join(sep);
}

/**
 * CommonJS files loaded afresh for one process's view of a module graph ({@link freshImport}):
 * one load for the whole view, so a package and every dependency are loaded afresh once, the
 * first time one of their files is asked for, and shared by every later request of the view.
 */
export class FreshCommonJs {
  readonly #load = new FreshLoad();
  readonly #packages = new Set<string>();

  /** The exports of the CommonJS file `filename` (absolute), fresh in this view. */
  load(filename: string): unknown {
    const packageDir = packageDirOf(filename);
    if (!this.#packages.has(packageDir)) {
      this.#packages.add(packageDir);
      dropCached(packageDir);
      this.#load.addPackage(packageDir);
    }
    return this.#load.load(filename, undefined);
  }
}
