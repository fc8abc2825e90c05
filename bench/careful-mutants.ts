/**
 * Planted bugs in a user's engine (the careful example engine, which declares no phases: faults
 * aimed at kinds of I/O, the generic oracle): seeds to the first catch of each,
 * `npm run bench:careful-mutants -- [budget]` (default 2,000 seeds per bug). Writes
 * bench/results/careful-mutants.json, whose seed counts set the budgets of
 * test/mutants/careful-catalogue.test.ts.
 */
import { carefulMutants } from '../test/mutants/careful-catalogue.ts';
import { removeCarefulCopies } from '../test/mutants/careful-loader.ts';
import { searchCarefulMutant } from '../test/mutants/careful-search.ts';
import { measurePlanted } from '../test/mutants/measured.ts';

await measurePlanted(carefulMutants, searchCarefulMutant, Number(process.argv[2] ?? 2000), 'careful-mutants.json', (found) =>
  `${found.seeds} seeds (${found.scenario} seed ${found.seed}), ${found.invariant}${found.referenceFailures > 0 ? `, ${found.referenceFailures} plans the shipped engine fails too` : ''}`);
removeCarefulCopies();
