/**
 * `powercut merge`: combines the results of the shards of one campaign (`--shard I/N`, run on
 * separate machines) into the result the unsharded campaign would have produced.
 *
 * What is summed: seeds, fault counts, coverage cells, per-scenario figures. What is concatenated:
 * violations, sorted by {@link compareViolations}. The digest is a sum modulo 2^64 of one hash per
 * run (sim/types.ts), so the merged digest is the sum modulo 2^64 of the shard digests.
 *
 * Time: `elapsedMs` is the SUM of the shards' elapsed times, and `seedsPerSecond` is seeds divided
 * by that sum. Merging cannot know whether the shards ran side by side or one after another, and
 * the sum is right in both cases: it is the compute time the campaign cost, and the rate it gives
 * is the throughput of one shard's machine, comparable with an unsharded run on one such machine
 * whatever the shard count. (Dividing by the longest shard would instead report the fleet's
 * throughput, which silently doubles when the shard count doubles.)
 *
 * What is refused (`NOT_MERGEABLE`), because the merged totals would be wrong without a sign:
 * results of different campaigns (scenario sets or targets differ), a mix of sharded and unsharded
 * results, shards with different N, the same shard twice, and a set of shards with one missing.
 */
import type { CampaignResult, Coverage, DeterminismCheck, FaultKind, ScenarioSummary } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';
import { ReportInputError } from './errors.ts';
import { compareStrings, compareViolations, sitesOf, subjectLine } from './figures.ts';
import { findingExamplesMax, sumDigests } from '../harness/index.ts';

/**
 * Merges the results of the shards of one campaign.
 * @param results - one result per shard, in any order; a single unsharded result is returned as it is
 * @returns the campaign's result, without a `shard` field
 * @throws {@link ReportInputError} `NOT_MERGEABLE` when the results are not the complete set of
 *   shards of one campaign
 */
export function mergeResults(results: readonly CampaignResult[]): CampaignResult {
  const first = results[0];
  if (first === undefined) throw new ReportInputError('NOT_MERGEABLE', 'nothing to merge: no results given');
  if (results.length === 1 && first.shard === undefined) return first;
  checkSameCampaign(results, first);
  checkShardsPartition(results);

  const elapsedMs = results.reduce((sum, result) => sum + result.elapsedMs, 0);
  const seeds = results.reduce((sum, result) => sum + result.seeds, 0);
  const sites = [...new Set(results.flatMap((result) => sitesOf(result)))];
  const coverage: Coverage = {};
  for (const site of sites) coverage[site] = sumFaults(results.map((result) => result.coverage[site]));
  const omitted = results.reduce((sum, result) => sum + (result.violationsOmitted ?? 0), 0);
  return {
    ...(first.subject === undefined ? {} : { subject: first.subject }),
    scenarios: first.scenarios,
    seeds,
    seedStart: Math.min(...results.map((result) => result.seedStart)),
    ...(first.seedsPerUnit === undefined ? {} : { seedsPerUnit: first.seedsPerUnit }),
    violations: results.flatMap((result) => result.violations).sort(compareViolations),
    ...(omitted > 0 ? { violationsOmitted: omitted } : {}),
    ...(results.every((result) => result.failingSeeds !== undefined) ? { failingSeeds: results.reduce((sum, result) => sum + result.failingSeeds!, 0) } : {}),
    faults: sumFaults(results.map((result) => result.faults)),
    sites,
    coverage,
    targets: first.targets,
    ...(results.every((result) => result.reachable !== undefined) ? { reachable: mergeReachable(results) } : {}),
    ...(first.probes === undefined ? {} : { probes: sumProbes(results) }),
    ...(results.some((result) => result.findings !== undefined) ? { findings: mergeFindings(results) } : {}),
    ...(results.some((result) => result.looks !== undefined) ? { looks: results.reduce((sum, result) => sum + (result.looks ?? 0), 0) } : {}),
    ...(results.some((result) => result.looksSkipped !== undefined) ? { looksSkipped: results.reduce((sum, result) => sum + (result.looksSkipped ?? 0), 0) } : {}),
    ...(results.some((result) => result.processDeaths !== undefined) ? {
      processDeaths: results.reduce((sum, result) => sum + (result.processDeaths ?? 0), 0),
      processDeathSeeds: results.reduce((sum, result) => sum + (result.processDeathSeeds ?? 0), 0),
      ...lowest('processDeathFirstSeed', results.map((result) => result.processDeathFirstSeed)),
    } : {}),
    ...(results.some((result) => result.refusedUnfaulted !== undefined) ? { refusedUnfaulted: results.reduce((sum, result) => sum + (result.refusedUnfaulted ?? 0), 0) } : {}),
    ...(results.some((result) => result.determinism !== undefined) ? { determinism: mergeDeterminism(results) } : {}),
    digest: sumDigests(results.map((result) => result.digest)),
    seedsPerSecond: elapsedMs > 0 ? seeds / (elapsedMs / 1000) : 0,
    elapsedMs,
    perScenario: mergePerScenario(results),
  };
}

