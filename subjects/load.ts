/**
 * Loading subjects by name: the one place that knows every kind of subject (an engine module,
 * the reference engine, a library workload module), used by the CLI, the API, worker threads
 * and the real-disk harnesses alike, so each of them loads the same code from the same
 * plain-data {@link SubjectSpec}. Engines load through its light half, load-engine.ts, which a
 * real-disk child process imports alone (it starts once per kill).
 *
 * A module is resolved against the working directory, as the user named it; its default export
 * (or an export named `engine` / `workload`) is the subject. Every failure is a
 * {@link SubjectLoadError} with a one-line message naming the module.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { readsDuring, watchRuns, type BasePlan, type Subject, type SubjectSpec } from '../harness/index.ts';
import { PlanFileError } from '../sim/index.ts';
import type { Workload } from '../targets/index.ts';
import { workloadProblems } from './workload-shape.ts';
import { exported, importModule, noSubjectExport, loadEngine, looksLikeWorkload, SubjectLoadError } from './load-engine.ts';

export { loadEngine, SubjectLoadError };

/**
 * The workload exported by `module`.
 * @throws {@link SubjectLoadError} when the module is missing or exports no workload
 */
export async function loadWorkload(module: string, generation = 0): Promise<Workload<unknown, unknown>> {
  // The facade's routes go in before the workload and its libraries load, so that a library
  // copying fs functions at import copies the routes (facade/install.ts).
  const { installFacadeRoutes } = await import('../facade/index.ts');
  installFacadeRoutes();
  // So are the notes of native addons, whose I/O the facade never sees (targets/native-addons.ts).
  const { watchNativeAddons } = await import('../targets/index.ts');
  watchNativeAddons();
  const exports = await importModule(module, '--target', generation);
  const workload = exported(exports, 'workload') as Partial<Workload<unknown, unknown>> | undefined;
  if (!looksLikeWorkload(workload) && looksLikeEngine(workload)) {
    throw new SubjectLoadError(`--target ${module}: the default export is an engine, not a library workload: give it with --engine`);
  }
  const problems = workloadProblems(workload);
  if (problems.length > 0) {
    throw noSubjectExport(exports, '--target', module, 'workload') ?? new SubjectLoadError(`--target ${module}: the default export is not a workload: ${problems.join('; ')} (see defineWorkload)`);
  }
  return workload as Workload<unknown, unknown>;
}

/** Fields only a workload has: an export with any of them is a workload with something wrong, not an engine. */
const workloadFields = ['initialState', 'operations', 'invariants', 'setup', 'idleMs'];

/** An engine: `open`, and no field only a workload has. */
function looksLikeEngine(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || typeof (value as { open?: unknown }).open !== 'function') return false;
  return !workloadFields.some((field) => field in value);
}

/** A subject loaded in this thread: what its module read from the environment as it loaded, and how many times it was loaded. */
interface Loaded {
  readonly subject: Promise<Subject>;
  /** Each name the module's code read as it loaded, with the value it had then (filled once loaded). */
  readonly env: Map<string, string | undefined>;
  readonly generation: number;
}

const loaded = new Map<string, Loaded>();

/**
 * The subject `spec` names, loaded once per thread, and again when a variable its module read as
 * it loaded has another value now: an engine that reads `LSM_BUG` at its top, tested clean, then
 * with `LSM_BUG` set in the next test of the same file, passed again (a new user's silent false
 * pass). The module's own file is loaded anew; when that does not read the variable again (a
 * module it imports does, which Node loads once per thread), the load fails in one line.
 * @throws {@link SubjectLoadError}
 */
export function loadSubject(spec: SubjectSpec): Promise<Subject> {
  const key = JSON.stringify([spec.kind, spec.module ?? null, spec.looks ?? null]);
  const known = loaded.get(key);
  const changed = known === undefined ? [] : [...known.env].filter(([name, value]) => process.env[name] !== value);
  if (known !== undefined && changed.length === 0) return known.subject;
  const generation = known === undefined ? 0 : known.generation + 1;
  const env = new Map<string, string | undefined>();
  // Each kind is imported when first needed: an engine campaign never loads the fs facade.
  // powercut's own modules are loaded before the user's, never alongside: a CommonJS subject
  // that calls require('powercut') loads the package synchronously (Node's require of an ES
  // module), which throws (`reading 'getStatus'`) if one of its modules is still being
  // loaded by an import() in flight.
  const subject = readsDuring(() => subjectOf(spec, generation)).then(({ value: made, names }) => {
    const stale = changed.find(([name]) => !names.has(name));
    if (stale !== undefined) throw staleLoad(spec, stale);
    for (const name of names) env.set(name, process.env[name]);
    // Every run watched when a watchdog runs (harness/watchdog.ts): code that spins never hangs a campaign.
    return watchRuns(made);
  });
  loaded.set(key, { subject, env, generation });
  // A failed first load is forgotten. A failed load anew leaves the load before it in place, whose
  // variables still differ: the next call fails again, rather than taking that module as it is.
  subject.catch(() => (known === undefined ? loaded.delete(key) : loaded.set(key, known)));
  return subject;
}

