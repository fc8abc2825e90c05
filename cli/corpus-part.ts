/**
 * The regression corpus as part of `ci`'s campaign result, so that every report tells of it:
 * its plans are the runs of one more unit, {@link corpusUnit}, one "seed" per plan in corpus
 * order, with a row of their own (how many were replayed, how many failed). A corpus failure is
 * then a failing run of its own, never a follow-on complaint of a campaign run that happens to
 * share its plan's scenario and seed, and counts in the failing seeds; a corpus that passes
 * shows as a row of plans that held.
 */
import { replayCommand, toViolation, type RegressionResult } from '../harness/index.ts';
import { corpusUnit } from '../reports/index.ts';
import { zeroCounts, type CampaignResult, type ScenarioSummary, type Violation } from '../sim/index.ts';

export { corpusUnit };

/**
 * The corpus's violations, each under its plan's position (reported as `plan N`), naming the
 * plan's own unit and seed, with the line that replays that plan (on `--engine` when given).
 */
function corpusViolations(results: readonly RegressionResult[], invocation: string, engine: string | undefined): Violation[] {
  return results.flatMap((result, position) => result.violations.map((violation, indexInRun) =>
    toViolation({ ...violation, message: `[regression ${result.name}] ${result.scenario} seed ${result.seed}: ${violation.message}` }, {
      unit: corpusUnit, seed: position + 1, indexInRun,
      repro: replayCommand(invocation, result.file, engine === undefined ? [] : ['--engine', engine]),
    })));
}

/**
 * `campaign` with the corpus replayed before it as one more unit: its plans counted as seeds,
 * its failing plans as failing seeds, its violations first.
 * @param engine - the `--engine` the plans were replayed on, if any
 */
export function withCorpus<R extends CampaignResult & { readonly seedsPlanned?: number }>(campaign: R, results: readonly RegressionResult[], invocation: string, engine: string | undefined): R {
  if (results.length === 0) return campaign;
  const violations = corpusViolations(results, invocation, engine);
  const failing = results.filter((result) => result.violations.length > 0).length;
  const row: ScenarioSummary = { seeds: results.length, violations: violations.length, detected: 0, faults: zeroCounts(), commitsAcknowledged: 0, crashes: 0 };
  return {
    ...campaign,
    scenarios: [...campaign.scenarios, corpusUnit],
    seeds: campaign.seeds + results.length,
    // Planned as run: the summary reads a difference as a time budget that ran out.
    ...(campaign.seedsPlanned === undefined ? {} : { seedsPlanned: campaign.seedsPlanned + results.length }),
    violations: [...violations, ...campaign.violations],
    failingSeeds: (campaign.failingSeeds ?? 0) + failing,
    perScenario: { ...campaign.perScenario, [corpusUnit]: row },
  };
}
