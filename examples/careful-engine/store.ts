/**
 * The careful store: an append-only log of checksummed records (format.ts), replayed into a map
 * at open (recover.ts), compacted on request. Written only against the file-system port.
 *
 * Files in its directory: `careful.log`, the log; `careful.log.tmp`, a compacted log being
 * written (it only becomes the log by an atomic rename once it is whole and fsynced);
 * `careful.served`, how much of the log the last open served (served.ts), and its temporary
 * `careful.served.tmp`.
 *
 * Durability modes: `strict` acknowledges a commit once its record is fsynced; `none`
 * acknowledges after the write, and `sync()` or a clean `close()` makes everything
 * acknowledged durable.
 *
 * Failures:
 * - A full disk rejects the commit or checkpoint, undoes its partial write (and fsyncs the
 *   undo), and the store goes on.
 * - Any other failed write, and every failed fsync, fails the store: every later call rejects
 *   until it is reopened, and the reopen recovers from what the disk holds. After a failed
 *   fsync the page cache cannot be trusted (Linux may mark the unwritten pages clean, keep them
 *   readable and report the next fsync as a success: "fsyncgate"), so the store first cuts the
 *   log back to the size it last saw fsynced.
 */
import { CarefulClosedError, CarefulCorruptionError, CarefulDiskFullError, CarefulFailedError, CarefulLimitError, hasIoCode } from './errors.ts';
import { batchProblem, encodeRecord, logBytesMax, type CarefulOp } from './format.ts';
import type { FileHandle, FileSystem } from './ports.ts';
import { applyOps, scanLog } from './recover.ts';
import { firstRecordCrc, readServed, servedBound, servedName, servedTmpName, writeServed, type Served } from './served.ts';

/** When a commit is acknowledged (see the module comment). */
export type CarefulSyncMode = 'strict' | 'none';

/** What {@link CarefulStore.open} needs. */
export interface CarefulOptions {
  readonly fs: FileSystem;
  /** The store's directory; created if missing. */
  readonly dir: string;
  /** @defaultValue 'strict' */
  readonly sync?: CarefulSyncMode;
}

export const logName = 'careful.log';
export const tmpName = 'careful.log.tmp';