/** What each site's I/O could take in any shard: the union, kinds in `faultKinds` order. */
function mergeReachable(results: readonly CampaignResult[]): Record<string, FaultKind[]> {
  const union: Record<string, Set<FaultKind>> = {};
  for (const result of results) {
    for (const [site, kinds] of Object.entries(result.reachable ?? {})) kinds.forEach((kind) => (union[site] ??= new Set()).add(kind));
  }
  return Object.fromEntries(Object.entries(union).map(([site, kinds]) => [site, faultKinds.filter((kind) => kinds.has(kind))]));
}

/** Determinism checks over shards: seeds rerun added up, every mismatch kept. */
function mergeDeterminism(results: readonly CampaignResult[]): DeterminismCheck {
  return {
    checked: results.reduce((sum, result) => sum + (result.determinism?.checked ?? 0), 0),
    mismatches: results.flatMap((result) => result.determinism?.mismatches ?? []),
  };
}

/** Findings counted over shards; the first examples of each, in shard order. */
function mergeFindings(results: readonly CampaignResult[]): NonNullable<CampaignResult['findings']> {
  const examples = results.flatMap((result) => result.findings?.examples ?? []).slice(0, findingExamplesMax);
  return { count: results.reduce((sum, result) => sum + (result.findings?.count ?? 0), 0), examples };
}

/** Probe hits added over shards (every shard declares the same probes). */
/** `{ [field]: the lowest of values }`, or nothing when there is none (summaries without the field). */
function lowest<K extends string>(field: K, values: readonly (number | undefined)[]): Partial<Record<K, number>> {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length === 0 ? {} : ({ [field]: Math.min(...present) } as Partial<Record<K, number>>);
}

function sumProbes(results: readonly CampaignResult[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const result of results) for (const [probe, hits] of Object.entries(result.probes ?? {})) sum[probe] = (sum[probe] ?? 0) + hits;
  return sum;
}

function sumFaults(records: readonly (Record<FaultKind, number> | undefined)[]): Record<FaultKind, number> {
  const sum = {} as Record<FaultKind, number>;
  for (const kind of faultKinds) sum[kind] = records.reduce((total, record) => total + (record?.[kind] ?? 0), 0);
  return sum;
}

function mergePerScenario(results: readonly CampaignResult[]): Record<string, ScenarioSummary> {
  const names = [...new Set(results.flatMap((result) => Object.keys(result.perScenario)))].sort(compareStrings);
  const merged: Record<string, ScenarioSummary> = {};
  for (const name of names) {
    const parts = results.flatMap((result) => result.perScenario[name] ?? []);
    merged[name] = {
      seeds: parts.reduce((sum, part) => sum + part.seeds, 0),
      violations: parts.reduce((sum, part) => sum + part.violations, 0),
      detected: parts.reduce((sum, part) => sum + part.detected, 0),
      faults: sumFaults(parts.map((part) => part.faults)),
      commitsAcknowledged: parts.reduce((sum, part) => sum + part.commitsAcknowledged, 0),
      crashes: parts.reduce((sum, part) => sum + part.crashes, 0),
      ...lowest('firstFailingSeed', parts.map((part) => part.firstFailingSeed)),
    };
  }
  return merged;
}

