/**
 * Second looks at a crash: the disk a crash left, recovered again in worlds of their own and
 * checked, while the run itself goes on with the disk its plan chose. Three kinds:
 * - at a power loss, the same disk settled on other crash states ({@link otherDisks});
 * - at any crash of a plan that injects bit flips (or sector damage), the disk the crash left
 *   with one bit (or sector) of its newest durable data rotted ({@link rottenDisks});
 * - a power loss that did not happen, between steps: after an fsync failed ext4's way, while the
 *   pages it forgot are readable unwritten; right after an open that left writes unsynced; right
 *   after a step or a clean close that promised durability and left writes unsynced; and, inside
 *   a step, right after a rename moved a file whose data was not synced ({@link PowerLossWatch}).
 *
 * Why other crash states. A power loss can leave many disks (crash-policy.ts): which unsynced
 * writes land, which tear, which directory entries survive. A run settles on one, so a bug that
 * only one disk in twenty shows needs twenty seeds that reach the same point; but everything
 * before the power loss, most of a seed's work, is the same for all of them. A look costs one
 * recovery and its checks, and only runs when its disk differs from every disk already recovered
 * at that power loss (where nothing was unsynced, every crash state leaves the same disk and no
 * look runs).
 *
 * Why rot in the newest durable data. A recovery must tell damage it may cut off (a torn tail of
 * writes nothing acknowledged) from damage it must refuse (bytes an fsync made durable): the
 * classic bug cuts acknowledged data off as if it were torn (LevelDB with paranoid checks off,
 * RocksDB's kSkipAnyCorruptedRecords). Only damage to bytes synced since the engine last recorded
 * how far its data was durable shows it, and an injected bit flip lands in whatever range a read
 * covers (headers, manifests, old segments) far more often. A look lets one bit rot in what the
 * last fsync of a file made durable, for the two files synced last, at each crash after which
 * something new was synced; the bit flips as an injected bit flip when a read first covers it.
 * Where a plan injects sector damage, a look lets one sector of those bytes, or of what the fsync
 * before them made durable, go bad the same way (a bad sector in the newest bytes takes every later
 * frame with it, so only an older one can leave a later synced frame intact to vouch for it).
 *
 * What a look may conclude. Faults are off in its world: the disk is the one the crash left (and
 * the one rotted bit), nothing more happens to it, and the engine must recover a state the model
 * allows, or refuse only if damage excuses it: the rotted bit or sector once read, or a
 * misdirected write the settling kept (looks are skipped once media faults struck or a bit flipped, as a look
 * starts from the disk alone, without a fault's after-effects).
 * It is judged by a copy of the run's model, so the run's own model, world, trace and digest are
 * untouched: a run whose looks find nothing is the run without looks, byte for byte.
 *
 * Reproducing one. A violation a look found names its crash, and its crash state or rotted bit;
 * the same plan with that crash state at that index (`crashStates`), no fault after the crash
 * but the bit flip at the read that met the bit, meets the same disk on its main path
 * (harness/pin-look.ts, which shrinking applies first).
 *
 * Engines are looked at here ({@link lookAgain}); library workloads in targets/runner.ts, over
 * the same {@link disksToLookAt}.
 */
import { describeError, failureOf, isProgrammingError, thrownAt, type Engine, type EngineConfig, type EngineHandle } from './engine-contract.ts';
import { refusalOf } from './checkers/honest-failure.ts';
import { hung } from './checkers/liveness.ts';
import type { ModelViolation } from './checkers/violation.ts';
import { checkHandle, promising, recoveredState } from './engine-results.ts';
import type { CommitModel } from './model.ts';
import { FilesCheck } from './check-memo.ts';
import { copyDisk } from './disk/disk-copy.ts';
import { powerLossNoteFor, SimWorld, type DiskCopy, type PowerLossReport } from './world.ts';
import type { UnsyncedRecords } from './disk/disk.ts';
import type { FaultProfile } from './disk/faults.ts';
import { Rng } from './rng.ts';
import type { CrashKind } from './scheduler.ts';
import { crashStateWords, namesWithoutDataState, nothingUnsyncedState } from './disk/crash-policy.ts';
import type { RotFault } from './disk/kernel.ts';
import type { LookPlace, PowerLossLook } from './types.ts';

