/**
 * What the harness tests: a **subject**. Campaigns, repro, replay, shrinking, exploration, the
 * regression corpus and the reports are written once, over this interface; each kind of code
 * under test is one implementation of it:
 * - the **engine** subject (scenarios/engine-subject.ts): the scenarios' plans, an engine under
 *   the engine contract (the reference engine or yours), judged by the commit model;
 * - the **library** subject (targets/subject.ts): a library workload, judged by its own
 *   invariants.
 *
 * A subject turns (unit, seed) into a plan (a unit is a scenario, or the workload itself), runs
 * a plan deterministically, and says how its plans shrink and how they are explored. It names
 * itself as plain data ({@link SubjectSpec}), so a worker thread or a child process loads the
 * same subject again, and a plan file names the subject it belongs to.
 */
import type { FaultKind, TraceEvent } from '../sim/index.ts';
import type { FaultProfile, PlanFinding, ScheduledFault } from '../sim/index.ts';
import type { RunResult, RunViolation } from '../sim/index.ts';
import type { DiskImage, TraceMode } from '../sim/index.ts';

/**
 * A subject as plain data: enough for any thread or process to load it again.
 * - `engine`: the scenarios on an engine; `module` names the module whose default export is the
 *   engine (absent: the reference engine);
 * - `library`: the library workload exported by `module`;
 * - for both, `looks`, when given, replaces every plan's second looks at a power loss
 *   (sim/second-look.ts; 0: none).
 * Module paths are kept as the user gave them and resolved against the working directory.
 */
export type SubjectSpec =
  | { readonly kind: 'engine'; readonly module?: string | undefined; readonly looks?: number | undefined }
  | { readonly kind: 'library'; readonly module: string; readonly looks?: number | undefined };

/** What every plan has, whatever its subject. */
export interface BasePlan {
  readonly format: string;
  readonly version: number;
  readonly seed: number;
  readonly faults: FaultProfile;
  /** Which crash state each crash settles on, by crash index; absent or shorter: the default. */
  readonly crashStates?: readonly number[] | undefined;
  /** Step budget of each simulated section (a liveness bound, never a hang). */
  readonly stepsMax: number;
  /** The violation the plan was saved for, if any (see `PlanFinding`). */
  readonly found?: PlanFinding | undefined;
}

/** Options of {@link Subject.run}. */
export interface SubjectRunOptions {
  /** Keep every trace event. @defaultValue 'digest' */
  readonly trace?: TraceMode;
  /**
   * Asked after the run's first power loss with a key of the state it left; `stop` ends the run
   * there with `stoppedAfterFirstPowerLoss` set (sim/runner.ts `RunPlanOptions`). Exploration's
   * shortcut (harness/same-crash-image.ts). A subject that cannot stop there ignores it and runs on.
   */
  readonly afterFirstPowerLoss?: (stateKey: string) => 'go-on' | 'stop';
  /**
   * Called once, at the first violation the run's own path finds (not a look's, which has a
   * world of its own), with the simulated disk as it was then: `repro --disk DIR`.
   */
  readonly onFirstViolation?: (disk: DiskImage) => void;
}

/** The (site × fault kind) cells a campaign aims at, by site. */
export type Targets = Record<string, readonly FaultKind[]>;

/** How the harness edits a subject's plans when it shrinks them. */
export interface ShrinkAxes<P extends BasePlan> {
  /** The plan's steps (operations) that shrinking may remove, counted. */
  stepCount(plan: P): number;
  /** The plan keeping only the steps `keep` (indexes into the current steps, in order). */
  keepSteps(plan: P, keep: readonly number[]): P;
  /** Whether a trace event marks the start of the next step (to anchor faults to steps). */
  isStepStart(event: TraceEvent): boolean;
  /**
   * The plan with the subject's own random choices of `run` made explicit, beyond the faults and
   * crash states the harness handles (an engine plan's late writes): applied with the faults
   * before the passes, and again at the end to keep only what the last run used.
   */
  explicit?(plan: P, run: RunResult): P;
  /**
   * Subject-specific passes run after the common ones (steps, faults, crash states): each
   * proposes smaller plans through `accept`, which runs a candidate and adopts it if it still
   * fails the same way. @returns whether a pass made progress
   */
  simplify?(current: () => P, accept: (candidate: P) => Promise<boolean>): Promise<boolean>;
  /** `steps 4, ops 6, faults 2`: what a plan's size means to the user. */
  describeSize(plan: P): string;
}