/** The careful store. See the module comment. */
export class CarefulStore {
  /** Where the next record goes: the end of the last whole record. */
  #size: number;
  /** How much of the log is known fsynced; each record carries it (format.ts). */
  #durableBytes: number;
  #lastCrc: number;
  /** The body checksum of the log's first record (0 while it is empty): the log's identity in careful.served. */
  #firstCrc: number;
  /** What careful.served says now. */
  #served: Served | undefined;
  #failed: unknown;
  #closed = false;
  /** Every writing call runs alone, in call order, so records follow the order of the commits. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private readonly mode: CarefulSyncMode,
    private handle: FileHandle,
    private readonly state: Map<string, Uint8Array>,
    end: number,
    lastCrc: number,
    served: Served,
  ) {
    this.#size = end;
    this.#durableBytes = end;
    this.#lastCrc = lastCrc;
    this.#firstCrc = served.firstCrc;
    this.#served = served;
  }

  /**
   * Opens the store in `options.dir`, recovering from whatever the disk holds.
   * @throws CarefulCorruptionError when the log holds damage a crash cannot explain
   * @throws the file system's error (`EIO`, `ENOSPC`) when recovery cannot read or fsync: try again
   */
  static async open(options: CarefulOptions): Promise<CarefulStore> {
    const { fs, dir } = options;
    await fs.mkdir(dir);
    // One listing, before the log is opened: what it shows is what this open works from.
    const names = await fs.readdir(dir);
    refuseLostLog(dir, names);
    // A compacted log that was never renamed into place was never the log.
    if (names.includes(tmpName)) await fs.unlink(`${dir}/${tmpName}`);
    const served = await readServed(fs, dir, names);
    const path = `${dir}/${logName}`;
    const handle = await fs.open(path, { create: true });
    try {
      const size = await handle.size();
      // The writer never lets the log grow past the limit, and a crash only loses bytes.
      if (size > logBytesMax) throw new CarefulCorruptionError(path, logBytesMax, `the log holds ${size} bytes, more than the ${logBytesMax} this store writes`);
      const bytes = size === 0 ? new Uint8Array(0) : await handle.read(0, size);
      const scan = scanLog(bytes, path, servedBound(served, bytes, path));
      if (scan.end < size) await handle.truncate(scan.end);
      // Even when nothing was cut: after a kill -9 the records just read may exist only in the
      // page cache, and what this open serves must survive a later power loss.
      await handle.datasync();
      // Every open, not only the one that created the log: a creation, rename or unlink by a
      // process killed before its directory fsync is visible now but not yet durable.
      await fs.syncDir(dir);
      const now = { firstCrc: firstRecordCrc(bytes.subarray(0, scan.end)) ?? 0, bytes: scan.end };
      await recordServed(fs, dir, served, now);
      return new CarefulStore(fs, dir, options.sync ?? 'strict', handle, scan.state, scan.end, scan.lastCrc, now);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Commits one batch atomically; resolves once acknowledged under the durability mode.
   * @throws CarefulLimitError, CarefulDiskFullError (nothing written), CarefulFailedError, CarefulClosedError
   */
  commit(ops: readonly CarefulOp[]): Promise<void> {
    return this.#serial(async () => {
      const problem = batchProblem(ops);
      if (problem !== undefined) throw new CarefulLimitError(`batch refused: ${problem}`);
      const { bytes, crc } = encodeRecord(ops, this.#lastCrc, this.#durableBytes);
      if (this.#size + bytes.length > logBytesMax) throw new CarefulLimitError('the log is full; take a checkpoint');
      await this.#append(bytes);
      if (this.#lastCrc === 0 && this.#firstCrc === 0) this.#firstCrc = crc;
      this.#lastCrc = crc;
      if (this.mode === 'strict') await this.#fsync();
      applyOps(this.state, ops);
    });
  }

  /** The value of `key`, as acknowledged so far. */
  get(key: string): Uint8Array | undefined {
    this.#checkUsable('unknown');
    return this.state.get(key);
  }

  /** Every live key and value. */
  entries(): Map<string, Uint8Array> {
    this.#checkUsable('unknown');
    return new Map(this.state);
  }

  /** Makes every acknowledged commit durable (meaningful in `none` mode). */
  sync(): Promise<void> {
    return this.#serial(async () => {
      if (this.#size > this.#durableBytes) await this.#fsync();
    });
  }

  /**
   * Compacts the log to one record holding the whole state: written to a temporary file,
   * fsynced, renamed over the log, then the directory fsynced. Either name holds the same
   * state, so a crash anywhere in between loses nothing.
   * @throws CarefulDiskFullError or CarefulLimitError (the log is untouched), CarefulFailedError
   */
  checkpoint(): Promise<void> {
    return this.#serial(async () => {
      const ops: CarefulOp[] = [...this.state].map(([key, value]) => ({ type: 'put', key, value }));
      const { bytes, crc } = encodeRecord(ops, 0, 0);
      const tmpPath = `${this.dir}/${tmpName}`;
      const tmp = await this.#writeTemporary(tmpPath, bytes);
      try {
        await tmp.datasync();
        await tmp.close();
        await this.fs.rename(tmpPath, `${this.dir}/${logName}`);
        const old = this.handle;
        this.handle = await this.fs.open(`${this.dir}/${logName}`);
        this.#size = bytes.length;
        this.#durableBytes = bytes.length;
        this.#lastCrc = crc;
        // The old log is unlinked now; closing it only releases it.
        await old.close().catch(() => undefined);
        // Until the rename is durable a power loss may bring the old log back, and commits
        // appended to the new one would go with it.
        await this.fs.syncDir(this.dir);
        // Before any append: the new log is whole and fsynced, all of it served.
        this.#firstCrc = crc;
        this.#served = { firstCrc: crc, bytes: bytes.length };
        await writeServed(this.fs, this.dir, this.#served);
      } catch (error) {
        await tmp.close().catch(() => undefined);
        throw await this.#fail(error, 'checkpoint');
      }
    });
  }

  /**
   * Clean shutdown: makes everything acknowledged durable and releases the log.
   * @throws CarefulFailedError when the store had failed or the final fsync fails
   */
  close(): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#closed) throw new CarefulClosedError('the store is already closed');
      this.#closed = true;
      // A failed store cannot close cleanly: what it acknowledged may not be on disk.
      if (this.#failed !== undefined) {
        await this.handle.close().catch(() => undefined);
        throw new CarefulFailedError('the store had failed; it was not closed cleanly', 'unknown', { cause: this.#failed });
      }
      try {
        if (this.#size > this.#durableBytes) await this.handle.datasync();
        this.#durableBytes = this.#size;
        // A clean close vouches for every record it leaves, as an open does for what it served.
        await recordServed(this.fs, this.dir, this.#served, { firstCrc: this.#firstCrc, bytes: this.#size });
      } catch (error) {
        const failure = await this.#fail(error, 'close');
        await this.handle.close().catch(() => undefined);
        throw failure;
      }
      await this.handle.close();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Writes a record at the end of the log; on a full disk, undoes the partial write. */
  async #append(bytes: Uint8Array): Promise<void> {
    try {
      await this.handle.write(this.#size, bytes);
    } catch (error) {
      if (!hasIoCode(error, 'ENOSPC')) throw await this.#fail(error, 'append');
      // A prefix of the record may have landed. Cut it off and fsync the cut, so that no later
      // crash can bring the prefix back ahead of the next record.
      try {
        await this.handle.truncate(this.#size);
        await this.handle.datasync();
      } catch (cutError) {
        throw await this.#fail(cutError, 'undoing a write on a full disk');
      }
      this.#durableBytes = this.#size;
      throw new CarefulDiskFullError('the disk is full; the commit was not written', { cause: error });
    }
    this.#size += bytes.length;
  }

  async #fsync(): Promise<void> {
    try {
      await this.handle.datasync();
    } catch (error) {
      throw await this.#fail(error, 'fsync');
    }
    this.#durableBytes = this.#size;
  }

  /**
   * Creates the temporary file and writes `bytes` into it. On a full disk removes it again
   * and rejects with {@link CarefulDiskFullError}: the log is untouched, so the store goes on.
   */
  async #writeTemporary(path: string, bytes: Uint8Array): Promise<FileHandle> {
    let tmp: FileHandle | undefined;
    try {
      tmp = await this.fs.open(path, { create: true, truncate: true });
      await tmp.write(0, bytes);
      return tmp;
    } catch (error) {
      if (!hasIoCode(error, 'ENOSPC')) {
        await tmp?.close().catch(() => undefined);
        throw await this.#fail(error, 'checkpoint');
      }
      try {
        await tmp?.close();
        if (tmp !== undefined) await this.fs.unlink(path);
      } catch (cleanupError) {
        throw await this.#fail(cleanupError, 'removing a checkpoint on a full disk');
      }
      throw new CarefulDiskFullError('the disk is full; no checkpoint was taken', { cause: error });
    }
  }

  /**
   * Fails the store after `cause` (see the module comment) and returns the error to reject
   * with. The log is cut back to its last fsynced size, so the reopen reads the disk, not a
   * page cache that may hold pages Linux will never write.
   */
  async #fail(cause: unknown, during: string): Promise<CarefulFailedError> {
    this.#failed ??= cause;
    await this.handle.truncate(this.#durableBytes).catch(() => undefined);
    return new CarefulFailedError(`the store failed during ${during}; reopen it`, 'unknown', { cause });
  }

  /** Throws when the store is closed or failed; `outcome` is what a refused commit is told. */
  #checkUsable(outcome: 'absent' | 'unknown'): void {
    if (this.#closed) throw new CarefulClosedError('the store is closed');
    if (this.#failed !== undefined) throw new CarefulFailedError('the store has failed; reopen it', outcome, { cause: this.#failed });
  }

  /** Runs `work` after every earlier call, once the store is known usable. */
  #serial(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => {
      // Nothing of a call refused here was written: a commit is absent for good.
      this.#checkUsable('absent');
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Writes what this open served, when it differs from what the file already says. */
async function recordServed(fs: FileSystem, dir: string, before: Served | undefined, now: Served): Promise<void> {
  if (before !== undefined && before.bytes === now.bytes && before.firstCrc === now.firstCrc) return;
  await writeServed(fs, dir, now);
}

/**
 * Refuses a store whose log is gone while another of its files is there. The log is created,
 * and its name made durable, before any other file of the store is written, so such a file
 * proves there was a log: it was lost (damage), and starting an empty one would lose its commits
 * silently. Checked before anything is created or removed, so every later open refuses too.
 * @throws CarefulCorruptionError naming the log
 */
function refuseLostLog(dir: string, names: readonly string[]): void {
  if (names.includes(logName)) return;
  const witness = [servedName, servedTmpName, tmpName].find((name) => names.includes(name));
  if (witness !== undefined) throw new CarefulCorruptionError(`${dir}/${logName}`, 0, `the log is gone, but ${witness} shows this store had one (a lost file)`);
}
