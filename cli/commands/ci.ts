/**
 * `powercut ci`: what a CI job runs. Replays the regression corpus (sim/regressions.ts), runs a
 * fixed seed budget of every scenario, writes the reports, and optionally guards simulation
 * throughput against a baseline. Exit 1 on any violation or throughput regression, 3 on a
 * harness violation.
 *
 * Throughput is compared as a ratio, never in absolute seeds/s: a fixed CPU-bound calibration
 * loop is timed right before and right after the campaign in the same process, and the guard
 * compares (seeds/s) / (calibration iterations/s) with the baseline's. A machine that is twice
 * as slow (or a noisy neighbour during the whole job) slows both; only a change that makes the
 * simulator or engine slower relative to plain CPU work moves the ratio.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { scenarios } from '../../scenarios/index.ts';
import { writeReports } from '../../reports/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { runCampaign } from '../../sim/campaign.ts';
import { toViolation } from '../../sim/checkers/violation.ts';
import { corpusDirDefault, CorpusInputError, replayCorpus, stableJson, type RegressionResult } from '../../sim/regressions.ts';
import type { Violation } from '../../sim/types.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { campaignSummary } from '../format.ts';
import { reportMeta } from '../meta.ts';
import { integerOption } from '../options.ts';

interface CiFlags {
  readonly seeds: number;
  readonly jobs: number;
  readonly report: string;
  readonly corpus: string;
  readonly baseline?: string;
  readonly writeBaseline?: string;
}

/** The throughput figures `ci --write-baseline` stores. */
export interface ThroughputBaseline {
  readonly format: 'powercut-ci-baseline';
  readonly version: 1;
  readonly seeds: number;
  readonly jobs: number;
  readonly seedsPerSecond: number;
  readonly calibrationPerSecond: number;
  /** seedsPerSecond / calibrationPerSecond × 1e6. */
  readonly ratio: number;
}

/** Seeds per scenario of the CI campaign. */
export const ciSeedsDefault = 20;
/** The largest drop of the throughput ratio below the baseline that still passes. */
export const throughputDropMax = 0.1;

/**
 * Iterations per second of a fixed integer-hashing loop (best of three, ~50 ms each): the
 * calibration the throughput ratio divides by.
 */
export function calibrate(): number {
  const iterations = 2_000_000;
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < iterations; i++) {
      h ^= i & 0xff;
      h = Math.imul(h, 0x01000193);
      h ^= h >>> 13;
    }
    sink ^= h;
    best = Math.min(best, performance.now() - started);
  }
  // Keeps the loop observable so it cannot be optimised away.
  if (sink === 0.5) console.log('');
  return iterations / (Math.max(best, 0.001) / 1000);
}

/**
 * Compares a throughput measurement with a baseline.
 * @returns a failure message, or `undefined` when within {@link throughputDropMax}
 */
export function checkThroughput(current: ThroughputBaseline, baseline: ThroughputBaseline): string | undefined {
  const floor = baseline.ratio * (1 - throughputDropMax);
  if (current.ratio >= floor) return undefined;
  const drop = (1 - current.ratio / baseline.ratio) * 100;
  return `throughput ratio ${current.ratio.toFixed(3)} is ${drop.toFixed(1)}% below the baseline's ${baseline.ratio.toFixed(3)} (allowed: ${throughputDropMax * 100}%)`;
}

