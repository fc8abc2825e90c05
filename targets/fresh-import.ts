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
const parameters = ['exports', 'require', 'module', '__filename', '__dirname', metaName];

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
    code = transformSync(readFileSync(filename, 'utf8'), {
      format: 'cjs', loader: 'js', platform: 'node', target: 'node20', sourcefile: filename,
      supported: { 'dynamic-import': false }, define: { 'import.meta': metaName }, logLevel: 'silent',
    }).code;
  } catch (error) {
    const reason = (error as { errors?: { text: string }[] }).errors?.[0]?.text ?? String(error);
    throw new FreshImportError(`${filename} cannot be loaded afresh: ${reason}`);
  }
  // One line: "use strict" makes the function strict, as a module is, and keeps line numbers.
  return vm.compileFunction(`"use strict";${code}`, parameters, {
    filename,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }) as ModuleFunction;
}

const nodeRequire = createRequire(import.meta.url);

/** JSON text read once per thread. */
const jsonTexts = new Map<string, string>();

/**
 * What an ES module's converted `import` of a non-ES module must see to follow Node: the value as
 * the default export and its own keys as named ones. esbuild's interop already does that for a
 * plain value; one marked `__esModule` (Babel's convention, which Node ignores) is wrapped.
 */
function asImported(value: unknown, defaultOnly = false): unknown {
  const marked = (typeof value === 'object' || typeof value === 'function') && value !== null
    && (value as { __esModule?: unknown }).__esModule === true;
  if (!marked && !defaultOnly) return value;
  const namespace: Record<string, unknown> = Object.defineProperty({}, '__esModule', { value: true });
  namespace.default = value;
  if (!defaultOnly) {
    for (const key of Object.keys(value as object)) {
      if (key !== 'default') Object.defineProperty(namespace, key, { get: () => (value as Record<string, unknown>)[key], enumerable: true });
    }
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

/** One process's view of a module graph: every module in it evaluated once, afresh. */
class FreshView {
  readonly #modules = new Map<string, { exports: unknown }>();
  readonly #commonJs = new FreshCommonJs();

  /** What `import specifier` from the module at `parentUrl` gives a converted module. */
  require(specifier: string, parentUrl: string): unknown {
    const { url, format } = resolveImport(specifier, parentUrl);
    switch (format) {
      case 'builtin':
        return nodeRequire(url);
      case 'json':
        return asImported(this.#json(url), true);
      case 'commonjs':
        return asImported(this.#commonJs.load(fileURLToPath(url)));
      case 'module':
        return this.#evaluate(url);
    }
  }

  /** The namespace of `specifier` from `parentUrl`, as `import()` would give it. */
  import(specifier: string, parentUrl: string): Record<string, unknown> {
    const { url, format } = resolveImport(specifier, parentUrl);
    if (format === 'module') return this.#evaluate(url) as Record<string, unknown>;
    if (format === 'json') return { default: this.#json(url) };
    return namespaceOf(format === 'builtin' ? nodeRequire(url) : this.#commonJs.load(fileURLToPath(url)));
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
      fn.call(undefined, module.exports, (specifier: string) => this.require(specifier, url), module, filename, dirname(filename), meta);
    } catch (error) {
      this.#modules.delete(url);
      throw error;
    }
    return module.exports;
  }
}

/**
 * Imports a package (or file) afresh, as a restarted process would: every ES module of its graph
 * and every CommonJS package it imports is evaluated again, so module-level state (queues, locks,
 * caches) starts empty. Use it in a workload's `load` for an ES module library, as
 * {@link freshRequire} for a CommonJS one:
 * `load: () => freshImport('write-json-file', import.meta.url)`. Each call is a new view of the
 * graph: two calls share no module instance. Each file is converted and compiled once per thread.
 * @param specifier - the package name, or a path or file URL relative to `from`
 * @param from - where to resolve it from: pass your workload's `import.meta.url`
 * @returns the module's namespace, as `import()` gives it
 * @throws FreshImportError for a module that cannot be loaded afresh (top-level `await`)
 */
export async function freshImport<T = Record<string, unknown>>(specifier: string, from: string | URL): Promise<T> {
  const parentUrl = from instanceof URL ? from.href : from.startsWith('file:') ? from : pathToFileURL(from).href;
  return new FreshView().import(specifier, parentUrl) as T;
}
