/**
 * Campaigns: many seeds of a subject's units, run in parallel, aggregated into one
 * {@link CampaignResult} that is the same whatever the number of jobs.
 *
 * Determinism: each run depends only on its plan, and every figure of the result is a sum over
 * runs (aggregate.ts), so the order runs finish in never matters; violations are sorted. The
 * campaign digest is a sum modulo 2^64 of one hash per run (digest-sum.ts), so the digests of
 * shards add up to the digest of the whole.
 *
 * What the campaign adds to each violation: the exact command that reproduces it, and a trace:
 * the violating seed is run again with the full trace on, and the events up to the check that
 * failed (at most {@link traceEventsMax}) are attached. Only {@link tracedRunsMax} violating runs
 * get a trace, the first run of each root cause first (see harness/triage.ts): a subject broken
 * in every seed would otherwise double the campaign's cost and bloat the reports with thousands
 * of identical timelines. Each violation also says where it came in its run (`indexInRun`, 0 for
 * the root cause) and which fault kinds its run injected (`runFaultKinds`, with the fault a
 * second look added when a look found it), for the reports.
 */
import { kindsOfMask, wallClockMs } from '../sim/index.ts';
import { faultKinds, type CampaignResult, type DigestMismatch, type FaultKind, type LookPlace, type TraceEvent, type Violation } from '../sim/index.ts';
import type { RunViolation } from '../sim/index.ts';
import { Aggregator, type KeptRun } from './aggregate.ts';
import { InProcessExecutor, type SeedExecutor } from './executor.ts';
import { threadsExecutor } from './threads.ts';
import { nearestName } from './nearest.ts';
import { campaignPairs, CampaignInputError, pairCount, parseShard, type Pair, type Shard } from './pairs.ts';
import { WorkerPool, WorkerStartError } from './pool.ts';
import { invocationDefault, reproCommand } from './repro.ts';
import { faultFreeChecksMax, rootsWithoutFault } from './fault-free.ts';
import { harnessRun, type SeedRun } from './seed-run.ts';
import type { BasePlan, Subject, Targets } from './subject.ts';
import { ownPathAfterLook, rootCauseKey } from './triage.ts';
import { compareViolations, toViolation } from './violations.ts';

/** Violating runs that get a trace attached (the rest keep their repro command only). */
export const tracedRunsMax = 50;
/** Trace events attached to one violation. */
export const traceEventsMax = 300;
/** `--check-determinism` reruns every this-many-th seed run (and at least one). */
export const determinismSampleEvery = 50;
/** `--check-determinism` reruns at most this many seeds. */
export const determinismSampleMax = 1000;

/** Progress, reported after every seed. */
export interface CampaignProgress {
  readonly done: number;
  readonly total: number;
  readonly violations: number;
  readonly elapsedMs: number;
}

/** Options of {@link runCampaign}. */
export interface CampaignOptions<P extends BasePlan> {
  readonly subject: Subject<P>;
  /** Units (scenarios), in the order their seeds are listed. @defaultValue every unit of the subject */
  readonly units?: readonly string[];
  /** Seeds per unit. */
  readonly seeds: number;
  /** First seed. @defaultValue 1 */
  readonly seedStart?: number;
  /** Threads running seeds: this one, plus `jobs - 1` worker threads. @defaultValue 1 */
  readonly jobs?: number;
  readonly shard?: Shard;
  /** Stop issuing new seeds this many seconds after `startedAtMs`; seeds already issued finish and count. */
  readonly timeBudgetSec?: number;
  /** When the time budget began, on the wall clock of sim/node/wall-clock.ts (0: the process start). @defaultValue now */
  readonly startedAtMs?: number;
  /**
   * Stop issuing new seeds once aborted (the CLI aborts on Ctrl-C); seeds already issued finish
   * and count, and the outcome says `interrupted`.
   */
  readonly signal?: AbortSignal;
  /** Rerun a sample of seeds in a fresh executor and compare digests. @defaultValue false */
  readonly checkDeterminism?: boolean;
  readonly onProgress?: (progress: CampaignProgress) => void;
  /** The worker threads' entry module (it serves seeds with a subject loader); needed for `jobs` > 1. */
  readonly workerScript?: URL;
  /** How repro lines start (see repro.ts). @defaultValue 'npx powercut' */
  readonly invocation?: string;
  /**
   * Monotonic milliseconds that the time budget, `elapsedMs` and `seedsPerSecond` are read from.
   * Tests pass a clock they move themselves, so that when the budget runs out does not depend on
   * how fast the machine is. @defaultValue wallClockMs (sim/node/wall-clock.ts)
   */
  readonly wallClockMs?: () => number;
}