/** How the harness explores a subject's plans (crash at every I/O). */
export interface Exploration<P extends BasePlan> {
  /** The fault-free prefix of `plan` with `size` steps (operations) that exploration crashes. */
  base(plan: P, size: number): P;
  /** The default `size`. */
  readonly sizeDefault: number;
  /** The global I/O indexes of the clean run's trace that are crash points. */
  crashPoints(cleanTrace: readonly TraceEvent[]): number[];
  /**
   * The plan that crashes `base` at I/O `io` (or, with `io` undefined, at the end of its steps,
   * where the subject has such a point) with `kind`, settling a power loss on `crashState`.
   * `undefined` when the subject has no such candidate.
   */
  candidate(base: P, crash: CandidateCrash): P | undefined;
  /**
   * The I/O faults exploration may inject for `plan` (the plan explored, before its faults are
   * removed): a library workload's own fault rates say which faults it is tested under.
   * @defaultValue all four: an engine is held to every fault
   */
  faults?(plan: P): readonly ExploreFault[];
  /**
   * Whether `base` promises anything across a power loss: when not (a library workload that
   * injects none), exploration crashes it by kill -9 only, and at the end of its steps once, by
   * the crash its run ends with. @defaultValue always
   */
  powerLosses?(base: P): boolean;
}

/**
 * A sync an exploration makes fail, its error returned to the code: `fsync-error` for a file's
 * fsync (or fdatasync), `dir-sync-error` for a directory's. The run goes on.
 */
export type SyncFault = 'fsync-error' | 'dir-sync-error';

/**
 * A write an exploration makes fail, its error returned to the code: `write-error` (`EIO`, the
 * prefix of whole pages it drew landed) or `disk-full` (`ENOSPC`: what fits lands); or land short,
 * `short-write` (`write(2)` returns fewer bytes than asked, which only the fs facade's writes may:
 * an engine's port promises whole writes). The run goes on.
 */
export type WriteFault = 'write-error' | 'disk-full' | 'short-write';

/**
 * A read an exploration makes fail with `EIO` (`read-error`), its error returned to the code: a
 * reader that takes it for the end of its data, or a missing key, loses or misreports what is
 * there. The run goes on.
 */
export type ReadFault = 'read-error';

/** An I/O fault an exploration injects: a failed sync, write or read. */
export type ExploreFault = SyncFault | WriteFault | ReadFault;

/** Every {@link ExploreFault}, in the order explore tries them. */
export const exploreFaults: readonly ExploreFault[] = ['fsync-error', 'dir-sync-error', 'write-error', 'disk-full', 'short-write', 'read-error'];

/** What an {@link ExploreFault} fails: a sync, a write or a read (ExploreOptions turns each on or off). */
export function faultClassOf(fault: ExploreFault): 'sync' | 'write' | 'read' {
  return fault === 'fsync-error' || fault === 'dir-sync-error' ? 'sync' : fault === 'read-error' ? 'read' : 'write';
}

/**
 * A candidate's crash or failure at I/O `io`, as its plan schedules it. A full disk leaves as much
 * room as it can while still failing the write (a scheduled slack is cut to that), so that the
 * most of the write lands; and its space comes back once the write has returned
 * (ScheduledFault.spaceReturns): the one write fails, as an I/O error or a failed sync does, and
 * code that goes on writing after it shows what it made of that write (a partial record it kept).
 */
export function scheduledAt(io: number, kind: 'kill-9' | 'power-loss' | ExploreFault): ScheduledFault {
  return kind === 'disk-full' ? { io, kind, arg: largestSlack, spaceReturns: true } : { io, kind };
}

/** A disk-full slack above any the simulator leaves (sim/disk/file-ops.ts caps it below what the write needs). */
const largestSlack = 2 ** 30;

