/**
 * The regression corpus: every shrunk plan of a bug ever found, kept in
 * `scenarios/regressions/*.json` and replayed on every CI run, so a bug once fixed stays fixed.
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
import { wallClockMs } from './node/wall-clock.ts';
import { listDirectory, readTextFile } from './node/files.ts';
import { join } from 'node:path';
import type { CheckedSystem, RunViolation } from './runner.ts';
import { runPlan } from './runner.ts';
import type { Plan } from './plan.ts';

/** One corpus entry as stored. */
export interface RegressionEntry {
  readonly format: 'powercut-regression';
  readonly version: 1;
  readonly name: string;
  /** What the bug was, and which engine change fixed it. */
  readonly found: string;
  readonly plan: Plan;
}

/** A corpus file that is not a valid entry: the CLI's exit code 2. */
export class CorpusInputError extends Error {
  override readonly name = 'CorpusInputError';
}

/** The replay of one entry. */
export interface RegressionResult {
  readonly file: string;
  readonly name: string;
  /** The plan's scenario and seed (for reports). */
  readonly scenario: string;
  readonly seed: number;
  readonly violations: readonly RunViolation[];
  readonly digest: string;
  readonly elapsedMs: number;
}

/** The default corpus folder, relative to the repository root. */
export const corpusDirDefault = 'scenarios/regressions';

/**
 * Checks that `value` is a corpus entry.
 * @param file - named in the error
 * @throws {@link CorpusInputError} naming the first problem
 */
export function parseEntry(value: unknown, file: string): RegressionEntry {
  const fail = (why: string): never => {
    throw new CorpusInputError(`${file}: ${why}`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const entry = value as Record<string, unknown>;
  if (entry.format !== 'powercut-regression') fail('format is not "powercut-regression"');
  if (entry.version !== 1) fail(`unsupported version ${String(entry.version)}`);
  if (typeof entry.name !== 'string' || entry.name === '') fail('name is missing');
  if (typeof entry.found !== 'string' || entry.found === '') fail('found is missing');
  const plan = entry.plan as Record<string, unknown> | undefined;
  if (typeof plan !== 'object' || plan === null || plan.format !== 'powercut-plan') fail('plan is not a powercut plan');
  if (!Array.isArray(plan!.steps)) fail('plan has no steps');
  return value as RegressionEntry;
}

/**
 * Loads every `*.json` entry of `dir`, sorted by file name.
 * @returns entries with their file names; none when the folder does not exist
 * @throws {@link CorpusInputError} for an unreadable or invalid entry
 */
export async function loadCorpus(dir: string): Promise<{ file: string; entry: RegressionEntry }[]> {
  let names: string[];
  try {
    names = (await listDirectory(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: { file: string; entry: RegressionEntry }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(await readTextFile(file));
    } catch (error) {
      throw new CorpusInputError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    entries.push({ file, entry: parseEntry(value, file) });
  }
  return entries;
}

/**
 * Replays every entry of the corpus in `dir` against `sut`.
 * @returns one result per file, in file-name order
 * @throws {@link CorpusInputError} for an invalid entry
 */
export async function replayCorpus(dir: string, sut: CheckedSystem): Promise<RegressionResult[]> {
  const results: RegressionResult[] = [];
  for (const { file, entry } of await loadCorpus(dir)) {
    const started = wallClockMs();
    const result = await runPlan(entry.plan, sut);
    results.push({ file, name: entry.name, scenario: entry.plan.scenario, seed: entry.plan.seed, violations: result.violations, digest: result.digest, elapsedMs: wallClockMs() - started });
  }
  return results;
}

/** Keys printed first, in this order; any other key follows in alphabetical order. */
const keyOrder = [
  'format', 'version', 'name', 'found', 'scenario', 'seed', 'engine', 'faults', 'latency', 'steps', 'crashStates',
  'livenessCommits', 'stepsMax', 'op', 'kind', 'type', 'key', 'value', 'batch', 'batches', 'io', 'arg', 'rates', 'plan',
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

/** A corpus entry for `plan`. */
export function regressionEntry(name: string, found: string, plan: Plan): RegressionEntry {
  return { format: 'powercut-regression', version: 1, name, found, plan };
}
