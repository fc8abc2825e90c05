/**
 * Campaigns: many seeds of many scenarios, run in parallel, aggregated into one
 * {@link CampaignResult} that is the same whatever the number of jobs.
 *
 * A campaign is the list of (scenario, seed) pairs: for each scenario in the order given, seeds
 * `seedStart .. seedStart + seeds - 1`. Pair k (counting from 0 over that list) belongs to shard
 * `(k mod N) + 1` of N, so N machines running shards 1/N .. N/N together run exactly the
 * unsharded campaign, and the round-robin spreads every scenario over every shard.
 *
 * Determinism: each run depends only on its plan, and results are aggregated in pair order,
 * never in completion order. The campaign digest is a sum modulo 2^64 of one hash per run over
 * (scenario, seed, the run's trace digest), so it does not depend on order either, and the
 * digests of shards add up to the digest of the whole (reports/merge.ts).
 *
 * What the campaign adds to each violation: the exact command that reproduces it, and a trace:
 * the violating seed is run again with the full trace on, and the events up to the check that
 * failed (at most {@link traceEventsMax}) are attached. Only the first {@link tracedRunsMax}
 * violating runs get a trace: an engine broken in every seed would otherwise double the
 * campaign's cost and bloat the reports with thousands of identical timelines.
 */
import { wallClockMs } from './node/wall-clock.ts';
import { enginePhases } from '../engine/types.ts';
import { compareViolations, sumDigests } from '../reports/index.ts';
import { findScenario } from '../scenarios/index.ts';
import { referenceEngine } from './adapters/reference.ts';
import { toViolation } from './checkers/violation.ts';
import { targetFaultRates } from '../targets/plan.ts';
import { Digest64 } from './digest.ts';
import { InProcessExecutor, WorkerPool, WorkerStartError, type SeedExecutor } from './campaign-pool.ts';
import { runPlan, type CheckedSystem, type RunViolation } from './runner.ts';
import type { CampaignResult, FaultKind, ScenarioSummary, TraceEvent, TracePhase, Violation } from './types.ts';
import { faultKinds } from './types.ts';

/** Violating runs that get a trace attached (the rest keep their repro command only). */
export const tracedRunsMax = 50;
/** Trace events attached to one violation. */
export const traceEventsMax = 300;
/** `--check-determinism` reruns every this-many-th seed run (and at least one). */
export const determinismSampleEvery = 50;

/** Bad campaign input (unknown scenario, malformed shard or count): the CLI's exit code 2. */
export class CampaignInputError extends Error {
  override readonly name = 'CampaignInputError';
}

/** One shard of a campaign: `index` from 1 to `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Progress, reported after every seed. */
export interface CampaignProgress {
  readonly done: number;
  readonly total: number;
  readonly violations: number;
  readonly elapsedMs: number;
}

/** Options of {@link runCampaign}. */
export interface CampaignOptions {
  /** Scenario names, in the order their seeds are listed. */
  readonly scenarios: readonly string[];
  /** Seeds per scenario. */
  readonly seeds: number;
  /** First seed. @defaultValue 1 */
  readonly seedStart?: number;
  /** Worker threads; 1 runs in this thread. @defaultValue 1 */
  readonly jobs?: number;
  readonly shard?: Shard;
  /** Stop issuing new seeds after this many seconds; seeds already issued finish and count. */
  readonly timeBudgetSec?: number;
  /** Rerun a sample of seeds in a fresh worker and compare digests. @defaultValue false */
  readonly checkDeterminism?: boolean;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /**
   * The system under test. @defaultValue the reference engine. Any other runs in this thread
   * whatever `jobs` says, since a worker cannot be handed an object; tests use it to plant bugs.
   */
  readonly sut?: CheckedSystem;
  /**
   * A library workload module (targets/): the campaign runs its seeds instead of a scenario's,
   * and `scenarios` holds the workload's name alone.
   */
  readonly target?: string;
  /** The fault kinds the target's plans inject: its targeted cells (phase `other`). @defaultValue those of targetFaultRates */
  readonly targetFaultKinds?: readonly FaultKind[];
  /**
   * Monotonic milliseconds that the time budget, `elapsedMs` and `seedsPerSecond` are read from.
   * Tests pass a clock they move themselves, so that when the budget runs out does not depend on
   * how fast the machine is. @defaultValue wallClockMs (sim/node/wall-clock.ts)
   */
  readonly wallClockMs?: () => number;
}

/** A seed that gave another digest when run again. */
export interface DigestMismatch {
  readonly scenario: string;
  readonly seed: number;
  readonly digest: string;
  readonly rerunDigest: string;
}

