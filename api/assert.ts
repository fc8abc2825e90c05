/**
 * `assertCrashSafe`: a campaign as one assertion in a test runner (vitest, jest, node:test), as
 * fast-check's `fc.assert` is for properties. It runs seeds of the subject; on the first
 * violation (in campaign order) it shrinks that seed's plan, writes the shrunk plan to a file,
 * and throws a {@link CrashSafetyError} whose message names the invariant, what was seen, the
 * file, and the one way to rerun exactly that run: `POWERCUT_PLAN=<file>` (or the `plan`
 * option), which makes the same assertion replay that plan instead of running a campaign.
 * A campaign in which no seed ran throws {@link NothingTestedError}: never a pass.
 */
import { runCampaign, untestedReason, type CampaignOutcome, type CampaignProgress } from '../harness/index.ts';
import { failingRuns, findingOf } from '../harness/index.ts';
import { keptPlanNote, needsNoFaultWords, planToKeep, shrinkPlan } from '../harness/index.ts';
import { workerScript } from '../subjects/index.ts';
import { NothingTestedError } from './errors.ts';
import { withHostEnv } from './host.ts';
import { failure, foundInTest, partialPass, planToReplay, replayAsked, writeFailure } from './failure-report.ts';
import { checkOptions, optionNames } from './options.ts';
import { loadInput, subjectOptionNames, type SubjectInput } from './subject-input.ts';

/** Options of {@link assertCrashSafe}. */
export interface AssertOptions {
  /** Scenarios to run (an engine's); a workload has one, its own. @defaultValue every scenario */
  readonly scenarios?: readonly string[];
  /** Seeds per scenario. @defaultValue 100 */
  readonly seeds?: number;
  /** First seed. @defaultValue 1 */
  readonly seedStart?: number;
  /** Threads running seeds: 1 is this one; more are that many worker threads (a run that spins then ends its worker, not the test runner). @defaultValue 1 */
  readonly jobs?: number;
  /** Stop issuing seeds after this many seconds (counted from the call). */
  readonly timeBudgetSec?: number;
  /** Shrinker runs spent on the failure. @defaultValue 500 */
  readonly shrinkRunsMax?: number;
  /** Where the shrunk plan of a failure is written. @defaultValue `.powercut/failures` in the working directory */
  readonly failuresDir?: string;
  /**
   * Replay this plan file on this assertion's subject instead of running a campaign.
   * @defaultValue the `POWERCUT_PLAN` environment variable, when that plan names this assertion's
   * subject (the same engine or workload module); other assertions run their campaigns
   */
  readonly plan?: string | URL;
  /** How printed commands start. @defaultValue 'npx powercut' */
  readonly invocation?: string;
  /**
   * Run every seed even after one failed, to count how many fail. By default the campaign stops
   * issuing seeds at the first failure (the seeds under way finish, and every seed before it in
   * campaign order has run, so the failure shrunk is the first one either way) and shrinks it: a
   * failing test then costs the seeds up to its first failure, not the whole campaign.
   * @defaultValue false
   */
  readonly allSeeds?: boolean;
}

/** The keys of {@link AssertOptions}. */
export const assertOptionNames = optionNames({
  scenarios: true, seeds: true, seedStart: true, jobs: true, timeBudgetSec: true, shrinkRunsMax: true, failuresDir: true, plan: true, invocation: true, allSeeds: true,
} satisfies Record<keyof AssertOptions, true>);

/** Default of {@link AssertOptions.seeds}. */
export const assertSeedsDefault = 100;
/** Default of {@link AssertOptions.shrinkRunsMax}. */
export const assertShrinkRunsDefault = 500;

/**
 * Asserts that a subject keeps every invariant over a campaign of seeds.
 * @param subject - `{ engine: module }`, `{ target: module }` or `{}` for the reference engine
 * @returns the campaign, when nothing failed; `undefined` when a plan was replayed instead
 *   ({@link AssertOptions.plan} or `POWERCUT_PLAN`) and passed, since no campaign ran
 * @throws {@link CrashSafetyError} on the first violation, with the shrunk plan written to a file
 * @throws {@link NothingTestedError} when no seed ran, or the seeds tested nothing (no I/O reached the simulated disk, or nothing was ever acknowledged)
 * @throws SubjectLoadError (code `SUBJECT_LOAD`) when the module cannot be loaded
 * @throws OptionsError (code `POWERCUT_OPTIONS`) for an option it does not know, or an empty `plan`
 */
export async function assertCrashSafe(subject: SubjectInput = {}, options: AssertOptions = {}): Promise<CampaignOutcome | undefined> {
  return withHostEnv(() => crashSafe(subject, options));
}

