/**
 * A synchronous path into the simulated disk: the same operations as sim/disk/sim-fs.ts and
 * sim/disk/sim-handle.ts, on the same {@link IoKernel} (disk, fault injector, trace, step budget),
 * but returning their result instead of a promise.
 *
 * Why it exists: Node's `fs.*Sync` calls must return at once, and a promise cannot be read
 * synchronously. Both ports run the very same operation descriptions (sim/disk/file-ops.ts and
 * sim/disk/namespace-ops.ts) through the same lifecycle (sim/disk/perform.ts `runOperation`);
 * only the driver differs: {@link performSync} returns the value instead of delivering a promise.
 * So both leave the same disk state, the same fault decisions (same eligibility masks, same
 * argument streams) and the same trace events. test/facade/sync-port.test.ts checks that the two
 * paths leave identical trace digests on the same operation sequence with faults.
 *
 * Differences, on purpose:
 * - latency is never drawn: a synchronous call cannot wait for simulated time;
 * - a crash cannot make a synchronous call "never return": it throws {@link ProcessCrashedError},
 *   and so does every later call of the dead incarnation;
 * - `stat` is an extra operation (the engine's port has none), traced as `stat`;
 * - `writeSome` and `rename(from, to, true)` have the contracts of `write(2)` and `rename(2)`
 *   (short counts, `EXDEV`) that the fs facade needs and the engine's port does not promise.
 */
import type { FileState } from './file-state.ts';
import { closeOp, OpenFile, readOp, sizeOp, syncOp, truncateOp, writeOp } from './file-ops.ts';
import type { IoKernel } from './kernel.ts';
import {
  existsOp,
  mkdirOp,
  rmdirOp,
  openOp,
  readdirOp,
  renameOp,
  linkOp,
  statOp,
  symlinkOp,
  syncDirOp,
  unlinkOp,
  type EntryStat,
} from './namespace-ops.ts';
import { runOperation, type Operation, type OperationEnds } from './perform.ts';

/**
 * The simulated process died (kill -9 or power loss fired, or an earlier one did), or ran out of
 * steps. A synchronous call cannot hang like the asynchronous port does, so it throws this; the
 * workload runner treats it as the end of the incarnation, never as a library error.
 *
 * It has no `code`, unlike every error a file-system call throws: code that maps an error with a
 * code to an errno and carries on (Emscripten's NODEFS, under PGlite's Postgres, took it for an
 * unknown errno, and Postgres went on calling a dead process's fs until the watchdog ended the
 * run) lets one without a code through, as it does any error that is not the file system's.
 * Within powercut it is told apart by class (`instanceof`), in this realm only.
 */
export class ProcessCrashedError extends Error {
  override readonly name = 'ProcessCrashedError';
  /** @param syscall - the call that found the process dead */
  constructor(readonly syscall: string) {
    super(`powercut: the simulated process is dead (crash or step budget), at ${syscall}`);
  }
}

/** The synchronous ends: return the value, throw the error, throw {@link ProcessCrashedError}. */
const syncEnds: OperationEnds<unknown> = {
  dead: (label) => {
    throw new ProcessCrashedError(label.name);
  },
  succeeded: (_kernel, value) => value,
  failed: (_kernel, error) => {
    throw error;
  },
};

/**
 * Runs one operation synchronously: count it, ask the fault injector, run it or crash there,
 * trace the outcome, return. The synchronous twin of sim/disk/perform.ts `perform`.
 * @param incarnation - the incarnation of the calling file system
 * @returns the operation's result
 * @throws ProcessCrashedError when the incarnation is dead or a crash fires here
 * @throws IoError from the operation
 */
export function performSync<T>(kernel: IoKernel, incarnation: number, op: Operation<T>): T {
  try {
    return runOperation(kernel, incarnation, op, syncEnds) as T;
  } catch (error) {
    if (error instanceof ProcessCrashedError) noteDeadCall(kernel, incarnation, error.syscall);
    throw error;
  }
}

/**
 * Calls of one dead incarnation heard quietly: code that unwinds after the crash makes a few (a
 * `finally` that closes, a cleanup loop over a folder); past these, {@link onDeadCalls}'s
 * listener hears of each, to tell a loop that catches the crash and calls again from them.
 */
export const deadCallsQuiet = 20;

let deadCallListener: ((syscall: string, calls: number) => void) | undefined;
const deadCalls = new WeakMap<IoKernel, { incarnation: number; calls: number }>();

/**
 * Tells `listener` (undefined: nobody) of every synchronous call a dead incarnation makes past the
 * first {@link deadCallsQuiet}: a library that catches {@link ProcessCrashedError} and retries in
 * a synchronous loop (sonic-boom 4's `flushSync` sleeps and retries on any error) never gives the
 * world a turn again, and only the watchdog can end it (harness/watchdog.ts).
 */
export function onDeadCalls(listener: ((syscall: string, calls: number) => void) | undefined): void {
  deadCallListener = listener;
}

function noteDeadCall(kernel: IoKernel, incarnation: number, syscall: string): void {
  if (deadCallListener === undefined) return;
  let seen = deadCalls.get(kernel);
  if (seen === undefined || seen.incarnation !== incarnation) {
    seen = { incarnation, calls: 0 };
    deadCalls.set(kernel, seen);
  }
  seen.calls++;
  if (seen.calls > deadCallsQuiet) deadCallListener(syscall, seen.calls);
}