/** What {@link runCampaign} returns: the campaign result plus how it was run. */
export interface CampaignOutcome extends CampaignResult {
  /** Pairs the campaign (or shard) holds; more than `seeds` when the time budget ran out. */
  readonly seedsPlanned: number;
  readonly stoppedByTimeBudget: boolean;
  readonly jobs: number;
  /** Present with `checkDeterminism`. */
  readonly determinism?: { readonly checked: number; readonly mismatches: readonly DigestMismatch[] };
}

/** One seed to run, as sent to a worker. */
export interface SeedTask {
  readonly id: number;
  readonly scenario: string;
  readonly seed: number;
  readonly trace?: 'full';
  /** A library workload module: `scenario` is then the workload's name. */
  readonly target?: string;
}

/**
 * A violation of one seed: an oracle invariant of the engine's runner, or a library workload's
 * own invariant (any name the workload gives it).
 */
export type SeedViolation = Omit<RunViolation, 'invariant'> & { readonly invariant: string };

/** The compact result of one seed: what aggregation needs, plus the trace when asked for. */
export interface SeedRun {
  readonly scenario: string;
  readonly seed: number;
  readonly violations: readonly SeedViolation[];
  readonly detected: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly coverage: Readonly<Record<TracePhase, Readonly<Record<FaultKind, number>>>>;
  readonly digest: string;
  readonly crashes: number;
  readonly commitsAcknowledged: number;
  readonly trace?: readonly TraceEvent[];
}

/** A worker's answer to a {@link SeedTask}. */
export type WorkerReply = { readonly id: number; readonly run: SeedRun } | { readonly id: number; readonly error: string };

/** Every trace phase, in report order. */
const phases: readonly TracePhase[] = [...enginePhases, 'other'];

/**
 * The command that reproduces one seed.
 * @param scenario - scenario name
 * @param seed - the seed
 */
export function reproCommand(scenario: string, seed: number, target?: string): string {
  if (target !== undefined) return `npm run -s powercut -- repro --target ${target} --seed ${seed}`;
  return `npm run -s powercut -- repro --scenario ${scenario} --seed ${seed}`;
}

/**
 * Runs one seed of one scenario (in a worker or in this thread).
 * @throws Error if the scenario does not exist
 */
export async function runSeed(task: SeedTask, sut: CheckedSystem): Promise<SeedRun> {
  if (task.target !== undefined) {
    // Loaded on demand: engine campaigns never load the fs facade, and targets/ builds on this module.
    const { runTargetTask } = await import('../targets/seed-run.ts');
    return runTargetTask({ ...task, target: task.target });
  }
  const scenario = findScenario(task.scenario);
  if (scenario === undefined) throw new Error(`unknown scenario ${JSON.stringify(task.scenario)}`);
  const result = await runPlan(scenario.plan(task.seed), sut, { trace: task.trace ?? 'digest' });
  return {
    scenario: task.scenario, seed: task.seed, violations: result.violations, detected: result.detected,
    faults: result.faults, coverage: result.coverage, digest: result.digest, crashes: result.crashes,
    commitsAcknowledged: result.commitsAcknowledged,
    ...(task.trace === 'full' ? { trace: result.trace } : {}),
  };
}

/**
 * Parses `I/N` (1 ≤ I ≤ N).
 * @throws {@link CampaignInputError} for anything else
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new CampaignInputError(`--shard must be I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** The (scenario, seed) pairs of a campaign or shard, in aggregation order. */
export function campaignPairs(scenarios: readonly string[], seeds: number, seedStart: number, shard?: Shard): { scenario: string; seed: number }[] {
  const pairs: { scenario: string; seed: number }[] = [];
  let k = 0;
  for (const scenario of scenarios) {
    for (let seed = seedStart; seed < seedStart + seeds; seed++, k++) {
      if (shard === undefined || k % shard.count === shard.index - 1) pairs.push({ scenario, seed });
    }
  }
  return pairs;
}

/** The hash one run contributes to the campaign digest: over (scenario, seed, run digest). */
export function runHash(scenario: string, seed: number, digest: string): string {
  const hash = new Digest64();
  hash.string(scenario);
  hash.number(seed);
  hash.int(Number.parseInt(digest.slice(0, 8), 16));
  hash.int(Number.parseInt(digest.slice(8, 16), 16));
  return hash.hex();
}

function checkOptions(options: CampaignOptions): void {
  if (options.scenarios.length === 0) throw new CampaignInputError('no scenario given');
  if (options.target !== undefined && options.scenarios.length !== 1) throw new CampaignInputError('a target campaign runs one workload');
  for (const name of options.target === undefined ? options.scenarios : []) {
    if (findScenario(name) === undefined) throw new CampaignInputError(`unknown scenario ${JSON.stringify(name)} (see: powercut list)`);
  }
  if (new Set(options.scenarios).size !== options.scenarios.length) throw new CampaignInputError('a scenario is listed twice');
  const counts: [string, number | undefined, number][] = [['seeds', options.seeds, 0], ['seed start', options.seedStart, 0], ['jobs', options.jobs, 1]];
  for (const [what, value, least] of counts) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < least)) throw new CampaignInputError(`${what} must be an integer >= ${least}, got ${value}`);
  }
  if (options.shard) parseShard(`${options.shard.index}/${options.shard.count}`);
  if (options.timeBudgetSec !== undefined && !(options.timeBudgetSec > 0)) throw new CampaignInputError(`time budget must be > 0 seconds, got ${options.timeBudgetSec}`);
}

