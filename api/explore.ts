/**
 * `assertExploresClean`: an exploration as one assertion in a test runner. Where
 * `assertCrashSafe` samples seeds, this takes one seed's first steps with every fault removed and
 * tries every crash point (kill -9 and each power-loss state, with second looks), a second crash
 * inside each recovery, and each sync, write and read failing once: what `powercut explore`
 * runs. On a violation it writes the plan that shows it and throws a {@link CrashSafetyError}
 * naming the crash, the file, and how to rerun exactly that run (`POWERCUT_PLAN=<file>`, which
 * makes the same assertion replay the plan). A workload with no I/O to crash throws
 * {@link NothingTestedError}: never a pass.
 */
import { aimedPlan, crashName, explorePlan, findingOf, threadsExecutor, type ExploreResult } from '../harness/index.ts';
import type { BasePlan } from '../harness/index.ts';
import { workerScript } from '../subjects/index.ts';
import { NothingTestedError } from './errors.ts';
import { withHostEnv } from './host.ts';
import { failure, foundInTest, partialPass, planToReplay, replayAsked, writeFailure } from './failure-report.ts';
import { checkInteger, checkOptions, checkSeconds, optionNames } from './options.ts';
import { loadInput, subjectOptionNames, type SubjectInput } from './subject-input.ts';

/** Options of {@link assertExploresClean}. */
export interface ExploreAssertOptions {
  /** The engine scenario whose plan is explored; a workload has one, its own. @defaultValue `wal-append` for an engine */
  readonly scenario?: string;
  /** The seed whose plan is explored. @defaultValue 1 */
  readonly seed?: number;
  /** Steps (operations) kept from the plan. @defaultValue 12 for an engine, 4 for a workload */
  readonly steps?: number;
  /** Power-loss crash states tried at each crash point. @defaultValue 5, or 12 on a disk that keeps directory operations per name */
  readonly states?: number;
  /** Other disks each power loss could have left, looked at per power loss (0: none). @defaultValue 16 */
  readonly looks?: number;
  /** Look at each crash point's kill -9 with a bit rotted in the newest durable data too (an engine's). @defaultValue true */
  readonly rotLooks?: boolean;
  /** I/Os after each crash point's kill -9 crashed again (0: none). @defaultValue 8 */
  readonly recoveryCrashes?: number;
  /** Fail each sync once. @defaultValue true */
  readonly syncFaults?: boolean;
  /** Fail each write once (an I/O error, a full disk, a short count for a workload). @defaultValue true */
  readonly writeFaults?: boolean;
  /** Fail each read once. @defaultValue true */
  readonly readFaults?: boolean;
  /** Threads running the crashes: 1 is this one; more are that many worker threads. @defaultValue 1 */
  readonly jobs?: number;
  /**
   * Stop starting crash candidates this many seconds after the call; the result's
   * `stoppedByTimeBudget` and `statesExplored` of `candidates` say what ran (spread over every
   * crash point and kind). @defaultValue no limit
   */
  readonly timeBudgetSec?: number;
  /** Where the plan of a failure is written. @defaultValue `.powercut/failures` in the working directory */
  readonly failuresDir?: string;
  /** Replay this plan file instead of exploring. @defaultValue `POWERCUT_PLAN`, when it names this subject */
  readonly plan?: string | URL;
  /** How printed commands start. @defaultValue 'npx powercut' */
  readonly invocation?: string;
}

/** The keys of {@link ExploreAssertOptions}. */
export const exploreOptionNames = optionNames({
  scenario: true, seed: true, steps: true, states: true, looks: true, rotLooks: true, recoveryCrashes: true, syncFaults: true, writeFaults: true, readFaults: true,
  jobs: true, timeBudgetSec: true, failuresDir: true, plan: true, invocation: true,
} satisfies Record<keyof ExploreAssertOptions, true>);

/** Default of {@link ExploreAssertOptions.scenario} for an engine. */
export const exploreScenarioDefault = 'wal-append';

/**
 * Asserts that a subject keeps every invariant at every crash point of one seed's first steps.
 * @param subject - `{ engine: module }`, `{ target: module }` or `{}` for the reference engine
 * @returns the exploration, when nothing failed; `undefined` when a plan was replayed instead and passed
 * @throws {@link CrashSafetyError} on the first violation, with its plan written to a file
 * @throws {@link NothingTestedError} when the steps explored did no I/O (no crash point), or the time budget ran out before any crash
 * @throws SubjectLoadError (code `SUBJECT_LOAD`) when the module cannot be loaded; RangeError for
 *   an unknown scenario; OptionsError (code `POWERCUT_OPTIONS`) for an option it does not know, a
 *   count out of range, or an empty `plan`
 */