/** A crash whose disk is to be looked at again, for any subject ({@link disksToLookAt}). */
export interface CrashToLookAt {
  /** The disk right before the crash settled it (unsynced records included). */
  readonly disk: DiskCopy;
  readonly kind: CrashKind;
  /** Index of the crash in the run (0 for its first), as in `crashStates`. */
  readonly crashIndex: number;
  /** The global I/O index at which the crash struck. */
  readonly io: number;
  /** The crash state the run settled on (0 after a kill -9). */
  readonly primaryState: number;
  /** {@link SimWorld.settledFingerprint} of the run's own settling, when other crash states are looked at (power losses only). */
  readonly primaryKey: string | undefined;
  /** The faults to let strike the newest durable data before any read ({@link rottenDisks}; empty: none). */
  readonly rot: readonly RotFault[];
  /**
   * For a power loss that did not happen, looked at between steps ({@link PowerLossWatch}): the
   * index of the step it strikes before, and why. `disk` is the disk then, and the look settles
   * it on `primaryState`.
   */
  readonly beforeStep?: { readonly step: number; readonly why: PowerLossLook };
}

/**
 * Settles the crash striking `world` on `crashState` (SimWorld.restart) and says what of it to
 * look at again, for any subject: other crash states when `otherStates` (a power loss that can be
 * looked at, {@link lookable}), rot by the faults `rot` names ({@link RotWatch}). The disk is
 * copied before it settles, and only when there is something to look at.
 * @returns the crash to look at, or undefined when there is nothing to
 */
export function settleForLooks(world: SimWorld, crash: { readonly kind: CrashKind; readonly crashIndex: number; readonly crashState: number }, otherStates: boolean, rot: readonly RotFault[]): CrashToLookAt | undefined {
  const disk = otherStates || rot.length > 0 ? world.copyOfDisk() : undefined;
  world.restart({ crashState: crash.crashState });
  if (disk === undefined) return undefined;
  const primaryKey = otherStates ? world.settledFingerprint() : undefined;
  return { disk, kind: crash.kind, crashIndex: crash.crashIndex, io: disk.machine.ioCount, primaryState: crash.crashState, primaryKey, rot };
}

/** An engine's crash still to be looked at again, with the run's model right after it. */
export interface PendingLook extends CrashToLookAt {
  readonly model: CommitModel;
}

/** How a look at a power loss the run did not have (between steps, or inside one) says where it struck and why, in its message (`#` stands for the step). */
const lookReasons: Readonly<Record<PowerLossLook, string>> = {
  'fsync-failed': 'before step #, with pages a failed fsync left unwritten',
  'open-unsynced': 'before step #, right after an open that left writes unsynced',
  'promise-unsynced': 'before step #, right after a step that promised durability left writes unsynced',
  'close-unsynced': 'in step #, right after a clean close that left writes unsynced',
  'rename-unsynced': 'in step #, right after a rename moved a file whose data was not synced',
  'operation-unsynced': 'before step #, right after an operation that left writes unsynced',
  'recovery-unsynced': 'before step #, right before an fsync of an open that began on unsynced writes, after it wrote over durable data',
};

/**
 * The start of a look's violation message (each crash state a look settled on is followed by
 * what it keeps, {@link crashStateWords}, left out here): `crash 2 (a power loss) settled on crash state 9
 * instead of 0: `, `crash 2 (a kill -9), then bit 8317 of /db/x.wal rotted: `, `crash 2 (a
 * kill -9), then sector 3 of /db/x.wal rotted: `, `crash 1 (a power loss) before step 2, with
 * pages a failed fsync left unwritten: `, `crash 2 (a power loss) before step 5, right after
 * an open that left writes unsynced: `, `crash 2 (a power loss) before step 5, right after an
 * open that left writes unsynced, settled on crash state 9: ` (another crash state of that power
 * loss), `crash 1 (a power loss) before step 3, right after a step that promised durability
 * left writes unsynced: `, `crash 1 (a power loss) in step 2, right after a clean close that left
 * writes unsynced: ` or `crash 1 (a power loss) in step 2, right after a rename moved a file whose
 * data was not synced: `.
 */
export const lookPrefix = new RegExp(
  `^crash \\d+ \\(a (?:power loss|kill -9)\\)(?: settled on crash state \\d+(?: \\([^)]*\\))? instead of \\d+|, then (?:bit|sector) \\d+ of .+? rotted| (?:${Object.values(lookReasons).map((reason) => reason.replace('#', '\\d+')).join('|')})(?:, settled on crash state \\d+(?: \\([^)]*\\))?)?): `,
);

/** A violation a recovery found, with where the engine threw for an error it threw (RunViolation.thrownAt). */
type Found = ModelViolation & { readonly thrownAt?: readonly string[] };

/** A violation a look found, with where to find it on a run's own path (RunViolation.look). */
export type LookViolation = Found & { readonly look: LookPlace };

