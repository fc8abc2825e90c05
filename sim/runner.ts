/**
 * The engine runner: executes one plan in a fresh simulated world against an engine (under the
 * contract of sim/engine-contract.ts), and checks the oracle's invariants after every recovery,
 * after every read, and at the end.
 *
 * A run has two phases. The **fault phase** runs the plan's steps with its faults on; whenever
 * a crash ends the process (an injected kill -9 or power loss, or a `crash` step), the runner
 * settles the disk, reopens (recovery may itself crash and is retried), and checks the
 * recovered state. The **liveness phase** then turns faults off and demands that the engine
 * reopen and durably commit new writes within the step budget, then close cleanly and recover
 * exactly what it acknowledged. A run never hangs: every simulated section has a step budget.
 *
 * The run's state lives in fields of one {@link EngineRun}; each method does one part of the
 * run (open and check, one step, one commit, a phase).
 */
import type { Op } from '../engine/types.ts';
import { describeError, failureNote, failureOf, thrownAt, isIoLikeError, isProgrammingError, lsnOf, type Engine, type EngineFailure, type EngineHandle, type EngineEnvironment } from './engine-contract.ts';
import { refusalOf } from './checkers/honest-failure.ts';
import { formatKey } from './checkers/values.ts';
import { checkGetResult, checkHandle, promising, recoveredState } from './engine-results.ts';
import { failedUnfaulted, hung, neverOpened, refusedWithFaultsOff, stillFailing } from './checkers/liveness.ts';
import { acceptedBeyondLimits, batchSize, beyondLimits, refusedWithinLimits } from './checkers/limits.ts';
import { CommitModel, type RefusalCheck } from './model.ts';
import type { ModelViolation } from './checkers/violation.ts';
import { FilesCheck } from './check-memo.ts';
import { batchOps, type OverlapOp, type Plan, type PlanOp, type PlanStep } from './plan.ts';
import { ReportWitness } from './report-witness.ts';
import type { FaultKind, PowerLossLook, TraceEvent } from './types.ts';
import type { DiskImage } from './disk/image.ts';
import { copyCoverage, type RunResult, type RunViolation } from './run-result.ts';
import { powerLossNoteFor, SimWorld, type RunOutcome, type TraceMode } from './world.ts';
import { keepHearingUncaught, unhandledRejectionsPending } from './scheduler.ts';
import { PowerLossWatch, lookable, lookAgain, primaryStateOf, RotWatch, settleForLooks, WorldPin, type LookViolation, type PendingLook } from './second-look.ts';

/** The directory the store lives in on the simulated disk. */
export const storeDir = '/db';
/** How many times one open is retried after crashes or transient errors during recovery. */
const openAttemptsMax = 8;

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  readonly trace?: TraceMode;
  /**
   * Pins what the engine's code could read outside its ports (random numbers, the time, timers,
   * the process id) to the run's world for the run's length, and returns how to unpin. Set for
   * engines given as modules (scenarios/engine-subject.ts, with targets' `pinEnvironment`): a
   * user's engine that draws random numbers, reads the wall clock or sets global timers must
   * still give the same run for the same seed. The reference engine sees only its ports (test/layers.test.ts).
   */
  readonly environment?: (world: SimWorld) => () => void;
  /**
   * Count coverage by the engine's phases (`phase`) or by I/O class (`io`, for an engine that
   * reports no phases). @defaultValue 'phase'
   */
  readonly coverBy?: 'phase' | 'io';
  /**
   * Asked right after the run's first power loss has settled the disk, with
   * {@link SimWorld.stateAfterCrashKey} (everything of the world that a crash state can change);
   * `stop` ends the run there, with {@link RunResult.stoppedAfterFirstPowerLoss} set and the rest
   * of the result partial. Exploration uses it to skip the crash states whose outcome an earlier
   * candidate already showed (harness/same-crash-image.ts).
   */
  readonly afterFirstPowerLoss?: (stateKey: string) => 'go-on' | 'stop';
  /**
   * Called once, at the first violation the run's own path finds (not a look's, which has a
   * world of its own), with the simulated disk as it was then: `repro --disk DIR`.
   */
  readonly onFirstViolation?: (disk: DiskImage) => void;
}

/**
 * The engine threw where nothing caught it (a timer, a callback, a tick) or left a promise
 * rejected that nobody handled: a real process would end there.
 */
const uncaughtPrefix = 'uncaught, which would end a real process: ';

/** `{ thrownAt }` for a violation about `error`, when it has frames of the code under test. */
function thrownAtOf(error: unknown): { thrownAt?: readonly string[] } {
  const frames = thrownAt(error);
  return frames === undefined ? {} : { thrownAt: frames };
}

function uncaughtError(error: unknown): Omit<RunViolation, 'step'> {
  return { invariant: 'engine-error', message: `${uncaughtPrefix}${describeError(error)}${isIoLikeError(error) ? unhandledIoNote : ''}`, ...thrownAtOf(error) };
}

/**
 * Said of an I/O error nobody handled: the call's promise (or one awaiting it) was left without an
 * `await` or a `catch`, so no frame of the engine's is on it (a new user's write left unawaited
 * before its fsync, met by a full disk, read as a crash of powercut's disk).
 */
const unhandledIoNote = ': an I/O call failed and nothing handled its error: its promise (or one awaiting it) was never awaited or caught (the trace shows the call; look for a port call without await)';

/** Thrown out of the run's own code (never the engine's) when {@link RunPlanOptions.afterFirstPowerLoss} says `stop`. */
class StoppedAfterPowerLoss {}

/**
 * Said of a lost commit or a refusal once a commit was acknowledged after an fsync failed over
 * unsynced writes, the engine reporting no failure: the likeliest cause, as the oracle cannot
 * tell it at the acknowledgement (an engine may rightly write the data again and fsync it). The
 * same words for every run, so that triage groups its runs; the trace's fsync-error fault names it.
 */
const unreportedSyncFailureNote = '; earlier, commits were acknowledged after an fsync failed over unsynced writes and before the engine reported any failure (ext4 marks those pages clean, never to be written; btrfs reverts the file; the trace\'s fsync-error fault names it): a later fsync, a retry, succeeds without that data (fsyncgate), so fail the store, or write what was unsynced again, before acknowledging';

/** The finding for commits the `detects` damage contract would have held, lost under `point-in-time`. */
function lostDespiteEvidenceMessage(ids: readonly number[]): string {
  const which = ids.map((id) => `#${id}`).join(', ');
  const last = ids[ids.length - 1]!;
  return `after media damage, recovery silently lost commit${ids.length === 1 ? '' : 's'} ${which}; #${last} was issued after the engine promised durable a commit written after the destroyed bytes, so intact bytes could vouch for it and every commit before it: the engine's damage contract 'point-in-time' allows this; declare damage: 'detects' if its records say what was durable (README, "The oracle", item 6)`;
}

/**
 * Said of a lost commit or a refusal after a power loss that took pages an fsync had failed on
 * ext4's way, when no acknowledgement over an unreported failure explains it better: a reopen in
 * between (the store failed and was reopened, the page cache kept) read those pages as if durable.
 */
