/**
 * summary.json: the complete campaign result as one JSON document, for machines (dashboards,
 * `powercut merge`, diffing two runs). The document is the {@link CampaignResult} itself, every
 * field at the top level, so `jq .seeds summary.json` works and the output of `powercut run --json`
 * reads back the same way; around it sit a schema tag, the powercut build and derived figures.
 *
 * Layout (keys in this order):
 * - `schema`: {@link summarySchema}; readers refuse any other value.
 * - `powercut`: `{ version, commit }` (`commit` is null when unknown), `generatedAt` if given.
 * - every `CampaignResult` field except `violations`.
 * - `totals`, `scenarioFigures`, `missedTargets`, `rootCauses`: derived (see figures.ts); readers
 *   ignore them. `rootCauses` lists the failing runs by root cause (harness/triage.ts), largest
 *   first: `{ invariant, shape, runs: [{ scenario, seed, followOns }] }`, `followOns` being the
 *   number of the run's violations after its first.
 * - `violations` last, since traces make it the bulk of the file.
 */
import type { CampaignResult } from '../sim/index.ts';
import type { ReportMeta } from './figures.ts';
import { missedTargets, rootCauses, scenarioRows, sitesOf, sortedViolations, totals, unreachableTargets } from './figures.ts';

/** The `schema` value of the summary.json this version writes. */
export const summarySchema = 'powercut-summary/2';

/** Older schemas {@link parseSummary} still reads (`/1`: no subject, coverage by the reference engine's phases). */
export const summarySchemasRead: readonly string[] = ['powercut-summary/1', summarySchema];

/**
 * Renders summary.json.
 * @param result - the campaign result
 * @param meta - the powercut build that produced it
 * @returns pretty-printed JSON with a trailing newline; the same inputs give the same bytes
 */
export function renderJson(result: CampaignResult, meta: ReportMeta): string {
  const document = {
    schema: summarySchema,
    powercut: { version: meta.version, commit: meta.commit ?? null },
    ...(meta.generatedAt === undefined ? {} : { generatedAt: meta.generatedAt }),
    scenarios: result.scenarios,
    seeds: result.seeds,
    seedStart: result.seedStart,
    ...(result.seedsPerUnit === undefined ? {} : { seedsPerUnit: result.seedsPerUnit }),
    ...(result.shard === undefined ? {} : { shard: result.shard }),
    ...(result.subject === undefined ? {} : { subject: result.subject }),
    digest: result.digest,
    elapsedMs: result.elapsedMs,
    seedsPerSecond: result.seedsPerSecond,
    ...(result.failingSeeds === undefined ? {} : { failingSeeds: result.failingSeeds }),
    ...(result.violationsOmitted === undefined ? {} : { violationsOmitted: result.violationsOmitted }),
    faults: result.faults,
    sites: sitesOf(result),
    coverage: result.coverage,
    targets: result.targets,
    ...(result.reachable === undefined ? {} : { reachable: result.reachable }),
    ...(result.probes === undefined ? {} : { probes: result.probes }),
    ...(result.findings === undefined ? {} : { findings: result.findings }),
    ...(result.looks === undefined ? {} : { looks: result.looks }),
    ...(result.looksSkipped === undefined ? {} : { looksSkipped: result.looksSkipped }),
    ...(result.refusedUnfaulted === undefined ? {} : { refusedUnfaulted: result.refusedUnfaulted }),
    ...(result.processDeaths === undefined ? {} : { processDeaths: result.processDeaths, processDeathSeeds: result.processDeathSeeds ?? 0, ...(result.processDeathFirstSeed === undefined ? {} : { processDeathFirstSeed: result.processDeathFirstSeed }) }),
    ...(result.determinism === undefined ? {} : { determinism: result.determinism }),
    ...(result.gate === undefined ? {} : { gate: result.gate }),
    perScenario: result.perScenario,
    totals: totals(result),
    scenarioFigures: scenarioRows(result),
    missedTargets: missedTargets(result).map(({ phase, kind }) => ({ phase, kind })),
    unreachableTargets: unreachableTargets(result).map(({ phase, kind }) => ({ phase, kind })),
    rootCauses: rootCausesJson(result),
    violations: sortedViolations(result),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The failing runs by root cause as summary.json and `run --json` list them (see the module comment). */
export function rootCausesJson(result: CampaignResult): { invariant: string; shape: string; runs: { scenario: string; seed: number; followOns: number }[] }[] {
  return rootCauses(result).map((group) => ({
    invariant: group.invariant,
    shape: group.shape,
    runs: group.runs.map((run) => ({ scenario: run.scenario, seed: run.seed, followOns: run.followOns.length })),
  }));
}
