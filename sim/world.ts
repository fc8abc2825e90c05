/**
 * The simulated world: one seed, a clock, a scheduler, and a disk that outlives the process
 * incarnations running on it. This is the API the runner, the checkers and the tests use.
 *
 * ```ts
 * const world = new SimWorld({ seed, faults: noFaults({ rates: { 'power-loss': 0.01 } }) });
 * const outcome = await world.run(() => workload(world.fs, world.clock), { stepsMax: 10_000 });
 * if (outcome.outcome === 'crashed') world.restart();   // then recover on the new world.fs
 * ```
 *
 * Randomness: every random choice comes from a stream forked from the root seed by name, so
 * streams are independent of each other's draws: `workload` (for the runner, see
 * {@link SimWorld.stream}), `faults` (one sub-stream per fault kind, plus one per fault argument),
 * `latency`, `reorder` (late writes) and `crash` (one sub-stream per power loss and crash state).
 */
import type { UnfinishedWrite } from './disk/short-writes.ts';
import { assert } from '../engine/assert.ts';
import type { FileSystem } from '../engine/ports/fs.ts';
import { SimClock } from './clock.ts';
import { namedCrashStates, survivalOf, type GarbageRange } from './disk/crash-policy.ts';
import { childPath, SimDisk, splitPath, type UnsyncedRecords } from './disk/disk.ts';
import { FileState } from './disk/file-state.ts';
import { drawFlipBit } from './disk/file-ops.ts';
import type { DiskImage, MachineState } from './disk/image.ts';
import { importDiskImage } from './disk/image-reader.ts';
import { exportDiskImage } from './disk/image-writer.ts';
import { copyDisk, settledFingerprint } from './disk/disk-copy.ts';
import { FaultInjector, noFaults, type FaultProfile, type ScheduledFault } from './disk/faults.ts';
import { IoKernel, type ReorderSetting, type RotFault } from './disk/kernel.ts';
import { SimFileSystem } from './disk/sim-fs.ts';
import { Rng } from './rng.ts';
import { Scheduler, type BarrierKind, type CrashKind, type RunOptions, type RunOutcome } from './scheduler.ts';
import { none, Trace, type TraceKeeping, type TraceMode } from './trace.ts';
import type { Coverage, FaultKind, TraceEvent, TracePhase } from './types.ts';

export { noFaults, namedCrashStates };
export type { BarrierKind, CrashKind, DiskImage, FaultProfile, GarbageRange, RunOptions, RunOutcome, ScheduledFault, TraceMode };
export type { FsyncFailureMode } from './disk/faults.ts';

/** The incarnation number of a finished world: no file system has it, so every call finds the process dead. */
const finishedIncarnation = -1;

/**
 * Virtual time between a crash and the restart after it: a machine that lost power boots again (a
 * minute), a process killed with -9 is started again by its supervisor (a second). Code that judges
 * a lock or a lease stale by its age (the pinned time of day against a file's mtime, as proper-lockfile does)
 * sees the age a real restart gives it: a lock left by a power loss is a minute old, not fresh.
 */
export const restartGapMs: Readonly<Record<CrashKind, number>> = { 'power-loss': 60_000, 'kill-9': 1_000 };

/** Simulated I/O latency: each operation completes after a uniform [0, ioMsMax) ms. */
export interface LatencyProfile {
  readonly ioMsMax: number;
}

/**
 * Writes that take effect late, after I/O issued after them (a thread pool; sim/disk/kernel.ts):
 * each write with probability `lateWriteProbability`, and those at the global I/O indexes
 * `lateWrites`. Faults never strike a late write.
 */
export interface ReorderProfile {
  readonly lateWriteProbability: number;
  readonly lateWrites?: readonly number[] | undefined;
}

/** Options of {@link SimWorld}. */
export interface SimWorldOptions {
  /** The root seed of every random choice. */
  readonly seed: number;
  /** Faults to inject. @defaultValue {@link noFaults}() */
  readonly faults?: FaultProfile;
  /** I/O latency; absent or undefined: I/O settles at once (the fast path). */
  readonly latency?: LatencyProfile | undefined;
  /**
   * Late writes, drawn from the `reorder` stream; absent or undefined: every I/O takes effect
   * when it is issued. With it on, the file system must be used inside {@link SimWorld.run}.
   */
  readonly reorder?: ReorderProfile | undefined;
  /**
   * Keep every trace event (`full`), only the digest and the last 200 (`digest`), or only their
   * number (`count`, for a world whose trace nobody reads). @defaultValue 'digest'
   */
  readonly trace?: TraceKeeping;
  /**
   * Start from this disk image (see sim/disk/image.ts and {@link SimWorld.exportImage}) instead
   * of an empty disk: its disk, with its own sector size and capacity (the profile's apply to a
   * fresh disk only), and its I/O index, incarnation number and power-loss count, so that
   * scheduled faults and crash states mean the same as in the world that wrote it. A random
   * stream's position cannot be carried, so the fault and latency streams of a world started
   * from an image are forked per incarnation (`incarnation/<n>/faults`); the crash stream is
   * keyed by the power-loss count as always, and the workload stream by name.
   * @throws DiskImageError (at construction) when the image is malformed or of another version
   */
  readonly image?: DiskImage | undefined;
  /**
   * Start from this copy of another world's disk ({@link SimWorld.copyOfDisk}), used as it is
   * (not copied again), as from an image: for second looks at a power loss (sim/second-look.ts).
   */
  readonly diskCopy?: DiskCopy | undefined;
  /**
   * Called synchronously whenever the current incarnation crashes (a fault fired, or
   * {@link SimWorld.crashNow}), after the crash is traced and before the interrupted operation
   * returns. For a runner that must act at once, such as the preload, which saves the disk and
   * kills its real process there (facade/preload.ts). It may call {@link SimWorld.restart}.
   */
  readonly onCrash?: ((kind: CrashKind) => void) | undefined;
}

