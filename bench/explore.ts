/**
 * Exploration runs per second once warm, in one thread and in two (this thread and a worker),
 * on the short wal-append plan (seed 1: 198 runs) and a longer swarm prefix (seed 3, 30 steps:
 * 1,590 runs). The executor is kept across rounds, so the worker is warm too; the first rounds
 * warm both threads and are not counted. Uses the compiled harness when `npm run build` made one.
 * Prints figures; asserts nothing. Part of `npm run bench:sim`.
 */
import { existsSync } from 'node:fs';
import { parallelCapacity } from './parallel-probe.ts';

const compiled = existsSync(new URL('../dist/harness/index.js', import.meta.url));
const from = (module: string): string => new URL(`../${compiled ? 'dist/' : ''}${module}.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
const { explorePlan, threadsExecutor } = (await import(from('harness/index'))) as typeof import('../harness/index.ts');
const { loadSubject, workerScript } = (await import(from('subjects/index'))) as typeof import('../subjects/index.ts');

const subject = await loadSubject({ kind: 'engine' });
const workloads = [
  { label: 'wal-append seed 1, 12 steps', plan: subject.plan('wal-append', 1), size: 12 },
  { label: 'swarm seed 3, 30 steps', plan: subject.plan('swarm', 3), size: 30 },
];
const warmRounds = 4;
const rounds = 5;

console.log(`parallel capacity now: two threads do ${(await parallelCapacity()).toFixed(2)}× the work of one (2.00: two free cores)`);
console.log(`explore, warm (${compiled ? 'compiled' : 'under tsx'}): runs per second of wall time and per CPU-second`);
for (const threads of [1, 2]) {
  const executor = threadsExecutor(subject, threads, workerScript);
  try {
    for (const { label, plan, size } of workloads) {
      for (let round = 0; round < warmRounds; round++) await explorePlan(subject, plan, { size, executor });
      let runs = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      for (let round = 0; round < rounds; round++) runs += (await explorePlan(subject, plan, { size, executor })).runs;
      const wallS = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      console.log(`  ${label.padEnd(28)} --jobs ${threads}: ${(runs / wallS).toFixed(0).padStart(5)} runs/s, ${(runs / cpuS).toFixed(0).padStart(5)} runs per CPU-s of the process`);
    }
  } finally {
    await executor.close();
  }
}