/** What a look needs of the run. */
export interface LookSetting {
  readonly seed: number;
  readonly engine: Engine;
  readonly config: EngineConfig;
  readonly dir: string;
  readonly stepsMax: number;
  /** How many other disks to recover at each power loss. */
  readonly looks: number;
  /** Counts a hit of one of the engine's rare branches (a look reaches them as the run does). */
  readonly hit: (probe: string) => void;
  /** The run's pinned environment, which each look borrows (engines given as modules pin one). */
  readonly pin: WorldPin;
}

/**
 * Second looks at each power loss where they are on by default: the engine scenarios about power
 * loss (scenarios/scenario.ts) and every library workload's run (targets/plan.ts). Measured with
 * `bench:mutants:expected` against 03d6e56 (README, "Second looks"): planted bugs caught per
 * CPU-minute 1.08× with none, 1.54× with 3, 1.68× with 5, 1.65× with 8 (the bugs that depend on
 * what a power loss keeps are caught sooner, the others pay for the recoveries); on two npm
 * libraries, 5 looks against 3 failed 15 % more seeds per CPU-second (nedb) and 3 % (steno).
 */
export const defaultLooks = 5;

/** The crash states a look tries, in order: seeded random states of their own, after the named ones a plan draws. */
const firstLookState = 8;
/** Settlings tried per look wanted, before giving up on finding that many different disks. */
const settlingsPerLook = 2;

/**
 * Looks at the disk of one crash again: up to `setting.looks` other crash states, then up to
 * {@link rotLooksMax} rotted bits, as `pending` asks; recovers and checks each.
 * @returns how many looks ran, and the violations of the first look that found any, each naming
 *   where it was found, with the report of that look's power loss (what it kept out of order, what
 *   it lost that a failed directory fsync had left pending)
 */
export async function lookAgain(pending: PendingLook, setting: LookSetting): Promise<{ looks: number; violations: LookViolation[]; powerLoss?: PowerLossReport }> {
  let done = 0;
  for (const { world, place } of disksToLookAt(pending, setting.seed, setting.looks)) {
    done++;
    const violations = await setting.pin.aside(world, () => recoverAndCheck(world, pending.model.clone(), setting));
    const look = withRotRead(place, world);
    const report = world.lastPowerLoss;
    world.finish();
    if (violations.length > 0) {
      const found = violations.map((v) => ({ ...v, message: `${lookWhere(look, pending)}: ${v.message}${powerLossNoteFor(v, report)}${rotNote(look, v.invariant)}`, look }));
      return { looks: done, violations: found, ...(report === undefined ? {} : { powerLoss: report }) };
    }
  }
  return { looks: done, violations: [] };
}

/**
 * The disks to look at for one crash, each in a world of its own with faults off, with where it
 * is (for a violation's message, {@link lookWhere}, and its `look`): up to `looks` other crash
 * states when the crash names its own settling (`primaryKey`), then up to {@link rotLooksMax}
 * rotted bits when it asks for rot. Lazily; the caller ends each world ({@link SimWorld.finish}).
 * A look at rot records the read that met its bit in its world ({@link SimWorld.rotRead}).
 */
export function* disksToLookAt(crash: CrashToLookAt, seed: number, looks: number): Generator<{ world: SimWorld; place: LookPlace }> {
  const { crashIndex, io } = crash;
  if (crash.beforeStep !== undefined) {
    const place = { crash: crashIndex, crashState: crash.primaryState, io, beforeStep: crash.beforeStep.step, why: crash.beforeStep.why };
    const world = settledCopy(crash.disk, seed, 'power-loss', crash.primaryState);
    // What an open served must survive any power loss, not only the one crash state 0 settles on;
    // so must what a recovery began to write over, resting on what the crash left unsynced.
    const why = crash.beforeStep.why;
    const key = why === 'open-unsynced' || why === 'recovery-unsynced' ? world.settledFingerprint() : undefined;
    yield { world, place };
    if (key !== undefined) {
      for (const other of otherDisks(crash.disk, seed, key, looks)) yield { world: other.world, place: { ...place, crashState: other.crashState } };
    }
  }
  if (crash.primaryKey !== undefined) {
    for (const { world, crashState } of otherDisks(crash.disk, seed, crash.primaryKey, looks)) yield { world, place: { crash: crashIndex, crashState, io } };
  }
  for (const fault of crash.rot) {
    for (const { world, rot } of rottenDisks(crash, fault, seed, Math.min(looks, rotLooksMax))) yield { world, place: { crash: crashIndex, crashState: crash.primaryState, io, rot } };
  }
}

