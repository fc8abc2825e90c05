/**
 * Planted bugs in a user's engine (the careful example engine, which declares no phases: faults
 * aimed at kinds of I/O, the generic oracle): seeds to the first catch of each,
 * `npm run bench:careful-mutants -- [budget]` (default 2,000 seeds per bug). Writes
 * bench/results/careful-mutants.json, whose seed counts set the budgets of
 * test/mutants/careful-catalogue.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { carefulMutants } from '../test/mutants/careful-catalogue.ts';
import { removeCarefulCopies } from '../test/mutants/careful-loader.ts';
import { searchCarefulMutant } from '../test/mutants/careful-search.ts';

const budget = Number(process.argv[2] ?? 2000);
const rows = [];
for (const mutant of carefulMutants) {
  const started = process.cpuUsage();
  const found = await searchCarefulMutant(mutant, budget);
  const cpu = process.cpuUsage(started);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  rows.push({ id: mutant.id, scenarios: mutant.scenarios, ...found, cpuMs });
  const where = found.caught ? `${found.seeds} seeds (${found.scenario} seed ${found.seed}), ${found.invariant}` : `NOT caught in ${found.seeds} seeds`;
  process.stdout.write(`${mutant.id.padEnd(30)} ${where}, ${cpuMs} ms CPU${found.referenceFailures > 0 ? `, ${found.referenceFailures} plans the shipped engine fails too` : ''}\n`);
}
removeCarefulCopies();
writeFileSync(new URL('./results/careful-mutants.json', import.meta.url), `${JSON.stringify({ budget, rows }, null, 2)}\n`);
const caught = rows.filter((row) => row.caught).length;
process.stdout.write(`caught ${caught}/${rows.length} within ${budget} seeds each\n`);
if (caught < rows.length) process.exitCode = 1;
