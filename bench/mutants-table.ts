/**
 * Writes the table of bench/results/mutants.md from bench/results/mutants.json: the rows and the
 * "Caught with N seeds" line, between the table's header and the first paragraph after it. The
 * prose around them is kept. Run by bench:mutants after each run, or alone:
 * `npx tsx bench/mutants-table.ts [JSON] [MD]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ModelResult {
  readonly caught: boolean;
  readonly by?: 'violation' | 'finding';
  readonly invariant?: string;
  readonly seeds: number;
  readonly ms: number;
  readonly scenario?: string;
  readonly seed?: number;
}

interface Row {
  readonly id: string;
  readonly models: string;
  readonly results: Record<'full' | 'faults-off' | 'kill9-only', ModelResult>;
  readonly shrunk: { ops: number; faults: number; steps: number } | 'n/a';
}

const header = '| mutant | models | caught | invariant | seeds | ms | shrunk ops/faults/steps | faults off | kill -9 only | repro (full) |';

function baselineCell(result: ModelResult): string {
  if (!result.caught) return `no (${result.seeds} seeds, ${Math.round(result.ms / 1000)} s)`;
  return result.by === 'finding' ? `finding only (${result.seeds})` : `yes (${result.seeds})`;
}

function rowLine(row: Row): string {
  const full = row.results.full;
  const caught = !full.caught ? 'NO' : full.by === 'finding' ? 'finding' : 'yes';
  const invariant = `${full.invariant ?? '-'}${full.by === 'finding' ? ' (finding)' : ''}`;
  const shrunk = row.shrunk === 'n/a' ? 'n/a' : `${row.shrunk.ops}/${row.shrunk.faults}/${row.shrunk.steps}`;
  const repro = full.caught ? `\`${full.scenario}\` seed ${full.seed}` : '-';
  return `| \`${row.id}\` | ${row.models} | ${caught} | ${invariant} | ${full.seeds} | ${full.ms} | ${shrunk} | ${baselineCell(row.results['faults-off'])} | ${baselineCell(row.results['kill9-only'])} | ${repro} |`;
}

/** The table and its summary line for `rows` at `budget` seeds. */
export function mutantsTable(rows: readonly Row[], budget: number): string[] {
  const count = (model: keyof Row['results']) => rows.filter((row) => row.results[model].caught).length;
  const findings = rows.filter((row) => row.results.full.caught && row.results.full.by === 'finding').length;
  const findingNote = findings > 0 ? ` (${findings} first by a finding of the crash check)` : '';
  return [
    header,
    '|---|---|---|---|---:|---:|---|---|---|---|',
    ...rows.map(rowLine),
    '',
    `**Caught with ${budget} seeds: full fault model ${count('full')}/${rows.length}${findingNote}, faults off ${count('faults-off')}/${rows.length}, kill -9 only ${count('kill9-only')}/${rows.length}.**`,
  ];
}

/** Rewrites the table of the Markdown file at `mdPath` from the JSON at `jsonPath`. */
export function writeMutantsTable(jsonPath: string, mdPath: string): void {
  const { budget, rows } = JSON.parse(readFileSync(jsonPath, 'utf8')) as { budget: number; rows: Row[] };
  const lines = readFileSync(mdPath, 'utf8').split('\n');
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`${mdPath} has no mutant table header`);
  const summary = lines.findIndex((line, i) => i > start && line.startsWith('**Caught with'));
  if (summary < 0) throw new Error(`${mdPath} has no "Caught with" line after its table`);
  // The summary line may go on with prose after its bold part: keep that.
  const rest = lines[summary]!.replace(/^\*\*Caught with[^*]*\*\*/, '');
  const table = mutantsTable(rows, budget);
  table[table.length - 1] += rest;
  lines.splice(start, summary - start + 1, ...table);
  writeFileSync(mdPath, lines.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeMutantsTable(process.argv[2] ?? join(root, 'bench/results/mutants.json'), process.argv[3] ?? join(root, 'bench/results/mutants.md'));
}
