/**
 * Seeds of one scenario per CPU-second in this thread, this checkout against an older one in
 * the same process, in alternated rounds (both loaded through tsx, so the comparison is like
 * for like); or, with `explore`, warm explore runs per CPU-second of this checkout.
 *
 * Usage: npx tsx bench/side-by-side.ts swarm BASELINE_DIR [seedsPerRound] [rounds]
 *        npx tsx bench/side-by-side.ts explore [rounds]
 * The baseline checkout must have `scenarios/index.ts` (findScenario), `sim/runner.ts` (runPlan)
 * and `sim/adapters/reference.ts` (referenceEngine), as every version since the scenarios did.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { explorePlan } from '../harness/index.ts';
import { loadSubject } from '../subjects/index.ts';

type Runner = (first: number, count: number) => Promise<void>;

async function scenarioRunner(checkout: string, scenario: string): Promise<Runner> {
  const load = async (file: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(checkout, file)).href)) as Record<string, unknown>;
  const { findScenario } = await load('scenarios/index.ts') as { findScenario: (name: string) => { plan: (seed: number) => unknown } | undefined };
  const { runPlan } = await load('sim/runner.ts') as { runPlan: (plan: unknown, engine: unknown) => Promise<unknown> };
  const { referenceEngine } = await load('sim/adapters/reference.ts');
  const found = findScenario(scenario);
  if (found === undefined) throw new Error(`${checkout}: no scenario ${scenario}`);
  return async (first, count) => {
    for (let seed = first; seed < first + count; seed++) await runPlan(found.plan(seed), referenceEngine);
  };
}

async function cpuSeconds(work: () => Promise<void>): Promise<number> {
  const cpu0 = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1e6;
}

async function compareScenario(baselineDir: string, seeds: number, rounds: number): Promise<void> {
  const current = await scenarioRunner(resolve('.'), 'swarm');
  const baseline = await scenarioRunner(resolve(baselineDir), 'swarm');
  await current(100_000, 50);
  await baseline(100_000, 50);
  let currentCpu = 0;
  let baselineCpu = 0;
  for (let round = 0; round < rounds; round++) {
    const first = 1 + round * seeds;
    // The order alternates so that neither side always runs right after the other's garbage.
    const pair = round % 2 === 0
      ? [await cpuSeconds(() => current(first, seeds)), await cpuSeconds(() => baseline(first, seeds))]
      : [await cpuSeconds(() => baseline(first, seeds)), await cpuSeconds(() => current(first, seeds))].reverse();
    currentCpu += pair[0]!;
    baselineCpu += pair[1]!;
    console.log(`round ${round}: current ${(seeds / pair[0]!).toFixed(0)} seeds/CPU-s, baseline ${(seeds / pair[1]!).toFixed(0)}, ${(pair[1]! / pair[0]!).toFixed(2)}x`);
  }
  const total = seeds * rounds;
  console.log(`swarm: current ${(total / currentCpu).toFixed(0)} seeds/CPU-s, baseline ${(total / baselineCpu).toFixed(0)}, ${(baselineCpu / currentCpu).toFixed(2)}x`);
}

async function exploreRounds(rounds: number): Promise<void> {
  const subject = await loadSubject({ kind: 'engine' });
  const plan = subject.plan('wal-append', 1);
  for (let round = 0; round < rounds; round++) {
    let runs = 0;
    const cpu = await cpuSeconds(async () => {
      runs = (await explorePlan(subject, plan, {})).runs;
    });
    console.log(`explore wal-append seed 1, round ${round}: ${runs} runs, ${(runs / cpu).toFixed(0)} runs/CPU-s`);
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'swarm' && rest[0] !== undefined) await compareScenario(rest[0], Number(rest[1] ?? 300), Number(rest[2] ?? 4));
else if (mode === 'explore') await exploreRounds(Number(rest[0] ?? 8));
else console.error('usage: npx tsx bench/side-by-side.ts swarm BASELINE_DIR [seedsPerRound] [rounds] | explore [rounds]');
