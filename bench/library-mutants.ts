/**
 * Planted bugs in a library (test/targets/planted-writers.ts: one document writer, one step done
 * wrong in each), through the fs facade and the workload runner: seeds to the first catch,
 * `npm run bench:library-mutants -- [budget]` (default 2,000). Writes
 * bench/results/library-mutants.json, whose seed counts set the budgets of
 * test/targets/planted-writers.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { plantedWriters } from '../test/targets/planted-writers.ts';
import { searchWriter } from '../test/targets/planted-search.ts';

const budget = Number(process.argv[2] ?? 2000);
const rows = [];
for (const planted of plantedWriters) {
  const started = process.cpuUsage();
  const found = await searchWriter(planted.id, planted.flaws, budget);
  const cpu = process.cpuUsage(started);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  rows.push({ id: planted.id, ...found, cpuMs });
  const where = found.caught ? `${found.seeds} seeds, ${found.invariant}: ${found.message?.slice(0, 90)}` : `NOT caught in ${found.seeds} seeds`;
  process.stdout.write(`${planted.id.padEnd(28)} ${where} (${cpuMs} ms CPU)\n`);
}
writeFileSync(new URL('./results/library-mutants.json', import.meta.url), `${JSON.stringify({ budget, rows }, null, 2)}\n`);
const caught = rows.filter((row) => row.caught).length;
process.stdout.write(`caught ${caught}/${rows.length} within ${budget} seeds each\n`);
if (caught < rows.length) process.exitCode = 1;
