/**
 * One seed as a campaign task, and its compact result: what aggregation needs (and a trace when
 * asked for), small enough to post from a worker thread for every seed.
 */
import { describeThrown, zeroCounts } from '../sim/index.ts';
import type { RunResult } from '../sim/index.ts';
import { sameCrashImage } from './same-crash-image.ts';
import type { BasePlan, CandidateCrash, Subject } from './subject.ts';

/** One seed to run. */
export interface SeedTask {
  readonly unit: string;
  readonly seed: number;
  readonly trace?: 'full';
  /**
   * The plan to run instead of the unit's plan for `seed` (exploration's crash candidates); it
   * is posted to a worker thread as is, so it must be plain data, as a plan file is.
   */
  readonly plan?: BasePlan;
  /**
   * An exploration candidate instead: the plan `subject.explore.candidate(base, crash)` gives.
   * Every candidate of one exploration shares its base, so a worker pool posts the base once
   * per worker and then only the crash (posting a whole plan per run cost about as much CPU as
   * a short run's own work); plain data too.
   */
  readonly candidate?: { readonly base: BasePlan; readonly crash: CandidateCrash };
}

/**
 * The compact result of one seed: the fields of its {@link RunResult} that aggregation needs,
 * and its trace only when asked for.
 */
export type SeedRun = Pick<RunResult, 'unit' | 'seed' | 'violations' | 'detected' | 'faults' | 'coverage' | 'reach' | 'digest' | 'ioCount' | 'crashes' | 'acknowledged' | 'probes' | 'findings' | 'looks' | 'looksSkipped' | 'refusedUnfaulted' | 'processDeaths'>
  & {
    readonly trace?: RunResult['trace'];
    /**
     * An exploration candidate that stopped right after its power loss, which left the same state
     * as an earlier candidate's at the same crash point: this is that candidate's outcome
     * (harness/same-crash-image.ts).
     */
    readonly reused?: true;
    /** For an exploration's power-loss candidate: a digest of its crash point and the state the power loss left. */
    readonly crashStateDigest?: string;
    /** The run spun or never returned, and its worker was ended ({@link spunRun}). */
    readonly spun?: true;
  };

/** The compact form of a run's result. */
export function seedRunOf(result: RunResult, withTrace: boolean): SeedRun {
  return {
    unit: result.unit, seed: result.seed, violations: result.violations, detected: result.detected,
    faults: result.faults, coverage: result.coverage, digest: result.digest, ioCount: result.ioCount,
    crashes: result.crashes, acknowledged: result.acknowledged,
    ...(withTrace ? { trace: result.trace } : {}),
    ...(result.reach === undefined ? {} : { reach: result.reach }),
    ...(result.probes === undefined ? {} : { probes: result.probes }),
    ...(result.findings === undefined ? {} : { findings: result.findings }),
    ...(result.looks === undefined ? {} : { looks: result.looks }),
    ...(result.looksSkipped === undefined ? {} : { looksSkipped: result.looksSkipped }),
    ...(result.refusedUnfaulted === undefined ? {} : { refusedUnfaulted: result.refusedUnfaulted }),
    ...(result.processDeaths === undefined ? {} : { processDeaths: result.processDeaths }),
  };
}

/** `run` as it would be without second looks: its own path's violations, no looks counted. */
function withoutLooks(run: SeedRun): SeedRun {
  const { looks: _looks, ...rest } = run;
  return { ...rest, violations: run.violations.filter((violation) => violation.look === undefined) };
}

/** The plan a task runs: its own, its exploration candidate's, or its unit's for its seed. */
function planOf<P extends BasePlan>(subject: Subject<P>, task: SeedTask): P {
  if (task.plan !== undefined) return task.plan as P;
  if (task.candidate === undefined) return subject.plan(task.unit, task.seed);
  const plan = subject.explore.candidate(task.candidate.base as P, task.candidate.crash);
  if (plan === undefined) throw new Error(`no exploration candidate crashes ${task.unit} seed ${task.seed} there`);
  return plan;
}

/** Runs one seed of `subject`. @throws Error for an unknown unit or candidate, or what the run throws */
export async function runSeed<P extends BasePlan>(subject: Subject<P>, task: SeedTask): Promise<SeedRun> {
  const plan = planOf(subject, task);
  if (task.trace === 'full') return seedRunOf(await subject.run(plan, { trace: 'full' }), true);
  const shortcut = task.candidate === undefined ? undefined : sameCrashImage<SeedRun>(task.candidate.base, task.candidate.crash, withoutLooks);
  if (shortcut === undefined) return seedRunOf(await subject.run(plan), false);
  const result = await subject.run(plan, { afterFirstPowerLoss: shortcut.gate });
  if (result.stoppedAfterFirstPowerLoss) return { ...shortcut.reused(), reused: true };
  const digest = shortcut.stateDigest();
  const run = digest === undefined ? seedRunOf(result, false) : { ...seedRunOf(result, false), crashStateDigest: digest };
  shortcut.keep(run);
  return run;
}

/**
 * One line for an error a run threw, the same in this thread and in a worker (which sends it as
 * text): its message, after its name unless that is plain `Error`.
 */
export function thrownLine(error: unknown): string {
  if (!(error instanceof Error)) return describeThrown(error);
  return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
}

/**
 * A seed's run threw in a worker thread: its message is the {@link harnessMessage} the worker
 * made of the error, so that the violation reads the same whichever thread ran the seed.
 */
export class SeedThrewError extends Error {
  override readonly name = 'SeedThrewError';
  readonly code = 'SEED_THREW';
}

/**
 * What a `harness` violation says of an error a run threw: a call the fs facade does not
 * simulate (code `TARGET_UNSUPPORTED`) as such, anything else as thrown.
 */
export function harnessMessage(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (error instanceof SeedThrewError) return error.message;
  if (code === 'TARGET_UNSUPPORTED' && error instanceof Error) return `powercut cannot simulate this run: ${error.message}`;
  return `the run threw: ${thrownLine(error)}`;
}

/** The result of a seed whose run threw: a `harness` violation, nothing else. */
/**
 * A seed whose run spun or never returned in a worker, which was ended for it (pool.ts): a
 * liveness violation, `why`, with nothing else known of the run.
 */
export function spunRun(unit: string, seed: number, why: string): SeedRun {
  return { ...harnessRun(unit, seed, why), violations: [{ invariant: 'liveness', message: why, step: -1 }], spun: true };
}

export function harnessRun(unit: string, seed: number, error: unknown): SeedRun {
  return {
    unit, seed, detected: 0, crashes: 0, acknowledged: 0, ioCount: 0, digest: '0000000000000000',
    violations: [{ invariant: 'harness', message: harnessMessage(error), step: -1 }],
    faults: zeroCounts(), coverage: {},
  };
}