async function readBaseline(file: string): Promise<ThroughputBaseline> {
  let value: Partial<ThroughputBaseline>;
  try {
    value = JSON.parse(await readFile(file, 'utf8')) as Partial<ThroughputBaseline>;
  } catch (error) {
    throw new UsageError(`cannot read the baseline ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (value.format !== 'powercut-ci-baseline' || value.version !== 1 || typeof value.ratio !== 'number' || !(value.ratio > 0)) {
    throw new UsageError(`${file} is not a powercut ci baseline (write one with ci --write-baseline FILE)`);
  }
  return value as ThroughputBaseline;
}

/** Corpus failures as report violations, under the scenario of their plan. */
function corpusViolations(results: readonly RegressionResult[]): Violation[] {
  return results.flatMap((result) => result.violations.map((violation) =>
    toViolation({ ...violation, message: `[regression ${result.name}] ${violation.message}` }, {
      scenario: result.scenario, seed: result.seed, repro: `jq .plan ${result.file} > plan.json && npm run -s powercut -- replay plan.json`,
    })));
}

/** Registers `ci` on `program`. */
export function registerCi(program: Command): void {
  program
    .command('ci')
    .description('replay the regression corpus, run a fixed seed budget of every scenario, write reports')
    .option('--seeds <n>', 'seeds per scenario', integerOption(1), ciSeedsDefault)
    .option('--jobs <n>', 'worker threads', integerOption(1), 1)
    .option('--report <dir>', 'report folder', 'reports-out')
    .option('--corpus <dir>', 'regression corpus folder', corpusDirDefault)
    .option('--baseline <file>', 'fail when throughput falls more than 10% below this baseline')
    .option('--write-baseline <file>', 'write the throughput measured by this run as a baseline')
    .action(async (flags: CiFlags) => {
      const baseline = flags.baseline !== undefined ? await readBaseline(flags.baseline) : undefined;
      if (baseline && (baseline.jobs !== flags.jobs || baseline.seeds !== flags.seeds)) {
        throw new UsageError(`the baseline was measured with --seeds ${baseline.seeds} --jobs ${baseline.jobs}; run ci with the same (or write a new baseline)`);
      }
      let regressions: RegressionResult[];
      try {
        regressions = await replayCorpus(flags.corpus, referenceEngine);
      } catch (error) {
        if (error instanceof CorpusInputError) throw new UsageError(error.message);
        throw error;
      }
      const failedEntries = regressions.filter((result) => result.violations.length > 0);
      console.log(`regression corpus: ${regressions.length} plans replayed from ${flags.corpus}, ${failedEntries.length === 0 ? 'all pass' : `${failedEntries.length} FAIL`}`);
      for (const result of failedEntries) console.log(`  ${result.file}: ${result.violations.map((v) => `[${v.invariant}] ${v.message}`).join('; ')}`);

      const calibrationBefore = calibrate();
      const campaign = await runCampaign({ scenarios: scenarios.map((scenario) => scenario.name), seeds: flags.seeds, jobs: flags.jobs });
      const calibrationPerSecond = Math.max(calibrationBefore, calibrate());
      const violations = [...corpusViolations(regressions), ...campaign.violations];
      const result = { ...campaign, violations };
      for (const line of campaignSummary(result)) console.log(line);
      const written = await writeReports(flags.report, result, reportMeta());
      console.log(`reports: ${written.join(', ')}`);

      const measured: ThroughputBaseline = {
        format: 'powercut-ci-baseline', version: 1, seeds: flags.seeds, jobs: flags.jobs,
        seedsPerSecond: campaign.seedsPerSecond, calibrationPerSecond,
        ratio: (campaign.seedsPerSecond / calibrationPerSecond) * 1e6,
      };
      console.log(`throughput: ${measured.seedsPerSecond.toFixed(1)} seeds/s, calibration ${(calibrationPerSecond / 1e6).toFixed(0)} M it/s, ratio ${measured.ratio.toFixed(3)}`);
      let slow: string | undefined;
      if (baseline) {
        slow = checkThroughput(measured, baseline);
        console.log(slow ?? `throughput within ${throughputDropMax * 100}% of the baseline (${baseline.ratio.toFixed(3)})`);
      }
      if (flags.writeBaseline !== undefined) {
        await writeFile(flags.writeBaseline, stableJson(measured));
        console.log(`wrote the baseline ${flags.writeBaseline}`);
      }
      const harness = violations.some((violation) => violation.invariant === 'harness');
      process.exitCode = harness ? exitCodes.harness : violations.length > 0 || slow !== undefined ? exitCodes.violation : exitCodes.ok;
    });
}
