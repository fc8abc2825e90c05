/**
 * Sums seed runs into a campaign result as they finish, in any order: every figure is a sum
 * (counts, coverage, the digest), so the result is the same whatever the number of jobs and the
 * order runs complete in. Memory stays flat however many seeds run: runs are folded into sums,
 * and only the violating runs earliest in campaign order are kept in detail
 * ({@link violatingRunsKeptMax}); the rest are counted.
 */
import { zeroCounts } from '../sim/index.ts';
import type { Coverage, FaultKind, ScenarioSummary } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';
import { DigestSum, runHash } from './digest-sum.ts';
import type { SeedRun } from './seed-run.ts';

/** Findings kept as examples; the rest are counted. */
export const findingExamplesMax = 20;

/** Violating runs kept with their violations; later ones (in campaign order) are only counted. */
export const violatingRunsKeptMax = 1000;

/** A violating run and its position in the campaign. */
export interface KeptRun {
  readonly index: number;
  readonly run: SeedRun;
}

function addFaults(into: Record<FaultKind, number>, from: Readonly<Record<FaultKind, number>> | undefined): void {
  if (from === undefined) return;
  for (const kind of faultKinds) into[kind] += from[kind] ?? 0;
}

/** The running sums of a campaign. */
export class Aggregator {
  readonly faults = zeroCounts();
  readonly coverage: Coverage = {};
  readonly perScenario: Record<string, ScenarioSummary & { faults: Record<FaultKind, number> }> = {};
  /** The fault kinds each site's I/O could take, over every run, as `faultBit` bits (RunResult.reach). */
  readonly reach: Record<string, number> = {};
  /** Hits of the subject's rare-branch probes, over every run. */
  readonly probes: Record<string, number> = {};
  readonly #digest = new DigestSum();
  /** Violating runs kept, sorted by campaign index. */
  readonly kept: KeptRun[] = [];
  seeds = 0;
  /** Findings apart from violations (RunResult.findings), counted; the first few kept. */
  findings = 0;
  readonly findingExamples: { unit: string; seed: number; message: string }[] = [];
  /** Simulated I/O operations over every run: 0 means nothing reached the simulated disk. */
  ioCount = 0;
  /** Second looks at power losses, over every run (RunResult.looks). */
  looks = 0;
  /** Crashes that got no second looks because the workload's state could not be copied (RunResult.looksSkipped). */
  looksSkipped = 0;
  /** Commits refused with no fault before them by an engine without declared limits (RunResult.refusedUnfaulted). */
  refusedUnfaulted = 0;
  /** Deaths of a library's process by an uncaught exception (RunResult.processDeaths), and the seeds with any. */
  processDeaths = 0;
  processDeathSeeds = 0;
  /** The lowest seed a process died in (the same whichever thread ran it first), to repro. */
  processDeathFirstSeed: number | undefined;
  violations = 0;
  failingSeeds = 0;
  violationsOmitted = 0;

  /**
   * @param units - the campaign's units, in order (each gets a row, even with no seed run)
   * @param sites - the coverage rows (each gets a row, even with no fault)
   */
  constructor(units: readonly string[], sites: readonly string[], probes: readonly string[] = []) {
    for (const probe of probes) this.probes[probe] = 0;
    for (const unit of units) this.perScenario[unit] = { seeds: 0, violations: 0, detected: 0, faults: zeroCounts(), commitsAcknowledged: 0, crashes: 0 };
    for (const site of sites) this.coverage[site] = zeroCounts();
  }

  /** Folds in the run at campaign position `index`. */
  add(run: SeedRun, index: number): void {
    this.seeds++;
    this.ioCount += run.ioCount;
    this.looks += run.looks ?? 0;
    this.looksSkipped += run.looksSkipped ?? 0;
    this.refusedUnfaulted += run.refusedUnfaulted ?? 0;
    this.processDeaths += run.processDeaths ?? 0;
    if ((run.processDeaths ?? 0) > 0) {
      this.processDeathSeeds++;
      this.processDeathFirstSeed = Math.min(this.processDeathFirstSeed ?? run.seed, run.seed);
    }
    this.violations += run.violations.length;
    addFaults(this.faults, run.faults);
    for (const [site, counts] of Object.entries(run.coverage)) addFaults(this.coverage[site] ??= zeroCounts(), counts);
    for (const [site, mask] of Object.entries(run.reach ?? {})) this.reach[site] = (this.reach[site] ?? 0) | mask;
    const summary = this.perScenario[run.unit]!;
    addFaults(summary.faults, run.faults);
    this.perScenario[run.unit] = {
      ...summary, seeds: summary.seeds + 1, violations: summary.violations + run.violations.length,
      detected: summary.detected + run.detected, commitsAcknowledged: summary.commitsAcknowledged + run.acknowledged,
      crashes: summary.crashes + run.crashes,
      ...(run.violations.length === 0 ? {} : { firstFailingSeed: Math.min(summary.firstFailingSeed ?? run.seed, run.seed) }),
    };
    this.#digest.add(runHash(run.unit, run.seed, run.digest));
    for (const finding of run.findings ?? []) {
      this.findings++;
      if (this.findingExamples.length < findingExamplesMax) this.findingExamples.push({ unit: run.unit, seed: run.seed, message: finding.message });
    }
    for (const [probe, hits] of Object.entries(run.probes ?? {})) this.probes[probe] = (this.probes[probe] ?? 0) + hits;
    if (run.violations.length > 0) this.#keep(run, index);
  }

  #keep(run: SeedRun, index: number): void {
    this.failingSeeds++;
    const kept = this.kept;
    let at = kept.length;
    while (at > 0 && kept[at - 1]!.index > index) at--;
    kept.splice(at, 0, { index, run });
    if (kept.length > violatingRunsKeptMax) this.violationsOmitted += kept.pop()!.run.violations.length;
  }

  /** The campaign digest so far. */
  digest(): string {
    return this.#digest.hex();
  }
}
