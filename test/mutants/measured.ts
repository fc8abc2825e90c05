/**
 * Seeds to the first catch of planted bugs, as a benchmark writes them to `bench/results/` and
 * the catalogue tests read them back for their budgets: one format, written in one place
 * ({@link measurePlanted}) and read in one place ({@link measuredSeeds}).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One planted bug's search, as written to the results file. */
export interface MeasuredRow {
  readonly id: string;
  readonly caught: boolean;
  readonly seeds: number;
}

/** The results file `name` under bench/results/. */
const resultsFile = (name: string): URL => new URL(`../../bench/results/${name}`, import.meta.url);

/**
 * What the benchmark last measured, from bench/results/`name`: seeds to the first catch by bug,
 * and the bugs it did not catch.
 */
export function measuredSeeds(name: string): { readonly seeds: Readonly<Record<string, number>>; readonly uncaught: readonly string[] } {
  const rows = (JSON.parse(readFileSync(resultsFile(name), 'utf8')) as { rows: MeasuredRow[] }).rows;
  return { seeds: Object.fromEntries(rows.map((row) => [row.id, row.seeds])), uncaught: rows.filter((row) => !row.caught).map((row) => row.id) };
}

/**
 * Searches each of `bugs` with `search` (at most `budget` seeds each), prints a line per bug
 * (`describe` says where it was caught), writes bench/results/`name` and sets a failing exit
 * code unless every bug was caught.
 */
export async function measurePlanted<B extends { readonly id: string }, F extends Omit<MeasuredRow, 'id'>>(
  bugs: readonly B[], search: (bug: B, budget: number) => Promise<F>, budget: number, name: string, describe: (found: F) => string,
): Promise<void> {
  const rows: Array<F & { id: string; cpuMs: number }> = [];
  for (const bug of bugs) {
    const started = process.cpuUsage();
    const found = await search(bug, budget);
    const cpu = process.cpuUsage(started);
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    rows.push({ id: bug.id, ...found, cpuMs });
    process.stdout.write(`${bug.id.padEnd(30)} ${found.caught ? describe(found) : `NOT caught in ${found.seeds} seeds`} (${cpuMs} ms CPU)\n`);
  }
  writeFileSync(resultsFile(name), `${JSON.stringify({ budget, rows }, null, 2)}\n`);
  const caught = rows.filter((row) => row.caught).length;
  process.stdout.write(`caught ${caught}/${rows.length} within ${budget} seeds each\n`);
  if (caught < rows.length) process.exitCode = 1;
}