/** A campaign's size as its command line gave it. */
function describeSize(result: CampaignResult): string {
  return `${result.seedsPerUnit === undefined ? 'an unrecorded number of' : `--seeds ${result.seedsPerUnit}`} seeds from ${result.seedStart}`;
}

/** Same size, same scenarios (as a set) and same targets: otherwise these are different campaigns. */
function checkSameCampaign(results: readonly CampaignResult[], first: CampaignResult): void {
  const scenarioKey = (result: CampaignResult): string => JSON.stringify([...result.scenarios].sort(compareStrings));
  const targetKey = (result: CampaignResult): string =>
    JSON.stringify(Object.keys(result.targets).sort(compareStrings).filter((site) => (result.targets[site] ?? []).length > 0)
      .map((site) => [site, [...result.targets[site]!].sort(compareStrings)]));
  const subjectKey = (result: CampaignResult): string => JSON.stringify(result.subject ?? null);
  for (const [index, result] of results.entries()) {
    // Summaries written before seedsPerUnit existed have no size to compare.
    const recorded = result.seedsPerUnit !== undefined || first.seedsPerUnit !== undefined;
    if (recorded && (result.seedsPerUnit !== first.seedsPerUnit || result.seedStart !== first.seedStart)) {
      throw new ReportInputError('NOT_MERGEABLE', `result ${index + 1} is a campaign of ${describeSize(result)} but result 1 of ${describeSize(first)}: not shards of one campaign`);
    }
    if (subjectKey(result) !== subjectKey(first)) {
      throw new ReportInputError('NOT_MERGEABLE', `result ${index + 1} tested ${subjectLine(result) ?? 'another subject'} but result 1 tested ${subjectLine(first) ?? 'another subject'}: not shards of one campaign`);
    }
    if (scenarioKey(result) !== scenarioKey(first)) {
      throw new ReportInputError('NOT_MERGEABLE',
        `result ${index + 1} ran scenarios [${result.scenarios.join(', ')}] but result 1 ran [${first.scenarios.join(', ')}]: not shards of one campaign`);
    }
    if (targetKey(result) !== targetKey(first)) {
      throw new ReportInputError('NOT_MERGEABLE',
        `result ${index + 1} targets other (phase, fault) cells than result 1: scenarios changed between the runs`);
    }
  }
}

/**
 * Every result is a shard `I/N` of the same N, each shard appears once, and all N are present.
 * Shard numbers are accepted from 1 to N or from 0 to N-1, but not mixed.
 */
function checkShardsPartition(results: readonly CampaignResult[]): void {
  const shards = results.map((result, index) => {
    const match = result.shard === undefined ? null : /^(\d+)\/(\d+)$/.exec(result.shard);
    if (match === null) {
      const found = result.shard === undefined ? 'no shard' : `shard ${JSON.stringify(result.shard)}`;
      throw new ReportInputError('NOT_MERGEABLE',
        `result ${index + 1} has ${found}; only the results of --shard I/N runs of one campaign can be merged`);
    }
    return { index: Number(match[1]), count: Number(match[2]) };
  });
  const count = shards[0]?.count ?? 0;
  const seen = new Set<number>();
  for (const [position, shard] of shards.entries()) {
    if (shard.count !== count) {
      throw new ReportInputError('NOT_MERGEABLE',
        `result ${position + 1} is shard ${shard.index}/${shard.count} but result 1 is one of ${count} shards`);
    }
    if (seen.has(shard.index)) {
      throw new ReportInputError('NOT_MERGEABLE', `shard ${shard.index}/${count} given twice: its seeds would count double`);
    }
    seen.add(shard.index);
  }
  const base = seen.has(0) ? 0 : 1;
  const missing: string[] = [];
  for (let index = base; index < base + count; index += 1) if (!seen.has(index)) missing.push(`${index}/${count}`);
  if (missing.length > 0 || results.length !== count) {
    throw new ReportInputError('NOT_MERGEABLE',
      `incomplete campaign: shard${missing.length === 1 ? '' : 's'} ${missing.join(', ') || `numbered outside ${base}..${base + count - 1}`} missing`);
  }
}
