/**
 * `powercut ci`: what a CI job runs. Replays the regression corpus (harness/corpus.ts), runs a
 * fixed seed budget of every scenario of the subject, writes the reports, and optionally guards
 * simulation throughput against a baseline. Exit 1 on any violation or throughput regression, 3
 * on a harness violation, 4 when the corpus is missing or empty (nothing was replayed), 5 when a
 * targeted cell was never hit (the budget did not test what the scenarios promise).
 *
 * Throughput is compared as a ratio, never in absolute seeds/s: a fixed CPU-bound calibration
 * loop is timed right before and right after the campaign in the same process, and the guard
 * compares (seeds/s) / (calibration iterations/s) with the baseline's. A machine that is twice
 * as slow (or a noisy neighbour during the whole job) slows both; only a change that makes the
 * simulator or engine slower relative to plain CPU work moves the ratio.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runCampaign, untestedReason, type CampaignOutcome } from '../../harness/index.ts';
import { corpusDirDefault, replayCorpus, stableJson, type RegressionResult } from '../../harness/index.ts';
import { missedTargets, nondeterministic, writeReports } from '../../reports/index.ts';
import type { CampaignGate, CampaignResult } from '../../sim/index.ts';
import { withCorpus } from '../corpus-part.ts';
import { openPlan } from '../../subjects/load.ts';
import { nativeAddonsLine, workerScript } from '../../subjects/index.ts';
import { exitCodes, exitCodesHelp, UsageError } from '../errors.ts';
import { campaignSummary, missedProbes, unreachableNote } from '../format.ts';
import { invocationOf } from '../invocation.ts';
import { reportMeta } from '../meta.ts';
import { integerOption } from '../options.ts';
import { checkReportDir } from '../report-dir.ts';
import { scenarioList, subjectOf, subjectOptions, unitOf, type SubjectFlags } from '../subject-flags.ts';

interface CiFlags extends SubjectFlags {
  readonly scenario?: string[];
  readonly seeds: number;
  readonly jobs: number;
  readonly report: string;
  /** The corpus folder; `false` with --no-corpus. */
  readonly corpus: string | false;
  readonly baseline?: string;
  readonly writeBaseline?: string;
  /** Rerun a sample of seeds in a fresh worker (on unless --no-check-determinism). */
  readonly checkDeterminism: boolean;
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

/**
 * What ci says when it runs the reference engine's campaign (no `--engine` or `--target`) beside a
 * corpus whose plans name a module of their own: a user's project forgot `--engine`.
 */
function otherSubjectNote(flags: CiFlags, regressions: readonly RegressionResult[]): string | undefined {
  if (flags.target !== undefined) {
    const others = [...new Set(regressions.flatMap((result) => (result.module === undefined || resolve(result.module) === resolve(flags.target!) ? [] : [result.module])))];
    if (others.length === 0) return undefined;
    return `the corpus holds plans of other subjects than --target ${flags.target}: each was replayed on the module it names (${others.join(', ')}), and the campaign runs ${flags.target} only`;
  }
  if (flags.engine !== undefined) return undefined;
  const modules = [...new Set(regressions.flatMap((result) => (result.module === undefined ? [] : [result.module])))];
  if (modules.length === 0) return undefined;
  const first = regressions.find((result) => result.module === modules[0]);
  const flag = first?.kind === 'library' ? '--target' : '--engine';
  return `the campaign runs powercut's reference engine (no --engine or --target given), while the corpus's plans ran on ${modules.join(', ')}: give ${flag} ${modules[0]} to run its ${flag === '--target' ? 'workload' : 'scenarios'} too`;
}

/** Files of plans that replayed to the same digest (and so ran the same run), in groups of two or more. */
function sameRuns(results: readonly RegressionResult[]): string[][] {
  const byDigest = new Map<string, string[]>();
  for (const result of results) byDigest.set(result.digest, [...(byDigest.get(result.digest) ?? []), result.file]);
  return [...byDigest.values()].filter((files) => files.length > 1);
}

/** Replays the corpus (each plan on the subject it names; engine plans on `--engine` when given). */
async function replayRegressions(flags: CiFlags): Promise<RegressionResult[]> {
  if (!flags.corpus) return [];
  const results = await replayCorpus(flags.corpus, (document, source) => openPlan(document, source, { engine: flags.engine }));
  if (results.length === 0) return results;
  const failed = results.filter((result) => result.violations.length > 0);
  const unfired = results.filter((result) => result.unfired.length > 0).length;
  const stale = unfired > 0 ? `${unfired} no longer fire${unfired === 1 ? 's its' : ' their'} scheduled faults` : '';
  const verdict = failed.length > 0 ? `${failed.length} FAIL${stale === '' ? '' : `; ${stale}`}` : stale !== '' ? `none fails, but ${stale}` : 'all pass';
  console.log(`regression corpus: ${results.length} ${results.length === 1 ? 'plan' : 'plans'} replayed from ${flags.corpus}, ${verdict}`);
  for (const result of failed) console.log(`  ${result.file}: ${result.violations.map((v) => `[${v.invariant}] ${v.message}`).join('; ')}`);
  for (const result of results) if (result.unfired.length > 0) console.log(`  ${result.file}: scheduled faults that never fired: ${result.unfired.join(', ')}`);
  for (const same of sameRuns(results)) console.log(`  note: ${same.join(', ')} replay with the same digest: the same run, kept ${same.length} times`);
  const withoutEnv = results.filter((result) => result.violations.length === 0 && result.envMissing !== undefined);
  for (const result of withoutEnv) console.log(`  note: ${result.file} passes, but it was found with ${result.envMissing} set (${result.envHere}): it tests other code than it was found in`);
  return results;
}

