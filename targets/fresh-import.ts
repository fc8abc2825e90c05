/**
 * Loading an ES module library afresh, as a restarted process would: {@link freshImport}
 * evaluates the module graph behind a specifier again, every ES module of it and every CommonJS
 * package it imports, so module-level state (atomically's per-file write queue, write-file-atomic's
 * locks under write-json-file) starts empty in each incarnation.
 *
 * Why not Node's loader: Node keeps one instance of an ES module per thread, so `import()` gives
 * the same state back after a simulated crash. Why not `vm.SourceTextModule`: it needs
 * `--experimental-vm-modules`, and on Node 20 a module it builds is never freed (measured: every
 * view of write-json-file's graph kept ~27 KB, and the CPU per view tripled by 2,000 views).
 *
 * How: each ES module file is converted once per thread to a CommonJS-style function by esbuild
 * (the transform tsx already uses) and compiled once, like {@link freshRequire}'s wrappers; a view
 * of the graph calls those functions again with its own `require`, which resolves as Node's
 * `import` does ({@link resolveImport}) and serves each module once per view. What a view
 * evaluates is freed with it. Kept from ES module semantics: strict mode, live bindings (exports
 * are getters), `import.meta` (`url`, `filename`, `dirname`, `resolve`), cycles (a module in a
 * cycle sees another's exports as far as that one has run), dynamic `import()` inside the graph
 * (served from the same view), JSON modules, built-ins (the fs facade's routes and the pinned
 * environment's functions, live), and CommonJS files imported from ES modules as Node imports
 * them (`module.exports` is the default export, even for a file marked `__esModule`).
 *
 * Not supported: top-level `await` (esbuild cannot convert it; the file is named in a
 * {@link FreshImportError}), and files other than `.js`, `.mjs`, `.cjs` and `.json`. A module that
 * loads CommonJS through `createRequire` gets Node's instance, not a fresh one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { quietLoaderWarning } from './loader-warning.ts';
import { transformSync } from 'esbuild';
import { FreshCommonJs } from './fresh-require.ts';
import { resolveImport } from './esm-resolve.ts';

/** Thrown by {@link freshImport} when a module of the graph cannot be loaded afresh; `code` says why. */
export class FreshImportError extends Error {
  readonly code = 'POWERCUT_FRESH_IMPORT';
  constructor(message: string) {
    super(message);
    this.name = 'FreshImportError';
  }
}

/** The parameters of a converted module's function; the last one stands for `import.meta`. */
const metaName = '__powercut_import_meta';
/** The view's `require` under a name of its own, for the imports esbuild converts ({@link ownRequire}). */
const requireName = '__powercut_require';
const parameters = ['exports', 'require', 'module', '__filename', '__dirname', metaName, requireName];

/**
 * The calls to `require` esbuild writes for the imports it converts: `__toESM(require(`, the
 * dynamic `Promise.resolve().then(() => require(` and a static `var import_x = require(` or
 * `__reExport(x, require(`. An ES module may bind `require` itself (emscripten's output declares
 * `var require = createRequire(import.meta.url)` inside the function that then imports
 * `node:module`, and its direct `eval` keeps esbuild from renaming it): a converted `import()` there
 * would call that binding, still undefined (a new PGlite user's freshImport failed: `require is not
 * a function`). They call the view's `require` by its own name instead.
 */
