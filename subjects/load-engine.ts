/**
 * Loading an engine module: the light half of load.ts, with nothing of the harness in it, so
 * that a real-disk child process (real/child.ts), which starts once per kill, loads only the
 * engine it runs. load.ts re-exports all of it; everything else imports it from there.
 *
 * A module is resolved against the working directory, as the user named it; its default export
 * (or an export named `engine`) is the engine. Every failure is a {@link SubjectLoadError} with
 * a one-line message naming the module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { referenceEngine } from '../sim/contract.ts';
import type { Engine } from '../sim/contract.ts';
import { ensureTypeScript, isTypeScript } from './typescript.ts';
// Not through harness/index.ts: this module is on the light path (no simulator) of the real-disk child.
import { watchEnvReads } from '../harness/env-reads.ts';

/** A subject module that cannot be loaded: missing, failing to import, or exporting something else. */
export class SubjectLoadError extends Error {
  override readonly name = 'SubjectLoadError';
  readonly code = 'SUBJECT_LOAD';
}

/** The first line of an error, for one-line messages. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0]!;
}

/** esbuild's first error in a TypeScript module that does not compile: `<file or stdin>:line:column: ERROR: what`. */
const esbuildError = /^.*:(\d+):(\d+): ERROR: (.*)$/m;

/** The line of the syntax error in the JavaScript file `path`, as `node --check` finds it (Node's own error does not say). */
function syntaxErrorLine(path: string): string | undefined {
  const checked = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8' });
  return /^.*:(\d+)$/m.exec(checked.stderr ?? '')?.[1];
}

/** Why `path` could not be imported, in one line: the first of the error's, and where a syntax error is. */
function loadFailure(error: unknown, path: string): string {
  const first = firstLine(error);
  if (!(error instanceof Error)) return first;
  const compiled = esbuildError.exec(error.message);
  if (compiled !== null) return `${error.name}: ${compiled[3]} (line ${compiled[1]}, column ${compiled[2]})`;
  if (error.name !== 'SyntaxError' || isTypeScript(path)) return first;
  const line = syntaxErrorLine(path);
  return line === undefined ? first : `${first} (line ${line})`;
}

/**
 * Imports `module` (named by `flag`, for messages) and returns its exports.
 * @param generation - 0 for the thread's first load; above, a load of the module's own file anew
 *   (its CommonJS cache entry dropped, its URL given a query), the modules it imports as loaded
 * @throws {@link SubjectLoadError}
 */
export async function importModule(module: string, flag: string, generation = 0): Promise<Record<string, unknown>> {
  const path = resolve(module);
  if (!existsSync(path)) throw new SubjectLoadError(`${flag} ${module}: no such file`);
  if (statSync(path).isDirectory()) throw new SubjectLoadError(`${flag} ${module}: is a folder, not a module`);
  try {
    if (isTypeScript(path)) await ensureTypeScript();
    watchEnvReads();
    if (generation > 0) delete createRequire(import.meta.url).cache[path];
    return await import(`${pathToFileURL(path).href}${generation > 0 ? `?powercut-load=${generation}` : ''}`) as Record<string, unknown>;
  } catch (error) {
    throw new SubjectLoadError(`${flag} ${module}: cannot load it (${loadFailure(error, path)})`);
  }
}

/**
 * A module's default export (or its export called `name`). A TypeScript or ESM-style module
 * compiled to CommonJS (a `.ts` file in a CommonJS project) arrives as `{ default: exports }`
 * whose `exports.default` is the real default export: it is unwrapped.
 */
export function exported(exports: Record<string, unknown>, name: string): unknown {
  let value = exports['default'] ?? exports[name];
  for (let depth = 0; depth < 2 && typeof value === 'object' && value !== null; depth++) {
    const inner = value as Record<string, unknown>;
    if (!inner['__esModule'] && !('default' in inner && !('open' in inner))) break;
    value = inner['default'] ?? inner[name] ?? value;
  }
  return value;
}

/**
 * The one-line refusal of a module that has neither a default export nor one called `name`, or
 * undefined: a user who wrote `export const engine2 = ...` read "the default export is not an
 * engine" of a module that had none.
 */
export function noSubjectExport(exports: Record<string, unknown>, flag: string, module: string, name: 'engine' | 'workload'): SubjectLoadError | undefined {
  if ('default' in exports || name in exports) return undefined;
  const names = Object.keys(exports).filter((key) => key !== '__esModule');
  const has = names.length === 0 ? 'it exports nothing' : `it exports ${names.join(', ')}`;
  return new SubjectLoadError(`${flag} ${module}: no default export (${has}): export the ${name} as the default, or as \`${name}\` (see define${name === 'engine' ? 'Engine' : 'Workload'})`);
}

/** A workload has operations and invariants; an engine has neither. */
export function looksLikeWorkload(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { operations?: unknown }).operations)
    && typeof (value as { invariants?: unknown }).invariants === 'function';
}

/**
 * The engine exported by `module` (absent: the reference engine).
 * @param generation - see {@link importModule}
 * @throws {@link SubjectLoadError} when the module is missing or exports no engine
 */
export async function loadEngine(module?: string, generation = 0): Promise<Engine> {
  if (module === undefined) return referenceEngine;
  const exports = await importModule(module, '--engine', generation);
  const engine = exported(exports, 'engine') as Partial<Engine> | undefined;
  if (looksLikeWorkload(engine)) throw new SubjectLoadError(`--engine ${module}: the default export is a library workload: give it with --target`);
  if (typeof engine !== 'object' || engine === null || typeof engine.name !== 'string' || typeof engine.open !== 'function') {
    throw noSubjectExport(exports, '--engine', module, 'engine') ?? new SubjectLoadError(`--engine ${module}: the default export is not an engine ({ name, open(env) }; see defineEngine)`);
  }
  if (engine.damage !== undefined && engine.damage !== 'point-in-time' && engine.damage !== 'detects') {
    throw new SubjectLoadError(`--engine ${module}: damage must be 'point-in-time' or 'detects', found ${JSON.stringify(engine.damage)}`);
  }
  if (engine.sectorWrites !== undefined && engine.sectorWrites !== 'torn' && engine.sectorWrites !== 'atomic') {
    throw new SubjectLoadError(`--engine ${module}: sectorWrites must be 'torn' or 'atomic', found ${JSON.stringify(engine.sectorWrites)}`);
  }
  return engine as Engine;
}

