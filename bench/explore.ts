/**
 * Exploration runs per second, in one thread and in two (this thread and a worker), on the short
 * wal-append plan (seed 1: 198 runs) and a longer swarm prefix (seed 3, 30 steps: 1,590 runs):
 * the first round (what one `powercut explore` command meets: cold code) and warm. The executor
 * is kept across rounds, so the worker is warm too; warm-up rounds are not counted. Uses the
 * compiled harness when `npm run build` made one. Prints figures; asserts nothing. Part of
 * `npm run bench:sim`.
 *
 * Usage: npx tsx bench/explore.ts [looks] (as `explore --looks`; absent, explore's default; 0,
 * the crash states alone, as before explore took second looks)
 */
import { existsSync } from 'node:fs';
import { parallelCapacity } from './parallel-probe.ts';

const compiled = existsSync(new URL('../dist/harness/index.js', import.meta.url));
const from = (module: string): string => new URL(`../${compiled ? 'dist/' : ''}${module}.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
const { explorePlan, threadsExecutor } = (await import(from('harness/index'))) as typeof import('../harness/index.ts');
const { loadSubject, workerScript } = (await import(from('subjects/index'))) as typeof import('../subjects/index.ts');

const looks = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
const subject = await loadSubject({ kind: 'engine' });
const workloads = [
  { label: 'wal-append seed 1, 12 steps', plan: subject.plan('wal-append', 1), size: 12 },
  { label: 'swarm seed 3, 30 steps', plan: subject.plan('swarm', 3), size: 30 },
];
/**
 * Runs of warm-up before measuring: the JIT takes about this many short runs to reach its
 * steady state (measured: a wal-append explore of 198 runs goes from ~220 runs/s in its first
 * round to ~1,300 after ten to twelve rounds, not after four).
 */
const warmRunsMin = 3000;
const rounds = 5;

/** Runs per second of wall time over `count` rounds of `plan` on `executor`, and per CPU-second. */
async function timed(executor: ReturnType<typeof threadsExecutor>, plan: (typeof workloads)[number], count: number): Promise<{ runs: number; sameStates: number; perSecond: number; perCpuSecond: number }> {
  let runs = 0;
  let sameStates = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let round = 0; round < count; round++) {
    const result = await explorePlan(subject, plan.plan, { size: plan.size, executor, ...(looks === undefined ? {} : { looks }) });
    runs += result.runs;
    sameStates += result.sameStates;
  }
  const wallS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { runs, sameStates, perSecond: runs / wallS, perCpuSecond: runs / ((cpu.user + cpu.system) / 1e6) };
}

console.log(`parallel capacity now: two threads do ${(await parallelCapacity()).toFixed(2)}× the work of one (2.00: two free cores)`);
console.log(`explore (${compiled ? 'compiled' : 'under tsx'}${looks === undefined ? '' : `, --looks ${looks}`}): runs per second of wall time and per CPU-second; the first round, then warm (after ${warmRunsMin} runs)`);
for (const threads of [1, 2]) {
  const executor = threadsExecutor(subject, threads, workerScript);
  try {
    for (const workload of workloads) {
      // The first round of all is cold; a later first round finds this thread warm (a new worker is cold).
      const first = await timed(executor, workload, 1);
      for (let warmed = first.runs; warmed < warmRunsMin;) warmed += (await timed(executor, workload, 1)).runs;
      const warm = await timed(executor, workload, rounds);
      console.log(`  ${workload.label.padEnd(28)} --jobs ${threads}: first round ${first.perSecond.toFixed(0).padStart(5)} runs/s; warm ${warm.perSecond.toFixed(0).padStart(5)} runs/s, ${warm.perCpuSecond.toFixed(0).padStart(5)} runs per CPU-s of the process (${warm.sameStates} of ${warm.runs} runs left the same state as an earlier one at their crash)`);
    }
  } finally {
    await executor.close();
  }
}