/** `place` with the read that met what it let rot in `world`, if one did. */
export function withRotRead(place: LookPlace, world: SimWorld): LookPlace {
  const read = world.rotRead;
  return place.rot === undefined || read === undefined ? place : { ...place, rot: { ...place.rot, read: read.io, arg: read.arg } };
}

/**
 * Whether a crash striking `world` now can be looked at again: no media fault has struck and no
 * bit has flipped (a look starts from the disk alone, without a fault's after-effects: bit
 * flips, damaged sectors, lost names). For other crash states of a power loss, something
 * unsynced must also be able to land in more than one way (else every crash state leaves the same
 * disk). Asked before the crash settles.
 */
export function lookable(world: SimWorld, kind: CrashKind = 'power-loss'): boolean {
  return world.mediaDamage === 0 && world.faultCounts['bit-flip'] === 0 && (kind !== 'power-loss' || world.unsyncedCount > 0);
}

/** How many files a look lets rot at one crash, per fault: the two synced last (the log and what names it, in a WAL engine). */
export const rotLooksMax = 2;

/**
 * Which crashes get a look at rot, and of which faults: those of a plan that injects bit flips or
 * sector damage, those faults, when something was synced since the last crash that got one (else
 * the newest durable data is what that look let rot).
 */
export class RotWatch {
  readonly #faults: readonly RotFault[];
  #syncsAtLast = -1;

  /**
   * @param faults - the plan's fault profile: rot looks of the media faults it injects
   * @param also - and of these, although it injects none (Plan.looksAtRot)
   */
  constructor(faults: Pick<FaultProfile, 'rates'>, looks: number, also: readonly RotFault[] = []) {
    this.#faults = looks > 0 ? rotFaults.filter((fault) => (faults.rates[fault] ?? 0) > 0 || also.includes(fault)) : [];
  }

  /** The faults the crash striking `world` now gets looks at (none: empty; asked once per crash, before it settles). */
  wanted(world: SimWorld): readonly RotFault[] {
    if (this.#faults.length === 0 || !lookable(world, 'kill-9') || world.syncs === this.#syncsAtLast) return [];
    this.#syncsAtLast = world.syncs;
    return this.#faults;
  }
}

/** Looks a watched open takes at most, at fsyncs after it wrote over durable data ({@link PowerLossWatch.inRecovery}). */
export const recoveryLooksMax = 1;

/** What an open watched for {@link PowerLossWatch.inRecovery} has done so far. */
export interface RecoveryWatch {
  /** {@link SimWorld.durableOverwrites} when it began, or at its last look. */
  overwrites: number;
  /** Looks it may still take. */
  left: number;
  /** The records unsynced when it began: a look is taken only while one still is. */
  readonly inherited: UnsyncedRecords;
}

/** Moments looked at after each fsync that failed ext4's way on unsynced writes ({@link PowerLossWatch}). */
export const forgottenLooksMax = 2;

/**
 * Which moments between steps get a look at a power loss, in a world of its own:
 * - after an fsync failed ext4's way: its unsynced pages were marked clean unwritten, still
 *   readable, and a power loss takes them back (fsyncgate, FIELD-NOTES). An engine that retries
 *   the fsync, ignores the error, or reopens and serves those pages as recovered has
 *   acknowledged or served commits that the next power loss loses; the run shows it only if its
 *   next power loss comes before anything overwrites the pages. So the next
 *   {@link forgottenLooksMax} moments a look can be taken (the end of a step, a fresh open) get
 *   one ({@link wanted}).
 * - right after an open that left writes unsynced ({@link afterOpen}): what a recovery served
 *   must survive a power loss (the reference engine's K5; LazyFS found recoveries that replay a
 *   log or cut a tail and never fsync it). A run's own power loss must land before the engine's
 *   next fsync to show it; this look lands at once, settled on crash state 0 and on up to
 *   `looks` other crash states (a cut the recovery never fsynced shows only where the power loss
 *   keeps what came after it but not the cut). An open that syncs what it wrote and served
 *   leaves nothing unsynced and gets no look, so a correct engine pays nothing.
 * - right after a step that promised durability ({@link afterStep}: a commit acknowledged in a
 *   durable mode, a `sync()` that returned) while writes are still unsynced: the classic
 *   "acknowledged before the fsync" and "sync that syncs nothing" bugs lose the promised
 *   commits at any power loss before the next fsync, which a run's own power loss must hit by
 *   luck. Settled on the crash state that keeps nothing unsynced (crash-policy.ts
 *   `nothingUnsyncedState`), which loses whatever the promise covered that is not on disk. New
 *   names left unsynced do not count ({@link SimWorld.unsyncedBeyondNewNames}): a careful engine
 *   leaves a temporary file's name unsynced between steps all the time, and looking there would
 *   cost the reference engine a look at most commits for nothing. A clean close promises every
 *   acknowledged commit: the same look comes between it and the next open ({@link afterClose}).
 *   A library's operation that returned promised what its workload's invariants say: the same
 *   look comes after it ({@link afterOperation}).
 * - right after a rename moved a file whose data or size was not synced yet
 *   ({@link afterUnsyncedRename}, told by the simulated disk inside the rename): the "renamed
 *   before its fsync" pattern, which ext4's delayed allocation can publish as an empty or short
 *   file, and which a run's own power loss shows only when it lands in the few I/O before the
 *   file's fsync. Settled on the crash state that keeps directory operations and drops unsynced
 *   data (crash-policy.ts `namesWithoutDataState`). An engine that syncs a file before renaming
 *   it is never told, and pays nothing.
 *
 * Never after a kill -9 that kept pages a failed fsync forgot: the next process reads them and
 * cannot know they are not on disk (the case no engine can pass; the runner avoids it, see
 * `#powerLossBeforeRetry`), so looks stop until a power loss has taken them.
 */
export class PowerLossWatch {
  readonly #on: boolean;
  /** {@link SimWorld.forgottenWrites} when last asked. */
  #seen = 0;
  #left = 0;
  /** A kill -9 kept forgotten pages: no look is fair until a power loss takes them. */
  #blind = false;
  /** {@link SimWorld.unsyncedBeyondNewNames} at the last look after a promise or a close since the last crash. */
  #promiseLooked = '';

