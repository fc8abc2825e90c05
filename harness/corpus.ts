/**
 * The regression corpus: every shrunk plan of a bug ever found, kept in a folder of JSON files
 * (powercut's own: `scenarios/regressions/`) and replayed on every CI run, so a bug once fixed
 * stays fixed. A plan of any subject may be kept (an engine plan names its engine module, a
 * library plan its workload module).
 *
 * Each file is one entry:
 * `{ "format": "powercut-regression", "version": 1, "name", "found", "plan" }`, where `found`
 * says what the bug was and which engine change fixed it, and `plan` is a complete plan with
 * explicit faults (rates 0), so its replay does not depend on how rates are drawn.
 *
 * What a replay proves: the current engine passes a plan that made an earlier (or planted) engine
 * fail. It does not prove the plan still reaches the same code: an engine change that shifts the
 * I/O sequence can move the scheduled faults off the operations they hit (shrink.ts re-anchors
 * when shrinking; the corpus does not), which is why entries are kept small.
 */
import { basename, join } from 'node:path';
import { listDirectory, readTextFile } from '../sim/index.ts';
import { wallClockMs } from '../sim/index.ts';
import type { PlanFinding, RunViolation } from '../sim/index.ts';
import type { BasePlan, Subject } from './subject.ts';
import { envChangedSince, envHere, envRead } from './env-reads.ts';

/** One corpus entry as stored. */
export interface RegressionEntry {
  readonly format: 'powercut-regression';
  readonly version: 1;
  readonly name: string;
  /** What the bug was, and which engine change fixed it. */
  readonly found: string;
  readonly plan: BasePlan;
}

/** A corpus file that is not a valid entry: the CLI's exit code 2. */
export class CorpusInputError extends Error {
  override readonly name = 'CorpusInputError';
  readonly code = 'CORPUS_INPUT';
}

/** The replay of one entry. */
export interface RegressionResult {
  readonly file: string;
  readonly name: string;
  /** The plan's unit and seed (for reports). */
  readonly scenario: string;
  readonly seed: number;
  readonly violations: readonly RunViolation[];
  /** Scheduled faults of the plan that never fired (`kind@io`): the plan no longer reaches its I/O. */
  readonly unfired: readonly string[];
  readonly digest: string;
  readonly elapsedMs: number;
  /** The module of the engine or workload the plan ran on; absent for the reference engine. */
  readonly module?: string;
  /** What that module is: an engine (`--engine`) or a library workload (`--target`). */
  readonly kind?: 'engine' | 'library';
  /**
   * The variables the plan was found with whose value differs now, as shell assignments
   * (`COW_BUG=free-early`): a plan of a planted bug passes without its switch, testing other code.
   */
  readonly envMissing?: string;
  /** With {@link envMissing}: how this run has them (`here COW_BUG=none`, `here COW_BUG is not set`). */
  readonly envHere?: string;
}

/**
 * Scheduled faults of `plan` that never fired in its run (`kind@io`, `kind@step N+k`): a plan that
 * promised a fault it did not deliver tested less than it says (the code it was shrunk on changed
 * its I/O). What the run counted (RunResult.unfiredScheduled), else what `faultsFired` lacks.
 */
export function unfiredFaults(plan: BasePlan, result: { readonly faultsFired: readonly { readonly io: number; readonly kind: string }[]; readonly unfiredScheduled?: readonly string[] }): string[] {
  if (result.unfiredScheduled !== undefined) return [...result.unfiredScheduled];
  const firedKeys = new Set(result.faultsFired.map((fault) => `${fault.kind}@${fault.io}`));
  return (plan.faults.scheduled ?? []).map((fault) => `${fault.kind}@${fault.io}`).filter((key) => !firedKeys.has(key));
}

/** Unfired faults as messages list them: the first five, then `...`. */
export function unfiredList(unfired: readonly string[]): string {
  return `${unfired.slice(0, 5).join(', ')}${unfired.length > 5 ? ', ...' : ''}`;
}

/** The default corpus folder, relative to the working directory. */
export const corpusDirDefault = 'scenarios/regressions';

/** Loads the subject a plan document belongs to and checks the plan (the top layer knows every kind). */
export type PlanOpener = (document: unknown, source: string) => Promise<{ readonly subject: Subject<BasePlan>; readonly plan: BasePlan }>;

/**
 * Checks that `value` is a corpus entry, or a bare plan (which becomes one named after its file).
 * The plan itself is checked when it is opened for its subject.
 * @param file - named in the error
 * @throws {@link CorpusInputError} naming the first problem
 */