const convertedRequire = /(__toESM\d*\(|Promise\.resolve\(\)\.then\(\(\) => |^var [\w$]+ = |__reExport\([\w$]+, )require\(/gm;

/** `code`, converted by esbuild, with its imports calling the view's `require` by {@link requireName}. */
function ownRequire(code: string): string {
  return code.replace(convertedRequire, `$1${requireName}(`);
}

type ModuleFunction = (...args: unknown[]) => unknown;

/** Converted and compiled once per thread, shared by every copy of this module. */
const compiled = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.fresh-import.compiled')] ??= new Map()) as Map<string, ModuleFunction>;

/** The ES module `filename` as a function of {@link parameters}, converted and compiled once. */
function moduleFunctionOf(filename: string): ModuleFunction {
  let fn = compiled.get(filename);
  if (fn === undefined) {
    fn = compileModule(filename);
    compiled.set(filename, fn);
  }
  return fn;
}

function compileModule(filename: string): ModuleFunction {
  let code: string;
  try {
    // esbuild converts a file it takes for `.mjs` in its Node mode, where an import's default is
    // whatever `require` returns: here a namespace marked `__esModule` (asImported), whose
    // `default` is the value. Named as `.js`, every file is converted one way, the value's.
    code = transformSync(readFileSync(filename, 'utf8'), {
      format: 'cjs', loader: 'js', platform: 'node', target: 'node20', sourcefile: filename.replace(/\.mjs$/, '.js'),
      supported: { 'dynamic-import': false }, define: { 'import.meta': metaName }, logLevel: 'silent',
    }).code;
  } catch (error) {
    const reason = (error as { errors?: { text: string }[] }).errors?.[0]?.text ?? String(error);
    throw new FreshImportError(`${filename} cannot be loaded afresh: ${reason}`);
  }
  // One line: "use strict" makes the function strict, as a module is, and keeps line numbers.
  return vm.compileFunction(`"use strict";${ownRequire(code)}`, parameters, {
    filename,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }) as ModuleFunction;
}

const nodeRequire = createRequire(import.meta.url);

/** JSON text read once per thread. */
const jsonTexts = new Map<string, string>();

/**
 * What an ES module's converted `import` of a non-ES module must see to follow Node: a namespace
 * marked `__esModule` (so esbuild's interop takes it as it is, without copying it at every import
 * site) whose `default` is the value, even a value marked `__esModule` itself (Babel's
 * convention, which Node ignores), and whose other keys read the value's own keys, live.
 */
function asImported(value: unknown, defaultOnly = false): Record<string, unknown> {
  const namespace: Record<string, unknown> = Object.defineProperty({}, '__esModule', { value: true });
  namespace.default = value;
  if (!defaultOnly && ((typeof value === 'object' && value !== null) || typeof value === 'function')) {
    for (const key of Object.keys(value)) {
      // The marker is the namespace's own; a value may carry it as a plain property (fast-sha256).
      if (key !== 'default' && key !== '__esModule') Object.defineProperty(namespace, key, { get: () => (value as Record<string, unknown>)[key], enumerable: true });
    }
  }
  return namespace;
}

/** Built-in modules as imported (see {@link asImported}), once per thread: their getters read Node's objects, so the facade's routes stay live. */
const builtinNamespaces = new Map<string, Record<string, unknown>>();

function builtinImported(url: string): Record<string, unknown> {
  let namespace = builtinNamespaces.get(url);
  if (namespace === undefined) {
    namespace = asImported(nodeRequire(url));
    builtinNamespaces.set(url, namespace);
  }
  return namespace;
}

/** A namespace as `import()` gives it: for a non-ES module, the value as `default` and its keys. */
function namespaceOf(value: unknown): Record<string, unknown> {
  const namespace: Record<string, unknown> = { default: value };
  if ((typeof value === 'object' || typeof value === 'function') && value !== null) {
    for (const key of Object.keys(value)) if (key !== 'default') namespace[key] = (value as Record<string, unknown>)[key];
  }
  return namespace;
}

/** The npm package a file belongs to (`name` or `@scope/name` after the last `node_modules`), if any. */
function packageNameOf(url: string): string | undefined {
  const marker = '/node_modules/';
  const cut = url.lastIndexOf(marker);
  if (cut < 0) return undefined;
  const parts = url.slice(cut + marker.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * One process's view of a module graph: every module in it evaluated once, afresh; except the
 * packages it shares, which come from the thread's shared view (see {@link freshImport}'s `share`).
 */
class FreshView {
  readonly #modules = new Map<string, { exports: unknown }>();
  readonly #commonJs = new FreshCommonJs();
  /** CommonJS and JSON modules as imported, once per view. */
  readonly #imported = new Map<string, Record<string, unknown>>();

  /**
   * @param shares - whether a file's module comes from the shared view
   * @param sharedView - the thread's view of shared packages (undefined: this is it, and it
   * evaluates what it is asked for once, CommonJS through Node's own cache)
   */
  constructor(
    private readonly shares: (url: string) => boolean,
    private readonly sharedView: FreshView | undefined,
  ) {}

  /** What `import specifier` from the module at `parentUrl` gives a converted module. */
  require(specifier: string, parentUrl: string): unknown {
    const { url, format } = resolveImport(specifier, parentUrl);
    if (format === 'builtin') return builtinImported(url);
    if (this.#fromSharedView(url)) return this.sharedView!.require(specifier, parentUrl);
    if (format === 'module') return this.#evaluate(url);
    let namespace = this.#imported.get(url);
    if (namespace === undefined) {
      namespace = format === 'json' ? asImported(this.#json(url), true) : asImported(this.#commonJsExports(url));
      this.#imported.set(url, namespace);
    }
    return namespace;
  }

  /** The namespace of `specifier` from `parentUrl`, as `import()` would give it. */
  import(specifier: string, parentUrl: string): Record<string, unknown> {
    const { url, format } = resolveImport(specifier, parentUrl);
    if (format !== 'builtin' && this.#fromSharedView(url)) return this.sharedView!.import(specifier, parentUrl);
    if (format === 'module') return this.#evaluate(url) as Record<string, unknown>;
    if (format === 'json') return { default: this.#json(url) };
    return namespaceOf(format === 'builtin' ? nodeRequire(url) : this.#commonJsExports(url));
  }

  /**
   * Whether the file at `url` comes from the thread's shared view. The shared view is reached
   * through its public methods, not its private ones: a copy of this module from the source and
   * one from dist may share it in one thread, and private names are per class.
   */
  #fromSharedView(url: string): boolean {
    return this.sharedView !== undefined && this.shares(url);
  }

  /** A CommonJS file's exports: fresh in a process's view, Node's cached instance in the shared one. */
  #commonJsExports(url: string): unknown {
    const filename = fileURLToPath(url);
    return this.sharedView === undefined ? nodeRequire(filename) : this.#commonJs.load(filename);
  }

  #json(url: string): unknown {
    let text = jsonTexts.get(url);
    if (text === undefined) {
      text = readFileSync(fileURLToPath(url), 'utf8');
      jsonTexts.set(url, text);
    }
    return JSON.parse(text) as unknown;
  }

  /** The exports of the ES module at `url`, evaluated once in this view (a cycle sees them partial). */
  #evaluate(url: string): unknown {
    const present = this.#modules.get(url);
    if (present !== undefined) return present.exports;
    const filename = fileURLToPath(url);
    const fn = moduleFunctionOf(filename);
    const module = { exports: {} as unknown };
    this.#modules.set(url, module);
    const meta = { url, filename, dirname: dirname(filename), resolve: (specifier: string) => resolveImport(specifier, url).url };
    try {
      const require = (specifier: string): unknown => this.require(specifier, url);
      fn.call(undefined, module.exports, require, module, filename, dirname(filename), meta, require);
    } catch (error) {
      this.#modules.delete(url);
      throw error;
    }
    return module.exports;
  }
}

/** The thread's view of shared packages: each evaluated once per thread, by whichever call shares it first. */
const sharedView = ((globalThis as Record<symbol, unknown>)[Symbol.for('powercut.fresh-import.shared')] ??= new FreshView(() => false, undefined)) as FreshView;

/** Options of {@link freshImport}. */
export interface FreshImportOptions {
  /**
   * Packages (npm names) to load once per thread instead, with everything they import, shared by
   * every call: for big dependencies that keep no state a crash could leave wrong (a schema
   * validator, a date library), whose evaluation would otherwise dominate each incarnation (conf
   * over ajv: ~10 ms per view). Never share the package whose state is the point (its queue,
   * its lock). @defaultValue none
   */
  readonly share?: readonly string[];
}

/**
 * Imports a package (or file) afresh, as a restarted process would: every ES module of its graph
 * and every CommonJS package it imports is evaluated again, so module-level state (queues, locks,
 * caches) starts empty. Use it in a workload's `load` for an ES module library, as
 * {@link freshRequire} for a CommonJS one:
 * `load: () => freshImport('write-json-file', import.meta.url)`. Each call is a new view of the
 * graph: two calls share no module instance, except the packages named in `options.share`.
 * Each file is converted and compiled once per thread.
 * @param specifier - the package name, or a path or file URL relative to `from`
 * @param from - where to resolve it from: pass your workload's `import.meta.url`
 * @param options - packages to share across calls (see {@link FreshImportOptions})
 * @returns the module's namespace, as `import()` gives it
 * @throws FreshImportError for a module that cannot be loaded afresh (top-level `await`)
 */
export async function freshImport<T = Record<string, unknown>>(specifier: string, from: string | URL, options: FreshImportOptions = {}): Promise<T> {
  quietLoaderWarning();
  const parentUrl = from instanceof URL ? from.href : from.startsWith('file:') ? from : pathToFileURL(from).href;
  const share = new Set(options.share ?? []);
  const shares = (url: string): boolean => {
    const name = packageNameOf(url);
    return name !== undefined && share.has(name);
  };
  return new FreshView(shares, sharedView).import(specifier, parentUrl) as T;
}
