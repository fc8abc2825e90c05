/**
 * CPU per seed of one scenario, this checkout's compiled build against an older checkout's, in
 * one process, in alternated rounds (the order swapped every round, so a noisy machine weighs on
 * both alike), as the CLI runs seeds (`InProcessExecutor`, warm). Also checks that both builds
 * give the same digest for every seed of the first two rounds: a speed change must not change a
 * run. Both checkouts need `npm run build` first.
 *
 * Usage: npx tsx bench/side-by-side-compiled.ts SCENARIO BASELINE_DIR [seedsPerRound] [rounds]
 * Prints figures and exits non-zero when the digests differ.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Executor {
  run(task: { unit: string; seed: number }): Promise<{ digest: string }>;
}

const [scenario = 'swarm', baselineArg, seedsArg, roundsArg] = process.argv.slice(2);
if (baselineArg === undefined) {
  process.stderr.write('usage: npx tsx bench/side-by-side-compiled.ts SCENARIO BASELINE_DIR [seedsPerRound] [rounds]\n');
  process.exit(2);
}
const seeds = Number(seedsArg ?? 300);
const rounds = Number(roundsArg ?? 8);

/** A warm executor of `checkout`'s compiled build. */
async function executorOf(checkout: string): Promise<Executor> {
  const dist = join(checkout, 'dist');
  if (!existsSync(join(dist, 'harness/index.js'))) throw new Error(`${checkout}: no compiled build (run npm run build there)`);
  const harness = (await import(pathToFileURL(join(dist, 'harness/index.js')).href)) as { InProcessExecutor: new (subject: unknown) => Executor };
  const subjects = (await import(pathToFileURL(join(dist, 'subjects/index.js')).href)) as { loadSubject: (spec: { kind: 'engine' }) => Promise<unknown> };
  const executor = new harness.InProcessExecutor(await subjects.loadSubject({ kind: 'engine' }));
  for (let seed = 0; seed < 300; seed++) await executor.run({ unit: scenario, seed: 900_000 + seed });
  return executor;
}

const sides = [
  { label: 'current', executor: await executorOf(resolve('.')), cpuMicros: 0, digests: [] as string[] },
  { label: 'baseline', executor: await executorOf(resolve(baselineArg)), cpuMicros: 0, digests: [] as string[] },
];
for (let round = 0; round < rounds; round++) {
  for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
    const cpu0 = process.cpuUsage();
    for (let seed = 1; seed <= seeds; seed++) {
      const run = await side.executor.run({ unit: scenario, seed });
      if (round < 2) side.digests.push(run.digest);
    }
    const cpu = process.cpuUsage(cpu0);
    side.cpuMicros += cpu.user + cpu.system;
  }
}
const [current, baseline] = sides as [typeof sides[number], typeof sides[number]];
const perSeed = (side: typeof current): string => `${(side.cpuMicros / rounds / seeds).toFixed(0)} µs`;
const same = current.digests.every((digest, i) => digest === baseline.digests[i]);
console.log(`${scenario}, ${rounds} alternated rounds of ${seeds} seeds: CPU per seed ${perSeed(current)} (current) against ${perSeed(baseline)} (baseline): ${(baseline.cpuMicros / current.cpuMicros).toFixed(3)}×; digests ${same ? 'the same' : 'DIFFER'}`);
if (!same) process.exitCode = 1;
