/**
 * A campaign from code, with the subject named by module: the same campaign `powercut run` runs,
 * in this thread or, when `jobs` > 1, in `jobs` worker threads.
 */
import { runCampaign as runHarnessCampaign, type CampaignOutcome, type CampaignProgress } from '../harness/index.ts';
import type { Shard } from '../harness/index.ts';
import { workerScript } from '../subjects/index.ts';
import { withHostEnv } from './host.ts';
import { checkOptions, optionNames } from './options.ts';
import { loadInput, subjectOptionNames, type SubjectInput } from './subject-input.ts';

/** Options of {@link runCampaign}. */
export interface RunCampaignOptions extends SubjectInput {
  /** Scenarios (an engine's); a workload has one, its own. @defaultValue every scenario */
  readonly scenarios?: readonly string[];
  /** Seeds per scenario. */
  readonly seeds: number;
  /** First seed. @defaultValue 1 */
  readonly seedStart?: number;
  /** Threads running seeds: 1 is this one; more are that many worker threads (a run that spins then ends its worker, not the test runner). @defaultValue 1 */
  readonly jobs?: number;
  readonly shard?: Shard;
  /** Stop issuing seeds after this many seconds (counted from the call). */
  readonly timeBudgetSec?: number;
  /** Rerun a sample of seeds in a fresh worker and compare digests. */
  readonly checkDeterminism?: boolean;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /** How repro lines start. @defaultValue 'npx powercut' */
  readonly invocation?: string;
}

/** The keys of {@link RunCampaignOptions}. */
const campaignOptionNames = [...subjectOptionNames, ...optionNames({
  scenarios: true, seeds: true, seedStart: true, jobs: true, shard: true, timeBudgetSec: true, checkDeterminism: true, onProgress: true, invocation: true,
} satisfies Record<Exclude<keyof RunCampaignOptions, keyof SubjectInput>, true>)];

/**
 * Runs a campaign on the subject the options name.
 * @returns the aggregated result, the same whatever `jobs` is
 * @throws SubjectLoadError (code `SUBJECT_LOAD`), CampaignInputError (code `CAMPAIGN_INPUT`), OptionsError (code `POWERCUT_OPTIONS`) for an option it does not know
 */
export async function runCampaign(options: RunCampaignOptions): Promise<CampaignOutcome> {
  return withHostEnv(() => campaign(options));
}

/** {@link runCampaign}, in the test runner's environment. */
async function campaign(options: RunCampaignOptions): Promise<CampaignOutcome> {
  checkOptions('runCampaign options', options, campaignOptionNames);
  const subject = await loadInput(options);
  return runHarnessCampaign({
    subject, seeds: options.seeds, jobs: options.jobs ?? 1, workerScript,
    ...(options.scenarios ? { units: options.scenarios } : {}),
    ...(options.seedStart !== undefined ? { seedStart: options.seedStart } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.timeBudgetSec !== undefined ? { timeBudgetSec: options.timeBudgetSec } : {}),
    ...(options.checkDeterminism ? { checkDeterminism: true } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.invocation ? { invocation: options.invocation } : {}),
  });
}
