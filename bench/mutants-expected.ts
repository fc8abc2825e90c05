/**
 * Planted bugs caught per CPU-minute in expectation, this checkout side by side with an older one:
 * `npx tsx bench/mutants-expected.ts BASELINE_DIR [seedsPerRound] [hitsWanted] [seedsMax]`
 * (defaults 100, 8, 2000).
 *
 * `bench:mutants -- --baseline` counts the seeds to the first failure of one seed order: for a bug
 * that 1 % of seeds catch, that count is luck (3 in one checkout, 181 in the next, for the same
 * rate). This figure instead measures, for each bug, the share of seeds of each target scenario
 * that catch it (its hit rate) and the CPU per seed, on a fresh copy of the engine with the bug,
 * and takes the expected CPU of the round-robin search until the first catch:
 * (sum of CPU per seed over the scenarios) / (1 - product of (1 - hit rate)). A bug no measured
 * seed caught counts as not caught. The two checkouts are asked in turn, one bug at a time, the
 * order swapped from one bug to the next.
 *
 * Seeds run in rounds of `seedsPerRound` per scenario until the bug's scenarios together hit it
 * `hitsWanted` times or each ran `seedsMax` seeds, so a bug that ~1 % of seeds catch is estimated
 * from several hits (with a fixed count it rested on one or two, and the total swung from 1.4x to
 * 2x between runs). Each checkout runs as its CLI does: its compiled build when it has one
 * (bench/mutant-rates.ts says how; POWERCUT_BENCH_SOURCE=1 runs both from source).
 * POWERCUT_BENCH_ONLY=id,id… measures only those bugs (a change aimed at a few of them).
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { mutants } from '../test/mutants/catalogue.ts';
import { expectedCpuMs, geometricMeanSpeedup, type Rates } from './expected-catch.ts';
import { askInTurn, startChild } from './checkout-children.ts';


interface Reply {
  readonly id: string;
  readonly missing?: boolean;
  readonly build?: string;
  readonly scenarios?: Rates;
}

const script = fileURLToPath(new URL('./mutant-rates.ts', import.meta.url));

const [baselineArg, seedsArg, hitsArg, seedsMaxArg] = process.argv.slice(2);
if (baselineArg === undefined) {
  process.stderr.write('usage: npx tsx bench/mutants-expected.ts BASELINE_DIR [seedsPerRound] [hitsWanted] [seedsMax]\n');
  process.exit(2);
}
const request = { seeds: Number(seedsArg ?? 100), hitsWanted: Number(hitsArg ?? 8), seedsMax: Number(seedsMaxArg ?? 2000) };
const current = await startChild(script, resolve(fileURLToPath(new URL('..', import.meta.url))));
const baseline = await startChild(script, resolve(baselineArg));
const totals = { current: { caught: 0, cpuMs: 0 }, baseline: { caught: 0, cpuMs: 0 } };
const bothCaught: { current: number; baseline: number }[] = [];
console.log(`rounds of ${request.seeds} seeds per target scenario, until ${request.hitsWanted} hits or ${request.seedsMax} seeds`);
console.log('bug                          expected CPU ms to catch (current / baseline)   hits/seeds per scenario (current; baseline)');
let turn = 0;
const only = process.env['POWERCUT_BENCH_ONLY']?.split(',');
for (const mutant of mutants.filter((m) => only === undefined || only.includes(m.id))) {
  const [mine, theirs] = await askInTurn<Reply>(current, baseline, turn++, { id: mutant.id, ...request });
  if (turn === 1) console.log(`builds: current ${mine.build ?? 'source'}, baseline ${theirs.build ?? 'source'}`);
  if (theirs.missing) {
    console.log(`${mutant.id.padEnd(28)} not in the baseline's catalogue`);
    continue;
  }
  const expected = { current: expectedCpuMs(mine.scenarios!), baseline: expectedCpuMs(theirs.scenarios!) };
  for (const side of ['current', 'baseline'] as const) {
    const value = expected[side];
    if (value === undefined) continue;
    totals[side].caught++;
    totals[side].cpuMs += value;
  }
  if (expected.current !== undefined && expected.baseline !== undefined) bothCaught.push({ current: expected.current, baseline: expected.baseline });
  const cell = (value: number | undefined): string => (value === undefined ? 'not caught' : value.toFixed(0));
  const hits = (rates: Rates): string => Object.values(rates).map((rate) => `${rate.hits}/${rate.seeds}`).join(' ');
  console.log(`${mutant.id.padEnd(28)} ${`${cell(expected.current)} / ${cell(expected.baseline)}`.padEnd(48)} ${hits(mine.scenarios!)}; ${hits(theirs.scenarios!)}`);
}
current.disconnect();
baseline.disconnect();
const perMinute = (side: keyof typeof totals): number => totals[side].caught / (totals[side].cpuMs / 60_000);
for (const side of ['current', 'baseline'] as const) console.log(`${side.padEnd(9)} caught ${totals[side].caught}, ${perMinute(side).toFixed(0)} caught per CPU-minute in expectation`);
console.log(`ratio: ${(perMinute('current') / perMinute('baseline')).toFixed(2)}x`);
const speedup = geometricMeanSpeedup(bothCaught);
if (speedup !== undefined) console.log(`geometric mean of per-bug speed-ups (${bothCaught.length} bugs both caught, each weighing the same): ${speedup.toFixed(2)}x`);
