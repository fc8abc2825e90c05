/**
 * `powercut run`: a campaign over a subject's units and seeds (harness/campaign.ts), with
 * progress on stderr, a summary (or one JSON object) on stdout, and optional report files.
 */
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { runCampaign, untestedReason, type CampaignOutcome } from '../../harness/index.ts';
import type { Shard } from '../../harness/index.ts';
import { missedTargets, writeReports } from '../../reports/index.ts';
import { nativeAddonsLine, workerScript } from '../../subjects/index.ts';
import { checkReportDir } from '../report-dir.ts';
import { exitCodes, exitCodesHelp } from '../errors.ts';
import { campaignJson, campaignSummary, fewAcknowledgedNote, journalOrderNote, missedProbes, unreachableNote } from '../format.ts';
import { invocationOf } from '../invocation.ts';
import { reportMeta } from '../meta.ts';
import { integerOption, secondsOption, shardOption } from '../options.ts';
import { interruptOnSigint } from '../interrupt.ts';
import { progressReporter } from '../progress.ts';
import { scenarioList, subjectOf, subjectOptions, type SubjectFlags } from '../subject-flags.ts';

/**
 * Seeds per scenario of the default campaign (`npm start`). Measured on a 2-core machine with
 * `--jobs 2` (the default there): 11 x 1,200 seeds ran in 42 s at 329 seeds/s, so 11 x 1,500
 * takes about 50-60 s, depending on what else the machine runs; the three media-damage
 * scenarios make it 14 x 1,500.
 */
export const defaultSeeds = 1500;

interface RunOptions extends SubjectFlags {
  scenario?: string[];
  seeds: number;
  seedStart: number;
  jobs: number;
  shard?: Shard;
  timeBudget?: number;
  json?: boolean;
  report?: string;
  checkDeterminism?: boolean;
}

/**
 * 3: a harness violation or nondeterminism; 1: violations; 4: no seed ran; else 0.
 * @param result - the campaign
 */
export function campaignExitCode(result: CampaignOutcome): number {
  if (result.violations.some((violation) => violation.invariant === 'harness')) return exitCodes.harness;
  if ((result.determinism?.mismatches.length ?? 0) > 0) return exitCodes.harness;
  if (result.violations.length > 0 || (result.violationsOmitted ?? 0) > 0) return exitCodes.violation;
  if (result.interrupted === true) return exitCodes.interrupted;
  return result.seeds === 0 || untestedReason(result) !== undefined ? exitCodes.nothingTested : exitCodes.ok;
}

/**
 * Said when seeds ran but tested nothing (harness/untested.ts: no I/O reached the simulated
 * disk, or nothing was ever acknowledged), with the likely reason; undefined otherwise. With
 * violations too, it explains them: an engine that writes past `env.fs` "loses" every commit.
 */
export function noDiskLine(result: CampaignOutcome): string | undefined {
  // Every seed ended by the harness (a setup that throws with faults off, a run that spun and
  // lost its worker) left no I/O to count: the violations say why, and the hints only misled.
  const harnessEnded = new Set(result.violations.filter((violation) => violation.invariant === 'harness' || violation.spun === true).map((violation) => `${violation.scenario}\u0000${violation.seed}`));
  if (result.seeds > 0 && harnessEnded.size === result.seeds) return undefined;
  return untestedReason(result);
}

/** What `run` says when no seed ran. */
export function nothingRanLine(result: CampaignOutcome): string {
  const noDisk = noDiskLine(result);
  if (noDisk !== undefined) return `nothing was tested: ${noDisk}`;
  if (result.seedsPlanned === 0) return 'nothing was tested: the campaign holds no seed (--seeds 0, or a shard with no seed)';
  return `nothing was tested: the time budget was spent before the first seed finished starting (${(result.elapsedMs / 1000).toFixed(1)} s; give a larger --time-budget)`;
}

/** What `run` says of a campaign Ctrl-C stopped with nothing found. */
function interruptedLine(result: CampaignOutcome): string {
  return `interrupted after ${result.seeds} of ${result.seedsPlanned} seeds: nothing found in those, but the campaign is not done`;
}