export async function assertExploresClean(subject: SubjectInput = {}, options: ExploreAssertOptions = {}): Promise<ExploreResult<BasePlan> | undefined> {
  return withHostEnv(() => exploresClean(subject, options));
}

/** {@link assertExploresClean}, in the test runner's environment. */
async function exploresClean(subject: SubjectInput, options: ExploreAssertOptions): Promise<ExploreResult<BasePlan> | undefined> {
  checkOptions('assertExploresClean subject', subject, subjectOptionNames);
  checkOptions('assertExploresClean options', options, exploreOptionNames);
  for (const [name, least] of [['steps', 1], ['states', 1], ['seed', 0], ['looks', 0], ['recoveryCrashes', 0], ['jobs', 1]] as const) {
    checkInteger('assertExploresClean options', name, options[name], least);
  }
  checkSeconds('assertExploresClean options', 'timeBudgetSec', options.timeBudgetSec);
  const invocation = options.invocation ?? 'npx powercut';
  const planFile = await planToReplay(subject, options.plan, 'explore');
  if (planFile !== undefined) {
    await replayAsked(planFile, subject, invocation, options.plan);
    return undefined;
  }
  const loaded = await loadInput(subject);
  const unit = loaded.spec.kind === 'library' ? loaded.units[0]! : options.scenario ?? exploreScenarioDefault;
  if (!loaded.units.includes(unit)) throw new RangeError(`unknown scenario ${unit} (one of ${loaded.units.join(', ')})`);
  const plan = loaded.plan(unit, options.seed ?? 1);
  const executor = threadsExecutor(loaded, options.jobs ?? 1, workerScript);
  let result: ExploreResult<BasePlan>;
  try {
    result = await explorePlan(loaded, plan, {
      executor,
      ...(options.steps !== undefined ? { size: options.steps } : {}),
      ...(options.states !== undefined ? { states: options.states } : {}),
      ...(options.looks !== undefined ? { looks: options.looks } : {}),
      ...(options.rotLooks !== undefined ? { rotLooks: options.rotLooks } : {}),
      ...(options.recoveryCrashes !== undefined ? { recoveryCrashes: options.recoveryCrashes } : {}),
      ...(options.syncFaults !== undefined ? { syncFaults: options.syncFaults } : {}),
      ...(options.writeFaults !== undefined ? { writeFaults: options.writeFaults } : {}),
      ...(options.readFaults !== undefined ? { readFaults: options.readFaults } : {}),
      ...(options.timeBudgetSec !== undefined ? { timeBudgetSec: options.timeBudgetSec } : {}),
    });
  } finally {
    await executor.close();
  }
  if (result.crashPoints === 0) throw new NothingTestedError(`powercut: nothing was tested: the first ${loaded.shrink.stepCount(result.plan)} steps of ${unit} seed ${plan.seed} did no I/O that could be crashed`);
  if (result.statesExplored === 0) throw new NothingTestedError(`powercut: nothing was tested: the time budget (${options.timeBudgetSec} s) was spent before the first crash candidate of ${unit} seed ${plan.seed} started`);
  const clean = result.cleanViolations[0];
  if (clean !== undefined) {
    const file = writeFailure(options.failuresDir, loaded, { ...result.plan, found: { ...findingOf(clean), by: 'explore', ...foundInTest() } }, unit, plan.seed, 'explore');
    throw failure(loaded, clean, file, unit, plan.seed, ['found by explore in its clean run, before any crash'], invocation);
  }
  const first = result.violations[0];
  if (first === undefined) {
    // A pass of part of the exploration is a pass of that part: the test runner shows the warning with the test.
    if (result.stoppedByTimeBudget) console.warn(partialPass(options.timeBudgetSec, result.statesExplored, result.candidates, `crash candidates of ${unit} seed ${plan.seed}`));
    return result;
  }
  // Aimed by step, the plan stays aimed when a fix adds I/O before its fault (harness/aim.ts).
  const kept = await aimedPlan(loaded, first.plan, first.invariant);
  const file = writeFailure(options.failuresDir, loaded, { ...kept, found: { ...findingOf(first), by: 'explore', ...foundInTest() } }, unit, plan.seed, 'explore');
  const shown = `found by explore: ${crashName(first)}, first at ${first.io === 'end' ? 'the end of the steps' : `I/O ${first.io}`} (${first.count} of ${result.runs} runs)`;
  throw failure(loaded, { invariant: first.invariant, message: first.message, step: -1 }, file, unit, plan.seed, [shown], invocation);
}
