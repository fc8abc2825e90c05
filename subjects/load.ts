/**
 * Loading subjects by name: the one place that knows every kind of subject (an engine module,
 * the reference engine, a library workload module), used by the CLI, the API, worker threads
 * and the real-disk child processes alike, so each of them loads the same code from the same
 * plain-data {@link SubjectSpec}.
 *
 * A module is resolved against the working directory, as the user named it; its default export
 * (or an export named `engine` / `workload`) is the subject. Every failure is a
 * {@link SubjectLoadError} with a one-line message naming the module.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BasePlan, Subject, SubjectSpec } from '../harness/subject.ts';
import { referenceEngine } from '../sim/adapters/reference.ts';
import type { Engine } from '../sim/engine-contract.ts';
import { PlanFileError } from '../sim/plan-file.ts';
import type { Workload } from '../targets/workload.ts';
import { ensureTypeScript, isTypeScript } from './typescript.ts';

/** A subject module that cannot be loaded: missing, failing to import, or exporting something else. */
export class SubjectLoadError extends Error {
  override readonly name = 'SubjectLoadError';
  readonly code = 'SUBJECT_LOAD';
}

/** The first line of an error, for one-line messages. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0]!;
}

/** Imports `module` and returns the export that `pick` chooses. @throws {@link SubjectLoadError} */
async function importModule(module: string, flag: string): Promise<Record<string, unknown>> {
  const path = resolve(module);
  if (!existsSync(path)) throw new SubjectLoadError(`${flag} ${module}: no such file`);
  if (statSync(path).isDirectory()) throw new SubjectLoadError(`${flag} ${module}: is a folder, not a module`);
  try {
    if (isTypeScript(path)) await ensureTypeScript();
    return await import(pathToFileURL(path).href) as Record<string, unknown>;
  } catch (error) {
    throw new SubjectLoadError(`${flag} ${module}: cannot load it (${firstLine(error)})`);
  }
}

/**
 * A module's default export (or its export called `name`). A TypeScript or ESM-style module
 * compiled to CommonJS (a `.ts` file in a CommonJS project) arrives as `{ default: exports }`
 * whose `exports.default` is the real default export: it is unwrapped.
 */
function exported(exports: Record<string, unknown>, name: string): unknown {
  let value = exports['default'] ?? exports[name];
  for (let depth = 0; depth < 2 && typeof value === 'object' && value !== null; depth++) {
    const inner = value as Record<string, unknown>;
    if (!inner['__esModule'] && !('default' in inner && !('open' in inner))) break;
    value = inner['default'] ?? inner[name] ?? value;
  }
  return value;
}

/**
 * The engine exported by `module` (absent: the reference engine).
 * @throws {@link SubjectLoadError} when the module is missing or exports no engine
 */
export async function loadEngine(module?: string): Promise<Engine> {
  if (module === undefined) return referenceEngine;
  const exports = await importModule(module, '--engine');
  const engine = exported(exports, 'engine') as Partial<Engine> | undefined;
  if (looksLikeWorkload(engine)) throw new SubjectLoadError(`--engine ${module}: the default export is a library workload: give it with --target`);
  if (typeof engine !== 'object' || engine === null || typeof engine.name !== 'string' || typeof engine.open !== 'function') {
    throw new SubjectLoadError(`--engine ${module}: the default export is not an engine ({ name, open(env) }; see defineEngine)`);
  }
  return engine as Engine;
}

/**
 * The workload exported by `module`.
 * @throws {@link SubjectLoadError} when the module is missing or exports no workload
 */
export async function loadWorkload(module: string): Promise<Workload<unknown, unknown>> {
  // The facade's routes go in before the workload and its libraries load, so that a library
  // copying fs functions at import copies the routes (facade/install.ts).
  const { installFacadeRoutes } = await import('../facade/install.ts');
  installFacadeRoutes();
  const exports = await importModule(module, '--target');
  const workload = exported(exports, 'workload') as Partial<Workload<unknown, unknown>> | undefined;
  if (!looksLikeWorkload(workload) && typeof (workload as { open?: unknown } | undefined)?.open === 'function') {
    throw new SubjectLoadError(`--target ${module}: the default export is an engine, not a library workload: give it with --engine`);
  }
  if (typeof workload !== 'object' || workload === null || typeof workload.name !== 'string' || typeof workload.open !== 'function'
    || typeof workload.invariants !== 'function' || !Array.isArray(workload.operations) || typeof workload.initialState !== 'function') {
    throw new SubjectLoadError(`--target ${module}: the default export is not a workload ({ name, initialState, open, setup, operations, invariants }; see defineWorkload)`);
  }
  return workload as Workload<unknown, unknown>;
}

/** A workload has operations and invariants; an engine has neither. */
function looksLikeWorkload(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { operations?: unknown }).operations)
    && typeof (value as { invariants?: unknown }).invariants === 'function';
}

const loaded = new Map<string, Promise<Subject>>();

/**
 * The subject `spec` names, loaded once per thread.
 * @throws {@link SubjectLoadError}
 */
export function loadSubject(spec: SubjectSpec): Promise<Subject> {
  const key = JSON.stringify([spec.kind, spec.module ?? null]);
  let subject = loaded.get(key);
  if (subject === undefined) {
    // Each kind is imported when first needed: an engine campaign never loads the fs facade.
    subject = spec.kind === 'engine'
      ? Promise.all([loadEngine(spec.module), import('../scenarios/engine-subject.ts')])
        .then(([engine, { engineSubject }]) => engineSubject(engine, spec.module) as unknown as Subject)
      : Promise.all([loadWorkload(spec.module), import('../targets/subject.ts')])
        .then(([workload, { librarySubject }]) => librarySubject(workload, spec.module) as unknown as Subject);
    loaded.set(key, subject);
    subject.catch(() => loaded.delete(key));
  }
  return subject;
}

/**
 * The subject a plan document names: an engine plan (`powercut-plan`, its `engineModule` or the
 * reference engine) or a library workload's (`powercut-target-plan`, its `target`).
 * @throws PlanFileError when the document is neither
 */
export function specOfPlan(document: unknown, source: string): SubjectSpec {
  const plan = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  if (plan['format'] === 'powercut-plan') {
    const module = plan['engineModule'];
    if (module !== undefined && typeof module !== 'string') throw new PlanFileError(`${source}: engineModule must be a string`);
    return { kind: 'engine', module };
  }
  if (plan['format'] === 'powercut-target-plan') {
    if (typeof plan['target'] !== 'string' || plan['target'] === '') throw new PlanFileError(`${source}: target must be a non-empty string`);
    return { kind: 'library', module: plan['target'] };
  }
  throw new PlanFileError(`${source}: format must be "powercut-plan" or "powercut-target-plan", found ${JSON.stringify(plan['format'] ?? null)}`);
}

/**
 * Loads the subject a plan document names and checks the plan for it.
 * @param engineOverride - run engine plans on this engine module instead (as `--engine` says)
 * @throws PlanFileError, {@link SubjectLoadError}
 */
export async function openPlan(document: unknown, source: string, engineOverride?: string): Promise<{ subject: Subject<BasePlan>; plan: BasePlan }> {
  const named = specOfPlan(document, source);
  const spec: SubjectSpec = named.kind === 'engine' && engineOverride !== undefined ? { kind: 'engine', module: engineOverride } : named;
  const subject = await loadSubject(spec);
  return { subject, plan: subject.checkPlan(document, source) };
}
