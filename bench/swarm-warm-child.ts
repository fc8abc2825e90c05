/**
 * One measurement of bench/swarm-warm.ts, in the Node flags this process was started with: swarm
 * seeds per second from cold, then once every thread is warm, in one thread and in two (this
 * thread and a worker). The executor is kept across rounds, so the worker is warm too; the
 * warm-up rounds are not counted. Uses the compiled harness when `npm run build` made one.
 *
 * Usage: node [flags] --import tsx bench/swarm-warm-child.ts [seeds per round, default 1000] [looks]
 * (`looks` as `--looks`: absent, the looks each scenario plans; 0, none, the work a swarm seed did
 * before second looks existed)
 */
import { existsSync } from 'node:fs';

const compiled = existsSync(new URL('../dist/harness/index.js', import.meta.url));
const from = (module: string): string => new URL(`../${compiled ? 'dist/' : ''}${module}.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
const { threadsExecutor } = (await import(from('harness/index'))) as typeof import('../harness/index.ts');
const { loadSubject, workerScript } = (await import(from('subjects/index'))) as typeof import('../subjects/index.ts');
type Executor = ReturnType<typeof threadsExecutor>;

const looks = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const subject = await loadSubject({ kind: 'engine', looks });
const seedsPerRound = Number(process.argv[2] ?? 1000);
const warmRounds = 2;
const rounds = 3;

interface Rate {
  readonly seedsPerSecond: number;
  readonly cpuMsPerSeed: number;
}

/** Runs seeds `first`.. of swarm on every lane of `executor`; seeds/s of wall and CPU per seed. */
async function round(executor: Executor, first: number, seeds: number): Promise<Rate> {
  let next = first;
  const end = first + seeds;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (next < end) await executor.run({ unit: 'swarm', seed: next++ });
  };
  await Promise.all(Array.from({ length: executor.lanes }, lane));
  const wallS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seedsPerSecond: seeds / wallS, cpuMsPerSeed: (cpu.user + cpu.system) / 1000 / seeds };
}

const show = (rate: Rate): string => `${rate.seedsPerSecond.toFixed(0).padStart(5)} seeds/s, ${rate.cpuMsPerSeed.toFixed(2)} ms CPU per seed`;

console.log(`  swarm (${compiled ? 'compiled' : 'under tsx'}${looks === undefined ? '' : `, --looks ${looks}`}), ${seedsPerRound} seeds per round: the first round from cold (thread start and JIT warm-up included), then warm`);
const warm = new Map<number, number>();
for (const threads of [1, 2]) {
  const executor = threadsExecutor(subject, threads, workerScript);
  try {
    // Seeds 1.. from cold in a fresh executor (this thread is warm from the first pass on).
    const cold = await round(executor, 1, seedsPerRound);
    for (let r = 1; r < warmRounds; r++) await round(executor, 1 + r * seedsPerRound, seedsPerRound);
    let seconds = 0;
    let cpuMs = 0;
    for (let r = 0; r < rounds; r++) {
      const rate = await round(executor, 1 + (warmRounds + r) * seedsPerRound, seedsPerRound);
      seconds += seedsPerRound / rate.seedsPerSecond;
      cpuMs += rate.cpuMsPerSeed * seedsPerRound;
    }
    const steady = { seedsPerSecond: (rounds * seedsPerRound) / seconds, cpuMsPerSeed: cpuMs / (rounds * seedsPerRound) };
    warm.set(threads, steady.seedsPerSecond);
    console.log(`    --jobs ${threads}: first round ${show(cold)}; warm ${show(steady)}`);
  } finally {
    await executor.close();
  }
}
console.log(`    warm --jobs 2 over --jobs 1: ${(warm.get(2)! / warm.get(1)!).toFixed(2)}×`);