const forgottenPagesNote = '; before that power loss an fsync had failed ext4\'s way (the trace\'s fsync-error fault names it): its unsynced pages were marked clean, readable but never written, until the power loss took them, so what was read or served from them in between (a reopen keeps the page cache) rested on nothing durable: after such a failure, write that data again (fresh pages) and fsync it before relying on it';

/**
 * Said of a lost commit or a refusal once media damage struck the run (the engine neither
 * recovered around it nor refused it as the damage contract asks): the run reports it as damage
 * detected only when a refusal comes, so without this a trace is the only place that names it.
 */
const mediaDamageNote = '; media damage struck durable bytes earlier in this run (the trace\'s misdirected-write, sector-damage or lost-entry fault names it): recovery must recover around it or refuse to open, losing silently only what the engine\'s damage contract allows';

/**
 * The cause note of a run in which an injected bit flip struck a read before the violation: a
 * shrunk plan pins a second look's rotted bit as such a fault, and its message, without the
 * look's "then bit N of F rotted", otherwise names only what the power loss lost (a user's
 * recycled-log engine that cut a rotted record as a torn tail was told of a lost temporary file).
 */
const bitFlipNote = '; an injected bit flip struck a read earlier in this run (the trace\'s bit-flip fault names the file): synced bytes whose checksum fails are damage, to refuse or to recover around, not unsynced bytes a crash tore';

/**
 * The cause note of a run in which an open refused for damage and the damage was repaired
 * ({@link EngineRun}'s `#repairAfterRefusal`): whatever is wrong now, the refused open did.
 */
const repairedNote = '; an earlier open refused for damage, and powercut then repaired that damage (the bits and sectors read back as written, as when a transient fault clears or a sector is restored from a replica) and opened again: a refusal must leave the store as it found it, and this one did not (the trace\'s repaired check marks it)';

/** The violations the cause notes ({@link unreportedSyncFailureNote}, {@link forgottenPagesNote}, {@link mediaDamageNote}, {@link bitFlipNote}) may explain: lost data, or a refusal of it. */
// Atomicity too: a store that lost a file looks torn when one commit's writes were in two files
// (a new user's engine ignored its lost data file and started afresh; the loss read as a tear).
const explainedByLostData: ReadonlySet<string> = new Set(['durability', 'prefix', 'atomicity', 'false-corruption', 'no-resurrection', 'idempotence']);

/**
 * Why an LSN handed out again after media damage is held against the engine: the commits that
 * had it were lost, and if an earlier recovery had found them, losing them is a durability
 * violation the state alone may not show (commits that changed no key).
 */
const reusedLsnNote = '; media damage struck durable bytes earlier in this run (the trace\'s misdirected-write, sector-damage or lost-entry fault names it): an LSN handed out again means the commits that had it are gone, or that what recovery found under it was written for another place (a misdirected write carried a newer node or page, whose own checksum holds, over an older one: a checksum that covers where a block belongs refuses it), and commits an earlier recovery had found must be kept or refused, not forgotten, even ones that changed no key (a record of the last LSN outside the damaged file keeps the count)';

/** Runs one plan against `engine`. Deterministic: the same plan gives the same result and digest. */
export function runPlan(plan: Plan, engine: Engine, options: RunPlanOptions = {}): Promise<RunResult> {
  return new EngineRun(plan, engine, options).execute();
}

/**
 * What the trace says of a step beside its name: a crash's kind, an overlap's operations, and
 * for a `sync` or `checkpoint` the engine does not have, that it was skipped (nothing ran).
 */
function stepDetail(step: PlanStep, handle: EngineHandle): string {
  if (step.op === 'crash') return step.kind;
  if (step.op === 'overlap') return step.ops.map((op) => op.op).join(',');
  if ((step.op === 'checkpoint' || step.op === 'sync') && handle[step.op] === undefined) return `skipped: the engine has no ${step.op}`;
  return '';
}

/** One run of a plan: the state of the run as fields, the parts of the run as methods. */
class EngineRun {
  readonly #world: SimWorld;
  readonly #model: CommitModel;
  readonly #violations: RunViolation[] = [];
  readonly #crashChecks: Promise<void>[] = [];
  /** What the crash check found: reported apart from violations (see {@link RunResult.findings}). */
  readonly #findings: RunViolation[] = [];
  readonly #crashStates: number[] = [];
  readonly #crashKinds: ('kill-9' | 'power-loss')[] = [];
  /** The engine's crash check and self-check, asked again only when the files changed. */
  readonly #crashCheck: FilesCheck | undefined;
  readonly #selfCheck: FilesCheck | undefined;
  /** Hits of the engine's declared rare branches (outside the trace: counting one changes nothing of the run). */
  readonly #probeHits: Record<string, number> = {};
  /** Index of the step running now (-1 before the steps and in the liveness phase). */
  #stepIndex = -1;
  #detected = 0;
  #handle: EngineHandle | undefined;
  /** The open engine failed (code `failed`): it is closed and reopened after the step. */
  #storeFailed = false;
  /** An open was refused for damage: the run ends without a liveness phase. */
  #refused = false;
  /** The damage behind a refused open was repaired ({@link #repairAfterRefusal}): the bit flips and media damage counted then. */
  #repairedAt: { readonly flips: number; readonly damage: number } | undefined;
  /** Bit flips and media damage counted when the current open attempt began. */
  #damageAtAttempt = 0;
  /** A repair after a refusal came since the last recovery checked: what that check finds, the refused open did ({@link repairedNote}). */
  #checkAfterRepair = false;
  /** A close was issued in the open session: a crash now may follow a clean shutdown record. */
  #closing = false;
  #faultsOn = true;
  /** How the last open that threw a transient error failed (for a liveness verdict that it never opened). */
  #lastOpenError: { readonly error: unknown } | undefined;
  /** The first commit rejected with faults off (not as `failed`): the liveness phase's verdict. */
  #refusedWithFaultsOff: string | undefined;
  /** fsync errors injected before the last successful open. */
  #fsyncErrorsAtOpen = 0;
  /** {@link #pageDoubts} before the last successful open. */
  #pageDoubtsAtOpen = 0;
  /** Operations (commit, sync, checkpoint, close) that failed while faults were on. */
  #failedOperations = 0;
  /** Commits refused with no fault but crashes before them, by an engine without declared limits (RunResult.refusedUnfaulted). */
  #refusedUnfaulted = 0;
  /** Uncaught errors heard while the run executes, between its sections too (see keepHearingUncaught). */
  #heard: readonly unknown[] = [];
  /** `world.syncFailuresOverWrites` at the last successful open: such a failure since then is this session's. */
  #syncFailuresAtOpen = 0;
  /**
   * A commit was acknowledged after one of its session's fsyncs failed over unsynced writes, the
   * engine not having reported a failure: a lost commit or a refusal from then on most likely
   * rests on it ({@link unreportedSyncFailureNote}).
   */
  #ackedOverFailedSync = false;
  /**
   * The last power loss took pages an fsync had failed on ext4's way (marked clean: readable,
   * never written), which a reopen or the session may have relied on ({@link forgottenPagesNote}).
   */
  #powerLossTookForgotten = false;
  /** Checks what the engine reports about itself (replay statistics, counters). */
  readonly #witness: ReportWitness;
  /** Destroyed durable bytes (world.mediaDamage) when the last recovered state was checked. */
  #damageAtCheck = 0;
  /** Crashes whose disks are still to be looked at again (sim/second-look.ts). */
  #looks: PendingLook[] = [];
  readonly #rotWatch: RotWatch;
  readonly #powerLossWatch: PowerLossWatch;
  #looksRun = 0;
  /**
   * A second look found a violation: the run has failed, and further looks would only add
   * complaints about the same bug (a buggy engine can fail a look at every step), so none is taken.
   */
  #lookFailed = false;
  /** The thread's environment pinned to this run's world (set while the run executes). */
  #pin: WorldPin | undefined;

