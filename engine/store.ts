/**
 * The store: a write-ahead-log key-value store over the file-system and clock ports.
 *
 * Every write goes through one FIFO of tasks run by a single writer loop, so frames reach the
 * log in the order `commit` was called and LSNs grow by one per commit. Jobs (sync,
 * checkpoint, close) wait their turn in the same FIFO, so they see every commit issued before
 * them. The in-memory state changes only when a commit is acknowledged, so `get` never returns
 * data that was not acknowledged.
 *
 * Failure policy (FIELD-NOTES: after a failed fsync the page cache can lie, and a retried fsync
 * can succeed with the data lost): any failed fsync, any failed write other than a clean
 * `ENOSPC`, and any failure to publish a rename makes the store *failed*. Every later
 * operation rejects with `StoreFailedError` until the store is reopened, which recovers from
 * what is really on disk. A clean `ENOSPC` (the partial frame could be cut off again) rejects
 * just that commit with `DiskFullError` and the store stays usable.
 */
import { assert } from './assert.ts';
import { validateBatch } from './batch.ts';
import { DiskFullError, StoreClosedError, StoreFailedError, InvalidArgumentError, type StoreError } from './errors.ts';
import { publishFile, removeQuietly, stageFile } from './files.ts';
import {
  groupCommitMaxBatchDefault, groupCommitMaxDelayMsDefault, segmentSizeBytesDefault, segmentSizeBytesMax,
  segmentSizeBytesMin, walSizeBytesMaxDefault,
} from './limits.ts';
import { encodeManifest, manifestFileName, type Manifest } from './manifest.ts';
import type { Clock, Timer } from './ports/clock.ts';
import { isIoError, joinPath, type FileSystem } from './ports/fs.ts';
import { recover, type ActiveSegment } from './recover.ts';
import { encodeSnapshot, snapshotName } from './snapshot.ts';
import type { EngineProbe } from './probes.ts';
import type { EnginePhase, Op, ReplayStats, StoreMetrics, StoreOptions, SyncMode } from './types.ts';
import { encodeBatch, encodeFrame, segmentHeaderBytes } from './wal/format.ts';
import { createSegment, SegmentPublishError, segmentName, sidecarName } from './wal/segments.ts';
import { encodeSidecar } from './wal/sidecar.ts';

interface CommitTask {
  readonly kind: 'commit';
  readonly ops: readonly Op[];
  readonly resolve: (lsn: number) => void;
  readonly reject: (error: unknown) => void;
}

interface JobTask {
  readonly kind: 'job';
  /** The shutdown job of `close()`: the one job that still runs on a failed store. */
  readonly close?: boolean;
  readonly run: () => Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

type Task = CommitTask | JobTask;

/** Resolved options with defaults applied. */
interface Settings {
  readonly sync: SyncMode;
  readonly segmentSizeBytes: number;
  readonly walSizeBytesMax: number;
  readonly groupCommitMaxDelayMs: number;
  readonly groupCommitMaxBatch: number;
  readonly sidecarEveryFrames: number;
}

function settingsOf(options: StoreOptions): Settings {
  const settings: Settings = {
    sync: options.sync ?? 'strict',
    segmentSizeBytes: options.segmentSizeBytes ?? segmentSizeBytesDefault,
    walSizeBytesMax: options.walSizeBytesMax ?? walSizeBytesMaxDefault,
    groupCommitMaxDelayMs: options.groupCommitMaxDelayMs ?? groupCommitMaxDelayMsDefault,
    groupCommitMaxBatch: options.groupCommitMaxBatch ?? groupCommitMaxBatchDefault,
    sidecarEveryFrames: options.sidecarEveryFrames ?? 0,
  };
  if (!['strict', 'group', 'none'].includes(settings.sync)) throw new InvalidArgumentError(`unknown sync mode '${String(settings.sync)}'`);
  const { segmentSizeBytes, walSizeBytesMax, groupCommitMaxDelayMs, groupCommitMaxBatch, sidecarEveryFrames } = settings;
  if (!Number.isSafeInteger(segmentSizeBytes) || segmentSizeBytes < segmentSizeBytesMin || segmentSizeBytes > segmentSizeBytesMax) {
    throw new InvalidArgumentError(`segmentSizeBytes must be an integer in [${segmentSizeBytesMin}, ${segmentSizeBytesMax}]`);
  }
  if (!(walSizeBytesMax >= segmentSizeBytes)) throw new InvalidArgumentError('walSizeBytesMax must be at least segmentSizeBytes');
  if (!(groupCommitMaxDelayMs >= 0)) throw new InvalidArgumentError('groupCommitMaxDelayMs must be at least 0');
  if (!Number.isSafeInteger(groupCommitMaxBatch) || groupCommitMaxBatch < 1) throw new InvalidArgumentError('groupCommitMaxBatch must be a positive integer');
  if (!Number.isSafeInteger(sidecarEveryFrames) || sidecarEveryFrames < 0) throw new InvalidArgumentError('sidecarEveryFrames must be a non-negative integer');
  return settings;
}

/** A write-ahead-log key-value store. Open one with {@link Store.open}. */
export class Store {
  private readonly tasks: Task[] = [];
  private running = false;
  private wakeLeader: (() => void) | undefined;
  private failure: StoreFailedError | undefined;
  private closing = false;
  private closingDone: Promise<void> | undefined;
  private closed = false;
  private writtenLsn: number;
  private durableLsn: number;
  /** Size of the active segment at its last successful fsync. */
  private durableSize: number;
  /**
   * Whether the active segment changed since its last successful fsync. Tracked apart from the
   * LSNs because a change need not add a frame: cutting a partial frame off after `ENOSPC`
   * must be made durable too (handleWriteError fsyncs it through syncActive at once), or a
   * power loss can bring the frames back: whole ones as commits that were rejected as absent,
   * a partial one inside a segment that is later sealed as fully synced.
   */
  private activeDirty = false;
  private counters = { fsyncCount: 0, sidecarRewrites: 0, checkpoints: 0, segmentsPruned: 0, commits: 0, groupSyncs: 0 };

