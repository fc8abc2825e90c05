/**
 * The state every incarnation's file system shares with the world: the disk, the fault
 * injector, the trace, virtual time, the current engine phase and the global I/O count, plus
 * the three things every port call does the same way: trace it, fire a fault, and deliver its
 * result (at once, or after a seeded latency on the clock).
 *
 * Late writes (off unless the world's `reorder` turns them on): a thread pool runs each I/O
 * call on some thread, so a write issued first may take effect after an fsync issued later,
 * on another handle or by another caller; the fsync then does not cover it. The kernel decides
 * per write, at issue, from the `reorder` stream (or the explicit list of late I/O indexes),
 * and records each late write so that a run replays exactly with the list alone.
 */
import { ShortWrites } from './short-writes.ts';
import type { IoError } from '../../engine/ports/fs.ts';
import { diskError } from './disk-error.ts';
import type { Rng } from '../rng.ts';
import type { SimClock } from '../clock.ts';
import type { CrashKind, Scheduler } from '../scheduler.ts';
import { none, type Trace } from '../trace.ts';
import type { FaultKind, IoClass, TracePhase } from '../types.ts';
import type { SimDisk } from './disk.ts';
import type { FileState } from './file-state.ts';
import type { FaultInjector } from './faults.ts';

/** Late writes: a probability per write and explicit I/O indexes (see the module comment). */
export interface ReorderSetting {
  readonly lateWriteProbability: number;
  readonly lateWrites: ReadonlySet<number>;
  /** Draws one number per eligible write, whether or not it is late. */
  readonly rng: Rng;
}

/** The faults a second look lets strike durable data before any read: see {@link IoKernel.rot}. */
export type RotFault = 'bit-flip' | 'sector-damage';

/** Thrown inside an operation when a crash fires there; never escapes the port. */
export const crashSignal: unique symbol = Symbol('crash');

/** Shared state and helpers of the simulated I/O path. */
export class IoKernel {
  readonly disk: SimDisk;
  readonly faults: FaultInjector;
  readonly trace: Trace;
  readonly clock: SimClock;
  readonly scheduler: Scheduler;
  /** Per-I/O latency: off (undefined) is the fast path. */
  readonly latency: { readonly ioMsMax: number; readonly rng: Rng } | undefined;
  /** Late writes: off (undefined) unless the world turns them on. */
  readonly reorder: ReorderSetting | undefined;
  /** The global I/O indexes of the writes that took effect late, in order. */
  readonly lateWrites: number[] = [];
  /** The engine phase I/O is labelled with. */
  phase: TracePhase = 'other';
  /** The class of the I/O operation running now (or last run): where its faults are counted. */
  ioClass: IoClass = 'other';
  /** I/O operations so far, across incarnations. */
  ioCount = 0;
  /** Increments on every restart; a file system of an older incarnation is dead. */
  incarnation = 0;
  /** Directories the incarnation {@link #lookedIncarnation} listed or opened a file in. */
  readonly #looked = new Set<string>();
  #lookedIncarnation = -1;
  /**
   * Durable data that has rotted, unseen until a read covers it (a second look,
   * sim/second-look.ts): a bit (`at`) that the read flips as an injected bit flip, or a sector
   * (`at`) that reads back as zeros or garbage from then on, as injected sector damage.
   * {@link rotRead} records the read.
   */
  rot: { readonly file: FileState; readonly fault: RotFault; readonly at: number; readonly zeros: boolean } | undefined;
  /** The global I/O index of the read that first met {@link rot}, and the fault's argument there (as `faults.scheduled` takes it); absent while none has. */
  rotRead: { readonly io: number; readonly arg: number } | undefined;
  readonly #onCrash: ((kind: CrashKind) => void) | undefined;
  /**
   * Told inside the operation, right after a rename moved a file some of whose data or size is
   * not synced yet: the "renamed before its fsync" pattern, which a second look at a power loss
   * there tests (sim/second-look.ts, PowerLossWatch); unset, nothing is told.
   */
  onUnsyncedRename: (() => void) | undefined;
  /**
   * Told at the start of every fsync of a file or a directory that no crash struck, before it
   * makes anything durable, with the fsync's I/O index: the moment a second look at a power loss
   * inside a recovery is taken (sim/second-look.ts, PowerLossWatch); unset, nothing is told.
   */
  onSync: ((io: number) => void) | undefined;
  /**
   * The directory whose fsync the last crash struck (`undefined`: it struck another operation, or
   * none): what was pending in it was being made durable, so nothing relied on it yet.
   */
  crashedSyncingDir: string | undefined;
  /** The facade's short writes nothing has finished (for a violation's message). */
  readonly shortWrites = new ShortWrites();

