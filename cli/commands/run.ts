/**
 * `powercut run`: a campaign over scenarios and seeds (sim/campaign.ts), with progress on stderr,
 * a summary (or one JSON object) on stdout, and optional report files.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { writeReports } from '../../reports/index.ts';
import { scenarios } from '../../scenarios/index.ts';
import { runCampaign, type CampaignOutcome, type Shard } from '../../sim/campaign.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { campaignJson, campaignSummary } from '../format.ts';
import { reportMeta } from '../meta.ts';
import { integerOption, secondsOption, shardOption } from '../options.ts';
import { progressReporter } from '../progress.ts';
import { loadTarget } from '../target.ts';
import { targetFaultKinds } from '../../targets/plan.ts';
import type { FaultKind } from '../../sim/types.ts';

/**
 * Seeds per scenario of the default campaign (`npm start`). Measured on a 2-core machine with
 * `--jobs 2` (the default there): 11 x 1,200 seeds ran in 42 s at 329 seeds/s, so 11 x 1,500
 * takes about 50-60 s, depending on what else the machine runs.
 */
export const defaultSeeds = 1500;

interface RunOptions {
  scenario?: string[];
  seeds: number;
  seedStart: number;
  jobs: number;
  shard?: Shard;
  timeBudget?: number;
  json?: boolean;
  report?: string;
  checkDeterminism?: boolean;
  target?: string;
}

/** 0: clean; 1: violations; 3: a harness violation or nondeterminism. */
export function campaignExitCode(result: CampaignOutcome): number {
  if (result.violations.some((violation) => violation.invariant === 'harness')) return exitCodes.harness;
  if ((result.determinism?.mismatches.length ?? 0) > 0) return exitCodes.harness;
  return result.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
}

export function register(program: Command): void {
  program.command('run')
    .description(`run a campaign: every seed of every chosen scenario in the simulator (default: all scenarios, ${defaultSeeds} seeds each)`)
    .option('--scenario <name...>', 'scenarios to run, or "all" (default: all)')
    .option('--seeds <n>', 'seeds per scenario', integerOption(0), defaultSeeds)
    .option('--seed-start <s>', 'first seed', integerOption(0), 1)
    .option('--jobs <n>', 'worker threads (1: in this thread)', integerOption(1), availableParallelism())
    .option('--shard <I/N>', 'run only shard I of N (pair k of the campaign goes to shard k mod N + 1)', shardOption)
    .option('--time-budget <sec>', 'stop issuing seeds after this many seconds', secondsOption)
    .option('--json', 'print one JSON object on stdout instead of the summary')
    .option('--report <dir>', 'write summary.json, junit.xml, summary.md and report.html into DIR')
    .option('--check-determinism', 'rerun every 50th seed in a fresh worker and compare digests (mismatch: exit 3)')
    .option('--target <file>', 'run the campaign on a library workload module instead of the scenarios (see README "Testing any Node library")')
    .addHelpText('after', '\nExit codes: 0 no violation, 1 violation found, 2 bad usage or input, 3 harness error or nondeterminism.')
    .action(async (options: RunOptions) => {
      let names: string[];
      let targetKinds: FaultKind[] | undefined;
      if (options.target !== undefined) {
        if (options.scenario !== undefined) throw new UsageError('give either --target or --scenario, not both');
        const workload = await loadTarget(options.target);
        names = [workload.name];
        targetKinds = targetFaultKinds(workload);
      } else {
        const requested = options.scenario ?? ['all'];
        names = requested.includes('all') ? scenarios.map((scenario) => scenario.name) : requested;
      }
      const progress = progressReporter(process.stderr);
      const result = await runCampaign({
        scenarios: names,
        seeds: options.seeds,
        seedStart: options.seedStart,
        jobs: options.jobs,
        ...(options.shard ? { shard: options.shard } : {}),
        ...(options.timeBudget !== undefined ? { timeBudgetSec: options.timeBudget } : {}),
        checkDeterminism: options.checkDeterminism === true,
        ...(options.target !== undefined ? { target: options.target, targetFaultKinds: targetKinds } : {}),
        onProgress: (update) => progress.update(update),
      });
      progress.finish();
      const exitCode = campaignExitCode(result);
      if (options.report !== undefined) {
        const written = await writeReports(options.report, result, reportMeta());
        if (!options.json) console.log(`reports: ${written.join(', ')}`);
      }
      if (options.json) console.log(JSON.stringify(campaignJson(result, exitCode)));
      else for (const line of campaignSummary(result)) console.log(line);
      process.exitCode = exitCode;
    });
}