  private constructor(
    private readonly fs: FileSystem,
    private readonly clock: Clock,
    private readonly dir: string,
    private readonly settings: Settings,
    private readonly probe: (phase: EnginePhase) => void,
    private readonly state: Map<string, Uint8Array>,
    private manifest: Manifest,
    private active: ActiveSegment,
    private readonly sealedBytes: Map<number, number>,
    /** What recovery did when this store was opened. */
    readonly replayStats: ReplayStats,
  ) {
    this.writtenLsn = replayStats.lastLsn;
    this.durableLsn = replayStats.lastLsn;
    this.durableSize = active.size;
  }

  /**
   * Opens (creating if needed) the store in `options.dir` and recovers it from disk.
   * @param options - file system, clock, directory, durability mode and limits
   * @returns the open store; {@link Store.replayStats} says what recovery did
   * @throws CorruptionError when durable data is damaged (names the file and offset)
   * @throws UnsupportedVersionError when the manifest was written by an unknown format version
   * @throws InvalidArgumentError for bad options; IoError when the file system fails
   */
  static async open(options: StoreOptions): Promise<Store> {
    const settings = settingsOf(options);
    const probe = options.probe ?? (() => undefined);
    const onProbe = options.onProbe ?? (() => undefined);
    const recovered = await recover({ fs: options.fs, dir: options.dir, clock: options.clock, probe, onProbe });
    const store = new Store(
      options.fs, options.clock, options.dir, settings, probe, recovered.state, recovered.manifest,
      recovered.active, recovered.sealedBytes, recovered.stats,
    );
    store.onProbe = onProbe;
    return store;
  }

  /**
   * Commits one batch atomically: after any crash, either every operation of it is recovered
   * or none is. Resolves when the batch is acknowledged under the store's sync mode.
   * @param ops - puts and deletes, applied in order
   * @returns the commit's LSN (the previous commit's plus one)
   * @throws LimitExceededError, InvalidArgumentError (nothing written)
   * @throws DiskFullError (nothing of the batch will be recovered; the store stays usable)
   * @throws StoreFailedError (the store must be reopened; `commitOutcome` says whether the
   *   batch may still be recovered)
   * @throws StoreClosedError
   */
  async commit(ops: readonly Op[]): Promise<{ lsn: number }> {
    validateBatch(ops);
    this.checkOpen();
    const lsn = await new Promise<number>((resolve, reject) => {
      this.enqueue({ kind: 'commit', ops, resolve, reject });
    });
    return { lsn };
  }

  /** The value of `key` as of the last acknowledged commit, or `undefined`. */
  get(key: string): Uint8Array | undefined {
    if (this.closed) throw new StoreClosedError();
    return this.state.get(key);
  }