/**
 * How many seeds failed: all of them counted (`allSeeds`, or a failure in the last seeds issued),
 * or the first failure and how far the campaign got before it stopped there.
 */
function failedCount(outcome: CampaignOutcome): string {
  const failing = outcome.failingSeeds ?? 1;
  const violations = outcome.violations.length + (outcome.violationsOmitted ?? 0);
  const counted = `${failing} of ${outcome.seeds} seeds failed (${violations} violation${violations === 1 ? '' : 's'})`;
  return outcome.interrupted === true ? `${counted}, when the campaign stopped at its first failure after ${outcome.seeds} of ${outcome.seedsPlanned} seeds (allSeeds: true runs them all)` : counted;
}

/** {@link assertCrashSafe}, in the test runner's environment. */
async function crashSafe(subject: SubjectInput, options: AssertOptions): Promise<CampaignOutcome | undefined> {
  checkOptions('assertCrashSafe subject', subject, subjectOptionNames);
  checkOptions('assertCrashSafe options', options, assertOptionNames);
  const invocation = options.invocation ?? 'npx powercut';
  const planFile = await planToReplay(subject, options.plan, 'campaign');
  if (planFile !== undefined) {
    await replayAsked(planFile, subject, invocation, options.plan);
    return undefined;
  }
  const loaded = await loadInput(subject);
  const firstFailure = new AbortController();
  const outcome = await runCampaign({
    subject: loaded, seeds: options.seeds ?? assertSeedsDefault, seedStart: options.seedStart ?? 1, jobs: options.jobs ?? 1, workerScript, invocation,
    ...(options.scenarios ? { units: options.scenarios } : {}),
    ...(options.timeBudgetSec !== undefined ? { timeBudgetSec: options.timeBudgetSec } : {}),
    ...(options.allSeeds === true ? {} : { signal: firstFailure.signal, onProgress: (progress: CampaignProgress) => progress.violations > 0 && firstFailure.abort() }),
  });
  if (outcome.seeds === 0) throw new NothingTestedError(`powercut: nothing was tested: no seed ran (${outcome.seedsPlanned} planned${outcome.stoppedByTimeBudget ? '; the time budget was spent first' : ''})`);
  // The first failing run in campaign order (the order its seeds were issued in), whose root is
  // what a campaign stopped at its first failure found too.
  const first = failingRuns(outcome.violations, outcome.scenarios)[0]?.root;
  const untested = untestedReason(outcome);
  if (first === undefined && untested !== undefined) throw new NothingTestedError(`powercut: nothing was tested: ${untested}`);
  if (first === undefined) {
    // A pass of part of the campaign is a pass of that part: the test runner shows the warning with the test.
    if (outcome.stoppedByTimeBudget) console.warn(partialPass(options.timeBudgetSec, outcome.seeds, outcome.seedsPlanned, 'seeds'));
    return outcome;
  }
  const plan = loaded.plan(first.scenario, first.seed);
  const shrunk = await shrinkPlan(loaded, plan, { invariant: first.invariant, runsMax: options.shrinkRunsMax ?? assertShrinkRunsDefault });
  // The plan kept must fail where POWERCUT_PLAN replays it: alone, in a fresh thread.
  const kept = await planToKeep(loaded, plan, shrunk.plan, first.invariant, workerScript);
  const file = writeFailure(options.failuresDir, loaded, { ...kept.plan, found: { ...findingOf(shrunk.violation ?? first), ...foundInTest() } }, first.scenario, first.seed);
  throw failure(loaded, shrunk.violation ?? { invariant: first.invariant, message: first.message, step: -1 }, file, first.scenario, first.seed, [
    `${failedCount(outcome)}; ${shrunk.violation === undefined
      ? `seed ${first.seed} did not fail ${first.invariant} again when rerun in this thread, so nothing was shrunk: the run depends on something its plan does not record (an environment variable, a file outside the simulated root, state a module keeps)`
      : `shrunk ${shrunk.before} to ${shrunk.after} in ${shrunk.runs} runs${shrunk.explicitFaults ? '' : '; its faults are still drawn at rates (the run with the faults that fired scheduled at their I/O did not fail the same way), so the plan replays them as drawn'}`}`,
    ...(kept.which === 'shrunk' ? [] : [keptPlanNote(kept.which, first.invariant)]),
    ...(outcome.violations.some((found) => found.scenario === first.scenario && found.seed === first.seed && found.needsNoFault === true) ? [`it needs no fault: ${needsNoFaultWords(`seed ${first.seed}`)}`] : []),
  ], invocation);
}