  constructor(
    private readonly plan: Plan,
    private readonly engine: Engine,
    private readonly options: RunPlanOptions,
  ) {
    this.#world = new SimWorld({
      seed: plan.seed, faults: plan.faults, trace: options.trace ?? 'digest',
      ...(plan.latency ? { latency: plan.latency } : {}),
      ...(plan.reorder ? { reorder: plan.reorder } : {}),
    });
    // The store's directory exists and is durable before the first open, as a deployment's data
    // directory is: what the engine creates inside it is the engine's to make durable.
    this.#world.createDirectory(storeDir);
    this.#model = new CommitModel({ sync: plan.engine.sync, ...(engine.damage === undefined ? {} : { damage: engine.damage }) });
    this.#crashCheck = engine.crashCheck === undefined ? undefined : new FilesCheck(engine.crashCheck, storeDir);
    this.#selfCheck = engine.selfCheck === undefined ? undefined : new FilesCheck(engine.selfCheck, storeDir);
    this.#witness = new ReportWitness(this.#world.trace);
    this.#rotWatch = new RotWatch(plan.faults, plan.looks ?? 0, plan.looksAtRot);
    this.#powerLossWatch = new PowerLossWatch(plan.looks ?? 0);
    this.#world.onUnsyncedRename = () => {
      if (this.#faultsOn && this.#powerLossWatch.afterUnsyncedRename(this.#world)) this.#lookBetweenSteps('rename-unsynced');
    };
  }

  async execute(): Promise<RunResult> {
    const hearing = keepHearingUncaught();
    this.#heard = hearing.heard;
    this.#pin = new WorldPin(this.options.environment, this.#world);
    try {
      return await this.#execute();
    } finally {
      this.#pin.release();
      hearing.stop();
    }
  }

  async #execute(): Promise<RunResult> {
    try {
      await this.#faultPhase();
    } catch (error) {
      if (!(error instanceof StoppedAfterPowerLoss)) throw error;
      return { ...this.#result(), stoppedAfterFirstPowerLoss: true };
    }
    this.#stepIndex = -1;
    const failedHard = this.#violations.some((v) => v.invariant === 'liveness' || v.invariant === 'harness' || v.invariant === 'engine-error');
    if (!this.#refused && !failedHard) await this.#livenessPhase();
    if (this.#looks.length > 0) await this.#lookAgain();
    await Promise.all(this.#crashChecks);
    // A promise the engine left rejected is reported only now (see unhandledRejectionsPending), or
    // was heard between sections, unless a section already reported what it heard.
    const [rejected] = [...this.#heard, ...(await unhandledRejectionsPending())];
    if (rejected !== undefined && !this.#violations.some((v) => v.invariant === 'engine-error' && v.message.startsWith(uncaughtPrefix))) this.#addUncaught(rejected);
    return this.#result();
  }

  /**
   * Reports an error the engine left uncaught, found once the run ended: first when the run's
   * first violation is a liveness failure, which it most likely caused (a background promise that
   * rejected while a commit waited for it), else after the rest.
   */
  #addUncaught(error: unknown): void {
    this.#add([uncaughtError(error)]);
    if (this.#violations[0]?.invariant === 'liveness') this.#violations.unshift(this.#violations.pop()!);
  }

  /**
   * What a violation of a kind the cause notes explain adds to its message: an acknowledgement
   * over an unreported fsync failure, else pages a failed fsync left unwritten that the last power
   * loss took; and media damage, unless the message says so already.
   */
  #causeNotes(invariant: string, message: string, lsn?: number): string {
    if (invariant === 'self-consistency' && lsn !== undefined && this.#world.mediaDamage > 0) return reusedLsnNote;
    if (!explainedByLostData.has(invariant)) return '';
    if (this.#checkAfterRepair && !this.#damaging()) return repairedNote;
    const sync = this.#ackedOverFailedSync ? unreportedSyncFailureNote : this.#powerLossTookForgotten ? forgottenPagesNote : '';
    const damage = this.#world.mediaDamage > 0 && !message.includes('media damage') ? mediaDamageNote : '';
    const flip = this.#world.faultCounts['bit-flip'] > 0 && !message.includes('bit flip') ? bitFlipNote : '';
    return sync + damage + flip;
  }

  /** `raw` with what the last power loss and the run's faults add to its message. */
  #withNotes<V extends { readonly invariant: string; readonly message: string; readonly lsn?: number | undefined }>(raw: V): V {
    const note = powerLossNoteFor(raw, this.#world.lastPowerLoss);
    return { ...raw, message: `${raw.message}${note}${this.#causeNotes(raw.invariant, raw.message, raw.lsn)}` };
  }

  #add(found: readonly ModelViolation[] | readonly Omit<RunViolation, 'step'>[] | readonly LookViolation[]): void {
    for (const raw of found) {
      // A look's violation says so itself, from the world it looked in (sim/second-look.ts).
      const violation = 'look' in raw ? raw : this.#withNotes(raw);
      if (!('look' in raw) && !this.#violations.some((v) => v.look === undefined)) this.options.onFirstViolation?.(this.#world.exportImage());
      this.#violations.push({ ...violation, step: this.#stepIndex });
      this.#world.record('check', violation.invariant, violation.message);
    }
  }

  #run<T>(main: () => Promise<T>): Promise<RunOutcome<T>> {
    // The engine queues no ticks of its own (it sees only the ports), so the cheaper barrier is exact.
    return this.#world.run(main, { stepsMax: this.plan.stepsMax, barrier: 'tick' });
  }

  #env(): EngineEnvironment {
    const world = this.#world;
    return { fs: world.fs, clock: world.clock, dir: storeDir, config: this.plan.engine, probe: world.probe, hit: this.#hit };
  }

  readonly #hit = (probe: string): void => {
    this.#probeHits[probe] = (this.#probeHits[probe] ?? 0) + 1;
  };

  #failure(error: unknown): EngineFailure | undefined {
    return failureOf(this.engine, error);
  }

  /** After a crash: tell the model, settle the disk, count it, check the raw disk. */
  #afterCrash(kind: 'kill-9' | 'power-loss'): void {
    const world = this.#world;
    // Asked before the power loss settles the disk, which forgets the count.
    if (kind === 'power-loss') this.#powerLossTookForgotten = world.forgottenWrites > 0;
    // A kill -9 keeps the page cache, so the model holds the engine to everything it wrote:
    // unless an fsync failed since the store opened, which throws unsynced pages away (btrfs)
    // or leaves them in doubt (ext4). Then the crash counts as a power loss.
    const cacheIntact = world.faultCounts['fsync-error'] === this.#fsyncErrorsAtOpen;
    this.#model.crashed(kind === 'kill-9' && !cacheIntact ? 'power-loss' : kind);
    const crashState = this.plan.crashStates?.[this.#crashStates.length] ?? 0;
    this.#crashStates.push(crashState);
    this.#crashKinds.push(kind);
    const otherStates = kind === 'power-loss' && this.#looksWanted();
    const looked = settleForLooks(world, { kind, crashIndex: this.#crashStates.length - 1, crashState }, otherStates, this.#rotWatch.wanted(world));
    if (looked !== undefined) this.#looks.push({ ...looked, model: this.#model.clone() });
    this.#powerLossWatch.crashed(world, kind);
    const gate = this.options.afterFirstPowerLoss;
    if (gate !== undefined && kind === 'power-loss' && this.#crashStates.length === 1 && gate(world.stateAfterCrashKey()) === 'stop') {
      throw new StoppedAfterPowerLoss();
    }
    this.#handle = undefined;
    this.#storeFailed = false;
    const crashCheck = this.#crashCheck;
    // Once a media fault destroyed durable bytes, a torn file is the fault's doing, not a flaw
    // of the engine's design: the check says nothing then.
    if (crashCheck === undefined || world.mediaDamage > 0) return;
    const at = this.#stepIndex;
    // A file the engine promises to publish atomically, found torn before recovery, breaks the
    // engine's design; but recovery may never read it (it rebuilds what it cannot trust), so no
    // user sees a difference: a finding, reported apart from the violations users must fix.
    this.#crashChecks.push(crashCheck.run(world.snapshot()).then((problems) => {
      if (problems.length > 0) this.#findings.push({ invariant: 'published-whole', message: `right after a ${kind}: ${problems.join('; ')}`, step: at });
    }));
  }

  /** Whether the power loss happening now gets looks at other crash states: the plan asks for them and the world can be looked at ({@link lookable}). */
  #looksWanted(): boolean {
    return (this.plan.looks ?? 0) > 0 && this.plan.looksAtOtherStates !== false && lookable(this.#world);
  }

  /**
   * Queues a look at a power loss striking now, for `why` ({@link PowerLossWatch}; none when
   * undefined, or once a look has failed; callers ask only with faults on): between steps, or
   * inside one (after a clean close, right after a rename, right before a recovery's fsync at
   * I/O `io`): the disk as it is, the model as if the power had gone, the crash the run's next,
   * settled on {@link primaryStateOf}.
   */
  #lookBetweenSteps(why: PowerLossLook | undefined, io?: number): void {
    if (why === undefined || this.#lookFailed) return;
    const model = this.#model.clone();
    model.crashed('power-loss');
    const disk = this.#world.copyOfDisk();
    this.#looks.push({
      disk, model, kind: 'power-loss', crashIndex: this.#crashStates.length, io: io ?? disk.machine.ioCount,
      primaryState: primaryStateOf(why), primaryKey: undefined, rot: [],
      // The first open comes before step 0 (the index is -1 until then): a look there is before step 0.
      beforeStep: { step: Math.max(this.#stepIndex, 0), why },
    });
  }

  /** Runs the second looks of the power losses since the last call (in the run's own code, between simulated sections). */
  async #lookAgain(): Promise<void> {
    const looks = this.#looks;
    this.#looks = [];
    const setting = {
      seed: this.plan.seed, engine: this.engine, config: this.plan.engine, dir: storeDir, stepsMax: this.plan.stepsMax,
      looks: this.plan.looks ?? 0, pin: this.#pin!, hit: this.#hit,
    };
    for (const look of looks) {
      if (this.#lookFailed) return;
      const seen = await lookAgain(look, setting);
      this.#looksRun += seen.looks;
      // The look's own power loss, traced here since nobody reads a look's trace.
      this.#world.recordPowerLossNotes(seen.powerLoss, 'in the look: ');
      this.#add(seen.violations);
      this.#lookFailed = seen.violations.length > 0;
    }
  }

  #liveness(what: string, outcome: RunOutcome<unknown>): void {
    this.#add([hung(what, outcome.outcome === 'stuck' ? 'stuck' : 'steps-exceeded', this.plan.stepsMax)]);
  }

  /**
   * Opens the engine, retrying after crashes and transient errors; checks the recovered state.
   * With faults on, an engine that keeps crashing during recovery ends the fault phase (the
   * liveness phase then opens it with faults off); with faults off, it is a liveness failure.
   * @returns whether it opened (and {@link #handle} is set)
   */
  async #open(): Promise<boolean> {
    this.#lastOpenError = undefined;
    for (let attempt = 0; attempt < openAttemptsMax; attempt++) {
      const verdict = await this.#openAttempt(attempt);
      if (verdict === 'retry') continue;
      return verdict === 'open';
    }
    // Set by #openFailed meanwhile (hence the cast: the type checker cannot see it change); described only when needed.
    const last = this.#lastOpenError as { readonly error: unknown } | undefined;
    if (!this.#faultsOn) this.#add([neverOpened(openAttemptsMax, last === undefined ? undefined : describeError(last.error))]);
    return false;
  }

  /** One attempt of {@link #open}. */
  async #openAttempt(attempt: number): Promise<'open' | 'retry' | 'stop'> {
    if (this.#looks.length > 0) await this.#lookAgain();
    const world = this.#world;
    world.record('op', 'open', `attempt ${attempt}`);
    this.#damageAtAttempt = this.#damageCount();
    this.#witness.attemptStarted();
    const fsyncErrorsBefore = world.faultCounts['fsync-error'];
    this.#watchRecovery(world);
    const opened = await this.#run(() => this.engine.open(this.#env())).finally(() => { world.onSync = undefined; });
    // An fsync that failed during recovery may have dropped the page cache (btrfs reverts the
    // file): unsynced data a kill -9 had left readable is then legitimately gone, as after a
    // power loss. The model must stop promising it.
    const fsyncFailed = opened.outcome !== 'done' && world.faultCounts['fsync-error'] > fsyncErrorsBefore;
    if (fsyncFailed) this.#model.crashed('power-loss');
    const cacheLies = fsyncFailed && this.plan.faults.fsyncFailureMode === 'ext4';
    if (opened.outcome !== 'done') this.#witness.attemptFailed();
    switch (opened.outcome) {
      case 'crashed':
        this.#afterCrash(opened.kind);
        if (cacheLies && opened.kind === 'kill-9') this.#powerLossBeforeRetry();
        return 'retry';
      case 'stuck':
      case 'steps-exceeded':
        this.#liveness('recovery', opened);
        return 'stop';
      case 'error':
        if (opened.uncaught === true) {
          this.#add([uncaughtError(opened.error)]);
          return 'stop';
        }
        return this.#openFailed(opened.error, cacheLies);
      case 'done': {
        const breach = checkHandle(opened.value);
        if (breach !== undefined) {
          this.#add([breach]);
          return 'stop';
        }
        const handle = promising(opened.value);
        this.#handle = handle;
        this.#closing = false;
        this.#fsyncErrorsAtOpen = world.faultCounts['fsync-error'];
        this.#pageDoubtsAtOpen = this.#pageDoubts();
        this.#syncFailuresAtOpen = world.syncFailuresOverWrites;
        const verdict = await this.#checkRecovered(handle);
        if (verdict === 'open' && this.#faultsOn) this.#lookBetweenSteps(this.#powerLossWatch.afterOpen(world));
        return verdict;
      }
    }
  }

  /**
   * Watches the open about to begin for looks at a power loss right before its fsyncs that follow
   * writes over durable data, when it begins on writes a crashed process left unsynced
   * (PowerLossWatch.inRecovery).
   */
  #watchRecovery(world: SimWorld): void {
    const watch = this.#faultsOn && !this.#lookFailed ? this.#powerLossWatch.watchRecovery(world) : undefined;
    if (watch === undefined) return;
    world.onSync = (io) => {
      if (this.#faultsOn) this.#lookBetweenSteps(this.#powerLossWatch.inRecovery(world, watch), io);
    };
  }

  /**
   * Cuts the power before the next open attempt, because an fsync inside the failed one failed
   * with ext4's after-effects.
   *
   * What a retry after a failed open means: a process whose open failed and that opens again
   * keeps the page cache, and so does a process restarted after it; the runner retries that
   * way after a read error or a full disk, and holds the engine to everything a kill -9 would
   * leave. After a failed fsync it cannot: ext4 has marked the dirty pages clean without writing
   * them, so the next recovery reads frames that are not on disk, its own fsync succeeds (nothing
   * is dirty), it serves them, and a later power loss takes them back. The engine cannot see
   * this from user space: recovery does not know which of the frames it read were durable (an
   * acknowledged `strict` frame has no later frame vouching for it), so it can neither cut the
   * unproven ones (that loses acknowledged commits) nor rewrite them (tried and rejected: a power
   * loss during the rewrite tore durable frames; see README, Known limits). It is fsyncgate, the
   * trap the scenarios avoid by crashing only by power loss after ext4 fsync errors
   * (withoutKillAfterExt4FsyncErrors); a retry keeping the lying cache recreated it (the finding
   * recovery-fsyncgate). A power loss may strike at any moment, so forcing one here never
   * excuses a bug: it only leaves untested the case no engine can pass. btrfs reverts the file
   * and `sticky` fails every later fsync, so neither leaves a cache that lies; an open that
   * ended in a power loss has no cache left.
   */
  #powerLossBeforeRetry(): void {
    this.#world.crashNow('power-loss');
    this.#afterCrash('power-loss');
  }

  /**
   * An open that threw: judged as a refusal, retried as transient, or the engine's bug.
   * @param cacheLies - an ext4 fsync failed during the open: retry after a power loss
   */
  #openFailed(error: unknown, cacheLies: boolean, what = 'open'): 'retry' | 'stop' {
    const failure = this.#failure(error);
    if (failure?.code === 'corruption') {
      const judged = this.#model.openRefused(refusalOf(error), this.#damaging(), what);
      this.#countRefusal(judged, error);
      if (judged.detected && this.#repairable()) return this.#repairAfterRefusal();
      this.#refused = true;
      return 'stop';
    }
    if (failure === undefined && !isIoLikeError(error) && isProgrammingError(error)) {
      this.#add([{ invariant: 'engine-error', message: `${what} threw ${describeError(error)}`, ...thrownAtOf(error) }]);
      return 'stop';
    }
    // Transient: an injected read error, a full disk or a failed fsync during recovery. Retry;
    // a store that never opens again is caught by the liveness phase, which says how it failed.
    this.#lastOpenError = { error };
    if (cacheLies) this.#powerLossBeforeRetry();
    else this.#world.restart();
    return 'retry';
  }

  /**
   * Whether a media fault damaged durable data so far: a flipped bit, a damaged sector, a
   * misdirected write that landed, a lost name. Only that excuses a refusal. A failed fsync
   * inside recovery does not: with ext4 after-effects the retry follows a power loss, so no
   * recovery reads pages that lie (#powerLossBeforeRetry), and btrfs and sticky leave none.
   */
  #damaging(): boolean {
    const repaired = this.#repairedAt ?? { flips: 0, damage: 0 };
    return this.#world.faultCounts['bit-flip'] > repaired.flips || this.#world.mediaDamage > repaired.damage;
  }

  /** Bit flips and media damage so far. */
  #damageCount(): number {
    return this.#world.faultCounts['bit-flip'] + this.#world.mediaDamage;
  }

  /**
   * Whether the damage behind a refused open can be repaired and the store then held to
   * everything acknowledged: one flipped bit or damaged sector struck, during the refused attempt,
   * and nothing before it since the last repair (an engine may lose what damage excuses it to lose,
   * in an earlier attempt or a read, or around other damage in this one: a repair cannot bring
   * that back), and no misdirected write or lost name in the run (what they destroyed stays lost).
   */
  #repairable(): boolean {
    const counts = this.#world.faultCounts;
    const repaired = this.#repairedAt === undefined ? 0 : this.#repairedAt.flips + this.#repairedAt.damage;
    return counts['misdirected-write'] === 0 && counts['lost-entry'] === 0
      && this.#damageAtAttempt === repaired && this.#damageCount() === repaired + 1;
  }

  /**
   * Repairs the damage behind a refused open and opens again, with the page cache kept as after
   * a process restart. Why: a refusal is the right answer to damage only if it leaves the store as
   * it found it. A bit that read flipped through a bad cable or a sector restored from a replica
   * reads back as written, and the store must then open with every acknowledged commit; an engine
   * that cut, deleted or rewrote files before it refused (a rollback journal deleted after a
   * partial rollback, a log truncated at the damage) has destroyed what it must not, and is caught
   * here, with {@link repairedNote} on what fails.
   */
  #repairAfterRefusal(): 'retry' {
    const world = this.#world;
    const healed = world.healMedia();
    this.#repairedAt = { flips: world.faultCounts['bit-flip'], damage: world.mediaDamage };
    this.#damageAtCheck = world.mediaDamage;
    this.#checkAfterRepair = true;
    const what = healed === 0 ? 'nothing was left to repair: the damaged bytes were rewritten or removed since' : `the damage behind the refusal reads back as written in ${healed} file${healed === 1 ? '' : 's'}`;
    world.record('check', 'repaired', `${what}; the store must open with everything acknowledged`);
    world.restart();
    return 'retry';
  }

  /** Adds a judged refusal's violations, or counts it as detected damage. */
  #countRefusal(judged: RefusalCheck, error: unknown): void {
    this.#add(judged.violations);
    if (!judged.detected) return;
    this.#detected++;
    this.#world.record('check', 'detected', describeError(error));
  }

  /** Reads the recovered state of a fresh open and checks it against the model. */
  async #checkRecovered(handle: EngineHandle): Promise<'open' | 'retry' | 'stop'> {
    const world = this.#world;
    const state = await this.#run(() => handle.state());
    if (state.outcome === 'crashed') {
      this.#witness.attemptFailed();
      this.#afterCrash(state.kind);
      return 'retry';
    }
    if (state.outcome === 'error' && state.uncaught !== true) {
      // An engine that reads its data from disk when asked meets damage, or an injected read
      // error, here rather than in open: judged as the open's failure would be.
      this.#witness.attemptFailed();
      return this.#openFailed(state.error, false, 'reading the recovered state');
    }
    if (state.outcome !== 'done') {
      const detail = state.outcome === 'error' ? `threw ${describeError(state.error)}` : `ended with ${state.outcome}`;
      this.#add([{ invariant: 'engine-error', message: `reading the recovered state ${detail}` }]);
      return 'stop';
    }
    const shaped = recoveredState(state.value);
    if ('violation' in shaped) {
      this.#add([shaped.violation]);
      return 'stop';
    }
    const recovered = shaped.state;
    const damage = world.damageDurableBy.slice(this.#damageAtCheck);
    this.#damageAtCheck = world.mediaDamage;
    const check = this.#model.checkRecovered(recovered, handle.replayStats, { damage });
    this.#add(check.violations);
    this.#checkAfterRepair = false;
    this.#add(this.#witness.opened(handle, recovered.size, damage.length > 0));
    world.record('check', 'recovered', `prefix ${check.prefixLength}, ${recovered.size} keys`);
    if (check.lostToDamage.length > 0) world.record('check', 'lost-to-damage', `commits ${check.lostToDamage.map((id) => `#${id}`).join(', ')} had to survive; damage nothing vouched against destroyed them`);
    if (check.lostDespiteEvidence.length > 0) this.#findings.push({ invariant: 'lost-to-damage', message: lostDespiteEvidenceMessage(check.lostDespiteEvidence), step: this.#stepIndex });
    if (this.#selfCheck) {
      const problems = await this.#selfCheck.run(world.snapshot(), { replayStats: handle.replayStats });
      if (problems.length > 0) this.#add([{ invariant: 'self-consistency', message: `after recovery the files disagree: ${problems.join('; ')}` }]);
    }
    return 'open';
  }

  /** Issues one commit and records its resolution in the model. */
  #commit(handle: EngineHandle, batch: readonly PlanOp[]): Promise<void> {
    const ops = batchOps(batch);
    const model = this.#model;
    const id = model.issue(ops, this.#world.landings);
    const limits = this.engine.limits;
    const beyond = limits === undefined ? undefined : beyondLimits(ops, limits);
    return handle.commit(ops).then(
      (ack) => {
        if (this.#world.syncFailuresOverWrites > this.#syncFailuresAtOpen && !this.#storeFailed) this.#ackedOverFailedSync = true;
        this.#add(model.acked(id, lsnOf(ack)));
        if (beyond !== undefined) this.#add([acceptedBeyondLimits(beyond)]);
      },
      (error: unknown) => {
        this.#countFailedOperation('commit', error);
        // An error the contract does not name leaves the commit in doubt: never a harness error.
        // A programming error is the engine's bug, as from sync, checkpoint or close.
        const failure = this.#failure(error);
        model.rejected(id, failure?.commitOutcome ?? 'unknown');
        if (failure?.code === 'failed') this.#failed(failureNote('commit', error));
        // A commit refused for damage is judged as a refused read is: damage no fault made is false
        // corruption (a new user's engine misread its own torn header pair and refused commits
        // with CorruptionError, which read as a refusal within its size limits).
        else if (failure?.code === 'corruption') this.#countRefusal(model.readRefused(refusalOf(error), this.#damaging(), 'commit'), error);
        else if (failure === undefined && isProgrammingError(error)) this.#add([{ invariant: 'engine-error', message: `commit threw ${describeError(error)}`, ...thrownAtOf(error) }]);
        else if (!this.#faultsOn) this.#refusedWithFaultsOff ??= describeError(error);
        // A refusal within the limits may rest on any injected fault but a crash, so far in the
        // run, or on a close issued in the session.
        else if (beyond === undefined && failure?.code !== 'closed' && !this.#closing && this.#nonCrashFaults() === 0) {
          if (limits !== undefined) this.#add([refusedWithinLimits(describeError(error), batchSize(ops))]);
          else this.#refusedUnfaulted++;
        }
      },
    );
  }

  /** Faults injected so far in the run other than crashes (kill -9, power loss). */
  #nonCrashFaults(): number {
    const counts = this.#world.faultCounts;
    let total = 0;
    for (const kind of Object.keys(counts) as FaultKind[]) if (kind !== 'kill-9' && kind !== 'power-loss') total += counts[kind];
    return total;
  }

  /** Checks what `get(key)` returned: its shape, then (unless the store failed) its value. */
  #checkRead(key: string, value: unknown, mark: ReturnType<CommitModel['mark']>): void {
    const breach = checkGetResult(key, value);
    if (breach !== undefined) this.#add([breach]);
    else if (!this.#storeFailed) this.#add(this.#model.checkRead(key, value as Uint8Array | undefined, mark));
  }

  #failed(cause: string): void {
    this.#storeFailed = true;
    // Only a full disk met by a write leaves the page cache beyond doubt: a failed fsync may drop
    // pages (ext4 drops them when delayed allocation finds no space at writeback, as it marks them
    // clean after EIO), and a failed write says the device under them is failing.
    this.#model.storeFailed(this.#pageDoubts() === this.#pageDoubtsAtOpen, cause);
  }

  /** Faults so far after which an engine may distrust its page cache: failed fsyncs (EIO or ENOSPC) and failed writes. */
  #pageDoubts(): number {
    const world = this.#world;
    return world.faultCounts['fsync-error'] + world.faultCounts['write-error'] + (world.ioCoverage['fsync']?.['disk-full'] ?? 0);
  }

  /**
   * Awaits an operation whose failure the model judges by its effects (sync, checkpoint, close):
   * a `failed` engine is marked so; a programming error is the engine's bug. Takes the promise
   * itself, not a thunk: the number of promise hops decides how the runner's continuations
   * interleave with the engine's background work, and so the trace.
   */
  async #guarded(what: Promise<unknown>, label: string): Promise<void> {
    try {
      await what;
    } catch (error) {
      this.#judgeFailure(error, label);
    }
  }

  /**
   * Traces an operation that failed (`label`, `get(k3)`), and counts it when faults were on
   * (whatever the engine wrapped the fault in).
   */
  #countFailedOperation(label: string, error: unknown): void {
    this.#world.record('note', 'failed', failureNote(label, error));
    if (this.#faultsOn) this.#failedOperations++;
  }

  /**
   * Judges a failed get, sync, checkpoint or close (`label`, `get(k3)`): a `failed` engine is
   * marked so, a refused read is judged as a refusal, a programming error is the engine's bug, and
   * an error the contract does not name, with no fault but crashes injected so far in the run, is
   * one too: a store that opened serves its operations (a Bitcask user's merge left its key
   * directory pointing at deleted files; every later get failed with ENOENT, and nothing was said).
   */
  #judgeFailure(error: unknown, label: string, read = false): void {
    this.#countFailedOperation(label, error);
    const failure = this.#failure(error);
    if (failure?.code === 'failed') this.#failed(failureNote(label, error));
    else if (failure?.code === 'corruption' && read) this.#countRefusal(this.#model.readRefused(refusalOf(error), this.#damaging(), label), error);
    else if (failure === undefined && isProgrammingError(error)) this.#add([{ invariant: 'engine-error', message: describeError(error), ...thrownAtOf(error) }]);
    else if (failure === undefined && !this.#closing && this.#nonCrashFaults() === 0) this.#add([failedUnfaulted(label, describeError(error), read)]);
  }

  /** Runs one step. @returns `closed` when the step closed the engine */
  async #perform(step: PlanStep, handle: EngineHandle): Promise<'closed' | void> {
    const model = this.#model;
    switch (step.op) {
      case 'commit':
        await this.#commit(handle, step.batch);
        return;
      case 'concurrent':
        await Promise.all(step.batches.map((batch) => this.#commit(handle, batch)));
        return;
      case 'get': {
        const mark = model.mark();
        let value: Uint8Array | undefined;
        try {
          value = await handle.get(step.key);
        } catch (error) {
          this.#judgeFailure(error, `get(${formatKey(step.key)})`, true);
          return;
        }
        this.#checkRead(step.key, value, mark);
        return;
      }
      case 'checkpoint':
        if (handle.checkpoint) await this.#guarded(handle.checkpoint(), 'checkpoint');
        return;
      case 'sync': {
        if (!handle.sync) return;
        const mark = model.mark();
        let ok = true;
        await this.#guarded(handle.sync().catch((error: unknown) => { ok = false; throw error; }), 'sync');
        if (ok) this.#add(model.synced(mark));
        return;
      }
      case 'reopen': {
        // Only a close that resolved is a clean close; a rejected one made nothing durable.
        let ok = true;
        this.#closing = true;
        const misdirectedBefore = this.#world.faultCounts['misdirected-write'];
        await this.#guarded(handle.close().catch((error: unknown) => { ok = false; throw error; }), 'close');
        this.#sessionClosed(ok, misdirectedBefore);
        return 'closed';
      }
      case 'crash':
        this.#world.crashNow(step.kind);
        return;
      case 'overlap':
        return this.#overlap(step.ops, handle);
    }
  }

  /**
   * Ends the session after a close that resolved (`ok`) or rejected (nothing made durable). A
   * misdirected write since `misdirectedBefore` (the count when the close was issued) may have
   * taken what the close wrote away from its place: such a close vouches for nothing after
   * damage (CommitModel.closed).
   */
  #sessionClosed(ok: boolean, misdirectedBefore: number): void {
    this.#witness.sessionEnded(ok && !this.#model.failed ? 'clean' : 'unknown');
    if (ok) this.#model.closed(this.#world.faultCounts['misdirected-write'] === misdirectedBefore);
    else this.#model.crashed('power-loss');
    if (ok && this.#faultsOn) this.#lookBetweenSteps(this.#powerLossWatch.afterClose(this.#world));
  }

  /**
   * An `overlap` step: issues its operations in order, each `afterMs` of virtual time after the
   * one before (at once when absent), none waiting for an earlier one; then waits for all. The
   * model judges each by what it may observe and acknowledge (sim/model.ts, "Operations that
   * overlap"). A close ends the session only once every operation settled, so a commit the
   * engine acknowledged after its close resolved is held to the close's promise too.
   * @returns `closed` when one of the operations was a close
   */
  async #overlap(ops: readonly OverlapOp[], handle: EngineHandle): Promise<'closed' | void> {
    const settled: Promise<void>[] = [];
    let closed: boolean | undefined;
    let misdirectedBefore: number | undefined;
    for (const [index, op] of ops.entries()) {
      if (op.afterMs !== undefined) await new Promise<void>((resolve) => this.#world.clock.setTimer(op.afterMs!, resolve));
      this.#world.record('note', 'issue', `${index} ${op.op}`);
      if (op.op === 'close') {
        this.#closing = true;
        closed ??= true;
        misdirectedBefore ??= this.#world.faultCounts['misdirected-write'];
        settled.push(this.#guarded(handle.close().catch((error: unknown) => { closed = false; throw error; }), 'close'));
      } else {
        settled.push(this.#issue(op, handle));
      }
    }
    await Promise.all(settled);
    if (closed === undefined) return;
    this.#sessionClosed(closed, misdirectedBefore!);
    return 'closed';
  }

  /** Issues one operation of an `overlap` step other than a close; resolves once it settled and was judged. */
  #issue(op: Exclude<OverlapOp, { op: 'close' }>, handle: EngineHandle): Promise<void> {
    const model = this.#model;
    switch (op.op) {
      case 'commit':
        return this.#commit(handle, op.batch);
      case 'get': {
        const mark = model.mark();
        return handle.get(op.key).then(
          (value) => this.#checkRead(op.key, value, mark),
          (error: unknown) => this.#judgeFailure(error, `get(${formatKey(op.key)})`, true),
        );
      }
      case 'sync': {
        if (!handle.sync) return Promise.resolve();
        const mark = model.mark();
        const failedAtIssue = model.failed;
        return handle.sync().then(
          () => this.#add(model.synced(mark, failedAtIssue)),
          (error: unknown) => this.#judgeFailure(error, 'sync'),
        );
      }
      case 'checkpoint':
        return handle.checkpoint ? this.#guarded(handle.checkpoint(), 'checkpoint') : Promise.resolve();
    }
  }

  /**
   * The steps with faults on. Steps run in one simulated run until something ends it (a crash,
   * a reopen, a failed engine), so the scheduler's barrier is crossed once per stretch, not
   * once per step.
   */
  async #faultPhase(): Promise<void> {
    let alive = await this.#open();
    this.#stepIndex = 0;
    while (alive && this.#stepIndex < this.plan.steps.length) {
      if (!this.#handle && !(alive = await this.#open())) break;
      alive = await this.#stretch(this.#handle!);
    }
  }

  /** Runs steps on `handle` until one ends the stretch. @returns whether the run goes on */
  async #stretch(handle: EngineHandle): Promise<boolean> {
    const steps = this.plan.steps;
    let ended: 'closed' | 'crashed' | 'failed' | undefined;
    let inStep = false;
    const outcome = await this.#run(async () => {
      while (this.#stepIndex < steps.length) {
        const step = steps[this.#stepIndex]!;
        this.#world.record('op', step.op, stepDetail(step, handle));
        this.#world.beginStep(this.#stepIndex);
        inStep = true;
        const promised = this.#model.promised;
        const result = await this.#perform(step, handle);
        inStep = false;
        if (result !== 'closed' && step.op !== 'crash' && !this.#storeFailed) this.#add(this.#witness.afterStep(handle, this.#model));
        this.#stepIndex++;
        if (result === 'closed') ended = 'closed';
        else if (step.op === 'crash') ended = 'crashed';
        else if (this.#storeFailed) ended = 'failed';
        if (ended) return;
        if (this.#faultsOn) this.#lookBetweenSteps(this.#powerLossWatch.afterStep(this.#world, this.#model.promised > promised));
      }
    });
    switch (outcome.outcome) {
      case 'crashed':
        if (inStep) this.#stepIndex++;
        // A crash inside a close may follow its durable record of a clean shutdown.
        this.#witness.sessionEnded(this.#closing ? 'unknown' : 'crashed');
        this.#afterCrash(outcome.kind);
        return this.#open();
      case 'stuck':
      case 'steps-exceeded':
        this.#liveness(`step ${this.#stepIndex} (${steps[this.#stepIndex]?.op ?? 'end'})`, outcome);
        return false;
      case 'error':
        this.#add([outcome.uncaught === true ? uncaughtError(outcome.error) : { invariant: 'harness', message: `step ${this.#stepIndex} threw ${describeError(outcome.error)}` }]);
        return false;
      case 'done':
        if (ended !== 'closed' && ended !== 'failed') return true;
        // A failed engine is closed and reopened: recovery from disk is its only way back.
        if (ended === 'failed') {
          const closing = await this.#run(() => handle.close().catch(() => undefined));
          this.#witness.sessionEnded('unknown');
          this.#handle = undefined;
          this.#storeFailed = false;
          // A crash inside that close is a crash like any other: its state drawn and recorded,
          // the model told of it (a power loss there takes what the page cache held).
          if (closing.outcome === 'crashed') {
            this.#afterCrash(closing.kind);
            return this.#open();
          }
          this.#model.closed();
        }
        this.#handle = undefined;
        this.#storeFailed = false;
        this.#world.restart();
        return this.#open();
    }
  }

  /** Faults off: the engine must come back and make new commits durable. */
  async #livenessPhase(): Promise<void> {
    const world = this.#world;
    world.setFaultsEnabled(false);
    this.#faultsOn = false;
    world.record('note', 'liveness', 'faults off');
    // The liveness phase always starts from a fresh open with faults off: that is what it
    // demands (the engine comes back and makes progress), whatever state the fault phase left.
    const previous = this.#handle;
    if (previous) {
      this.#handle = undefined;
      const closed = await this.#run(() => previous.close().then(() => true, () => false));
      this.#witness.sessionEnded(closed.outcome === 'done' && closed.value && !this.#model.failed ? 'clean' : 'unknown');
      // Only a close that rejected made nothing durable (one that never ended is taken as clean).
      if (closed.outcome !== 'done' || closed.value) this.#model.closed();
      else this.#model.crashed('power-loss');
    }
    if (world.crashed === undefined) world.restart();
    this.#storeFailed = false;
    if (!(await this.#open()) || !this.#handle) return;
    const handle = this.#handle;
    const outcome = await this.#run(() => this.#commitDurably(handle));
    if (outcome.outcome === 'done') {
      if (this.#storeFailed) this.#add([stillFailing()]);
      else if (this.#refusedWithFaultsOff !== undefined) this.#add([refusedWithFaultsOff(this.#refusedWithFaultsOff)]);
      this.#handle = undefined;
      world.restart();
      if (await this.#open()) {
        const final = this.#handle as EngineHandle | undefined;
        if (final) await this.#run(() => final.close());
      }
    } else if (outcome.outcome === 'crashed') {
      this.#add([{ invariant: 'harness', message: 'a crash fired with faults off' }]);
    } else if (outcome.outcome === 'error') {
      this.#add([outcome.uncaught === true ? uncaughtError(outcome.error) : { invariant: 'harness', message: `liveness phase threw ${describeError(outcome.error)}` }]);
    } else {
      this.#liveness('liveness phase', outcome);
    }
  }

  /** The liveness phase's work: new commits, a sync, a clean close. */
  async #commitDurably(handle: EngineHandle): Promise<void> {
    const model = this.#model;
    for (let i = 0; i < this.plan.livenessCommits; i++) {
      await this.#commit(handle, [{ type: 'put', key: `live-${i}`, value: `liveness ${this.plan.seed} ${i}` }]);
    }
    if (handle.sync) {
      await this.#guarded(handle.sync(), 'sync');
      if (!this.#storeFailed) model.synced();
    }
    let ok = true;
    const misdirectedBefore = this.#world.faultCounts['misdirected-write'];
    await this.#guarded(handle.close().catch((error: unknown) => { ok = false; throw error; }), 'close');
    this.#sessionClosed(ok, misdirectedBefore);
  }

  /** In digest mode, the last events of a run that found something (what a report shows); none for a run that passed. */
  #recentIfFailed(): TraceEvent[] {
    return this.#violations.length > 0 || this.#findings.length > 0 ? this.#world.trace.recent : [];
  }

  #result(): RunResult {
    const world = this.#world;
    return {
      unit: this.plan.scenario,
      seed: this.plan.seed,
      violations: this.#violations,
      detected: this.#detected,
      faults: { ...world.faultCounts },
      coverage: copyCoverage(this.options.coverBy === 'io' ? world.ioCoverage : world.coverage),
      reach: { ...(this.options.coverBy === 'io' ? world.ioReach : world.reach) },
      digest: world.trace.digest(),
      ioCount: world.ioCount,
      crashes: this.#crashStates.length,
      acknowledged: this.#model.counts().acknowledged,
      failedOperations: this.#failedOperations,
      faultsFired: [...world.faultsFired],
      stepStartIo: Array.from(world.stepStartIo, (io) => io ?? -1),
      unfiredScheduled: world.unfiredScheduled(),
      crashStates: this.#crashStates,
      crashKinds: this.#crashKinds,
      ...(world.lateWrites.length > 0 ? { lateWrites: [...world.lateWrites] } : {}),
      ...(this.#looksRun > 0 ? { looks: this.#looksRun } : {}),
      ...(this.#refusedUnfaulted > 0 ? { refusedUnfaulted: this.#refusedUnfaulted } : {}),
      trace: this.options.trace === 'full' ? [...world.trace.events] : this.#recentIfFailed(),
      ...(this.#findings.length > 0 ? { findings: this.#findings } : {}),
      ...(this.engine.probes === undefined ? {} : { probes: Object.fromEntries(this.engine.probes.map((name) => [name, this.#probeHits[name] ?? 0])) }),
    };
  }
}
