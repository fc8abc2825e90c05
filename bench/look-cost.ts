/**
 * What second looks cost, in one process: the same seeds of one scenario run with the reference
 * engine three ways, in turn (the order rotating from round to round, the first round a warm-up):
 * without looks (`looks` 0), with the looks at other crash states only (looks at bit rot switched
 * off in this process), and as the scenario plans them. Prints CPU per seed and the looks run.
 * Uses the compiled build when `npm run build` made one.
 *
 * Usage: npx tsx bench/look-cost.ts [scenario, default swarm] [seeds per round, default 300] [rounds, default 5]
 */
import { existsSync } from 'node:fs';

const compiled = existsSync(new URL('../dist/sim/runner.js', import.meta.url));
const from = (module: string): string => new URL(`../${compiled ? 'dist/' : ''}${module}.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
const { findScenario } = (await import(from('scenarios/index'))) as typeof import('../scenarios/index.ts');
const { referenceEngine, RotWatch, runPlan } = (await import(from('sim/index'))) as typeof import('../sim/index.ts');
const { withLooks } = (await import(from('harness/index'))) as typeof import('../harness/index.ts');

const [name = 'swarm', seedsArg = '300', roundsArg = '5'] = process.argv.slice(2);
const scenario = findScenario(name);
if (scenario === undefined) {
  process.stderr.write(`no scenario ${name}\n`);
  process.exit(2);
}
const seeds = Number(seedsArg);
const rounds = Number(roundsArg);
const wanted = RotWatch.prototype.wanted;
const noRot = function wanted(): readonly [] {
  return [];
};

const modes = ['no looks', 'other crash states only', 'as planned'] as const;
type Mode = (typeof modes)[number];
const totals = Object.fromEntries(modes.map((mode) => [mode, { cpuMs: 0, looks: 0, seeds: 0 }])) as Record<Mode, { cpuMs: number; looks: number; seeds: number }>;
const cpuMs = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

for (let round = 0; round <= rounds; round++) {
  const first = 1 + round * seeds;
  for (let turn = 0; turn < modes.length; turn++) {
    const mode = modes[(turn + round) % modes.length]!;
    RotWatch.prototype.wanted = mode === 'as planned' ? wanted : noRot;
    const start = cpuMs();
    let looks = 0;
    for (let seed = first; seed < first + seeds; seed++) {
      const plan = scenario.plan(seed);
      const result = await runPlan(mode === 'no looks' ? withLooks(plan, 0) : plan, referenceEngine);
      looks += result.looks ?? 0;
    }
    if (round === 0) continue;
    totals[mode].cpuMs += cpuMs() - start;
    totals[mode].looks += looks;
    totals[mode].seeds += seeds;
  }
}
RotWatch.prototype.wanted = wanted;
const base = totals['no looks'].cpuMs / totals['no looks'].seeds;
console.log(`${name}, ${rounds} rounds of ${seeds} seeds after a warm-up round (${compiled ? 'compiled' : 'source'})`);
for (const mode of modes) {
  const total = totals[mode];
  const perSeed = total.cpuMs / total.seeds;
  console.log(`${mode.padEnd(24)} ${perSeed.toFixed(2)} ms CPU a seed (${(perSeed / base).toFixed(2)}x), ${(total.looks / total.seeds).toFixed(1)} looks a seed`);
}