  /** Every live key and value, as of the last acknowledged commit, in no particular order. */
  entries(): IterableIterator<[string, Uint8Array]> {
    if (this.closed) throw new StoreClosedError();
    return this.state.entries();
  }

  /**
   * Makes every acknowledged commit durable (the only way to do so in `none` mode, besides
   * `close`). @throws StoreFailedError if the fsync fails
   */
  async sync(): Promise<void> {
    this.checkOpen();
    await this.runJob(() => this.syncActive());
  }

  /**
   * Writes a snapshot of the state, records it in the manifest, and prunes the segments it
   * covers. @throws DiskFullError (the store stays usable), StoreFailedError
   */
  async checkpoint(): Promise<void> {
    this.checkOpen();
    await this.runJob(() => this.runCheckpoint());
  }

  /**
   * Clean shutdown: syncs the log, writes the active segment's sidecar, and records the clean
   * close in the manifest, so the next open reports `uncleanShutdown: false`. Closing a failed
   * store releases its files and rejects with `StoreFailedError`: it was not a clean shutdown.
   * @throws StoreFailedError when the store had failed (its files are released all the same)
   */
  async close(): Promise<void> {
    // A second call waits for the first, so that "close resolved" always means "closed".
    this.closingDone ??= new Promise<void>((resolve, reject) => {
      this.closing = true;
      this.enqueue({ kind: 'job', close: true, run: () => this.shutdown(), resolve, reject });
    });
    await this.closingDone;
  }

  /** Counters of the open store. */
  metrics(): StoreMetrics {
    return {
      writtenLsn: this.writtenLsn,
      durableLsn: this.durableLsn,
      walBytes: this.walBytes(),
      segmentCount: this.sealedBytes.size + 1,
      keyCount: this.state.size,
      ...this.counters,
    };
  }

  private walBytes(): number {
    let bytes = this.active.size;
    for (const size of this.sealedBytes.values()) bytes += size;
    return bytes;
  }

  private checkOpen(): void {
    if (this.closing || this.closed) throw new StoreClosedError();
    if (this.failure) throw this.failedError('absent');
  }

  private failedError(outcome: StoreError['commitOutcome']): StoreFailedError {
    assert(this.failure !== undefined, 'a failed error needs a failure');
    const error = new StoreFailedError(this.failure.reason, this.failure.cause);
    error.commitOutcome = outcome;
    return error;
  }

