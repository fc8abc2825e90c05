/**
 * Exploration runs per CPU-second, this checkout's compiled build against an older checkout's, in
 * one process, in alternated rounds (the order swapped every round, so a noisy machine weighs on
 * both alike), after a warm-up of ~3,000 runs each. Also checks that both give the same
 * exploration (violations, findings, their counts and crashes, the states explored): a speed
 * change must not change what is found. Both checkouts need `npm run build` first.
 *
 * Usage: npx tsx bench/explore-side-by-side.ts BASELINE_DIR [SCENARIO] [SEED] [STEPS] [ROUNDS]
 * Prints figures and exits non-zero when the explorations differ.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Exploration {
  readonly runs: number;
  readonly statesExplored: number;
  readonly violations: readonly { invariant: string; count: number; crashes: readonly string[] }[];
  readonly findings: readonly { invariant: string; count: number; crashes: readonly string[] }[];
}

type Explore = () => Promise<Exploration>;

const [baselineArg, scenario = 'wal-append', seedArg, stepsArg, roundsArg] = process.argv.slice(2);
if (baselineArg === undefined) {
  process.stderr.write('usage: npx tsx bench/explore-side-by-side.ts BASELINE_DIR [SCENARIO] [SEED] [STEPS] [ROUNDS]\n');
  process.exit(2);
}
const seed = Number(seedArg ?? 1);
const size = Number(stepsArg ?? 12);
const rounds = Number(roundsArg ?? 8);
const warmRuns = 3000;

/** One exploration of the plan with `checkout`'s compiled build, in this thread. */
async function explorerOf(checkout: string): Promise<Explore> {
  const dist = join(checkout, 'dist');
  if (!existsSync(join(dist, 'harness/index.js'))) throw new Error(`${checkout}: no compiled build (run npm run build there)`);
  const harness = (await import(pathToFileURL(join(dist, 'harness/index.js')).href)) as typeof import('../harness/index.ts');
  const subjects = (await import(pathToFileURL(join(dist, 'subjects/index.js')).href)) as typeof import('../subjects/index.ts');
  const subject = await subjects.loadSubject({ kind: 'engine' });
  const plan = subject.plan(scenario, seed);
  return () => harness.explorePlan(subject, plan, { size });
}

const outcome = (result: Exploration): string => JSON.stringify([
  result.statesExplored,
  result.violations.map((v) => [v.invariant, v.count, v.crashes]),
  result.findings.map((f) => [f.invariant, f.count, f.crashes]),
]);

const sides = { current: await explorerOf(resolve(import.meta.dirname, '..')), baseline: await explorerOf(resolve(baselineArg)) };
const outcomes = { current: '', baseline: '' };
for (const [name, explore] of Object.entries(sides)) {
  for (let runs = 0; runs < warmRuns;) {
    const result = await explore();
    runs += result.runs;
    outcomes[name as keyof typeof sides] = outcome(result);
  }
}
const cpu = { current: 0, baseline: 0 };
const runs = { current: 0, baseline: 0 };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (['current', 'baseline'] as const) : (['baseline', 'current'] as const);
  for (const name of order) {
    const start = process.cpuUsage();
    const result = await sides[name]();
    const used = process.cpuUsage(start);
    cpu[name] += (used.user + used.system) / 1e6;
    runs[name] += result.runs;
  }
}
const perCpuSecond = (name: keyof typeof sides): number => runs[name] / cpu[name];
console.log(`explore ${scenario} seed ${seed}, ${size} steps, ${rounds} alternated rounds after ${warmRuns} runs of warm-up each:`);
console.log(`  current ${perCpuSecond('current').toFixed(0)} runs per CPU-second, baseline ${perCpuSecond('baseline').toFixed(0)}: ${(perCpuSecond('current') / perCpuSecond('baseline')).toFixed(2)}x`);
if (outcomes.current !== outcomes.baseline) {
  console.log('  the explorations DIFFER (states explored, violations or findings)');
  process.exitCode = 1;
} else {
  console.log('  same exploration (states explored, violations, findings, their counts and crashes)');
}
