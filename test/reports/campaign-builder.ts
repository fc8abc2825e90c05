/**
 * Builds campaign results from per-run records, the way a campaign aggregates its runs, so that a
 * test can produce an unsharded campaign and its shards from the same runs without going through
 * the merge code it checks. Runs are generated deterministically from (scenario, seed).
 */
import type { CampaignResult, FaultKind, TracePhase, Violation } from '../../sim/types.ts';
import { faultKinds } from '../../sim/types.ts';
import { legacySites } from '../../reports/figures.ts';
import { durabilityViolation, reproLine } from './fixtures.ts';

export interface RunRecord {
  readonly scenario: string;
  readonly seed: number;
  /** Injected faults of this run: one entry per fault. */
  readonly faults: readonly { readonly phase: TracePhase; readonly kind: FaultKind }[];
  readonly crashes: number;
  readonly commitsAcknowledged: number;
  readonly detected: boolean;
  readonly violation?: Violation;
  /** The run's 64-bit hash, as the campaign digest sums it. */
  readonly hash: bigint;
}

/** FNV-1a, 64-bit: a stand-in for the runner's per-run hash. */
function fnv64(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const ch of text) hash = ((hash ^ BigInt(ch.codePointAt(0) ?? 0)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash;
}

/** Deterministic runs of `scenarios` over seeds `[seedStart, seedStart + seedCount)`. */
export function generateRuns(scenarios: readonly string[], seedStart: number, seedCount: number): RunRecord[] {
  const runs: RunRecord[] = [];
  for (const scenario of scenarios) {
    for (let seed = seedStart; seed < seedStart + seedCount; seed += 1) {
      const hash = fnv64(`${scenario}:${seed}`);
      const faultCount = Number(hash % 4n);
      const faults = Array.from({ length: faultCount }, (_, i) => ({
        phase: legacySites[Number((hash >> BigInt(8 + i * 4)) % BigInt(legacySites.length))] ?? 'other',
        kind: faultKinds[Number((hash >> BigInt(24 + i * 4)) % BigInt(faultKinds.length))] ?? 'kill-9',
      }));
      const violates = hash % 37n === 0n;
      runs.push({
        scenario, seed, faults, hash,
        crashes: Number((hash >> 40n) % 3n),
        commitsAcknowledged: Number((hash >> 44n) % 50n),
        detected: hash % 11n === 0n,
        ...(violates ? { violation: { ...durabilityViolation, scenario, seed, repro: reproLine(scenario, seed) } } : {}),
      });
    }
  }
  return runs;
}

/** Aggregates runs into a campaign result, summing the per-run hashes modulo 2^64. */
export function buildCampaign(runs: readonly RunRecord[], options: {
  readonly scenarios: readonly string[];
  readonly targets: Record<string, readonly FaultKind[]>;
  readonly elapsedMs: number;
  readonly shard?: string;
}): CampaignResult {
  const zero = (): Record<FaultKind, number> => Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const coverage = Object.fromEntries(legacySites.map((phase) => [phase, zero()])) as Record<string, Record<FaultKind, number>>;
  const faults = zero();
  const perScenario: CampaignResult['perScenario'] = {};
  let digest = 0n;
  for (const scenario of options.scenarios) {
    const own = runs.filter((run) => run.scenario === scenario);
    if (own.length === 0) continue;
    const scenarioFaults = zero();
    for (const run of own) for (const fault of run.faults) scenarioFaults[fault.kind] += 1;
    perScenario[scenario] = {
      seeds: own.length,
      violations: own.filter((run) => run.violation).length,
      detected: own.filter((run) => run.detected).length,
      faults: scenarioFaults,
      commitsAcknowledged: own.reduce((sum, run) => sum + run.commitsAcknowledged, 0),
      crashes: own.reduce((sum, run) => sum + run.crashes, 0),
    };
  }
  for (const run of runs) {
    for (const fault of run.faults) {
      coverage[fault.phase]![fault.kind] += 1;
      faults[fault.kind] += 1;
    }
    digest = (digest + run.hash) % (1n << 64n);
  }
  const violations = runs.flatMap((run) => run.violation ?? [])
    .sort((a, b) => (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : a.seed - b.seed));
  const seeds = runs.length;
  return {
    scenarios: options.scenarios,
    seeds,
    seedStart: Math.min(...runs.map((run) => run.seed)),
    ...(options.shard === undefined ? {} : { shard: options.shard }),
    violations,
    faults,
    sites: [...legacySites],
    coverage,
    targets: options.targets,
    digest: digest.toString(16).padStart(16, '0'),
    seedsPerSecond: seeds / (options.elapsedMs / 1000),
    elapsedMs: options.elapsedMs,
    perScenario,
  };
}