  private runJob(run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ kind: 'job', run, resolve, reject });
    });
  }

  private enqueue(task: Task): void {
    this.tasks.push(task);
    if (this.wakeLeader && this.leadingCommits() >= this.settings.groupCommitMaxBatch) this.wakeLeader();
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
  }

  private leadingCommits(): number {
    let count = 0;
    while (count < this.tasks.length && this.tasks[count]!.kind === 'commit') count++;
    return count;
  }

  /** The writer loop. It never throws: every error is delivered to the task it belongs to. */
  private async drain(): Promise<void> {
    try {
      while (this.tasks.length > 0) {
        const head = this.tasks[0]!;
        if (head.kind === 'job') {
          this.tasks.shift();
          try {
            // A sync or checkpoint queued before a failure must not run after it, even while
            // the store closes: its fsync would "succeed" on what the failure cut or ext4 marked
            // clean, and it would resolve as if what it covers were durable.
            if (this.failure && head.close !== true) throw this.failedError('absent');
            await head.run();
            head.resolve();
          } catch (error) {
            head.reject(error);
          }
          continue;
        }
        if (this.settings.sync === 'group') await this.gatherGroup();
        const take = this.settings.sync === 'strict' ? 1 : Math.min(this.leadingCommits(), this.settings.groupCommitMaxBatch);
        const group = this.tasks.splice(0, take) as CommitTask[];
        try {
          await this.writeGroup(group);
          await this.autoCheckpoint();
        } catch (error) {
          // Only a bug gets here (typed failures are handled where they happen). Fail the store
          // with it, so that it surfaces in the next operation instead of vanishing.
          this.fail('internal error', error);
          for (const task of group) task.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** In `group` mode, waits up to `groupCommitMaxDelayMs` for more commits to share the fsync. */
  private async gatherGroup(): Promise<void> {
    if (this.leadingCommits() >= this.settings.groupCommitMaxBatch) return;
    await new Promise<void>((resolve) => {
      let timer: Timer | undefined;
      const wake = (): void => {
        timer?.cancel();
        this.wakeLeader = undefined;
        resolve();
      };
      this.wakeLeader = wake;
      timer = this.clock.setTimer(this.settings.groupCommitMaxDelayMs, wake);
    });
  }

  /** Told each rare branch the store takes (probes.ts); set once, right after construction. */
  private onProbe: (probe: EngineProbe) => void = () => undefined;

  /** Marks the store failed and rejects every queued commit (none of them was written) and job but close's. */
  private fail(reason: string, cause: unknown): StoreFailedError {
    if (!this.failure) {
      this.failure = new StoreFailedError(reason, cause);
      this.onProbe('store.failed');
    }
    for (const task of this.tasks.splice(0)) {
      if (task.kind === 'commit') task.reject(this.failedError('absent'));
      else if (task.close === true) this.tasks.push(task);
      else task.reject(this.failedError('absent'));
    }
    return this.failure;
  }

  /** Writes a group of commits as consecutive frames with one write, then fsyncs once. */
  private async writeGroup(group: CommitTask[]): Promise<void> {
    if (this.failure) {
      for (const task of group) task.reject(this.failedError('absent'));
      return;
    }
    if (this.active.size >= this.settings.segmentSizeBytes && this.active.offsets.length > 0) {
      try {
        await this.rotate();
      } catch (error) {
        const rejection = this.failure ? this.failedError('absent') : error;
        for (const task of group) task.reject(rejection);
        return;
      }
    }
    const firstLsn = this.writtenLsn + 1;
    const frames = group.map((task, i) => encodeFrame(firstLsn + i, this.durableLsn, encodeBatch(task.ops)));
    const bytes = concat(frames);
    const offset = this.active.size;
    this.probe('wal.append');
    this.activeDirty = true;
    try {
      await this.active.handle.write(offset, bytes);
    } catch (error) {
      await this.handleWriteError(group, offset, error);
      return;
    }
    let at = offset;
    for (const frame of frames) {
      this.active.offsets.push(at);
      at += frame.length;
    }
    this.active.size = at;
    this.writtenLsn = firstLsn + group.length - 1;
    if (this.settings.sync !== 'none') {
      this.probe('wal.sync');
      try {
        await this.datasyncActive();
      } catch (error) {
        this.fail('fsync of the WAL failed', error);
        for (const task of group) task.reject(this.failedError('unknown'));
        return;
      }
      if (this.settings.sync === 'group') this.counters.groupSyncs++;
    }
    group.forEach((task, i) => {
      for (const op of task.ops) {
        if (op.type === 'put') this.state.set(op.key, op.value);
        else this.state.delete(op.key);
      }
      this.counters.commits++;
      task.resolve(firstLsn + i);
    });
    const every = this.settings.sidecarEveryFrames;
    if (every > 0 && this.active.offsets.length % every === 0) {
      // The commits are acknowledged already; a failure here is recorded as the store's failure
      // and reported to the next operation.
      await this.rewriteActiveSidecar().catch(rethrowUnlessStoreError);
    }
  }

  /**
   * A write of frames failed. On `ENOSPC` the partial frames are cut off again so that no later
   * frame is ever appended after garbage (RocksDB and etcd both refuse logs with holes), and the
   * cut is fsynced before the commits are rejected as absent. The fsync is what makes "absent"
   * true: a short write of a group can land whole frames (the first commits of the group fit,
   * the rest did not), and both the write and the cut are only in the page cache. A power loss
   * may keep the write and lose the cut, and recovery would then replay intact frames of
   * commits the caller was told will never be recovered (the finding `enospc-resurrect`, in
   * `none` and `group` mode). If the cut or its fsync fails, the store fails and the commits are
   * in doubt. Any other write failure fails the store too: frames may or may not be on disk.
   */
  private async handleWriteError(group: CommitTask[], offset: number, error: unknown): Promise<void> {
    if (!isIoError(error, 'ENOSPC')) {
      this.fail('write to the WAL failed', error);
      for (const task of group) task.reject(this.failedError('unknown'));
      return;
    }
    try {
      await this.active.handle.truncate(offset);
    } catch (truncateError) {
      this.fail('could not cut a partial frame after ENOSPC', truncateError);
      for (const task of group) task.reject(this.failedError('unknown'));
      return;
    }
    try {
      await this.syncActive();
    } catch {
      // syncActive failed the store: whether the frames or the cut reached the disk is unknown.
      for (const task of group) task.reject(this.failedError('unknown'));
      return;
    }
    this.onProbe('commit.enospc-cut-fsynced');
    for (const task of group) task.reject(new DiskFullError(this.active.handle.path, error));
  }

  /**
   * fdatasyncs the active segment. On failure, cuts the segment back to its last durable size
   * before failing the store: after a failed fsync ext4 marks the pages clean while the disk
   * may not hold them, so a restart after a kill -9 would otherwise replay frames from the
   * page cache that a later power loss takes back (fsyncgate). The cut is best effort.
   */
  private async datasyncActive(): Promise<void> {
    try {
      await this.active.handle.datasync();
    } catch (error) {
      await this.active.handle.truncate(this.durableSize).catch(() => undefined);
      throw error;
    }
    this.counters.fsyncCount++;
    this.durableLsn = this.writtenLsn;
    this.durableSize = this.active.size;
    this.activeDirty = false;
  }

  private async syncActive(): Promise<void> {
    if (!this.activeDirty) return;
    this.probe('wal.sync');
    try {
      await this.datasyncActive();
    } catch (error) {
      throw this.fail('fsync of the WAL failed', error);
    }
  }

  /**
   * Seals the active segment and starts the next: sync the old segment (LevelDB #193 lost a
   * newer write while keeping an older one without it), write its complete sidecar, then
   * create the next segment durably (segments.ts).
   * @throws DiskFullError (the store stays on the old segment), StoreFailedError
   */
  private async rotate(): Promise<void> {
    this.probe('segment.rotate');
    await this.syncActive();
    await this.rewriteActiveSidecar();
    const seq = this.active.seq + 1;
    this.probe('segment.rotate');
    let handle;
    try {
      handle = await createSegment(this.fs, this.dir, seq, this.writtenLsn + 1);
    } catch (error) {
      throw this.asStagingError(error, 'could not create the next segment', joinPath(this.dir, segmentName(seq)));
    }
    const old = this.active;
    this.sealedBytes.set(old.seq, old.size);
    this.active = { handle, seq, baseLsn: this.writtenLsn + 1, size: segmentHeaderBytes, offsets: [] };
    this.durableSize = segmentHeaderBytes;
    this.activeDirty = false;
    await old.handle.close().catch(() => undefined);
  }

  /**
   * Maps a failure of a durable file replacement: `ENOSPC` while staging changed nothing and
   * becomes `DiskFullError`; anything else (an fsync error, a failed publish) fails the store.
   */
  private asStagingError(error: unknown, reason: string, path: string): Error {
    if (isIoError(error, 'ENOSPC') && !(error instanceof SegmentPublishError) && error.syscall !== 'sync') {
      return new DiskFullError(path, error);
    }
    if (!isIoError(error) && !(error instanceof SegmentPublishError)) throw error;
    return this.fail(reason, error);
  }

  /** Rewrites the active segment's sidecar (tmp, fsync, rename, directory fsync). */
  private async rewriteActiveSidecar(): Promise<void> {
    const name = sidecarName(segmentName(this.active.seq));
    const target = joinPath(this.dir, name);
    const bytes = encodeSidecar({
      seq: this.active.seq, baseLsn: this.active.baseLsn,
      syncedLsn: Math.min(this.durableLsn, this.active.baseLsn + this.active.offsets.length - 1),
      offsets: this.active.offsets, endOffset: this.active.size,
    });
    this.probe('sidecar.rewrite');
    try {
      await stageFile(this.fs, `${target}.tmp`, bytes);
    } catch (error) {
      // The sidecar is a cache that recovery rebuilds; a full disk must not stop the log.
      if (isIoError(error, 'ENOSPC') && error.syscall !== 'sync') return;
      if (!isIoError(error)) throw error;
      throw this.fail('fsync of a sidecar failed', error);
    }
    try {
      await publishFile(this.fs, this.dir, `${target}.tmp`, target);
    } catch (error) {
      if (!isIoError(error)) throw error;
      throw this.fail('could not publish a sidecar', error);
    }
    this.counters.sidecarRewrites++;
  }

  private async autoCheckpoint(): Promise<void> {
    if (this.failure || this.closing || this.walBytes() <= this.settings.walSizeBytesMax) return;
    try {
      await this.runCheckpoint();
    } catch (error) {
      // A failed automatic checkpoint is retried after the next commit; a store failure is
      // already recorded and reported to every later operation.
      if (!(error instanceof DiskFullError) && !(error instanceof StoreFailedError)) throw error;
    }
  }

  /**
   * Checkpoint: seal the active segment (which fsyncs the log, so the snapshot never covers
   * frames the log could lose), write the snapshot durably, point the manifest at it durably,
   * and only then prune: unlinking segments before the manifest is durable would leave the old
   * manifest pointing at a log with a hole (LevelDB #195).
   */
  /** A checkpoint; one that stops on a full disk (the store still usable) is a rare branch. */
  private async runCheckpoint(): Promise<void> {
    try {
      await this.checkpointSteps();
    } catch (error) {
      if (error instanceof DiskFullError) this.onProbe('checkpoint.disk-full');
      throw error;
    }
  }

  private async checkpointSteps(): Promise<void> {
    this.probe('checkpoint');
    if (this.active.offsets.length > 0) await this.rotate();
    const lsn = this.writtenLsn;
    if (lsn === this.manifest.snapshotLsn && this.sealedBytes.size === 0) return;
    const name = snapshotName(lsn);
    const target = joinPath(this.dir, name);
    this.probe('checkpoint');
    try {
      await stageFile(this.fs, `${target}.tmp`, encodeSnapshot(lsn, this.state));
      await publishFile(this.fs, this.dir, `${target}.tmp`, target);
    } catch (error) {
      throw this.asCheckpointError(error, target);
    }
    const previous = this.manifest.snapshot;
    // The log was sealed (fsynced) up to `lsn` before the snapshot was written.
    const manifest: Manifest = { snapshot: name, snapshotLsn: lsn, clean: false, durableLsn: Math.max(lsn, this.manifest.durableLsn) };
    await this.writeManifest(manifest);
    this.probe('prune');
    try {
      for (const seq of [...this.sealedBytes.keys()].sort((a, b) => a - b)) {
        const path = joinPath(this.dir, segmentName(seq));
        // Renamed first so that a crash between unlinks leaves names recovery removes as
        // orphans, never a segment that looks live.
        await this.fs.rename(path, `${path}.dead`);
        await this.fs.unlink(`${path}.dead`);
        await removeQuietly(this.fs, joinPath(this.dir, sidecarName(segmentName(seq))));
        this.sealedBytes.delete(seq);
        this.counters.segmentsPruned++;
      }
      if (previous !== null && previous !== name) await this.fs.unlink(joinPath(this.dir, previous));
      await this.fs.syncDir(this.dir);
    } catch (error) {
      if (!isIoError(error)) throw error;
      throw this.fail('pruning failed', error);
    }
    this.counters.checkpoints++;
  }

  /** A snapshot that fails while staging changes nothing; a failed publish fails the store. */
  private asCheckpointError(error: unknown, path: string): Error {
    if (!isIoError(error)) throw error;
    if (error.code === 'ENOSPC' && error.syscall !== 'sync' && error.syscall !== 'rename' && error.syscall !== 'syncDir') {
      return new DiskFullError(path, error);
    }
    return this.fail('could not write the snapshot', error);
  }

  /** Replaces the manifest durably; any failure fails the store (which manifest survives is unknown). */
  private async writeManifest(manifest: Manifest): Promise<void> {
    this.probe('manifest');
    const target = joinPath(this.dir, manifestFileName);
    try {
      await stageFile(this.fs, `${target}.tmp`, encodeManifest(manifest));
    } catch (error) {
      if (!isIoError(error)) throw error;
      if (error.code === 'ENOSPC' && error.syscall !== 'sync') throw new DiskFullError(target, error);
      throw this.fail('could not write the manifest', error);
    }
    try {
      await publishFile(this.fs, this.dir, `${target}.tmp`, target);
    } catch (error) {
      if (!isIoError(error)) throw error;
      throw this.fail('could not publish the manifest', error);
    }
    this.manifest = manifest;
  }

  private async shutdown(): Promise<void> {
    try {
      if (!this.failure) {
        await this.syncActive();
        await this.rewriteActiveSidecar();
        // syncActive made every written frame durable: the manifest vouches for all of them.
        await this.writeManifest({ ...this.manifest, clean: true, durableLsn: Math.max(this.durableLsn, this.manifest.durableLsn) });
      }
    } finally {
      this.closed = true;
      await this.active.handle.close().catch(() => undefined);
    }
    // The files are released either way, but a failed store was not shut down cleanly: the
    // caller must not take this close as proof that what it acknowledged is durable.
    if (this.failure) throw this.failedError('absent');
  }
}

function rethrowUnlessStoreError(error: unknown): void {
  if (!(error instanceof DiskFullError) && !(error instanceof StoreFailedError)) throw error;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}