/** A seed that gave another digest when run again. */
/** What {@link runCampaign} returns: the campaign result plus how it was run. */
export interface CampaignOutcome extends CampaignResult {
  /** Pairs the campaign (or shard) holds; more than `seeds` when the time budget ran out. */
  readonly seedsPlanned: number;
  /** Simulated I/O operations over every run: 0 means nothing reached the simulated disk. */
  readonly ioCount: number;
  readonly stoppedByTimeBudget: boolean;
  /** Set when {@link CampaignOptions.signal} stopped the campaign before every seed was issued. */
  readonly interrupted?: true;
  readonly jobs: number;
}

function checkCount(what: string, value: number | undefined, least: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < least)) throw new CampaignInputError(`${what} must be an integer >= ${least}, got ${value}`);
}

function checkOptions<P extends BasePlan>(options: CampaignOptions<P>, units: readonly string[]): void {
  if (units.length === 0) throw new CampaignInputError(`no ${options.subject.unitWord} given`);
  for (const unit of units) {
    if (!options.subject.units.includes(unit)) {
      const near = nearestName(unit, options.subject.units);
      throw new CampaignInputError(`unknown ${options.subject.unitWord} ${JSON.stringify(unit)}${near === undefined ? '' : ` (did you mean ${near}?)`} (see: powercut list)`);
    }
  }
  if (new Set(units).size !== units.length) throw new CampaignInputError(`a ${options.subject.unitWord} is listed twice`);
  checkCount('seeds', options.seeds, 0);
  checkCount('seed start', options.seedStart, 0);
  checkCount('jobs', options.jobs, 1);
  if (options.shard) parseShard(`${options.shard.index}/${options.shard.count}`);
  if (options.timeBudgetSec !== undefined && !(options.timeBudgetSec > 0)) throw new CampaignInputError(`time budget must be > 0 seconds, got ${options.timeBudgetSec}`);
  if ((options.jobs ?? 1) > 1 && options.workerScript === undefined) throw new CampaignInputError('jobs > 1 needs a worker script that can load the subject');
}

/** The executor of a campaign: this thread, or worker threads loading the subject by its spec. */
function executorFor<P extends BasePlan>(options: CampaignOptions<P>, jobs: number, planned: number): SeedExecutor {
  return threadsExecutor(options.subject, Math.min(jobs, Math.max(1, planned)), options.workerScript);
}

/**
 * Runs a campaign.
 * @returns the aggregated result; identical (but for timings) whatever `jobs` is
 * @throws {@link CampaignInputError} for an unknown unit or a malformed count or shard
 * @throws {@link WorkerStartError} when worker threads cannot start or load the subject
 */