const zeroFaults = (): Record<FaultKind, number> => Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;

function harnessRun(scenario: string, seed: number, error: unknown): SeedRun {
  const message = error instanceof Error ? error.message : String(error);
  return {
    scenario, seed, detected: 0, crashes: 0, commitsAcknowledged: 0, digest: '0000000000000000',
    violations: [{ invariant: 'harness', message: `the run threw: ${message}`, step: -1 }],
    faults: zeroFaults(), coverage: Object.fromEntries(phases.map((phase) => [phase, zeroFaults()])) as SeedRun['coverage'],
  };
}

/** The events up to (and including) the check that reported `violation`, at most {@link traceEventsMax}. */
function traceWindow(trace: readonly TraceEvent[], violation: SeedViolation): TraceEvent[] {
  const at = trace.findIndex((event) => event.type === 'check' && event.name === violation.invariant && (event.detail ?? '').includes(violation.message));
  const end = at < 0 ? trace.length : at + 1;
  return trace.slice(Math.max(0, end - traceEventsMax), end);
}

/**
 * Runs a campaign.
 * @returns the aggregated result; identical (but for timings) whatever `jobs` is
 * @throws {@link CampaignInputError} for an unknown scenario or a malformed count or shard
 * @throws WorkerStartError (campaign-pool.ts) when worker threads cannot start
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignOutcome> {
  checkOptions(options);
  const clockMs = options.wallClockMs ?? wallClockMs;
  const started = clockMs();
  const seedStart = options.seedStart ?? 1;
  const jobs = options.jobs ?? 1;
  const target = options.target === undefined ? {} : { target: options.target };
  const pairs = campaignPairs(options.scenarios, options.seeds, seedStart, options.shard).map((pair) => ({ ...pair, ...target }));
  const inProcess = options.sut !== undefined || jobs === 1;
  const sut = options.sut ?? referenceEngine;
  const executor: SeedExecutor = inProcess ? new InProcessExecutor(sut) : new WorkerPool(Math.min(jobs, Math.max(1, pairs.length)));
  const runs: (SeedRun | undefined)[] = new Array(pairs.length);
  const budgetMs = options.timeBudgetSec === undefined ? Infinity : options.timeBudgetSec * 1000;
  let next = 0;
  let done = 0;
  let violationCount = 0;
  let stoppedByTimeBudget = false;
  let runsPhaseMs = 0;
  try {
    // Seeds are issued in pair order, so the seeds run under a time budget are a prefix of the list.
    const lane = async (): Promise<void> => {
      while (next < pairs.length) {
        if (clockMs() - started > budgetMs) {
          stoppedByTimeBudget = true;
          return;
        }
        const index = next++;
        const pair = pairs[index]!;
        const run = await executor.run(pair).catch((error: unknown) => {
          // A pool that cannot start a worker ends the campaign (exit 3), rather than report every seed.
          if (error instanceof WorkerStartError) throw error;
          return harnessRun(pair.scenario, pair.seed, error);
        });
        runs[index] = run;
        done++;
        violationCount += run.violations.length;
        options.onProgress?.({ done, total: pairs.length, violations: violationCount, elapsedMs: clockMs() - started });
      }
    };
    await Promise.all(Array.from({ length: inProcess ? 1 : jobs }, lane));
    runsPhaseMs = clockMs() - started;
    const ran = runs.filter((run): run is SeedRun => run !== undefined);
    const violations = await attachTraces(ran, executor, options.target);
    const determinism = options.checkDeterminism ? await checkDeterminism(ran, inProcess ? new InProcessExecutor(sut) : undefined, jobs, options.target) : undefined;
    const elapsedMs = clockMs() - started;
    return {
      ...aggregate(options.scenarios, seedStart, ran, violations, options.shard, options.target === undefined ? undefined : options.targetFaultKinds ?? Object.keys(targetFaultRates) as FaultKind[]),
      ...(options.target === undefined ? {} : { targetModule: options.target }),
      seedsPerSecond: runsPhaseMs > 0 ? ran.length / (runsPhaseMs / 1000) : 0,
      elapsedMs,
      seedsPlanned: pairs.length,
      stoppedByTimeBudget,
      jobs,
      ...(determinism ? { determinism } : {}),
    };
  } finally {
    await executor.close();
  }
}

/** Every violation with its repro command, traces on the first {@link tracedRunsMax} violating runs; sorted. */
async function attachTraces(ran: readonly SeedRun[], executor: SeedExecutor, target: string | undefined): Promise<Violation[]> {
  const violating = ran.filter((run) => run.violations.length > 0);
  const traced = await Promise.all(violating.slice(0, tracedRunsMax).map((run) =>
    executor.run({ scenario: run.scenario, seed: run.seed, trace: 'full', ...(target === undefined ? {} : { target }) }).then((again) => again.trace ?? [], () => [])));
  const violations: Violation[] = [];
  violating.forEach((run, index) => {
    const trace = traced[index];
    for (const violation of run.violations) {
      violations.push(toViolation(violation, {
        scenario: run.scenario, seed: run.seed, repro: reproCommand(run.scenario, run.seed, target),
        ...(trace !== undefined ? { trace: traceWindow(trace, violation) } : {}),
      }));
    }
  });
  return violations.sort(compareViolations);
}