/** The subject `spec` names, its module loaded (anew when `generation` is above 0). */
async function subjectOf(spec: SubjectSpec, generation: number): Promise<Subject> {
  if (spec.kind === 'engine') {
    const { engineSubject } = await import('../scenarios/engine-subject.ts');
    return engineSubject(await loadEngine(spec.module, generation), spec.module, { looks: spec.looks }) as unknown as Subject;
  }
  const { librarySubject } = await import('../targets/index.ts');
  return librarySubject(await loadWorkload(spec.module!, generation), spec.module, { looks: spec.looks }) as unknown as Subject;
}

/** A module that read `name` (then `was`) as it first loaded, and does not read it again when loaded anew. */
function staleLoad(spec: SubjectSpec, [name, was]: readonly [string, string | undefined]): SubjectLoadError {
  const shown = (value: string | undefined): string => (value === undefined ? 'unset' : JSON.stringify(value));
  return new SubjectLoadError(`${spec.kind === 'engine' ? '--engine' : '--target'} ${spec.module ?? ''}: ${name} was ${shown(was)} when this thread first loaded it, and is ${shown(process.env[name])} now, but loading it anew does not read ${name} again (a module it imports does, and Node loads that once per thread), so its runs would test the code as first loaded: read ${name} when the ${spec.kind === 'engine' ? 'engine opens' : 'workload opens'} rather than when a module loads, or test each value in a test file of its own`);
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
 * Where the module a plan names is: as written, from the working directory (the plan was made
 * there, usually a project's root); else from the plan file's folder or the nearest folder above
 * it that has it, so that a plan kept in a project (`test/regressions/bug.json` naming
 * `./src/engine.ts`) replays from anywhere.
 * @throws {@link SubjectLoadError} when none has it
 */
function planModule<S extends SubjectSpec>(spec: S, source: string): S {
  const module = spec.module;
  if (module === undefined || isAbsolute(module) || existsSync(resolve(module))) return spec;
  for (let dir = dirname(resolve(source)); ; dir = dirname(dir)) {
    const found = resolve(dir, module);
    if (existsSync(found)) return { ...spec, module: relative(process.cwd(), found) };
    if (dirname(dir) === dir) break;
  }
  const field = spec.kind === 'engine' ? 'engineModule' : 'target';
  const override = spec.kind === 'engine' ? '; or give the engine with --engine FILE' : '';
  throw new SubjectLoadError(`${source}: the plan's ${field} ${module} is neither in the working directory nor in the plan's folder or one above it: replay it from the folder it was made in${override}`);
}

/** Another subject to run a plan on than the one it names (`--engine FILE` / `--target FILE`). */
export interface PlanOverride {
  /** Run an engine plan on this engine module. */
  readonly engine?: string | undefined;
  /** Run a library workload's plan on this workload module. */
  readonly target?: string | undefined;
  /**
   * Let the `target` module export a workload of another name (a fixed copy of the one the plan
   * was made for): the plan is run as that workload's. Without it such a module is refused.
   */
  readonly renameWorkload?: boolean;
}

/** What {@link openPlan} opened. */
export interface OpenedPlan {
  readonly subject: Subject<BasePlan>;
  readonly plan: BasePlan;
  /** Set when the plan runs on another workload than the one it names: one line saying so. */
  readonly note?: string;
}

/**
 * The subject a plan document names, with the module found where {@link planModule} looks.
 * @throws PlanFileError, {@link SubjectLoadError}
 */
export function locatePlanSubject(document: unknown, source: string): SubjectSpec {
  return planModule(specOfPlan(document, source), source);
}

/**
 * Loads the subject a plan document names (or the one `override` gives) and checks the plan for it.
 * @param override - run the plan on this engine or workload module instead (as `--engine` or
 *   `--target` say)
 * @throws PlanFileError, {@link SubjectLoadError}
 */
export async function openPlan(document: unknown, source: string, override: PlanOverride = {}): Promise<OpenedPlan> {
  const { engine, target, renameWorkload } = override;
  const named = specOfPlan(document, source);
  if (named.kind === 'library' && engine !== undefined) throw new PlanFileError(`${source}: the plan is a library workload's (target ${named.module ?? '?'}): give the module to run it on with --target, not --engine`);
  if (named.kind === 'engine' && target !== undefined) throw new PlanFileError(`${source}: the plan is an engine's: give the engine to run it on with --engine, not --target`);
  if (named.kind === 'engine') {
    const subject = await loadSubject(engine === undefined ? planModule(named, source) : { kind: 'engine', module: engine });
    const plan = subject.checkPlan(document, source);
    // Run on another engine, the plan names that one, as what replay prints and what it writes must.
    return { subject, plan: engine === undefined ? plan : { ...plan, engineModule: engine } as BasePlan };
  }
  if (target === undefined) {
    const subject = await loadSubject(planModule(named, source));
    return { subject, plan: subject.checkPlan(document, source) };
  }
  const subject = await loadSubject({ kind: 'library', module: target });
  const planned = (document as { workload?: unknown }).workload;
  const renamed = renameWorkload === true && typeof planned === 'string' && planned !== subject.name;
  const checked = subject.checkPlan(renamed ? { ...(document as object), workload: subject.name } : document, source);
  const plan = { ...checked, target } as BasePlan;
  if (!renamed) return { subject, plan };
  return { subject, plan, note: `${source}: the plan was made for workload ${JSON.stringify(planned)} (${named.module ?? '?'}); running it on ${JSON.stringify(subject.name)} (${target})` };
}