export async function runCampaign<P extends BasePlan>(options: CampaignOptions<P>): Promise<CampaignOutcome> {
  const subject = options.subject;
  const units = options.units ?? subject.units;
  checkOptions(options, units);
  const clockMs = options.wallClockMs ?? wallClockMs;
  const started = options.startedAtMs ?? clockMs();
  const seedStart = options.seedStart ?? 1;
  const jobs = options.jobs ?? 1;
  const planned = pairCount(units.length, options.seeds, options.shard);
  const aggregator = new Aggregator(units, subject.sites, subject.probes);
  const executor = executorFor(options, jobs, planned);
  const budgetMs = options.timeBudgetSec === undefined ? Infinity : options.timeBudgetSec * 1000;
  const pairs = campaignPairs(units, options.seeds, seedStart, options.shard);
  /** The runs `--check-determinism` reruns: every {@link determinismSampleEvery}-th issued. */
  const sample: { pair: Pair; digest: string }[] = [];
  let issued = 0;
  let stoppedByTimeBudget = false;
  let interrupted = false;
  try {
    // Pairs are issued in campaign order, so the seeds run under a time budget are a prefix.
    const lane = async (): Promise<void> => {
      for (;;) {
        if (clockMs() - started > budgetMs) {
          stoppedByTimeBudget = true;
          return;
        }
        const next = pairs.next();
        if (next.done === true) return;
        if (options.signal?.aborted === true) {
          interrupted = true;
          return;
        }
        const sampled = options.checkDeterminism === true && issued++ % determinismSampleEvery === 0 && sample.length < determinismSampleMax;
        const run = await runPair(executor, next.value);
        // A run that spun would spin again, for the limit's time, to say what is already known.
        if (sampled && run.spun !== true) sample.push({ pair: next.value, digest: run.digest });
        aggregator.add(run, next.value.index);
        options.onProgress?.({ done: aggregator.seeds, total: planned, violations: aggregator.violations, elapsedMs: clockMs() - started });
      }
    };
    await Promise.all(Array.from({ length: executor.lanes }, lane));
    const runsPhaseMs = clockMs() - started;
    const invocation = options.invocation ?? invocationDefault;
    const violations = await attachTraces(aggregator.kept, subject, executor, (run) => reproCommand(invocation, subject, run.unit, run.seed));
    const determinism = options.checkDeterminism ? await checkDeterminism(sample, options, jobs) : undefined;
    return {
      subject: { kind: subject.spec.kind, name: subject.name, ...(subject.spec.module === undefined ? {} : { module: subject.spec.module }), ...(subject.description === undefined ? {} : { description: subject.description }) },
      scenarios: [...units],
      seeds: aggregator.seeds,
      seedStart,
      seedsPerUnit: options.seeds,
      ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
      violations,
      ...(aggregator.violationsOmitted > 0 ? { violationsOmitted: aggregator.violationsOmitted } : {}),
      failingSeeds: aggregator.failingSeeds,
      faults: aggregator.faults,
      sites: Object.keys(aggregator.coverage),
      coverage: aggregator.coverage,
      ...(subject.probes.length > 0 ? { probes: aggregator.probes } : {}),
      ...(aggregator.findings > 0 ? { findings: { count: aggregator.findings, examples: aggregator.findingExamples } } : {}),
      ...(aggregator.looks > 0 ? { looks: aggregator.looks } : {}),
      ...(aggregator.looksSkipped > 0 ? { looksSkipped: aggregator.looksSkipped } : {}),
      ...(aggregator.refusedUnfaulted > 0 ? { refusedUnfaulted: aggregator.refusedUnfaulted } : {}),
      ...(aggregator.processDeaths > 0 ? { processDeaths: aggregator.processDeaths, processDeathSeeds: aggregator.processDeathSeeds, processDeathFirstSeed: aggregator.processDeathFirstSeed! } : {}),
      targets: normalizedTargets(subject.targets(units), Object.keys(aggregator.coverage)),
      reachable: Object.fromEntries(Object.entries(aggregator.reach).map(([site, mask]) => [site, kindsOfMask(mask)])),
      digest: aggregator.digest(),
      seedsPerSecond: runsPhaseMs > 0 ? aggregator.seeds / (runsPhaseMs / 1000) : 0,
      elapsedMs: clockMs() - started,
      perScenario: aggregator.perScenario,
      seedsPlanned: planned,
      ioCount: aggregator.ioCount,
      stoppedByTimeBudget,
      ...(interrupted ? { interrupted: true as const } : {}),
      jobs,
      ...(determinism ? { determinism } : {}),
    };
  } finally {
    await executor.close();
  }
}

/** Targets with a row for every site (empty where nothing is aimed), kinds in report order. */
function normalizedTargets(targets: Targets, sites: readonly string[]): Record<string, FaultKind[]> {
  const normalized: Record<string, FaultKind[]> = {};
  for (const site of [...sites, ...Object.keys(targets).filter((site) => !sites.includes(site))]) {
    normalized[site] = faultKinds.filter((kind) => (targets[site] ?? []).includes(kind));
  }
  return normalized;
}

/** Runs one pair; a run that throws is a `harness` violation of that seed, a pool that cannot start ends the campaign. */
function runPair(executor: SeedExecutor, pair: Pair): Promise<SeedRun> {
  return executor.run({ unit: pair.unit, seed: pair.seed }).catch((error: unknown) => {
    if (error instanceof WorkerStartError) throw error;
    return harnessRun(pair.unit, pair.seed, error);
  });
}

/** The events up to (and including) the check that reported `violation`, at most {@link traceEventsMax}. */
function traceWindow(trace: readonly TraceEvent[], violation: RunViolation): TraceEvent[] {
  const at = trace.findIndex((event) => event.type === 'check' && event.name === violation.invariant && (event.detail ?? '').includes(violation.message));
  const end = at < 0 ? trace.length : at + 1;
  return trace.slice(Math.max(0, end - traceEventsMax), end);
}

/** The roots of a run's violations: its first, and the first on its own path after a second look's. */
function rootIndexes(found: readonly RunViolation[]): number[] {
  const second = ownPathAfterLook(found);
  return second === undefined ? [0] : [0, second];
}

/**
 * The kept runs that get a trace: the first run of each root cause (harness/triage.ts) in campaign
 * order, so that every kind of failure has a timeline to show, then the other runs in campaign
 * order; at most {@link tracedRunsMax}. `firsts` are the first runs of each root cause.
 */