/** Whether an exploration candidate's fault is a crash (the process ends there) rather than a failed sync, write or read. */
export function isCrashKind(kind: 'kill-9' | 'power-loss' | ExploreFault): kind is 'kill-9' | 'power-loss' {
  return kind === 'kill-9' || kind === 'power-loss';
}

/**
 * Where and how an exploration candidate crashes its base (see {@link Exploration.candidate}),
 * or makes one of its syncs fail.
 */
export interface CandidateCrash {
  /** The global I/O index of the crash or the failed I/O; undefined: a crash at the end of the base's steps. */
  readonly io: number | undefined;
  /**
   * A crash, or a failed sync, write or read (at one of the base's clean run): the run then goes on, and
   * ends with a power loss that keeps every unsynced write (crash state 2), so that only what the
   * failure lost is lost.
   */
  readonly kind: 'kill-9' | 'power-loss' | ExploreFault;
  /** The crash state a power loss settles on. */
  readonly crashState: number;
  /**
   * Second looks the candidate's plan takes (`looks`; absent or 0: none): other disks its power
   * losses could have left, recovered and checked (harness/explore.ts asks for them in state 0).
   */
  readonly looks?: number;
  /**
   * Whether a kill -9's looks also take the disk with a bit rotted in the newest durable data
   * (an engine's: sim/second-look.ts), when it takes looks at all. @defaultValue true
   */
  readonly rotLooks?: boolean;
  /**
   * A second crash, or a failed sync, write or read, in the recovery the first one starts: at the `offset`-th
   * I/O after the first crash (0: the recovery's first), with `kind`, a power loss settling on
   * `crashState`.
   */
  readonly then?: RecoveryCrash;
}

/** A crash or a failed sync, write or read inside the recovery after an exploration candidate's crash (see {@link CandidateCrash.then}). */
export interface RecoveryCrash {
  readonly offset: number;
  readonly kind: 'kill-9' | 'power-loss' | ExploreFault;
  readonly crashState: number;
}

/** Something the harness can test. */
export interface Subject<P extends BasePlan = BasePlan> {
  readonly spec: SubjectSpec;
  /** For reports: the engine's or the workload's name. */
  readonly name: string;
  /** One line for summaries: `engine my-log (./my-log.ts)`, `workload lowdb (targets/lowdb.ts)`. */
  readonly label: string;
  /** What a library workload checks, in its author's words (its `description`), for summaries. */
  readonly description?: string;
  /** Every unit seeds can be drawn for, in a stable order (scenario names; the workload's name). */
  readonly units: readonly string[];
  /** What a unit is called on the command line and in reports (`scenario`, `workload`). */
  readonly unitWord: string;
  /** Report rows of the coverage table (phases or I/O classes), in order. */
  readonly sites: readonly string[];
  /** Rare branches the code under test names (engine probes): a campaign should hit each. */
  readonly probes: readonly string[];
  /** The plan of one seed. @throws Error for an unknown unit */
  plan(unit: string, seed: number): P;
  /** The unit a plan belongs to. */
  unitOf(plan: P): string;
  /** Checks a parsed plan file. @throws PlanFileError naming the file and the field */
  checkPlan(document: unknown, source: string): P;
  /** Runs a plan. Deterministic: the same plan gives the same result and digest. */
  run(plan: P, options?: SubjectRunOptions): Promise<RunResult>;
  /** The (site × fault) cells the given units target. */
  targets(units: readonly string[]): Targets;
  /** Arguments naming this subject on a command line (`--engine FILE`, `--target FILE`; none for the reference engine). */
  subjectArgs(): string[];
  /** Arguments of `repro` naming one seed (`--scenario S --seed N`). */
  seedArgs(unit: string, seed: number): string[];
  /** Lines describing a plan (repro and replay print them above the result). */
  describePlan(plan: P): string[];
  readonly shrink: ShrinkAxes<P>;
  readonly explore: Exploration<P>;
}

/** A violation as a one-line string: `[invariant] message (step N)`. */
export function violationLine(violation: RunViolation): string {
  return `[${violation.invariant}] ${violation.message}${violation.step >= 0 ? ` (step ${violation.step})` : ''}`;
}
