/**
 * Planted bugs in a library (test/targets/planted-writers.ts: one document writer, one step done
 * wrong in each), through the fs facade and the workload runner: seeds to the first catch,
 * `npm run bench:library-mutants -- [budget]` (default 2,000). Writes
 * bench/results/library-mutants.json, whose seed counts set the budgets of
 * test/targets/planted-writers.test.ts.
 */
import { measurePlanted } from '../test/mutants/measured.ts';
import { plantedWriters } from '../test/targets/planted-writers.ts';
import { searchWriter } from '../test/targets/planted-search.ts';

await measurePlanted(plantedWriters, (planted, budget) => searchWriter(planted.id, planted.flaws, budget, planted.layout), Number(process.argv[2] ?? 2000), 'library-mutants.json',
  (found) => `${found.seeds} seeds, ${found.invariant}: ${found.message?.slice(0, 90)}`);