/** A world's disk copied in memory, with the machine counters an image carries. */
export interface DiskCopy {
  readonly disk: SimDisk;
  readonly machine: MachineState;
  /** The virtual time the copy was taken at, where a world started from it goes on (absent: 0). */
  readonly nowMs?: number;
}

/** Options of {@link SimWorld.restart}. */
export interface RestartOptions {
  /**
   * After a power loss, which of the possible disk states to settle on (see crash-policy.ts):
   * 0 seeded random, 1 keep nothing unsynced, 2 keep everything, 3 names without data,
   * 4 data without names, k ≥ 5 another seeded random state. Ignored after a kill-9.
   * @defaultValue 0
   */
  readonly crashState?: number;
}

/** What the last power loss did beyond dropping whole records: garbage written, by path. */
export interface PowerLossReport {
  readonly crashState: number;
  readonly garbage: ReadonlyMap<string, readonly GarbageRange[]>;
  /** A directory operation it kept without one made before it (`per-name` order), in words. */
  readonly outOfOrder?: string;
  /** A directory operation it lost that a failed directory fsync had left pending, in words. */
  readonly lostAfterFailedSync?: string;
  /** A new directory it lost with synced names in it (no fsync of its parent succeeded after its mkdir), in words. */
  readonly lostDir?: string;
  /** A directory operation it lost that named a file with durable data, in words. */
  readonly lostSyncedName?: string;
  /** A file it left reading bytes nothing wrote past its size on disk (`posix` data order), by path. */
  readonly unwrittenTail?: string;
}

/** The detail of the `dir-lost` note a power loss is traced with (`what`: the directory it lost, in words). */
export function dirLostDetail(what: string): string {
  return `${what}, was lost: no fsync of its parent succeeded after the mkdir`;
}

/** The detail of the `dir-sync-lost` note a power loss is traced with (`what`: the operation it lost, in words). */
export function dirSyncLostDetail(what: string): string {
  return `${what}, left pending by a failed directory fsync, was lost`;
}

/**
 * What a violation found after `report`'s power loss adds to its message when that power loss
 * kept directory operations out of order, or lost one a failed directory fsync had left pending:
 * '' otherwise.
 */
export function powerLossNote(report: PowerLossReport | undefined): string {
  // The same words for every run, so that triage groups the runs of one bug: the trace's
  // `dir-order` and `dir-sync-lost` notes name the operations.
  const outOfOrder = report?.outOfOrder === undefined ? '' : '; the power loss before it kept a directory\'s operations out of order, as POSIX allows before the directory is synced (dirOrder per-name; the trace\'s dir-order note names them): sync the directory between publishing a name and what it depends on';
  const failedSync = report?.lostAfterFailedSync === undefined ? '' : '; the power loss before it lost directory operations that a failed directory fsync had left pending (dir-sync-error; the trace\'s dir-sync-lost note names one): a name is durable only once a directory fsync succeeds, so fail what rests on it when one fails';
  const lostDir = report?.lostDir === undefined ? '' : '; the power loss before it lost a new directory with synced names in it, because no fsync of its parent succeeded after its mkdir (the trace\'s dir-lost note names it): a directory\'s name is durable only once its parent directory is fsynced, as a file\'s is';
  // Not traced as a note (it changes no run), so it names the operation itself: paths are the
  // same from seed to seed of one bug, and triage masks the digits of numbered files.
  // Kept short: it comes with every violation after such a power loss (README "Known limits" says
  // what ext4 and XFS do, `nameSync: 'journal'`).
  const lostName = report?.lostSyncedName === undefined ? '' : `; the power loss before it lost ${report.lostSyncedName}, which named a file whose data was durable (if what failed rests on that file: a new or renamed name is durable only once its directory is fsynced; fsyncing the file is not enough under POSIX)`;
  return outOfOrder + failedSync + lostDir + lostName;
}

/**
 * What a library workload's violation found after `report`'s power loss adds when that power loss
 * left a file reading bytes nothing wrote past its size on disk (an unsynced append, `posix` data
 * order): '' otherwise. Not given for engines: a log must survive it on any file system.
 */
export function unwrittenTailNote(report: PowerLossReport | undefined): string {
  if (report?.unwrittenTail === undefined) return '';
  return `; the power loss before it left ${report.unwrittenTail} reading bytes nothing wrote past the size it had on disk (an unsynced append whose size survived without its data, or tore into garbage), as POSIX, XFS and ext4 with data=writeback allow: trust only bytes a checksum or an fsynced length vouches for, or, if the library promises only what ext4's default data=ordered keeps, say so with the workload's faults: { dataOrder: 'ordered' }`;
}

