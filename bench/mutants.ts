/**
 * Mutant benchmark: how fast the simulator catches each planted bug of test/mutants/catalogue.ts,
 * and how many a plain model-based test (faults off) and a kill -9-only test catch on the same
 * seed budget.
 *
 * Usage: npm run bench:mutants [-- --budget 2000] [--only id,id] [--json path] [--shrink]
 * Prints a table and writes JSON (default bench/results/mutants.json).
 *
 * With `--baseline DIR` it instead compares planted bugs caught per CPU-minute with an older
 * checkout, side by side (bench/mutants-baseline.ts), and writes nothing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { planSize, type Plan } from '../sim/index.ts';
import type { Engine } from '../sim/index.ts';
import { shrinkPlan } from '../harness/index.ts';
import { engineSubject } from '../scenarios/engine-subject.ts';
import { mutants } from '../test/mutants/catalogue.ts';
import { faultModels, searchMutant, shippedEngineFails, type FaultModel, type SearchResult } from '../test/mutants/campaign.ts';
import { loadMutant, removeMutantCopies } from '../test/mutants/loader.ts';
import { writeMutantsTable } from './mutants-table.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const budget = Number(option('budget') ?? 2000);
const only = option('only')?.split(',');
const jsonPath = option('json') ?? join(root, 'bench/results/mutants.json');
// Opt-in (400 shrinker runs per mutant). The 4 GB out-of-memory of the first full run was the shared
// never-settling promise of sim/disk/kernel.ts (fixed), not the shrinker.
const shrinkWanted = process.argv.includes('--shrink');
// `--models full` measures only some fault models; a mutant's other models keep their results
// from the JSON already there (the expensive 2,000-seed baselines need not be rerun each time).
const models = (option('models')?.split(',') ?? [...faultModels]) as FaultModel[];
for (const model of models) {
  if (!faultModels.includes(model)) {
    process.stderr.write(`bench:mutants: unknown fault model ${model} (one of ${faultModels.join(', ')})\n`);
    process.exit(2);
  }
}

type Shrinker = (plan: Plan, engine: Engine, options: { invariant?: string; runsMax?: number }) => Promise<{ plan: Plan }>;

/** The shrinker, when `--shrink` asks for it. */
function loadShrinker(): Shrinker | undefined {
  if (!shrinkWanted) return undefined;
  return (plan, engine, options) => shrinkPlan(engineSubject(engine), plan, options);
}

interface Row {
  id: string;
  title: string;
  models: string;
  scenarios: readonly string[];
  results: Record<FaultModel, Omit<SearchResult, 'plan'>>;
  shrunk: { ops: number; faults: number; steps: number } | 'n/a';
  repro?: string;
}

const baselineDir = option('baseline');
if (baselineDir !== undefined) {
  const { compareWithBaseline } = await import('./mutants-baseline.ts');
  await compareWithBaseline(baselineDir, budget, only);
  process.exit(0);
}

/** The rows of the JSON already written, by mutant: what a partial run (--only, --models) keeps. */
function earlierRows(): Map<string, Row> {
  if (!existsSync(jsonPath)) return new Map();
  const earlier = JSON.parse(readFileSync(jsonPath, 'utf8')) as { rows: Row[] };
  return new Map(earlier.rows.map((row) => [row.id, row]));
}