export function register(program: Command): void {
  subjectOptions(program.command('run'))
    .description(`run a campaign: every seed of every chosen scenario in the simulator (default: all scenarios, ${defaultSeeds} seeds each)`)
    .option('--scenario <name...>', 'scenarios to run, or "all" (default: all)')
    .option('--seeds <n>', 'seeds per scenario', integerOption(0), defaultSeeds)
    .option('--seed-start <s>', 'first seed', integerOption(0), 1)
    .addOption(new Option('--jobs <n>', 'threads running seeds: 1 is this one, more are n worker threads (a run that spins then ends its worker, not the campaign)').argParser(integerOption(1)).default(availableParallelism(), `every core, ${availableParallelism()} here`))
    .option('--shard <I/N>', 'run only shard I of N (pair k of the campaign goes to shard k mod N + 1)', shardOption)
    .option('--time-budget <sec>', 'stop issuing seeds this many seconds after the command started', secondsOption)
    .option('--json', 'print one JSON object on stdout instead of the summary')
    .option('--report <dir>', 'write summary.json, junit.xml, summary.md and report.html into DIR')
    .option('--check-determinism', 'rerun every 50th seed in a fresh worker and compare digests (mismatch: exit 3)')
    .addHelpText('after', `\n${exitCodesHelp}`)
    .action(async (options: RunOptions) => {
      // Bad output paths are refused before the campaign runs, not after.
      if (options.report !== undefined) checkReportDir(options.report);
      const subject = await subjectOf(options);
      const requested = scenarioList(options.scenario) ?? ['all'];
      const units = requested.includes('all') ? subject.units : requested;
      const progress = progressReporter(process.stderr, options.json === true);
      const interrupt = interruptOnSigint();
      const result = await runCampaign({
        subject, units, seeds: options.seeds, seedStart: options.seedStart, jobs: options.jobs, workerScript,
        ...(options.shard ? { shard: options.shard } : {}),
        // The budget counts from the start of the command (the process), not of the campaign.
        ...(options.timeBudget !== undefined ? { timeBudgetSec: options.timeBudget, startedAtMs: 0 } : {}),
        checkDeterminism: options.checkDeterminism === true,
        invocation: invocationOf(process.argv, process.env, process.cwd()),
        onProgress: (update) => progress.update(update),
        signal: interrupt.signal,
      }).finally(() => interrupt.dispose());
      progress.finish();
      const exitCode = campaignExitCode(result);
      // A campaign that tested nothing says so in its reports too, not only in its exit code.
      const reported = exitCode === exitCodes.nothingTested ? { ...result, gate: { verdict: 'nothing tested' as const, reasons: [nothingRanLine(result).replace(/^nothing was tested: /, '')] } }
        : exitCode === exitCodes.interrupted ? { ...result, gate: { verdict: 'incomplete' as const, reasons: [interruptedLine(result)] } } : result;
      if (options.report !== undefined) {
        const written = await writeReports(options.report, reported, reportMeta());
        if (!options.json) console.log(`reports: ${written.join(', ')}`);
      }
      if (options.json) console.log(JSON.stringify(campaignJson(result, exitCode)));
      else for (const line of campaignSummary(result, options.report === undefined ? {} : { reportDir: options.report })) console.log(line);
      // What a campaign cut short did not reach says nothing of what a whole one would.
      const missed = result.interrupted === true ? [] : missedTargets(result);
      const probes = result.interrupted === true ? [] : missedProbes(result);
      if (probes.length > 0 && result.seeds > 0) process.stderr.write(`powercut: warning: ${probes.length} declared probe${probes.length === 1 ? ' was' : 's were'} never hit: ${probes.join(', ')} (ci fails on this)\n`);
      if (missed.length > 0 && result.seeds > 0) process.stderr.write(`powercut: warning: ${missed.length} targeted cell${missed.length === 1 ? ' was' : 's were'} never hit: ${missed.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ')} (ci fails on this)\n`);
      const unreachable = unreachableNote(result);
      if (unreachable !== undefined) process.stderr.write(`powercut: ${unreachable}\n`);
      const few = fewAcknowledgedNote(result);
      if (few !== undefined) process.stderr.write(`powercut: ${few}\n`);
      const order = journalOrderNote(result, (subject.plan(subject.units[0]!, 1) as { faults?: { dirOrder?: string } }).faults?.dirOrder);
      if (order !== undefined) process.stderr.write(`powercut: ${order}\n`);
      const addons = result.subject?.kind === 'library' ? await nativeAddonsLine() : undefined;
      if (addons !== undefined) process.stderr.write(`powercut: ${addons}\n`);
      if (exitCode === exitCodes.interrupted) process.stderr.write(`powercut: ${interruptedLine(result)}\n`);
      else if (exitCode === exitCodes.nothingTested) process.stderr.write(`powercut: ${nothingRanLine(result)}\n`);
      else if (noDiskLine(result) !== undefined) process.stderr.write(`powercut: warning: ${noDiskLine(result)}\n`);
      process.exitCode = exitCode;
    });
}
