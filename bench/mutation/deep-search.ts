/**
 * The second pass of `npm run mutation:campaign`: every mutant the short campaign let survive
 * (Stryker's JSON report), searched again with a larger seed budget, round-robin over every
 * scenario, on a copy of the engine with that one change (test/mutants/loader.ts, as the planted
 * bugs are). A violation is rechecked on the shipped engine (the same explicit plan): only a
 * failure the shipped engine does not share counts. What is left after this pass is a mutant no
 * campaign of that size tells from the engine: equivalent, or a blind spot to be named.
 *
 * Usage: npx tsx bench/mutation/deep-search.ts REPORT.json [rounds per scenario, default 100]
 *        [shard/shards, default 1/1] [file filter, a substring of the engine path]
 * `POWERCUT_DEEP_SCENARIOS=a,b` searches only those scenarios; `POWERCUT_DEEP_LINES=110,127` only
 * survivors on those lines.
 * Prints one line per mutant and a summary; writes nothing.
 */
import { readFileSync } from 'node:fs';
import { scenarios } from '../../scenarios/index.ts';
import { searchMutant } from '../../test/mutants/campaign.ts';
import type { Mutant } from '../../test/mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../../test/mutants/loader.ts';

interface Position { readonly line: number; readonly column: number }
interface ReportMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: Position; readonly end: Position };
}
interface Report { readonly files: Record<string, { readonly source: string; readonly mutants: readonly ReportMutant[] }> }

/** The offset in `source` of a 1-based line and column. */
function offsetOf(source: string, at: Position): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) offset = source.indexOf('\n', offset) + 1;
  return offset + at.column - 1;
}

/** The shortest text around [start, end) that occurs once in `source`, with where the range sits in it. */
function uniqueContext(source: string, start: number, end: number): { find: string; before: number; after: number } {
  for (let pad = 0; ; pad += 8) {
    const from = Math.max(0, start - pad);
    const to = Math.min(source.length, end + pad);
    const find = source.slice(from, to);
    if (source.split(find).length === 2) return { find, before: start - from, after: to - end };
    if (from === 0 && to === source.length) throw new Error('no unique context');
  }
}

/** The survivor as a planted bug of the catalogue's shape, searched over every scenario. */
function asMutant(file: string, source: string, mutant: ReportMutant): Mutant {
  const start = offsetOf(source, mutant.location.start);
  const end = offsetOf(source, mutant.location.end);
  const { find, before, after } = uniqueContext(source, start, end);
  const replace = find.slice(0, before) + (mutant.replacement ?? '') + find.slice(find.length - after);
  return {
    id: `stryker-${mutant.id}`,
    title: `${mutant.mutatorName} at ${file}:${mutant.location.start.line}`,
    models: 'Stryker',
    patches: [{ file: file.replace(/^engine\//, ''), find, replace }],
    scenarios: searched,
  };
}

const searched = process.env.POWERCUT_DEEP_SCENARIOS?.split(',') ?? scenarios.map((scenario) => scenario.name);
const lines = process.env.POWERCUT_DEEP_LINES?.split(',').map(Number);
const [reportPath, roundsArg, shardArg, filter] = process.argv.slice(2);
if (reportPath === undefined) {
  console.error('usage: deep-search.ts REPORT.json [rounds] [shard/shards] [file filter]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 100);
const [shard, shards] = (shardArg ?? '1/1').split('/').map(Number) as [number, number];
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
const survivors = Object.entries(report.files)
  .filter(([file]) => filter === undefined || file.includes(filter))
  .flatMap(([file, { source, mutants }]) => mutants
    .filter((mutant) => mutant.status === 'Survived' && mutant.mutatorName !== 'StringLiteral')
    .filter((mutant) => lines === undefined || lines.includes(mutant.location.start.line))
    .map((mutant) => ({ file, line: mutant.location.start.line, mutant: asMutant(file, source, mutant), source: source.split('\n')[mutant.location.start.line - 1]!.trim(), replacement: mutant.replacement })))
  .filter((_, index) => index % shards === shard - 1);

let caught = 0;
for (const survivor of survivors) {
  const engine = await loadMutant(survivor.mutant);
  const result = await searchMutant(survivor.mutant, engine, 'full', rounds * searched.length);
  if (result.caught) caught++;
  const verdict = result.caught ? `CAUGHT after ${result.seeds} seeds (${result.scenario} ${result.seed}, ${result.invariant})` : `survived ${result.seeds} seeds`;
  const harness = result.referenceFailures.length > 0 ? ` [shipped engine failed too: ${result.referenceFailures.length}]` : '';
  console.log(`${survivor.file}:${survivor.line} ${survivor.mutant.title.split(' ')[0]} ${JSON.stringify(survivor.source.slice(0, 90))} => ${JSON.stringify((survivor.replacement ?? '').slice(0, 60))}: ${verdict}${harness}`);
}
removeMutantCopies();
console.log(`${caught} of ${survivors.length} survivors caught with ${rounds} seeds per scenario`);