const earlier = earlierRows();
const shrink = loadShrinker();
const rows: Row[] = [];
for (const mutant of mutants) {
  if (only && !only.includes(mutant.id)) {
    const kept = earlier.get(mutant.id);
    if (kept !== undefined) rows.push(kept);
    continue;
  }
  const sut = await loadMutant(mutant);
  const results = { ...earlier.get(mutant.id)?.results } as Row['results'];
  for (const model of faultModels) {
    if (!models.includes(model) && results[model] === undefined) {
      process.stderr.write(`bench:mutants: ${mutant.id} has no earlier result for ${model}; measure it (drop --models)\n`);
      process.exit(2);
    }
  }
  let failing: Plan | undefined;
  let invariant: string | undefined;
  for (const model of models) {
    const { plan, ...result } = await searchMutant(mutant, sut, model, budget);
    results[model] = result;
    if (model === 'full' && plan) {
      failing = plan;
      invariant = result.invariant;
    }
  }
  let shrunk: Row['shrunk'] = shrink ? 'n/a' : (earlier.get(mutant.id)?.shrunk ?? 'n/a');
  if (shrink && failing) {
    const small = await shrink(failing, sut, { ...(invariant ? { invariant } : {}), runsMax: 400 });
    const size = planSize(small.plan);
    // The shrunk plan must still be the mutant's alone: the shipped engine passes it.
    const shipped = await shippedEngineFails(small.plan);
    if (shipped !== undefined) process.stderr.write(`${mutant.id}: the shipped engine fails the shrunk plan too (${shipped.invariant})\n`);
    shrunk = shipped !== undefined ? 'n/a' : { ops: size.ops, faults: size.faults, steps: size.steps };
  }
  const full = results.full;
  rows.push({
    id: mutant.id, title: mutant.title, models: mutant.models, scenarios: mutant.scenarios, results, shrunk,
    ...(full.caught ? { repro: `npx tsx cli/main.ts run --scenario ${full.scenario} --seed ${full.seed} (against mutant ${mutant.id})` } : {}),
  });
  const cell = (r: Omit<SearchResult, 'plan'>): string => (r.caught ? `yes@${r.seeds}` : 'no');
  process.stderr.write(`${mutant.id}: full ${cell(full)}  off ${cell(results['faults-off'])}  kill9 ${cell(results['kill9-only'])}\n`);
}
removeMutantCopies();

const pad = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const header = ['mutant', 'models', 'caught', 'invariant', 'seeds', 'ms', 'shrunk (ops/faults)', 'faults off', 'kill -9 only'];
const widths = [24, 38, 6, 18, 6, 7, 19, 10, 12];
const line = (cells: string[]): string => cells.map((cell, i) => pad(cell, widths[i]!)).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) {
  const full = row.results.full;
  // A finding (a check of the engine's own design) is not a violation a user would see: apart.
  const other = (model: FaultModel): string => {
    const result = row.results[model];
    if (!result.caught) return 'no';
    return result.by === 'finding' ? `finding only (${result.seeds})` : `yes (${result.seeds})`;
  };
  console.log(line([
    row.id, row.models, full.caught ? (full.by === 'finding' ? 'finding' : 'yes') : 'NO', `${full.invariant ?? '-'}${full.by === 'finding' ? ' (finding)' : ''}`, String(full.seeds), String(full.ms),
    row.shrunk === 'n/a' ? 'n/a' : `${row.shrunk.ops}/${row.shrunk.faults}`, other('faults-off'), other('kill9-only'),
  ]));
}
const count = (model: FaultModel): number => rows.filter((row) => row.results[model].caught).length;
console.log(`\ncaught with ${budget} seeds: full fault model ${count('full')}/${rows.length}, faults off ${count('faults-off')}/${rows.length}, kill -9 only ${count('kill9-only')}/${rows.length}`);
if (!shrink) console.log('shrunk size: n/a (run with --shrink; needs sim/shrink.ts)');
const referenceFailures = rows.flatMap((row) => faultModels.flatMap((model) => row.results[model].referenceFailures));
if (referenceFailures.length > 0) {
  const unique = [...new Map(referenceFailures.map((f) => [`${f.scenario}:${f.seed}`, f])).values()];
  console.log(`plans the shipped engine fails too (skipped, harness or engine problem): ${unique.map((f) => `${f.scenario} seed ${f.seed} (${f.invariant})`).join(', ')}`);
}

mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify({ budget, generatedBy: 'bench/mutants.ts', rows }, null, 2)}\n`);
console.log(`JSON written to ${jsonPath}`);
if (option('json') === undefined) {
  writeMutantsTable(jsonPath, join(root, 'bench/results/mutants.md'));
  console.log('table of bench/results/mutants.md rewritten');
}