  constructor(parts: {
    disk: SimDisk;
    faults: FaultInjector;
    trace: Trace;
    clock: SimClock;
    scheduler: Scheduler;
    latency: { readonly ioMsMax: number; readonly rng: Rng } | undefined;
    reorder?: ReorderSetting | undefined;
    /** Called at the end of every {@link crash} (see SimWorldOptions.onCrash). */
    onCrash?: ((kind: CrashKind) => void) | undefined;
  }) {
    this.disk = parts.disk;
    this.faults = parts.faults;
    this.trace = parts.trace;
    this.clock = parts.clock;
    this.scheduler = parts.scheduler;
    this.latency = parts.latency;
    this.reorder = parts.reorder;
    this.#onCrash = parts.onCrash;
  }

  /**
   * Whether the running incarnation has looked into the directory `dir` (listed it, or opened a
   * file in it): a lost name is met at a process's first look (namespace-ops.ts).
   */
  hasLookedAt(dir: string): boolean {
    return this.#lookedIncarnation === this.incarnation && this.#looked.has(dir);
  }

  /** Records that the running incarnation looked into the directory `dir`. */
  lookAt(dir: string): void {
    if (this.#lookedIncarnation !== this.incarnation) {
      this.#looked.clear();
      this.#lookedIncarnation = this.incarnation;
    }
    this.#looked.add(dir);
  }

  /**
   * Begins an I/O operation of incarnation `incarnation`.
   * @returns its global index, or -1 when the process is dead or out of steps (the caller
   * then returns {@link neverSettles})
   */
  begin(incarnation: number): number {
    if (incarnation !== this.incarnation || this.scheduler.crash !== undefined) return -1;
    if (!this.scheduler.step()) return -1;
    return this.ioCount++;
  }

  /** Traces an I/O call and its outcome; `note` qualifies the call (see trace.ts). */
  traceIo(name: string, path: string, offset: number, length: number, outcome: string, note = ''): void {
    this.trace.record('io', name, this.clock.now(), this.phase, path, offset, length, outcome, note);
  }

  /**
   * Records and traces a fault firing at I/O `io`; `note` says what it did where the argument
   * alone does not (where a misdirected write lands, which sector reads back as what).
   */
  fire(kind: FaultKind, io: number, arg: number | undefined, path: string, note = ''): void {
    this.faults.record(io, kind, arg, this.phase, this.ioClass);
    this.trace.record('fault', kind, this.clock.now(), this.phase, path, io, arg ?? none, '', note);
  }

  /** An injected error of `code` (without a stack, see disk-error.ts). */
  injected(code: 'EIO' | 'ENOSPC' | 'EXDEV', syscall: string, path: string): IoError {
    return diskError(code, syscall, path, true);
  }

  /**
   * Ends the incarnation: traces the crash and drops its timers. Pending and future I/O of the
   * incarnation never settle.
   */
  crash(kind: CrashKind, path: string | undefined): void {
    this.trace.record('crash', kind, this.clock.now(), this.phase, path, this.ioCount, none, '');
    this.scheduler.crashed(kind);
    this.#onCrash?.(kind);
  }

  /**
   * Whether the write at I/O `io` takes effect late: drawn for every write asked about, so the
   * stream's position depends only on the I/O sequence.
   */
  writeLate(io: number): boolean {
    const reorder = this.reorder;
    if (reorder === undefined) return false;
    const drawn = reorder.rng.next() < reorder.lateWriteProbability;
    return drawn || reorder.lateWrites.has(io);
  }

  /**
   * Runs `effect` later: after a seeded latency, or with latency off after every continuation
   * pending now (a timer of 0 ms), so I/O issued meanwhile takes effect first. A crash drops it
   * with the incarnation's other timers: the write never took effect, and never settles.
   */
  later(effect: () => void): void {
    const latency = this.latency;
    this.clock.setTimer(latency === undefined ? 0 : latency.rng.next() * latency.ioMsMax, effect);
  }

  /** The promise of a completed operation: settled now, or after a seeded latency. */
  deliver<T>(ok: boolean, value: unknown): Promise<T> {
    const latency = this.latency;
    if (latency === undefined) return ok ? Promise.resolve(value as T) : Promise.reject(value);
    const delayMs = latency.rng.next() * latency.ioMsMax;
    return new Promise<T>((resolve, reject) => {
      this.clock.setTimer(delayMs, () => (ok ? resolve(value as T) : reject(value)));
    });
  }
}

/**
 * What a dead process's I/O returns: a promise that never settles, a fresh one each time. A
 * single shared one would collect the reaction of every await on it for the life of the process,
 * and through those keep every crashed run's store, disk and world alive (the mutant benchmark
 * ran out of a 4 GB heap after ~30,000 runs).
 */
export function neverSettles<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
