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

/** Iterations of one calibration slice (about half a millisecond). */
const calibrationSliceIterations = 300_000;

/**
 * Times slices of a fixed integer-hashing loop. Slices run between seeds, interleaved with the
 * campaign, and the mean is used (not the best): a machine busy during part of the campaign
 * then slows the calibration in the same proportion, which a single timing before or after
 * would miss.
 */
export class Calibration {
  iterations = 0;
  elapsedMs = 0;
  #sink = 0;

  /** Runs one slice. */
  slice(): void {
    const started = performance.now();
    let h = 0x811c9dc5 ^ this.iterations;
    for (let i = 0; i < calibrationSliceIterations; i++) {
      h ^= i & 0xff;
      h = Math.imul(h, 0x01000193);
      h ^= h >>> 13;
    }
    this.#sink ^= h;
    this.elapsedMs += performance.now() - started;
    this.iterations += calibrationSliceIterations;
  }

  /** Runs slices until the loop is compiled by the optimising tier, then forgets them. */
  warm(): void {
    for (let round = 0; round < 30; round++) this.slice();
    this.iterations = 0;
    this.elapsedMs = 0;
  }

  /** Iterations per second over every slice. */
  perSecond(): number {
    return this.iterations / (Math.max(this.elapsedMs, 0.001) / 1000);
  }

  /** Keeps the loop's result observable so that it cannot be optimised away. */
  get sink(): number {
    return this.#sink;
  }
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

      if (baseline || flags.writeBaseline !== undefined) {
        // Warm-up, not measured: otherwise a short campaign mostly measures the JIT compiling
        // the engine and the simulator, and its seeds/s swings by half from run to run.
        await runCampaign({ scenarios: scenarios.map((scenario) => scenario.name), seeds: 2, seedStart: 1_000_000 });
      }
      const calibration = new Calibration();
      calibration.warm();
      const campaign = await runCampaign({
        scenarios: scenarios.map((scenario) => scenario.name), seeds: flags.seeds, jobs: flags.jobs,
        onProgress: () => calibration.slice(),
      });
      const calibrationPerSecond = calibration.perSecond();
      // The campaign's own figure includes the slices run between its seeds; take them out.
      const runsMs = campaign.seeds / Math.max(campaign.seedsPerSecond, 1e-9) * 1000;
      const seedsPerSecond = campaign.seeds / (Math.max(runsMs - calibration.elapsedMs, 1) / 1000);
      const violations = [...corpusViolations(regressions), ...campaign.violations];
      const result = { ...campaign, violations };
      for (const line of campaignSummary(result)) console.log(line);
      const written = await writeReports(flags.report, result, reportMeta());
      console.log(`reports: ${written.join(', ')}`);

      const measured: ThroughputBaseline = {
        format: 'powercut-ci-baseline', version: 1, seeds: flags.seeds, jobs: flags.jobs,
        seedsPerSecond, calibrationPerSecond,
        ratio: (seedsPerSecond / calibrationPerSecond) * 1e6,
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