function runsToTrace(kept: readonly KeptRun[]): { chosen: Set<KeptRun>; firsts: KeptRun[] } {
  const causes = new Set<string>();
  const firsts: KeptRun[] = [];
  const others: KeptRun[] = [];
  for (const entry of kept) {
    // A run that spun has no trace to give: run again, it would spin again.
    if (entry.run.spun === true) continue;
    const found = entry.run.violations;
    const fresh = rootIndexes(found).map((index) => rootCauseKey(found[index]!.invariant, found[index]!.message)).filter((cause) => !causes.has(cause));
    if (fresh.length === 0) others.push(entry);
    else {
      for (const cause of fresh) causes.add(cause);
      firsts.push(entry);
    }
  }
  return { chosen: new Set([...firsts, ...others].slice(0, tracedRunsMax)), firsts };
}

/**
 * The faults a second look added to what its run injected: the rot it let strike, or the power
 * loss it looked at between steps (a look at another crash state settles a power loss the run had).
 */
function lookFaultKinds(look: LookPlace | undefined): readonly FaultKind[] {
  if (look?.rot !== undefined) return [look.rot.fault];
  return look?.beforeStep !== undefined ? ['power-loss'] : [];
}

/**
 * Every kept violation with its repro command, its place in its run and traces on the runs
 * {@link runsToTrace} picks, the roots that fail the same way with no fault marked
 * (harness/fault-free.ts); sorted.
 */
async function attachTraces<P extends BasePlan>(kept: readonly KeptRun[], subject: Subject<P>, executor: SeedExecutor, repro: (run: SeedRun) => string): Promise<Violation[]> {
  const { chosen, firsts } = runsToTrace(kept);
  const faultFreeChecked = firsts.slice(0, faultFreeChecksMax);
  const [traced, faultFree] = await Promise.all([
    Promise.all(kept.map((entry) => !chosen.has(entry) ? undefined
      : executor.run({ unit: entry.run.unit, seed: entry.run.seed, trace: 'full' }).then((again) => again.trace ?? [], () => []))),
    Promise.all(faultFreeChecked.map((entry) => rootsWithoutFault(subject, executor, entry.run, rootIndexes(entry.run.violations)))),
  ]);
  const withoutFault = new Map(faultFreeChecked.map((entry, index) => [entry, new Set(faultFree[index])]));
  const violations: Violation[] = [];
  kept.forEach((entry, index) => {
    const { run } = entry;
    const trace = traced[index];
    run.violations.forEach((violation, indexInRun) => {
      const lookFaults = lookFaultKinds(violation.look);
      const runFaultKinds = faultKinds.filter((kind) => (run.faults[kind] ?? 0) > 0 || lookFaults.includes(kind));
      violations.push(toViolation(violation, {
        unit: run.unit, seed: run.seed, repro: repro(run), indexInRun, runFaultKinds,
        ...(trace !== undefined ? { trace: traceWindow(trace, violation) } : {}),
        ...(withoutFault.get(entry)?.has(indexInRun) === true ? { needsNoFault: true } : {}),
        ...(run.spun === true ? { spun: true } : {}),
      }));
    });
  });
  return violations.sort(compareViolations);
}

/**
 * Reruns the sampled seeds in an executor that has run nothing yet and compares their digests
 * with the campaign's: a run must not depend on what ran before it in the same thread. They are
 * rerun in reverse order, so the campaign's first seed (the first its thread ran) is not the
 * first here, nor the others later than there; a lone sampled seed runs twice. A library whose
 * dependency drew random numbers when it loaded, once per thread, differed only in a thread's
 * first run, and in the same order the check had passed it.
 */
async function checkDeterminism<P extends BasePlan>(sample: readonly { pair: Pair; digest: string }[], options: CampaignOptions<P>, jobs: number): Promise<CampaignOutcome['determinism']> {
  // A worker thread that has run nothing is really fresh; this thread is only when no worker can load the subject.
  const fresh = options.workerScript === undefined ? new InProcessExecutor(options.subject)
    : new WorkerPool(Math.max(1, Math.min(jobs, sample.length)), options.workerScript, options.subject.spec);
  try {
    const order = sample.length === 1 ? [sample[0]!, sample[0]!] : [...sample].reverse();
    const again = await Promise.all(order.map(({ pair }) => fresh.run({ unit: pair.unit, seed: pair.seed })
      .then((run) => run.digest, (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`)));
    const mismatches: DigestMismatch[] = [];
    order.forEach(({ pair, digest }, index) => {
      const seen = mismatches.some((mismatch) => mismatch.scenario === pair.unit && mismatch.seed === pair.seed);
      if (again[index] !== digest && !seen) mismatches.push({ scenario: pair.unit, seed: pair.seed, digest, rerunDigest: again[index]! });
    });
    return { checked: sample.length, mismatches };
  } finally {
    await fresh.close();
  }
}
