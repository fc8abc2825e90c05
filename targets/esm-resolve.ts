/**
 * Node's ES module resolution, for {@link freshImport}'s own loader: where an `import` of a
 * specifier from a file leads, and what format the file is. It follows Node 20's algorithm
 * (https://nodejs.org/api/esm.html#resolution-algorithm-specification) for what libraries use:
 * relative and absolute URLs, `node:` and bare built-in names, packages found in `node_modules`
 * folders up the tree (and the package itself, by name), their `exports` and `imports` maps
 * (conditions `node`, `import`, `default`; subpath patterns with one `*`), and the legacy `main`
 * field with its file and index lookups. No extension lookup for relative specifiers, as in Node.
 *
 * Resolution reads the real disk (the library's own files), never the simulated one, and
 * remembers each answer for the thread: installed packages do not change under a campaign.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a resolved specifier is, and how it is evaluated. */
export type ResolvedFormat = 'builtin' | 'module' | 'commonjs' | 'json';

/** A resolved specifier: a built-in's name (`node:fs`) or a file URL, and its format. */
export interface Resolved {
  readonly url: string;
  readonly format: ResolvedFormat;
}

/** Thrown when a specifier leads nowhere; `code` is Node's code for the same failure. */
export class EsmResolveError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'EsmResolveError';
    this.code = code;
  }
}

/** The conditions Node 20 matches for `import`, in no particular order (the map's order decides). */
const conditions: ReadonlySet<string> = new Set(['node', 'import', 'node-addons', 'default']);

interface PackageJson {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly main?: unknown;
  readonly exports?: unknown;
  readonly imports?: unknown;
}

const packageJsons = new Map<string, PackageJson | null>();
const resolutions = new Map<string, Resolved>();

function readPackageJson(dir: string): PackageJson | null {
  let json = packageJsons.get(dir);
  if (json === undefined) {
    const file = join(dir, 'package.json');
    json = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackageJson) : null;
    packageJsons.set(dir, json);
  }
  return json;
}

/** The folder of the nearest package.json above `file`, and its contents, or undefined. */
function nearestPackage(file: string): { readonly dir: string; readonly json: PackageJson } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const json = readPackageJson(dir);
    if (json !== null) return { dir, json };
    if (dirname(dir) === dir) return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The format of a resolved file, by its extension and its package's `type`. */
export function formatOf(file: string): ResolvedFormat {
  if (file.endsWith('.mjs')) return 'module';
  if (file.endsWith('.cjs')) return 'commonjs';
  if (file.endsWith('.json')) return 'json';
  if (file.endsWith('.js')) return nearestPackage(file)?.json.type === 'module' ? 'module' : 'commonjs';
  throw new EsmResolveError('ERR_UNKNOWN_FILE_EXTENSION', `${file}: only .js, .mjs, .cjs and .json files can be loaded afresh`);
}

/**
 * Resolves `specifier` imported by the module at `parentUrl` (a file URL).
 * @throws EsmResolveError when it leads nowhere
 */
export function resolveImport(specifier: string, parentUrl: string): Resolved {
  const key = `${parentUrl}\0${specifier}`;
  let resolved = resolutions.get(key);
  if (resolved === undefined) {
    resolved = resolveUncached(specifier, parentUrl);
    resolutions.set(key, resolved);
  }
  return resolved;
}

function resolveUncached(specifier: string, parentUrl: string): Resolved {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) {
    return { url: specifier.startsWith('node:') ? specifier : `node:${specifier}`, format: 'builtin' };
  }
  let file: string;
  if (specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../')) {
    file = fileURLToPath(new URL(specifier, parentUrl));
  } else if (specifier.startsWith('file:')) {
    file = fileURLToPath(specifier);
  } else if (specifier.startsWith('#')) {
    file = resolveImportsMap(specifier, fileURLToPath(parentUrl));
  } else {
    file = resolvePackage(specifier, fileURLToPath(parentUrl));
  }
  if (!isFile(file)) throw new EsmResolveError('ERR_MODULE_NOT_FOUND', `cannot find ${file} imported from ${parentUrl}`);
  return { url: pathToFileURL(file).href, format: formatOf(file) };
}

/** `name` and `./subpath` of a bare specifier (`@scope/name/sub` → `@scope/name`, `./sub`). */
function splitPackageSpecifier(specifier: string): { readonly name: string; readonly subpath: string } {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, length).join('/');
  if (name === '' || (length === 2 && parts.length < 2)) {
    throw new EsmResolveError('ERR_INVALID_MODULE_SPECIFIER', `${specifier} is not a valid package name`);
  }
  const rest = parts.slice(length).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