/**
 * What a violation's message adds when a write of the fs facade landed short earlier in the run
 * and nothing wrote the rest of it (sim/disk/short-writes.ts): the torn file a caller that
 * ignores `write(2)`'s count leaves, whatever the crash that showed it lost. Empty when none.
 */
export function shortWriteNote(world: SimWorld): string {
  const short = world.unfinishedShortWrite;
  if (short !== undefined) return `; earlier in the run a write to ${short.path} landed ${short.written} of ${short.length} bytes (I/O #${short.io}) and nothing wrote the rest: write(2) may write less than asked, and a caller that ignores the count it returns leaves a torn file`;
  const cut = world.cutShortWrite;
  if (cut === undefined) return '';
  return `; earlier in the run a write to ${cut.path} landed ${cut.written} of ${cut.length} bytes (I/O #${cut.io}, an injected short write) and a crash came before the process wrote the rest: what it left torn was never acknowledged, and stays unless the library checks its tail when it reopens (local file systems rarely write a small write short: leave short-write out of the workload's faults if it writes small records alone)`;
}

/**
 * {@link powerLossNote} for `violation`, or nothing for an LSN handed out out of order: what the
 * last power loss did to the directories does not explain that (a lost name that held commits
 * shows first as their loss), and an LSM user's LSN bug was blamed on a table whose creation a
 * power loss had lost before anything relied on it.
 */
export function powerLossNoteFor(violation: { readonly invariant: string; readonly lsn?: number | undefined }, report: PowerLossReport | undefined): string {
  return violation.invariant === 'self-consistency' && violation.lsn !== undefined ? '' : powerLossNote(report);
}

/** The kernel's late-write setting of a profile, its stream forked from `streams`. */
function reorderSetting(profile: ReorderProfile | undefined, streams: Rng): ReorderSetting | undefined {
  if (profile === undefined) return undefined;
  const p = profile.lateWriteProbability;
  assert(p >= 0 && p <= 1, 'reorder.lateWriteProbability is a probability');
  return { lateWriteProbability: p, lateWrites: new Set(profile.lateWrites ?? []), rng: streams.fork('reorder') };
}

/**
 * The sectors a look may let rot in `file` ({@link SimWorld.letRot}): those holding what its last
 * fsync made durable, and for a bad sector also what the fsync before it did; only sectors no
 * pending write touches.
 */
function rotSectors(file: FileState, fault: RotFault, sectorBytes: number): number[] {
  const last = file.lastSynced!;
  const before = fault === 'sector-damage' ? last.before : undefined;
  if (before === undefined) return file.durableSectors(last.from, last.to, sectorBytes);
  return file.durableSectors(Math.min(before.from, last.from), Math.max(before.to, last.to), sectorBytes);
}

/**
 * The sector of `sectors` (those {@link rotSectors} allows) a look lets go bad, or lets a bit
 * rot in: one that holds data (a byte that is not zero) when any does. A page's zero padding gone bad reads as zeros
 * again, or as garbage no format reads: a look spent there shows nothing (a new user's 4 KiB meta
 * page held 36 bytes that mattered).
 */
function rotSector(file: FileState, sectors: readonly number[], sectorBytes: number, rng: Rng): number {
  const bytes = file.durable.view();
  const holding = sectors.filter((sector) => bytes.subarray(sector * sectorBytes, (sector + 1) * sectorBytes).some((byte) => byte !== 0));
  const pool = holding.length > 0 ? holding : sectors;
  return pool[rng.int(pool.length)]!;
}

/** Draws of a rotted bit that may land on a zero byte before one that holds data is taken ({@link rotBit}). */
const rotBitDraws = 4;

/**
 * The bit a look lets rot among the bytes `file`'s last fsync made durable: in a sector of
 * `sectors` that holds data ({@link rotSector}), drawn as injected bit flips are (file-ops.ts
 * `drawFlipBit`: half at the head of a page, where formats keep their headers), and drawn again,
 * up to {@link rotBitDraws} times in all, while it lands on a zero byte: a padded page's few
 * bytes that matter are struck, not its padding. Where every byte holds data (a log's frames),
 * the first draw stands, as before either rule.
 */
function rotBit(file: FileState, sectors: readonly number[], sectorBytes: number, rng: Rng): number {
  const sector = rotSector(file, sectors, sectorBytes, rng);
  const { from, to } = file.lastSynced!;
  const start = Math.max(from, sector * sectorBytes);
  const end = Math.min(to, file.durable.size, file.cache.size, (sector + 1) * sectorBytes);
  const bytes = file.durable.view();
  let bit = drawFlipBit(rng, start, end - start);
  for (let draw = 1; draw < rotBitDraws && bytes[Math.floor(bit / 8)] === 0; draw++) bit = drawFlipBit(rng, start, end - start);
  return bit;
}