/** Reruns every {@link determinismSampleEvery}-th run in executors that have run nothing yet. */
async function checkDeterminism(ran: readonly SeedRun[], fresh: SeedExecutor | undefined, jobs: number, target: string | undefined): Promise<CampaignOutcome['determinism']> {
  const sample = ran.filter((_, index) => index % determinismSampleEvery === 0);
  const executor = fresh ?? new WorkerPool(Math.max(1, Math.min(jobs, sample.length)));
  try {
    const mismatches: DigestMismatch[] = [];
    const again = await Promise.all(sample.map((run) => executor.run({ scenario: run.scenario, seed: run.seed, ...(target === undefined ? {} : { target }) })
      .then((rerun) => rerun.digest, (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`)));
    sample.forEach((run, index) => {
      const rerunDigest = again[index]!;
      if (rerunDigest !== run.digest) mismatches.push({ scenario: run.scenario, seed: run.seed, digest: run.digest, rerunDigest });
    });
    return { checked: sample.length, mismatches };
  } finally {
    await executor.close();
  }
}

function addFaults(into: Record<FaultKind, number>, from: Readonly<Record<FaultKind, number>>): void {
  for (const kind of faultKinds) into[kind] += from[kind] ?? 0;
}

/** Sums runs (already in pair order) into the campaign result, timings aside. */
function aggregate(scenarioNames: readonly string[], seedStart: number, ran: readonly SeedRun[], violations: Violation[], shard: Shard | undefined, targetKinds: readonly FaultKind[] | undefined):
  Omit<CampaignResult, 'seedsPerSecond' | 'elapsedMs'> {
  const faults = zeroFaults();
  const coverage = Object.fromEntries(phases.map((phase) => [phase, zeroFaults()])) as Record<TracePhase, Record<FaultKind, number>>;
  const perScenario: Record<string, ScenarioSummary & { faults: Record<FaultKind, number> }> = {};
  for (const name of scenarioNames) perScenario[name] = { seeds: 0, violations: 0, detected: 0, faults: zeroFaults(), commitsAcknowledged: 0, crashes: 0 };
  for (const run of ran) {
    addFaults(faults, run.faults);
    for (const phase of phases) addFaults(coverage[phase], run.coverage[phase] ?? zeroFaults());
    const summary = perScenario[run.scenario]!;
    addFaults(summary.faults, run.faults);
    perScenario[run.scenario] = {
      ...summary, seeds: summary.seeds + 1, violations: summary.violations + run.violations.length,
      detected: summary.detected + run.detected, commitsAcknowledged: summary.commitsAcknowledged + run.commitsAcknowledged,
      crashes: summary.crashes + run.crashes,
    };
  }
  const targets = Object.fromEntries(phases.map((phase) => [phase, [] as FaultKind[]])) as Record<TracePhase, FaultKind[]>;
  // A library workload's I/O is not in any engine phase: its faults are aimed at `other`.
  if (targetKinds !== undefined) targets.other.push(...targetKinds);
  for (const name of targetKinds !== undefined ? [] : scenarioNames) {
    const scenario = findScenario(name)!;
    for (const phase of scenario.targets.phases) {
      for (const kind of scenario.targets.faults) if (!targets[phase].includes(kind)) targets[phase].push(kind);
    }
  }
  for (const phase of phases) targets[phase].sort((a, b) => faultKinds.indexOf(a) - faultKinds.indexOf(b));
  return {
    scenarios: [...scenarioNames],
    seeds: ran.length,
    seedStart,
    ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
    violations,
    faults,
    coverage,
    targets,
    digest: sumDigests(ran.map((run) => runHash(run.scenario, run.seed, run.digest))),
    perScenario,
  };
}