/** Registers `ci` on `program`. */
export function registerCi(program: Command): void {
  subjectOptions(program.command('ci'))
    .description('replay the regression corpus, run a fixed seed budget of every scenario, write reports; fail on violations, an empty corpus or a targeted cell never hit')
    .option('--scenario <name...>', 'scenarios to run (default: all)')
    .option('--seeds <n>', 'seeds per scenario', integerOption(1), ciSeedsDefault)
    .option('--jobs <n>', 'threads running seeds: 1 is this one, more are n worker threads (a run that spins then ends its worker, not the job)', integerOption(1), 1)
    .option('--report <dir>', 'report folder', 'reports-out')
    .option('--corpus <dir>', 'regression corpus folder (plans or corpus entries, *.json), or one plan file', corpusDirDefault)
    .option('--no-corpus', 'run the campaign without replaying a regression corpus')
    .option('--no-check-determinism', 'skip rerunning every 50th seed in a fresh worker to compare digests (a mismatch fails ci with exit 3)')
    .option('--baseline <file>', 'fail when throughput falls more than 10% below this baseline')
    .option('--write-baseline <file>', 'write the throughput measured by this run as a baseline')
    .addHelpText('after', `\n${exitCodesHelp}`)
    .action(async (flags: CiFlags) => {
      checkReportDir(flags.report);
      const baseline = flags.baseline !== undefined ? await readBaseline(flags.baseline) : undefined;
      if (baseline && (baseline.jobs !== flags.jobs || baseline.seeds !== flags.seeds)) {
        throw new UsageError(`the baseline was measured with --seeds ${baseline.seeds} --jobs ${baseline.jobs}; run ci with the same (or write a new baseline)`);
      }
      const invocation = invocationOf(process.argv, process.env, process.cwd());
      const subject = await subjectOf(flags);
      // Names are checked before the corpus is replayed: bad usage is refused before any work.
      for (const name of scenarioList(flags.scenario) ?? []) unitOf(subject, name);
      const regressions = await replayRegressions(flags);
      const elsewhere = otherSubjectNote(flags, regressions);
      if (elsewhere !== undefined) process.stderr.write(`powercut: note: ${elsewhere}\n`);
      // An empty corpus fails the gate before the campaign is paid for, not after.
      if (flags.corpus && regressions.length === 0) {
        const reason = `nothing was replayed: the regression corpus ${flags.corpus} is missing or empty (keep shrunk plans there, or pass --no-corpus)`;
        // The reports say it too: a CI step that uploads junit.xml finds a failing case, not nothing.
        const none = await runCampaign({ subject, seeds: 0, ...(flags.scenario ? { units: scenarioList(flags.scenario) } : {}) });
        await writeReports(flags.report, { ...none, gate: { verdict: 'nothing tested', reasons: [reason] } }, reportMeta());
        process.stderr.write(`powercut: ${reason}\n`);
        process.exitCode = exitCodes.nothingTested;
        return;
      }

      if (baseline || flags.writeBaseline !== undefined) {
        // Warm-up, not measured: otherwise a short campaign mostly measures the JIT compiling
        // the engine and the simulator, and its seeds/s swings by half from run to run.
        await runCampaign({ subject, seeds: 2, seedStart: 1_000_000 });
      }
      const calibration = new Calibration();
      calibration.warm();
      const campaign = await runCampaign({
        subject, seeds: flags.seeds, jobs: flags.jobs, workerScript, invocation, ...(flags.scenario ? { units: scenarioList(flags.scenario) } : {}),
        checkDeterminism: flags.checkDeterminism,
        onProgress: () => calibration.slice(),
      });
      const calibrationPerSecond = calibration.perSecond();
      // The campaign's own figure includes the slices run between its seeds; take them out.
      const runsMs = campaign.seeds / Math.max(campaign.seedsPerSecond, 1e-9) * 1000;
      const seedsPerSecond = campaign.seeds / (Math.max(runsMs - calibration.elapsedMs, 1) / 1000);
      const measured: ThroughputBaseline = {
        format: 'powercut-ci-baseline', version: 1, seeds: flags.seeds, jobs: flags.jobs,
        seedsPerSecond, calibrationPerSecond,
        ratio: (seedsPerSecond / calibrationPerSecond) * 1e6,
      };
      const slow = baseline === undefined ? undefined : checkThroughput(measured, baseline);
      const campaignResult = withCorpus(campaign, regressions, invocation, flags.engine);
      // Decided before the reports are written, which say it: a CI page must not show a pass for a failed job.
      const verdict = ciVerdict(campaignResult, regressions, slow !== undefined);
      const result = verdict.gate === undefined ? campaignResult : { ...campaignResult, gate: verdict.gate };
      for (const line of campaignSummary(result, { reportDir: flags.report })) console.log(line);
      const written = await writeReports(flags.report, result, reportMeta());
      console.log(`reports: ${written.join(', ')}`);

      console.log(`throughput: ${measured.seedsPerSecond.toFixed(1)} seeds/s, calibration ${(calibrationPerSecond / 1e6).toFixed(0)} M it/s, ratio ${measured.ratio.toFixed(3)}`);
      if (baseline) console.log(slow ?? `throughput within ${throughputDropMax * 100}% of the baseline (${baseline.ratio.toFixed(3)})`);
      if (flags.writeBaseline !== undefined) {
        await writeFile(flags.writeBaseline, stableJson(measured));
        console.log(`wrote the baseline ${flags.writeBaseline}`);
      }
      const addons = result.subject?.kind === 'library' ? await nativeAddonsLine() : undefined;
      if (addons !== undefined) process.stderr.write(`powercut: ${addons}\n`);
      for (const line of verdict.stderr) process.stderr.write(`powercut: ${line}\n`);
      process.exitCode = verdict.exitCode;
    });
}