/** A deterministic simulated machine: disk, clock, scheduler and fault injection. */
export class SimWorld {
  readonly seed: number;
  /** One clock for the whole run: virtual time keeps going across restarts, and on by {@link restartGapMs} at each after a crash. */
  readonly clock = new SimClock();
  #startedAtMs = 0;
  /** The run's trace: digest, and events (full mode) or recent events. */
  readonly trace: Trace;
  /**
   * Pass as `StoreOptions.probe`: labels the I/O that follows with the engine phase, until the
   * next call or the next restart (which goes back to `other`).
   */
  readonly probe: (phase: TracePhase) => void;
  readonly #root: Rng;
  /** Where {@link stream} forks from: the root, or for a world started from an image, its incarnation's fork. */
  #streams: Rng;
  readonly #scheduler: Scheduler;
  readonly #kernel: IoKernel;
  readonly #profile: FaultProfile;
  #fs: SimFileSystem;
  #powerLossCount = 0;
  #lastPowerLoss: PowerLossReport | undefined;

  /** @param options - seed, fault profile, latency and trace mode */
  constructor(options: SimWorldOptions) {
    assert(Number.isSafeInteger(options.seed), 'the seed is an integer');
    this.seed = options.seed;
    this.#root = new Rng(options.seed);
    this.#profile = options.faults ?? noFaults();
    this.trace = new Trace(options.trace ?? 'digest');
    this.#scheduler = new Scheduler(this.clock);
    const latency = options.latency;
    if (latency !== undefined) assert(latency.ioMsMax > 0, 'latency.ioMsMax is positive');
    const imported = options.diskCopy ?? (options.image === undefined ? undefined : importDiskImage(options.image));
    let disk: SimDisk;
    if (imported === undefined) {
      disk = new SimDisk(this.#profile.sectorBytes, this.#profile.blockBytes);
      disk.capacityBytes = this.#profile.capacityBytes ?? Infinity;
      disk.dirOrder = this.#profile.dirOrder ?? 'journal';
      disk.dataOrder = this.#profile.dataOrder ?? 'posix';
      disk.sectorWrites = this.#profile.sectorWrites ?? 'torn';
      disk.nameSync = this.#profile.nameSync ?? 'directory';
    } else {
      disk = imported.disk;
    }
    const streams = imported === undefined ? this.#root : this.#root.fork(`incarnation/${imported.machine.incarnation}`);
    this.#streams = streams;
    this.#kernel = new IoKernel({
      disk,
      faults: new FaultInjector(this.#profile, streams.fork('faults')),
      trace: this.trace,
      clock: this.clock,
      scheduler: this.#scheduler,
      latency: latency === undefined ? undefined : { ioMsMax: latency.ioMsMax, rng: streams.fork('latency') },
      reorder: reorderSetting(options.reorder, streams),
      onCrash: options.onCrash,
    });
    if (imported !== undefined) {
      this.#kernel.ioCount = imported.machine.ioCount;
      this.#kernel.incarnation = imported.machine.incarnation;
      this.#powerLossCount = imported.machine.powerLossCount;
      if (options.diskCopy?.nowMs !== undefined) this.clock.startAt(options.diskCopy.nowMs);
      this.#startedAtMs = this.clock.now();
    }
    this.#fs = new SimFileSystem(this.#kernel);
    this.probe = (phase) => {
      this.#kernel.phase = phase;
    };
  }

  /**
   * The file system of the current incarnation (a new object after each restart). With latency
   * off it may also be used outside {@link run} (e.g. by a differential test): its calls then
   * settle as plain promises.
   */
  get fs(): FileSystem {
    return this.#fs;
  }

  /**
   * The world's shared I/O state (disk, faults, trace), for a synchronous path into the same
   * disk: Node's `fs.*Sync` calls cannot await (see sim/disk/sync-port.ts). Engines use {@link fs}.
   */
  get kernel(): IoKernel {
    return this.#kernel;
  }

  /**
   * An independent random stream named `name` (e.g. `workload`), depending only on the seed
   * and the name (and, for a world started from a disk image, its incarnation number, so each
   * process of a preload run draws its own values): drawing from it never changes faults,
   * latency or crash states.
   */
  stream(name: string): Rng {
    return this.#streams.fork(name);
  }

  /** Labels the following I/O with `phase` (`other`: outside any engine phase). */
  setPhase(phase: TracePhase): void {
    this.#kernel.phase = phase;
  }

  /** The current phase label. */
  get phase(): TracePhase {
    return this.#kernel.phase;
  }

  /**
   * Runs `main` in the simulated world until it settles, the process crashes, it deadlocks or
   * it exceeds `stepsMax` events. After `crashed`, `stuck` or `steps-exceeded`, call
   * {@link restart} before running again on this disk.
   */
  run<T>(main: () => Promise<T> | T, options: RunOptions = {}): Promise<RunOutcome<T>> {
    return this.#scheduler.run(main, options);
  }

  /**
   * Virtual time at which the current incarnation's process started: 0, the time of the restart
   * that started it, or for a world started from a disk copy the copy's time. A restarted
   * process's readings of its own age (its uptime, its performance clock) count from here
   * (targets/environment.ts).
   */
  get startedAtMs(): number {
    return this.#startedAtMs;
  }

  /** The crash that ended the current incarnation, if any. */
  get crashed(): CrashKind | undefined {
    return this.#scheduler.crash;
  }