  /** @param looks - the plan's looks: none when 0 */
  constructor(looks: number) {
    this.#on = looks > 0;
  }

  /** Tells the watch that a crash of `kind` struck `world` and settled. */
  crashed(world: SimWorld, kind: CrashKind): void {
    this.#left = 0;
    this.#promiseLooked = '';
    this.#blind = kind === 'kill-9' ? this.#blind || world.forgottenWrites > 0 : false;
    this.#seen = world.forgottenWrites;
  }

  /** Whether to look at a power loss in `world` now, between steps, for a failed fsync (asked at each moment a look can be taken). */
  wanted(world: SimWorld): boolean {
    const forgotten = world.forgottenWrites;
    if (forgotten > this.#seen) this.#left = forgottenLooksMax;
    this.#seen = forgotten;
    if (!this.#on || this.#blind || this.#left === 0 || !lookable(world, 'kill-9')) return false;
    this.#left--;
    return true;
  }

  /**
   * Starts watching an open beginning now on `world` for {@link inRecovery}, when looks are on and
   * fair and a crashed process (a kill -9, or an open that failed) left writes unsynced, which the
   * recovery may read and act on before they are durable; undefined otherwise.
   */
  watchRecovery(world: SimWorld): RecoveryWatch | undefined {
    return this.#unsynced(world) ? { overwrites: world.durableOverwrites, left: recoveryLooksMax, inherited: world.unsyncedRecords() } : undefined;
  }

  /**
   * Why to look at a power loss in `world` right before an fsync inside a watched open
   * ({@link watchRecovery}), asked at each of its fsyncs: at each where the recovery has written
   * over durable data since it began, or since its last such look, while some write or directory
   * operation that was unsynced when it began still is, up to {@link recoveryLooksMax}.
   * A recovery that trusts what the crashed process left only in the page cache (a journal or a
   * log never fsynced) and writes over durable data with it in place (a rollback, a replay into
   * the main file) has made the store depend on bytes a power loss can still take: a power loss
   * there loses the journal and tears what it was rolling back, and no recovery after it can
   * repair the file. A run shows it only when its own power loss lands inside that recovery,
   * before its fsync. A recovery that first makes what it read durable (copies the journal, fsyncs
   * the copy and its folder) has nothing it began on unsynced by then, and one that only appends
   * and creates files writes over nothing: neither is looked at, so a correct engine pays nothing
   * (the reference engine's recovery replaces its manifest and removes what it superseded, which
   * are not counted: SimDisk.durableOverwrites).
   */
  inRecovery(world: SimWorld, watch: RecoveryWatch): PowerLossLook | undefined {
    if (watch.left === 0 || !this.#mayLook(world) || world.durableOverwrites === watch.overwrites || !world.stillUnsynced(watch.inherited)) return undefined;
    watch.overwrites = world.durableOverwrites;
    watch.left--;
    return 'recovery-unsynced';
  }

  /** Why to look at a power loss in `world` right after an open succeeded, if at all. */
  afterOpen(world: SimWorld): PowerLossLook | undefined {
    if (this.wanted(world)) return 'fsync-failed';
    return this.#unsynced(world) ? 'open-unsynced' : undefined;
  }

  /**
   * Why to look at a power loss in `world` at the end of a step, if at all: after a failed fsync
   * ({@link wanted}), or when the step `promised` durability (acknowledged a commit in a durable
   * mode, or a `sync()`) and writes are still unsynced.
   */
  afterStep(world: SimWorld, promised: boolean): PowerLossLook | undefined {
    if (this.wanted(world)) return 'fsync-failed';
    return promised && this.#unsyncedAgain(world) ? 'promise-unsynced' : undefined;
  }

  /**
   * Why to look at a power loss in `world` right after a library's operation, if at all: after a
   * failed fsync ({@link wanted}), or when the operation `returned` (the library acknowledged it)
   * and more than new names are unsynced, as after a step that promised durability. What it
   * promised, the workload's invariants say; a look that finds nothing to hold it to costs one
   * recovery per set of unsynced files.
   */
  afterOperation(world: SimWorld, returned: boolean): PowerLossLook | undefined {
    if (this.wanted(world)) return 'fsync-failed';
    return returned && this.#unsyncedAgain(world) ? 'operation-unsynced' : undefined;
  }

  /**
   * Why to look at a power loss in `world` right after a clean close, before the next open, if at
   * all: the close promised every acknowledged commit, and more than new names are unsynced.
   */
  afterClose(world: SimWorld): PowerLossLook | undefined {
    return this.#unsyncedAgain(world) ? 'close-unsynced' : undefined;
  }

  /**
   * Whether more than new names are unsynced in `world`, and not the very same files and renames
   * as at the last look after a promise since the last crash: an engine that leaves a file of
   * its own unsynced after every commit (an index it can rebuild, say) is looked at once for
   * it, not at every step; a bug that loses what a promise covered shows at the first.
   */
  #unsyncedAgain(world: SimWorld): boolean {
    // A key that is not empty names something unsynced: no need to count it first.
    if (!this.#mayLook(world)) return false;
    const key = world.unsyncedBeyondNewNames;
    if (key === '' || key === this.#promiseLooked) return false;
    this.#promiseLooked = key;
    return true;
  }

  /** Whether to look at a power loss in `world` right after a rename moved a file whose data was not synced (asked inside that rename). */
  afterUnsyncedRename(world: SimWorld): boolean {
    return this.#unsynced(world);
  }

  /** Whether `world` has writes a power loss now could lose, and may be looked at. */
  #unsynced(world: SimWorld): boolean {
    return this.#mayLook(world) && world.unsyncedCount > 0;
  }

  /** Whether a look at `world` is on and fair now: looks asked for, no kill -9 kept forgotten pages, no media damage. */
  #mayLook(world: SimWorld): boolean {
    return this.#on && !this.#blind && lookable(world, 'kill-9');
  }
}

/** The media faults a look lets strike the newest durable data, in the order looked at. */
const rotFaults: readonly RotFault[] = ['bit-flip', 'sector-damage'];

/**
 * The thread's environment pinned to a run's world, which a second look borrows for a moment:
 * {@link aside} pins the look's world instead, then the run's again, which goes on with its own
 * random numbers and timers (targets/environment.ts keeps them per world). Without a pin (the
 * reference engine sees only its ports) it only runs the body.
 */
export class WorldPin {
  readonly #pin: ((world: SimWorld) => () => void) | undefined;
  readonly #world: SimWorld;
  #unpin: (() => void) | undefined;

  /** Pins `world` now, with `pin` (absent: nothing to pin). */
  constructor(pin: ((world: SimWorld) => () => void) | undefined, world: SimWorld) {
    this.#pin = pin;
    this.#world = world;
    this.#unpin = pin?.(world);
  }

  /** Runs `body` with `world` pinned instead of the run's. */
  async aside<T>(world: SimWorld, body: () => Promise<T>): Promise<T> {
    const pin = this.#pin;
    if (pin === undefined) return body();
    this.#unpin?.();
    const unpin = pin(world);
    try {
      return await body();
    } finally {
      unpin();
      this.#unpin = pin(this.#world);
    }
  }

  /** Unpins the run's world for good. */
  release(): void {
    this.#unpin?.();
    this.#unpin = undefined;
  }
}

/** The invariants that say data was lost or mangled: what a rotted bit taken for a torn write breaks. */
const lossInvariants: ReadonlySet<string> = new Set(['durability', 'prefix', 'atomicity', 'no-resurrection']);

/**
 * What a look at a rotted bit adds to a loss it found, once the bit was read: a shadow-paging
 * user's recovery fell back to an older tree when a page's checksum failed, as after a torn
 * write, and read the verdict as stricter than its damage contract (README, "The oracle", 6).
 */
export function rotNote(look: LookPlace, invariant: string): string {
  if (look.rot?.fault !== 'bit-flip' || look.rot.read === undefined || !lossInvariants.has(invariant)) return '';
  return '; one flipped bit excuses no loss, under any damage contract: bytes already durable failed their checksum and recovery went on without them as if a write had torn; refuse to open (code corruption), or tell the flip from a tear (one flipped bit explains a CRC mismatch; a record of how far the data was durable)';
}

/** Where a look found a violation, as its message starts (see {@link lookPrefix}). */
export function lookWhere(look: LookPlace, crash: { readonly kind: CrashKind; readonly primaryState: number }): string {
  const start = `crash ${look.crash + 1} (a ${crash.kind === 'power-loss' ? 'power loss' : 'kill -9'})`;
  if (look.beforeStep !== undefined) {
    const where = lookReasons[look.why ?? 'fsync-failed'].replace('#', String(look.beforeStep));
    return `${start} ${where}${look.crashState === crash.primaryState ? '' : `, settled on crash state ${look.crashState} (${crashStateWords(look.crashState)})`}`;
  }
  if (look.rot !== undefined) return `${start}, then ${look.rot.fault === 'bit-flip' ? 'bit' : 'sector'} ${look.rot.at} of ${look.rot.path} rotted`;
  return `${start} settled on crash state ${look.crashState} (${crashStateWords(look.crashState)}) instead of ${crash.primaryState}`;
}

/**
 * The crash state a look at a power loss between steps settles on, by why it was taken: what a
 * step, a close or a library's operation promised is lost by the state that keeps nothing
 * unsynced; a file renamed before its data was synced, by the state that keeps the rename and
 * drops the data; after a failed fsync, after an open or inside a recovery, seeded random state
 * 0 (and, after an open and inside a recovery, other states as well: which of the recovery's
 * writes land, torn or not, beside which of the crashed process's, decides what is left).
 */
export function primaryStateOf(why: PowerLossLook): number {
  switch (why) {
    case 'promise-unsynced':
    case 'close-unsynced':
    case 'operation-unsynced':
      return nothingUnsyncedState;
    case 'rename-unsynced':
      return namesWithoutDataState;
    default:
      return 0;
  }
}

/** A world of its own started from a copy of `disk`, with faults off, where a crash of `kind` struck and settled on `crashState`. */
function settledCopy(disk: DiskCopy, seed: number, kind: CrashKind, crashState: number): SimWorld {
  // Nobody reads a look's trace: what it finds is reported, and traced, in the run's own world.
  const world = new SimWorld({ seed, diskCopy: { disk: copyDisk(disk.disk), machine: disk.machine, ...(disk.nowMs === undefined ? {} : { nowMs: disk.nowMs }) }, trace: 'count' });
  // The copy keeps the disk's capacity: a look's disk has room, as its faults are off.
  world.setFaultsEnabled(false);
  world.crashNow(kind);
  world.restart({ crashState });
  return world;
}

/**
 * The other disks a power loss could have left: worlds started from `disk` (the disk right
 * before the power loss), each settled on another seeded crash state, with faults off, and each
 * different from the run's own (`primaryKey`, {@link SimWorld.settledFingerprint}) and from the
 * ones before it. At most `looks` of them; settlings that repeat a disk are skipped, up to
 * {@link settlingsPerLook} settlings per look wanted. Lazily: a caller that stops early settles
 * no more. The caller ends each world ({@link SimWorld.finish}) when done with it.
 */
export function* otherDisks(disk: DiskCopy, seed: number, primaryKey: string, looks: number): Generator<{ world: SimWorld; crashState: number }> {
  const seen = new Set([primaryKey]);
  let given = 0;
  for (let crashState = firstLookState; given < looks && crashState < firstLookState + settlingsPerLook * looks; crashState++) {
    const world = settledCopy(disk, seed, 'power-loss', crashState);
    const key = world.settledFingerprint();
    if (seen.has(key)) continue;
    seen.add(key);
    given++;
    yield { world, crashState };
  }
}

/**
 * The disk a crash left, with its newest durable data rotted by `fault` ({@link SimWorld.letRot}):
 * for each of the `count` files synced last, a world started from `pending.disk`, settled as the
 * run settled it, with faults off. Lazily; the caller ends each world.
 */
export function* rottenDisks(pending: CrashToLookAt, fault: RotFault, seed: number, count: number): Generator<{ world: SimWorld; rot: NonNullable<LookPlace['rot']> }> {
  for (let rank = 0; rank < count; rank++) {
    const world = settledCopy(pending.disk, seed, pending.kind, pending.primaryState);
    // The bit flip's stream is the one it always had, so its looks are what they were before sector damage had any.
    const stream = fault === 'bit-flip' ? `rot/${pending.crashIndex}/${rank}` : `rot/${fault}/${pending.crashIndex}/${rank}`;
    const rot = world.letRot(rank, new Rng(seed).fork(stream), fault);
    if (rot === undefined) {
      world.finish();
      return;
    }
    yield { world, rot };
  }
}

/**
 * Whether a refusal to open the look's disk is excused: a rotted bit was read (an injected bit
 * flip), or the disk holds media damage (a rotted sector that was read, a misdirected write the
 * settling kept). Judged as the run judges its own (sim/runner.ts).
 */
function damaging(world: SimWorld): boolean {
  return world.faultCounts['bit-flip'] > 0 || damaged(world);
}

/**
 * Whether the look's disk holds media damage: a misdirected write the power loss kept, landed
 * where it was not meant to go (looks are taken only while no damage has struck, so any is the
 * settling's). Recovery may then refuse, or lose what nothing vouched for, as on the run's path.
 */
function damaged(world: SimWorld): boolean {
  return world.mediaDamage > 0;
}

/** One recovery of `world`'s disk with faults off, judged by `model`. */
async function recoverAndCheck(world: SimWorld, model: CommitModel, setting: LookSetting): Promise<Found[]> {
  const options = { stepsMax: setting.stepsMax, barrier: 'tick' } as const;
  const env = { fs: world.fs, clock: world.clock, dir: setting.dir, config: setting.config, probe: world.probe, hit: setting.hit };
  const opened = await world.run(() => setting.engine.open(env), options);
  switch (opened.outcome) {
    case 'done':
      return checkOpened(world, opened.value, model, setting);
    case 'error': {
      const error = opened.error;
      if (failureOf(setting.engine, error)?.code === 'corruption') return [...model.openRefused(refusalOf(error), damaging(world)).violations];
      const what = isProgrammingError(error) ? 'threw' : 'failed with faults off:';
      return [{ invariant: isProgrammingError(error) ? 'engine-error' : 'liveness', message: `open ${what} ${describeError(error)}`, ...framesOf(error) }];
    }
    case 'crashed':
      return [{ invariant: 'harness', message: 'the process crashed with faults off' }];
    default:
      return [hung('recovery', opened.outcome, setting.stepsMax)];
  }
}

/** `{ thrownAt }` for an error with frames of the code under test (as on a run's own path). */
function framesOf(error: unknown): { thrownAt?: readonly string[] } {
  const frames = thrownAt(error);
  return frames === undefined ? {} : { thrownAt: frames };
}

async function checkOpened(world: SimWorld, opened: EngineHandle, model: CommitModel, setting: LookSetting): Promise<Found[]> {
  const breach = checkHandle(opened);
  if (breach !== undefined) return [breach];
  const handle = promising(opened);
  const state = await world.run(() => handle.state(), { stepsMax: setting.stepsMax, barrier: 'tick' });
  // An engine that reads its values from disk when asked meets damage here rather than in open.
  if (state.outcome === 'error' && failureOf(setting.engine, state.error)?.code === 'corruption') {
    return [...model.openRefused(refusalOf(state.error), damaging(world), 'reading the recovered state').violations];
  }
  if (state.outcome !== 'done') return [{ invariant: 'engine-error', message: `reading the recovered state ${state.outcome === 'error' ? `threw ${describeError(state.error)}` : `ended with ${state.outcome}`}`, ...(state.outcome === 'error' ? framesOf(state.error) : {}) }];
  const shaped = recoveredState(state.value);
  if ('violation' in shaped) return [shaped.violation];
  const violations = [...model.checkRecovered(shaped.state, handle.replayStats, { damage: world.damageDurableBy }).violations];
  const selfCheck = setting.engine.selfCheck;
  if (violations.length === 0 && selfCheck !== undefined) {
    const problems = await new FilesCheck(selfCheck, setting.dir).run(world.snapshot(), { replayStats: handle.replayStats });
    if (problems.length > 0) violations.push({ invariant: 'self-consistency', message: `after recovery the files disagree: ${problems.join('; ')}` });
  }
  return violations;
}