export function parseEntry(value: unknown, file: string): RegressionEntry {
  const fail = (why: string): never => {
    throw new CorpusInputError(`${file}: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const entry = value as Record<string, unknown>;
  if (typeof entry.format === 'string' && entry.format !== 'powercut-regression' && typeof entry.seed === 'number') {
    return regressionEntry(basename(file, '.json'), `the plan in ${basename(file)}`, value as BasePlan);
  }
  if (entry.format !== 'powercut-regression') fail('format is not "powercut-regression" (nor a plan)');
  if (entry.version !== 1) fail(`unsupported version ${String(entry.version)}`);
  if (typeof entry.name !== 'string' || entry.name === '') fail('name is missing');
  if (typeof entry.found !== 'string' || entry.found === '') fail('found is missing');
  const plan = entry.plan as Record<string, unknown> | undefined;
  if (typeof plan !== 'object' || plan === null || typeof plan.format !== 'string') fail('plan is not a powercut plan');
  return value as RegressionEntry;
}

/**
 * Loads every `*.json` entry of `dir`, sorted by file name; `dir` may also be one plan file, a
 * corpus of one (a CoW user's `ci --corpus test/regressions/free-early.json` was an internal error).
 * @returns entries with their file names; none when the folder does not exist
 * @throws {@link CorpusInputError} for an unreadable or invalid entry
 */
export async function loadCorpus(dir: string): Promise<{ file: string; entry: RegressionEntry }[]> {
  let names: string[];
  try {
    names = (await listDirectory(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') return [await corpusEntry(dir)];
    throw error;
  }
  const entries: { file: string; entry: RegressionEntry }[] = [];
  for (const name of names) entries.push(await corpusEntry(join(dir, name)));
  return entries;
}

/** The corpus entry (or plan) in `file`. @throws {@link CorpusInputError} */
async function corpusEntry(file: string): Promise<{ file: string; entry: RegressionEntry }> {
  let value: unknown;
  try {
    value = JSON.parse(await readTextFile(file));
  } catch (error) {
    throw new CorpusInputError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { file, entry: parseEntry(value, file) };
}

/**
 * Replays every entry of the corpus in `dir`, each against the subject its plan names.
 * @returns one result per file, in file-name order (none for a missing or empty folder: the
 *   caller must say that nothing was replayed)
 * @throws {@link CorpusInputError} for an invalid entry; what `open` throws for a bad plan
 */
export async function replayCorpus(dir: string, open: PlanOpener): Promise<RegressionResult[]> {
  const results: RegressionResult[] = [];
  for (const { file, entry } of await loadCorpus(dir)) {
    const started = wallClockMs();
    const { subject, plan } = await open(entry.plan, `${file} (plan)`);
    const result = await subject.run(plan);
    const missing = envChangedSince(plan.found?.env);
    results.push({
      file, name: entry.name, scenario: subject.unitOf(plan), seed: plan.seed, violations: result.violations,
      unfired: unfiredFaults(plan, result), digest: result.digest, elapsedMs: wallClockMs() - started,
      ...(missing === '' ? {} : { envMissing: missing.trim(), envHere: envHere(plan.found?.env) }),
      ...(subject.spec.module === undefined ? {} : { module: subject.spec.module, kind: subject.spec.kind }),
    });
  }
  return results;
}

/** Keys printed first, in this order; any other key follows in alphabetical order. */
const keyOrder = [
  'format', 'version', 'name', 'found', 'scenario', 'target', 'workload', 'seed', 'engineModule', 'engine', 'faults', 'latency', 'steps', 'operations', 'crashStates', 'looks',
  'looksAtOtherStates', 'livenessCommits', 'stepsMax', 'op', 'kind', 'type', 'key', 'value', 'batch', 'batches', 'io', 'arg', 'rates', 'plan',
];

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (typeof value !== 'object' || value === null) return value;
  const rank = (key: string): number => {
    const at = keyOrder.indexOf(key);
    return at < 0 ? keyOrder.length : at;
  };
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, ordered((value as Record<string, unknown>)[key])]));
}

/**
 * JSON text with a stable key order (plan fields first, in their declared order), pretty
 * printed, ending with a newline: the same plan always gives the same bytes.
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(ordered(value), null, 2)}\n`;
}

/** What a plan saved for `violation` records of it (`found`): its invariant and message, and the variables the code read that are set. */
export function findingOf(violation: { readonly invariant: string; readonly message: string }): PlanFinding {
  const env = envRead();
  return { invariant: violation.invariant, message: violation.message, ...(Object.keys(env).length > 0 ? { env } : {}) };
}

/** A corpus entry for `plan`. */
export function regressionEntry(name: string, found: string, plan: BasePlan): RegressionEntry {
  return { format: 'powercut-regression', version: 1, name, found, plan };
}