  /**
   * Crashes the process now (between operations). Counted in {@link faultCounts}, but not in
   * {@link faultsFired}: the caller replays its own decision. A crash nobody injected (a process
   * that died of its own uncaught exception) passes `injected: false` and is not counted.
   * @throws AssertionError when the process has already crashed
   */
  crashNow(kind: CrashKind, injected = true): void {
    assert(this.#scheduler.crash === undefined, 'crashNow: the process is alive');
    if (injected) this.#kernel.faults.count(kind, this.#kernel.phase, this.#kernel.ioClass);
    this.#kernel.crashedSyncingDir = undefined;
    this.#kernel.crash(kind, undefined);
  }

  /**
   * Repairs every flipped bit and damaged sector: each file reads back as written, as when a
   * transient fault clears or a sector is restored from a replica. Not a misdirected write or a
   * lost name: what they destroyed is gone. (The runner's check that a refusal left the store as it
   * found it, sim/runner.ts.) @returns how many files were damaged
   */
  healMedia(): number {
    const files = new Set<FileState>();
    for (const dir of this.#kernel.disk.internals().dirs) {
      for (const entry of dir.cache.values()) if (entry instanceof FileState) files.add(entry);
      for (const entry of dir.durable.values()) if (entry instanceof FileState) files.add(entry);
    }
    let healed = 0;
    for (const file of files) if (file.heal()) healed++;
    return healed;
  }

  /**
   * Starts a new process incarnation. After a power loss, first settles the disk on the state
   * `crashState` selects; after a kill-9 (or without a crash) the disk is left as it is.
   * Pending timers of the old incarnation are dropped; after a crash, virtual time moves on by
   * {@link restartGapMs}; the phase goes back to `other`.
   */
  restart(options: RestartOptions = {}): void {
    const crashState = options.crashState ?? 0;
    assert(Number.isSafeInteger(crashState) && crashState >= 0, 'restart: crashState is a natural number');
    const kind = this.#scheduler.crash;
    const k = this.#kernel;
    if (kind === 'power-loss') {
      const survival = survivalOf(crashState);
      const rng = this.#root.fork('crash').fork(`${this.#powerLossCount}/${crashState}`);
      const garbage = k.disk.powerLoss({ ...survival, rng, sectorBytes: k.disk.sectorBytes }, k.crashedSyncingDir);
      const outOfOrder = k.disk.lastOutOfOrder;
      const lostAfterFailedSync = k.disk.lastLostAfterFailedSync;
      const lostDir = k.disk.lastLostDir;
      const lostSyncedName = k.disk.lastLostSyncedName;
      const unwrittenTail = k.disk.lastUnwrittenTail;
      this.#lastPowerLoss = {
        crashState, garbage, ...(outOfOrder === undefined ? {} : { outOfOrder }), ...(lostAfterFailedSync === undefined ? {} : { lostAfterFailedSync }),
        ...(lostDir === undefined ? {} : { lostDir }), ...(lostSyncedName === undefined ? {} : { lostSyncedName }),
        ...(unwrittenTail === undefined ? {} : { unwrittenTail }),
      };
      this.#powerLossCount++;
    }
    k.incarnation++;
    if (kind !== undefined) k.shortWrites.crashed();
    this.#scheduler.restarted();
    if (kind !== undefined) this.clock.advance(restartGapMs[kind]);
    this.#startedAtMs = this.clock.now();
    k.phase = 'other';
    k.ioClass = 'other';
    this.trace.record('restart', kind ?? 'clean', this.clock.now(), undefined, undefined, kind === 'power-loss' ? crashState : none, none, '');
    if (kind === 'power-loss') this.recordPowerLossNotes(this.#lastPowerLoss);
    this.#fs = new SimFileSystem(k);
  }

  /**
   * Traces what `report`'s power loss did, as notes: `garbage` (a file's range it filled with
   * garbage, at its offset and length), `unwritten-tail` (a file whose size it kept past the data
   * written under it), `dir-order` (kept out of order), `dir-sync-lost` (lost what a failed
   * directory fsync left pending), `dir-lost` (lost a new directory with synced names in it). A second look's power loss is traced in the
   * run's trace this way too (nobody reads a look's trace), `prefix` saying so.
   */
  recordPowerLossNotes(report: PowerLossReport | undefined, prefix = ''): void {
    // The sectors it filled with garbage, and a size it kept without the data under it: what a
    // reader of the trace otherwise learns only from a dump of the disk (a new user's torn page).
    for (const [path, ranges] of report?.garbage ?? []) {
      for (const [start, end] of ranges) this.trace.record('note', 'garbage', this.clock.now(), this.#kernel.phase, path, start, end - start, '', prefix.trim());
    }
    if (report?.unwrittenTail !== undefined) this.trace.record('note', 'unwritten-tail', this.clock.now(), this.#kernel.phase, report.unwrittenTail, none, none, '', `${prefix}the size survived past the data written under it`);
    if (report?.outOfOrder !== undefined) this.record('note', 'dir-order', `${prefix}${report.outOfOrder}`);
    if (report?.lostAfterFailedSync !== undefined) this.record('note', 'dir-sync-lost', `${prefix}${dirSyncLostDetail(report.lostAfterFailedSync)}`);
    if (report?.lostDir !== undefined) this.record('note', 'dir-lost', `${prefix}${dirLostDetail(report.lostDir)}`);
  }

  /**
   * Turns injected faults on or off. Off is the liveness phase: no fault fires and the disk has
   * unlimited space; on restores the profile's capacity. `scheduled` is off but for the faults a
   * plan schedules at exact I/O indexes (`faults.scheduled`): a check with faults off that a
   * pinned second look's bit flip must still reach (targets/runner.ts).
   */
  setFaultsEnabled(enabled: boolean | 'scheduled'): void {
    const k = this.#kernel;
    k.faults.enabled = enabled === true;
    k.faults.keepScheduled = enabled === 'scheduled';
    k.disk.capacityBytes = enabled === true ? (this.#profile.capacityBytes ?? Infinity) : Infinity;
  }

  /** The global I/O indexes of the writes that took effect late; as `lateWrites` (probability 0) they replay this run. */
  get lateWrites(): readonly number[] {
    return this.#kernel.lateWrites;
  }

  /** Every fault injected so far; as `scheduled` with rates 0 it replays this run. */
  get faultsFired(): readonly ScheduledFault[] {
    return this.#kernel.faults.fired;
  }

  /**
   * Step `step` of the plan begins now (the runners call it where they trace the step's `op`):
   * the plan's faults aimed by step (ScheduledFault.step) are scheduled from the next I/O.
   */
  beginStep(step: number): void {
    this.#kernel.faults.stepBegan(step, this.#kernel.ioCount);
  }

  /** The I/O index each step began at, by step: where {@link beginStep} was called. */
  get stepStartIo(): readonly number[] {
    return this.#kernel.faults.stepStartIo;
  }

  /** The plan's scheduled faults that never fired, named `kill-9@125` or `kill-9@step 3+7`. */
  unfiredScheduled(): string[] {
    return this.#kernel.faults.unfiredScheduled();
  }

  /**
   * The disk as it is now, with the I/O index, incarnation number and power-loss count, as plain
   * JSON-able data (format: sim/disk/image.ts). A world constructed with it as `image` continues
   * this one: the same later reads, syncs and crash states. Open handles are not kept.
   */
  exportImage(): DiskImage {
    const k = this.#kernel;
    return exportDiskImage(k.disk, { ioCount: k.ioCount, incarnation: k.incarnation, powerLossCount: this.#powerLossCount });
  }

  /**
   * Lets the newest durable data rot, unseen until a read covers it (then it strikes as the
   * injected fault: IoKernel.rot): for a second look at a crash (sim/second-look.ts). The file is
   * the `rank`-th (0: the last) by its last fsync that wrote bytes, among the files a name
   * reaches; what rots is drawn from `rng` among what that fsync made durable and nothing has
   * rewritten since: one bit (`bit-flip`), or one sector, which then reads back as zeros or
   * garbage (`sector-damage`). A sector is drawn from what the two last such fsyncs of the file
   * made durable: a whole sector gone bad in the newest bytes takes every frame after it too,
   * while one in the bytes synced before them can leave a later synced frame intact, the
   * evidence a recovery must not cut past (rule R4 of the reference engine).
   * @returns the file's path and the bit or sector (`at`), or undefined when fewer files hold such bytes
   */
  letRot(rank: number, rng: Rng, fault: RotFault = 'bit-flip'): { readonly fault: RotFault; readonly path: string; readonly at: number } | undefined {
    const k = this.#kernel;
    const sectorBytes = k.disk.sectorBytes;
    const candidates: { path: string; file: FileState; sectors: number[] }[] = [];
    const seen = new Set<FileState>();
    for (const dir of k.disk.internals().dirs) {
      for (const [name, entry] of dir.cache) {
        if (!(entry instanceof FileState) || entry.lastSynced === undefined || seen.has(entry)) continue;
        seen.add(entry);
        if (entry.lastSynced.from >= Math.min(entry.durable.size, entry.cache.size)) continue;
        const sectors = rotSectors(entry, fault, sectorBytes);
        if (sectors.length > 0) candidates.push({ path: childPath(dir.path, name), file: entry, sectors });
      }
    }
    candidates.sort((a, b) => b.file.lastSynced!.seq - a.file.lastSynced!.seq);
    const chosen = candidates[rank];
    if (chosen === undefined) return undefined;
    if (fault === 'sector-damage') {
      const sector = rotSector(chosen.file, chosen.sectors, sectorBytes, rng);
      k.rot = { file: chosen.file, fault, at: sector, zeros: rng.chance(0.5) };
      return { fault, path: chosen.path, at: sector };
    }
    const bit = rotBit(chosen.file, chosen.sectors, sectorBytes, rng);
    k.rot = { file: chosen.file, fault, at: bit, zeros: false };
    return { fault, path: chosen.path, at: bit };
  }

  /** The read that met what {@link letRot} let rot: its global I/O index and the fault's argument there; absent while none has. */
  get rotRead(): { readonly io: number; readonly arg: number } | undefined {
    return this.#kernel.rotRead;
  }

  /** fsyncs so far that made written bytes durable: unchanged, the newest durable data is what it was. */
  get syncs(): number {
    return this.#kernel.disk.syncs;
  }

  /**
   * fsyncs since the last power loss that failed ext4's way on unsynced writes: their pages
   * stay readable but no fsync will write them, so a power loss takes them back (fsyncgate).
   */
  get forgottenWrites(): number {
    return this.#kernel.disk.forgotten;
  }

  /**
   * fsyncs so far that failed on a file with unsynced writes and dropped them from what a retried
   * fsync writes: ext4 marks the pages clean, btrfs reverts the file (a sticky failure keeps failing).
   */
  get syncFailuresOverWrites(): number {
    return this.#kernel.disk.syncFailuresOverWrites;
  }

  /** A copy of the disk as it is now, unsynced records included, with the machine counters (see {@link SimWorldOptions.diskCopy}). */
  copyOfDisk(): DiskCopy {
    const k = this.#kernel;
    return { disk: copyDisk(k.disk), machine: { ioCount: k.ioCount, incarnation: k.incarnation, powerLossCount: this.#powerLossCount }, nowMs: this.clock.now() };
  }

  /**
   * A fingerprint of what reads see, right after a power loss settled the disk: equal for two
   * settlings of one power loss exactly when recovery meets the same disk (the garbage a power
   * loss wrote is in the bytes; media damage in the count). Cheaper than {@link stateAfterCrashKey}.
   */
  settledFingerprint(): string {
    return settledFingerprint(this.#kernel.disk);
  }

  /**
   * Everything of the world that a crash state can change, as one string, taken right after a
   * power loss: the disk image ({@link exportImage}), the garbage the power loss wrote and the
   * durable bytes media faults destroyed. Two runs that were the same up to one power loss and
   * differ only in its crash state go on the same way exactly when their keys are equal: the
   * rest of the world (model, clock, streams, fault counters) does not depend on the crash state,
   * whose random choices come from a stream of their own.
   */
  stateAfterCrashKey(): string {
    const garbage = this.#lastPowerLoss === undefined ? [] : [...this.#lastPowerLoss.garbage];
    return JSON.stringify([this.exportImage(), garbage, this.mediaDamage]);
  }

  /** I/O operations so far (every port call, across incarnations). */
  get ioCount(): number {
    return this.#kernel.ioCount;
  }

  /** Faults injected so far, by kind (including crashes requested with {@link crashNow}). */
  get faultCounts(): Readonly<Record<FaultKind, number>> {
    return this.#kernel.faults.counts;
  }

  /** Faults injected so far, by the phase the code under test reported, and kind. */
  get coverage(): Readonly<Coverage> {
    return this.#kernel.faults.coverage;
  }

  /** Faults injected so far, by I/O class and kind. */
  get ioCoverage(): Readonly<Coverage> {
    return this.#kernel.faults.ioCoverage;
  }

  /** The kinds each phase's I/O could take so far while faults were on, as `faultBit` bits. */
  get reach(): Readonly<Record<string, number>> {
    return this.#kernel.faults.reach;
  }

  /** {@link reach} by I/O class. */
  get ioReach(): Readonly<Record<string, number>> {
    return this.#kernel.faults.ioReach;
  }

  /**
   * How many times a media fault destroyed durable bytes so far: a damaged sector, a misdirected
   * write that landed (written back, or kept by a power loss), a lost name. A misdirected write
   * lost with the page cache before it was written back destroyed nothing. Bit flips are
   * counted apart ({@link faultCounts}): a flipped bit destroys nothing a checksum cannot
   * locate, and is evidence of itself (torn writes never flip one bit).
   */
  get mediaDamage(): number {
    return this.#kernel.disk.damage.count;
  }

  /**
   * Per media fault counted in {@link mediaDamage}, in order: the landing (see {@link landings})
   * by which every byte it destroyed had been durable.
   */
  get damageDurableBy(): readonly number[] {
    return this.#kernel.disk.damage.durableBy;
  }

  /**
   * Landings so far: each fsync that wrote bytes back, and each power loss, takes the next
   * number. A commit issued when this reads `n` was issued after landing `n`.
   */
  get landings(): number {
    return this.#kernel.disk.damage.landings;
  }

  /** What the last power loss wrote as garbage (for checkers and tests). */
  get lastPowerLoss(): PowerLossReport | undefined {
    return this.#lastPowerLoss;
  }

  /** The earliest write of the fs facade that landed short with nothing writing its rest since, to a file that still has a name (see {@link shortWriteNote}). */
  get unfinishedShortWrite(): UnfinishedWrite | undefined {
    return this.#kernel.shortWrites.first;
  }

  /** The earliest facade write that landed short and that a crash cut before the process wrote the rest (sim/disk/short-writes.ts). */
  get cutShortWrite(): UnfinishedWrite | undefined {
    return this.#kernel.shortWrites.cut;
  }

  /**
   * Unsynced changes a power loss now could lose (pending file records plus directory
   * operations). When 0, every crash state of a power loss here is the same, so an explorer
   * need try only one.
   */
  get unsyncedCount(): number {
    return this.#kernel.disk.unsyncedCount();
  }

  /** The unsynced records of files and directories now, as a token for {@link stillUnsynced}. */
  unsyncedRecords(): UnsyncedRecords {
    return this.#kernel.disk.unsyncedRecords();
  }

  /** Whether one of `records` ({@link unsyncedRecords}) is still unsynced (records written since do not count). */
  stillUnsynced(records: UnsyncedRecords): boolean {
    return this.#kernel.disk.stillUnsynced(records);
  }

  /** Writes and truncations so far that went over data already durable, in place ({@link SimDisk.durableOverwrites}). */
  get durableOverwrites(): number {
    return this.#kernel.disk.durableOverwrites;
  }

  /** What a power loss now could lose beyond new names, as a key; empty when nothing ({@link SimDisk.unsyncedBeyondNewNames}). */
  get unsyncedBeyondNewNames(): string {
    return this.#kernel.disk.unsyncedBeyondNewNames();
  }

  /**
   * Tells `listener`, synchronously inside the operation, whenever a rename moves a file whose
   * data or size is not all synced yet (IoKernel.onUnsyncedRename); undefined stops telling.
   */
  set onUnsyncedRename(listener: (() => void) | undefined) {
    this.#kernel.onUnsyncedRename = listener;
  }

  /**
   * Tells `listener`, synchronously inside the operation, at the start of every fsync of a file
   * or a directory no crash struck, before it makes anything durable, with its I/O index
   * (IoKernel.onSync); undefined stops telling.
   */
  set onSync(listener: ((io: number) => void) | undefined) {
    this.#kernel.onSync = listener;
  }

  /** Bytes in use on the disk, and the current capacity (Infinity: unlimited). */
  get space(): { readonly usedBytes: number; readonly capacityBytes: number } {
    return { usedBytes: this.#kernel.disk.usedBytes, capacityBytes: this.#kernel.disk.capacityBytes };
  }

  /**
   * A fault-free, untraced copy of what reads would see now: every file's page-cache bytes, by
   * path (paths as `/a/b` for absolute, `a/b` for relative names). Bit flips are not applied.
   */
  inspect(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [path, file] of this.#kernel.disk.files()) out.set(path, file.cache.view().slice());
    return out;
  }

  /**
   * What reads would see now, as {@link inspect} gives it, but without copying a file that has
   * not changed since the last call: an unchanged file gives the very same array. For read-only
   * checks that skip work on unchanged files; the arrays must not be modified.
   */
  snapshot(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [path, file] of this.#kernel.disk.files()) out.set(path, file.snapshot());
    return out;
  }

  /**
   * What is at `path` in the page-cache namespace (what reads would see), looked up without an I/O
   * operation, trace or fault.
   */
  entryKind(path: string): 'file' | 'dir' | undefined {
    const entry = this.#kernel.disk.lookup(splitPath(path));
    if (entry === undefined) return undefined;
    return entry instanceof FileState ? 'file' : 'dir';
  }

  /**
   * The target of the symbolic link at `path` in the page-cache namespace, without an I/O
   * operation (the fs facade resolves paths through links with it); undefined when `path` is
   * not a link or names nothing.
   */
  linkTargetAt(path: string): string | undefined {
    if (!this.#kernel.disk.hasSymlinks) return undefined;
    const entry = this.#kernel.disk.lookup(splitPath(path));
    return entry instanceof FileState ? entry.linkTarget : undefined;
  }

  /**
   * Who is at `path` in the page-cache namespace, without an I/O operation: a file's inode
   * number, a directory's normalised path, or undefined (the facade keys the times `stat` shows by it).
   */
  inodeOf(path: string): number | string | undefined {
    const entry = this.#kernel.disk.lookup(splitPath(path));
    if (entry === undefined) return undefined;
    return entry instanceof FileState ? entry.id : entry.path;
  }

  /** Creates a directory and its parents on the simulated disk, durable at once, without I/O or trace (setting up a root). */
  createDirectory(path: string): void {
    this.#kernel.disk.mkdir(path, { durable: true });
  }

  /**
   * Makes every file and directory entry on the disk durable, without I/O or trace: the state a
   * setup leaves is then the starting point every crash state keeps.
   */
  syncEverything(): void {
    this.#kernel.disk.syncAll();
  }

  /**
   * Ends the world: the current incarnation dies for good, its timers are dropped, and every later
   * call of any of its file systems (and of code still holding them) finds the process dead. A
   * finished run leaves nothing that can run afterwards.
   */
  finish(): void {
    this.#scheduler.crashed('kill-9');
    this.#kernel.incarnation = finishedIncarnation;
  }

  /** Whether {@link finish} ended this world. */
  get finished(): boolean {
    return this.#kernel.incarnation === finishedIncarnation;
  }

  /** Adds a runner event (`op`, `check` or `note`) to the trace, at the current time and phase. */
  record(type: Extract<TraceEvent['type'], 'op' | 'check' | 'note'>, name: string, detail = ''): void {
    this.trace.record(type, name, this.clock.now(), this.#kernel.phase, undefined, none, none, detail);
  }

  /**
   * Traces a call refused by what the namespace holds, without disk I/O (the facade's `open` with
   * `wx` of a file that exists): a `note`, `open /x flags=wx EEXIST`, never an `io` event, since
   * the n-th `io` event of a trace is I/O operation n (harness/ddmin.ts `anchorsOf`).
   */
  refused(name: string, path: string, code: string, note = ''): void {
    this.trace.record('note', name, this.clock.now(), this.#kernel.phase, path, none, none, code, note);
  }
}