/** What `stat` returns: the kind of entry, and for files the inode and size. */
export type SyncStat = EntryStat;

/** An open file of the synchronous port (one inode, one incarnation). */
export class SyncFile {
  readonly #open: OpenFile;

  /**
   * @param kernel - the world's shared I/O state
   * @param incarnation - the incarnation that opened the file
   * @param path - the path it was opened by
   * @param file - the inode
   */
  constructor(
    readonly kernel: IoKernel,
    readonly incarnation: number,
    readonly path: string,
    readonly file: FileState,
  ) {
    this.#open = new OpenFile(kernel, path, file);
  }

  /** Reads up to `length` bytes at `position` (fewer at end of file). */
  read(position: number, length: number): Uint8Array {
    return performSync(this.kernel, this.incarnation, readOp(this.#open, position, length));
  }

  /** Writes all of `data` at `position` (`append`: at the end). @throws IoError ENOSPC after a short write */
  write(position: number, data: Uint8Array, name: 'write' | 'append' = 'write'): void {
    performSync(this.kernel, this.incarnation, writeOp(this.#open, name, position, data));
  }

  /**
   * Writes `data` at `position` as `write(2)` does: a prefix may land, and its length is
   * returned (a `short-write` fault, or a disk that fills part way). The fs facade's write.
   * @returns the bytes written, from 1 to `data.length` (0 only for empty `data`)
   * @throws IoError ENOSPC when not one byte fits
   */
  writeSome(position: number, data: Uint8Array, name: 'write' | 'append' = 'write'): number {
    return performSync(this.kernel, this.incarnation, writeOp(this.#open, name, position, data, true));
  }

  /** The size reads see. */
  size(): number {
    return performSync(this.kernel, this.incarnation, sizeOp(this.#open));
  }

  /** Cuts or zero-extends the file. */
  truncate(size: number): void {
    performSync(this.kernel, this.incarnation, truncateOp(this.#open, size));
  }

  /** fsync (`sync`) or fdatasync (`datasync`): both make data and size durable. */
  sync(name: 'sync' | 'datasync' = 'sync'): void {
    performSync(this.kernel, this.incarnation, syncOp(this.#open, name));
  }

  /** Releases the handle; does not sync. */
  close(): void {
    performSync(this.kernel, this.incarnation, closeOp(this.#open));
  }
}

/** The namespace operations of the synchronous port, for the kernel's current incarnation. */
export class SyncFileSystem {
  /** @param kernel - the world's shared I/O state */
  constructor(readonly kernel: IoKernel) {}

  /** The incarnation new calls belong to (the kernel's current one). */
  get incarnation(): number {
    return this.kernel.incarnation;
  }

  /**
   * Opens (with `create`, creates) a file.
   * @param note - the open as the caller named it, for the trace (`flags=w`); see namespace-ops.ts
   */
  open(path: string, options: { create?: boolean; exclusive?: boolean; truncate?: boolean } = {}, note?: string): SyncFile {
    const k = this.kernel;
    const incarnation = k.incarnation;
    return performSync(k, incarnation, openOp(k, path, options, (file) => new SyncFile(k, incarnation, path, file), note));
  }

  /**
   * Renames a file, replacing the target.
   * @param exdevEligible - may fail with an injected `EXDEV` (the fs facade's renames)
   */
  rename(from: string, to: string, exdevEligible = false): void {
    performSync(this.kernel, this.kernel.incarnation, renameOp(this.kernel, from, to, exdevEligible));
  }

  /** Removes a file. */
  unlink(path: string): void {
    performSync(this.kernel, this.kernel.incarnation, unlinkOp(this.kernel, path));
  }

  /** Removes an empty directory, durable at once (Node's `fs` has it; the engine's port does not). */
  rmdir(path: string): void {
    performSync(this.kernel, this.kernel.incarnation, rmdirOp(this.kernel, path));
  }

  /** Creates a directory and its missing parents (durable at once, see disk.ts). */
  mkdir(path: string): void {
    performSync(this.kernel, this.kernel.incarnation, mkdirOp(this.kernel, path));
  }

  /** The sorted names in a directory. */
  readdir(path: string): string[] {
    return performSync(this.kernel, this.kernel.incarnation, readdirOp(this.kernel, path));
  }

  /** Whether anything exists at `path`. */
  exists(path: string): boolean {
    return performSync(this.kernel, this.kernel.incarnation, existsOp(this.kernel, path));
  }

  /** A hard link: `to` names the file `from` names. @throws IoError ENOENT, ENOTDIR, EEXIST, EISDIR */
  link(from: string, to: string): void {
    performSync(this.kernel, this.kernel.incarnation, linkOp(this.kernel, from, to));
  }

  /** A symbolic link at `path` holding `target`. @throws IoError ENOENT, ENOTDIR, EEXIST */
  symlink(target: string, path: string): void {
    performSync(this.kernel, this.kernel.incarnation, symlinkOp(this.kernel, target, path));
  }

  /** fsync of a directory. */
  syncDir(path: string): void {
    performSync(this.kernel, this.kernel.incarnation, syncDirOp(this.kernel, path));
  }

  /**
   * What is at `path`, traced as `name` (the call that looks it up). @throws IoError ENOENT, ENOTDIR
   */
  stat(path: string, name = 'stat'): SyncStat {
    return performSync(this.kernel, this.kernel.incarnation, statOp(this.kernel, path, name));
  }
}