function resolvePackage(specifier: string, parentFile: string): string {
  const { name, subpath } = splitPackageSpecifier(specifier);
  const own = nearestPackage(parentFile);
  if (own !== undefined && own.json.name === name && own.json.exports !== undefined) {
    return resolveExports(own.dir, own.json.exports, subpath, specifier);
  }
  for (let dir = dirname(parentFile); ; dir = dirname(dir)) {
    const packageDir = join(dir, 'node_modules', name);
    const json = readPackageJson(packageDir);
    if (json !== null) {
      if (json.exports !== undefined && json.exports !== null) return resolveExports(packageDir, json.exports, subpath, specifier);
      return subpath === '.' ? legacyMain(packageDir, json) : join(packageDir, subpath);
    }
    if (dirname(dir) === dir) break;
  }
  throw new EsmResolveError('ERR_MODULE_NOT_FOUND', `cannot find package ${name} imported from ${parentFile}`);
}

/** Node's legacy main lookup: `main`, with `.js`, `.json`, `.node` or `/index.*`, then `index.js`. */
function legacyMain(packageDir: string, json: PackageJson): string {
  if (typeof json.main === 'string') {
    const main = join(packageDir, json.main);
    for (const candidate of [main, `${main}.js`, `${main}.json`, `${main}.node`, join(main, 'index.js'), join(main, 'index.json')]) {
      if (isFile(candidate)) return candidate;
    }
  }
  return join(packageDir, 'index.js');
}

function resolveExports(packageDir: string, exports: unknown, subpath: string, specifier: string): string {
  const map = isSubpathMap(exports) ? (exports as Record<string, unknown>) : { '.': exports };
  const target = matchMap(packageDir, map, subpath, false);
  if (target === undefined) {
    throw new EsmResolveError('ERR_PACKAGE_PATH_NOT_EXPORTED', `${subpath} is not exported by ${packageDir} (imported as ${specifier})`);
  }
  return target;
}

function resolveImportsMap(specifier: string, parentFile: string): string {
  const own = nearestPackage(parentFile);
  const imports = own?.json.imports;
  const target = own !== undefined && typeof imports === 'object' && imports !== null
    ? matchMap(own.dir, imports as Record<string, unknown>, specifier, true)
    : undefined;
  if (target === undefined) throw new EsmResolveError('ERR_PACKAGE_IMPORT_NOT_DEFINED', `${specifier} is not defined by the imports of ${parentFile}'s package`);
  return target;
}

/** An exports value whose keys are subpaths (`.`, `./x`) rather than conditions. */
function isSubpathMap(exports: unknown): boolean {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return false;
  return Object.keys(exports).some((key) => key.startsWith('.'));
}

/** An exact key first, then the pattern with the longest prefix before its `*`. */
function matchMap(packageDir: string, map: Record<string, unknown>, subpath: string, isImports: boolean): string | undefined {
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) return resolveTarget(packageDir, map[subpath], undefined, isImports);
  let best: { key: string; match: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0 || key.indexOf('*', star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length < key.length || !subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    if (best === undefined || prefix.length > best.key.indexOf('*')) {
      best = { key, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === undefined ? undefined : resolveTarget(packageDir, map[best.key], best.match, isImports);
}

/** A target of an exports or imports map: a path, an array of fallbacks, or conditions. */
function resolveTarget(packageDir: string, target: unknown, match: string | undefined, isImports: boolean): string | undefined {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) {
      if (isImports && !target.startsWith('/') && !target.includes(':')) return resolvePackage(target, join(packageDir, 'package.json'));
      throw new EsmResolveError('ERR_INVALID_PACKAGE_TARGET', `${packageDir}: invalid target ${target}`);
    }
    return join(packageDir, match === undefined ? target : target.replaceAll('*', match));
  }
  if (Array.isArray(target)) {
    for (const option of target) {
      try {
        const resolved = resolveTarget(packageDir, option, match, isImports);
        if (resolved !== undefined) return resolved;
      } catch (error) {
        if (!(error instanceof EsmResolveError) || error.code !== 'ERR_INVALID_PACKAGE_TARGET') throw error;
      }
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.has(condition)) continue;
      const resolved = resolveTarget(packageDir, value, match, isImports);
      if (resolved !== undefined) return resolved;
    }
  }
  return undefined;
}