/**
 * What a regression plan found with a variable set otherwise adds (`, found with RAFT_BUG=x set,
 * here RAFT_BUG is not set`): the I/O its faults aimed at may exist only with that setting (a bug
 * planted behind the variable), and a user told only to shrink again could not see why.
 */
function foundWithOther(regression: RegressionResult): string {
  return regression.envMissing === undefined ? '' : `, found with ${regression.envMissing} set, ${regression.envHere ?? ''}`;
}

/** What the gate decided: the exit code, what it says on stderr, and the gate the reports show (exit 4 or 5). */
interface CiVerdict {
  readonly exitCode: number;
  readonly stderr: readonly string[];
  readonly gate?: CampaignGate;
}

/** The gate: harness or nondeterminism 3; violations or slow 1; nothing tested 4; something promised not exercised 5; else 0 (an empty corpus was refused before). */
function ciVerdict(result: CampaignOutcome, regressions: readonly RegressionResult[], slow: boolean): CiVerdict {
  if (result.violations.some((violation) => violation.invariant === 'harness') || nondeterministic(result)) return { exitCode: exitCodes.harness, stderr: [] };
  if (result.violations.length > 0 || slow) return { exitCode: exitCodes.violation, stderr: [] };
  const untested = untestedReason(result);
  if (untested !== undefined) return gated(exitCodes.nothingTested, 'nothing tested', `nothing was tested: ${untested}`, untested);
  const unfired = regressions.filter((regression) => regression.unfired.length > 0);
  if (unfired.length > 0) {
    const reason = `${unfired.length} regression plan${unfired.length === 1 ? ' no longer fires its' : 's no longer fire their'} scheduled faults (${unfired.map((r) => `${r.file}: ${r.unfired.join(', ')}${foundWithOther(r)}`).join('; ')})`;
    return gated(exitCodes.incomplete, 'incomplete', `incomplete: ${reason}: the code changed under ${unfired.length === 1 ? 'it' : 'them'}, so ${unfired.length === 1 ? 'it no longer reaches the I/O it was' : 'they no longer reach the I/O they were'} written for and test${unfired.length === 1 ? 's' : ''} nothing there. Shrink the bug again from its seed on the new code with the bug put back (\`powercut shrink --scenario S --seed N\`; a plan of the old code aims at I/O the new code no longer does), or remove the plan; a bug's scenario seeds stay in the campaign either way`, reason);
  }
  const probes = missedProbes(result);
  if (probes.length > 0) {
    const reason = `${probes.length} declared probe${probes.length === 1 ? ' was' : 's were'} never hit: ${probes.join(', ')}`;
    return gated(exitCodes.incomplete, 'incomplete', `incomplete: ${reason} (raise --seeds, or aim the scenarios)`, reason);
  }
  const missed = missedTargets(result);
  if (missed.length > 0) {
    const reason = `${missed.length} targeted cell${missed.length === 1 ? ' was' : 's were'} never hit: ${missed.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ')}`;
    return gated(exitCodes.incomplete, 'incomplete', `incomplete: ${reason} (raise --seeds, or aim the scenarios)`, reason);
  }
  const unreachable = unreachableNote(result);
  return { exitCode: exitCodes.ok, stderr: unreachable === undefined ? [] : [unreachable] };
}

/** A verdict of exit 4 or 5: `line` on stderr, `reason` in the reports' gate. */
function gated(exitCode: number, verdict: CampaignGate['verdict'], line: string, reason: string): CiVerdict {
  return { exitCode, stderr: [line], gate: { verdict, reasons: [reason] } };
}
