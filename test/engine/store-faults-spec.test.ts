/**
 * How the store classifies each I/O failure outside the plain commit path, one fault at a time:
 * a full disk while *staging* a file (snapshot, manifest, sidecar, next segment) changed nothing
 * and rejects with `DiskFullError` (or, for a sidecar, is ignored) with the store still usable;
 * any fsync, rename or directory-fsync failure, and any other error, fails the store with a
 * `StoreFailedError` whose reason says what failed. Also: the write path's own failures (EIO,
 * ENOSPC whose cut or fsync fails), and the probes named on the way.
 *
 * The faults come from a small wrapper of memfs that fails exactly one port call chosen by
 * operation and file name; nothing depends on timing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError, StoreFailedError } from '../../engine/errors.ts';
import { IoError, joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import type { EngineProbe } from '../../engine/probes.ts';
import { snapshotName } from '../../engine/snapshot.ts';
import type { Store } from '../../engine/store.ts';
import { InterceptingFileSystem, type PortCall } from './helpers/intercepting-fs.ts';
import { commitPuts, memory, openStore, put, readFile, rejectionOf, segmentPath, sidecarPath, sizeOf, stateOf } from './helpers/store.ts';

type Operation = 'open' | 'write' | 'truncate' | 'sync' | 'datasync' | 'rename' | 'unlink' | 'syncDir';

/** Each armed fault fails the first later call of its operation on a path ending with its suffix. */
class OneFaultFileSystem extends InterceptingFileSystem {
  private faults: Array<{ operation: Operation; suffix: string; code: 'ENOSPC' | 'EIO'; skip: number; error?: Error }> = [];
  /** The faults that fired, as `operation path`. */
  readonly fired: string[] = [];

  constructor(inner: FileSystem) {
    super(inner);
    this.interceptor = { before: (call, path) => this.check(call, path) };
  }

  /** `skip`: let that many matching calls through first. */
  arm(operation: Operation, suffix: string, code: 'ENOSPC' | 'EIO' = 'ENOSPC', skip = 0, error?: Error): void {
    this.faults.push({ operation, suffix, code, skip, ...(error ? { error } : {}) });
  }

  check(operation: PortCall, path: string): void {
    const index = this.faults.findIndex((fault) => fault.operation === operation && path.endsWith(fault.suffix));
    const fault = this.faults[index];
    if (fault === undefined) return;
    if (fault.skip > 0) {
      fault.skip--;
      return;
    }
    this.faults.splice(index, 1);
    this.fired.push(`${operation} ${path}`);
    throw fault.error ?? new IoError(fault.code, operation, path, true);
  }
}

let fs: OneFaultFileSystem;
let dir: string;
let store: Store;
let probes: EngineProbe[];

beforeEach(async () => {
  const backend = await memory();
  fs = new OneFaultFileSystem(backend.fs);
  dir = joinPath(backend.root, 'store');
  probes = [];
  store = await openStore(fs, dir, { segmentSizeBytes: 256, onProbe: (probe) => probes.push(probe) });
  await commitPuts(store, 3);
});

const path = (name: string): string => joinPath(dir, name);

/** The store is still usable: the next commit gets the next LSN and a checkpoint succeeds. */
async function expectUsable(nextLsn: number): Promise<void> {
  expect((await store.commit([put('after', 'x')])).lsn).toBe(nextLsn);
  await store.checkpoint();
  await store.close();
}

/** The store failed with `reason`: every later operation rejects with StoreFailedError. */
async function expectFailed(reason: string): Promise<void> {
  const error = await rejectionOf(store.commit([put('after', 'x')]));
  expect(error).toBeInstanceOf(StoreFailedError);
  expect(error).toMatchObject({ reason, commitOutcome: 'absent' });
  expect(probes).toContain('store.failed');
  expect(await rejectionOf(store.close())).toBeInstanceOf(StoreFailedError);
}

describe('a checkpoint', () => {
  it('on a full disk while writing the snapshot rejects with DiskFullError naming the snapshot, and the store goes on', async () => {
    fs.arm('write', '.snap.tmp');
    const error = await rejectionOf(store.checkpoint());
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ code: 'DISK_FULL', file: path(snapshotName(3)) });
    expect(probes).toEqual(['checkpoint.disk-full']);
    expect(await fs.readdir(dir)).not.toContain(`${snapshotName(3)}.tmp`);
    await expectUsable(4);
  });

  it('on a full disk while creating the snapshot file rejects with DiskFullError too', async () => {
    fs.arm('open', '.snap.tmp');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(DiskFullError);
    await expectUsable(4);
  });

  it('fails the store when the snapshot\'s fsync fails, even with ENOSPC', async () => {
    fs.arm('sync', '.snap.tmp');
    const error = await rejectionOf(store.checkpoint());
    expect(error).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not write the snapshot');
  });

  it('fails the store when the snapshot\'s rename fails with ENOSPC', async () => {
    fs.arm('rename', '.snap.tmp');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not write the snapshot');
  });

  it('fails the store when the directory fsync after the snapshot fails with ENOSPC', async () => {
    // The rotation before the snapshot fsyncs the directory twice (sealed sidecar, new segment).
    fs.arm('syncDir', dir, 'ENOSPC', 2);
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    expect(fs.fired).toEqual([`syncDir ${dir}`]);
    expect(await fs.readdir(dir)).toContain(snapshotName(3));
    await expectFailed('could not write the snapshot');
  });

  it('fails the store on any error other than ENOSPC while writing the snapshot', async () => {
    fs.arm('write', '.snap.tmp', 'EIO');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    expect(probes).toEqual(['store.failed']);
    await expectFailed('could not write the snapshot');
  });

  it('on a full disk while writing the manifest rejects with DiskFullError naming the manifest', async () => {
    fs.arm('write', 'MANIFEST.tmp');
    const error = await rejectionOf(store.checkpoint());
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ file: path('MANIFEST') });
    expect(probes).toEqual(['checkpoint.disk-full']);
    await expectUsable(4);
  });

  it('fails the store when the manifest\'s fsync fails', async () => {
    fs.arm('sync', 'MANIFEST.tmp');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not write the manifest');
  });

  it('fails the store when the manifest cannot be written for another reason', async () => {
    fs.arm('write', 'MANIFEST.tmp', 'EIO');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not write the manifest');
  });

  it('fails the store when the manifest cannot be published', async () => {
    fs.arm('rename', 'MANIFEST.tmp');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not publish the manifest');
  });

  it('fails the store when pruning a covered segment fails', async () => {
    fs.arm('rename', '00000000000000000001.wal');
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('pruning failed');
  });

  it('fails the store when the old snapshot cannot be removed', async () => {
    await store.checkpoint();
    await store.commit([put('k', 'v')]);
    fs.arm('unlink', snapshotName(3));
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    await expectFailed('pruning failed');
  });

  it('prunes every covered segment with its sidecar, and the previous snapshot, and counts them', async () => {
    await commitPuts(store, 6, 4);
    await store.checkpoint();
    expect(await fs.readdir(dir)).toEqual(['00000000000000000004.wal', 'MANIFEST', snapshotName(9)]);
    expect(store.metrics()).toMatchObject({ checkpoints: 1, segmentsPruned: 3, segmentCount: 1 });
    await store.commit([put('k', 'v')]);
    await store.checkpoint();
    expect(await fs.readdir(dir)).toEqual(['00000000000000000005.wal', 'MANIFEST', snapshotName(10)]);
    expect(store.metrics()).toMatchObject({ checkpoints: 2, segmentsPruned: 4, segmentCount: 1 });
  });

  it('with nothing new since the last one writes nothing', async () => {
    await store.checkpoint();
    const files = await fs.readdir(dir);
    await store.checkpoint();
    expect(await fs.readdir(dir)).toEqual(files);
    expect(store.metrics().checkpoints).toBe(1);
  });
});

describe('rotation to the next segment', () => {
  /** Fills segment 1 past its 256 bytes so that the next commit rotates. */
  async function fillFirstSegment(): Promise<void> {
    await commitPuts(store, 1, 4);
    expect(await sizeOf(fs, segmentPath(dir, 1))).toBe(256);
  }

  it('on a full disk while creating the next segment rejects the commit with DiskFullError naming it, and stays on the old one', async () => {
    await fillFirstSegment();
    fs.arm('write', '00000000000000000002.wal.tmp');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ file: segmentPath(dir, 2), commitOutcome: 'absent' });
    expect(store.metrics()).toMatchObject({ writtenLsn: 4, segmentCount: 1 });
    expect(await fs.readdir(dir)).not.toContain('00000000000000000002.wal');
    await expectUsable(5);
  });

  it('fails the store when the next segment\'s header fsync fails, even with ENOSPC', async () => {
    await fillFirstSegment();
    fs.arm('sync', '00000000000000000002.wal.tmp');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not create the next segment');
  });

  it('fails the store when the next segment cannot be published', async () => {
    await fillFirstSegment();
    fs.arm('rename', '00000000000000000002.wal.tmp');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not create the next segment');
  });

  it('fails the store when the next segment cannot be written for another reason', async () => {
    await fillFirstSegment();
    fs.arm('write', '00000000000000000002.wal.tmp', 'EIO');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not create the next segment');
  });

  it('goes on without the sealed segment\'s sidecar on a full disk: the sidecar is a cache', async () => {
    await fillFirstSegment();
    fs.arm('write', '00000000000000000001.wal.idx.tmp');
    expect((await store.commit([put('x', '1')])).lsn).toBe(5);
    expect(store.metrics()).toMatchObject({ sidecarRewrites: 0, segmentCount: 2 });
    expect(await fs.readdir(dir)).not.toContain('00000000000000000001.wal.idx');
    expect(probes).toEqual([]);
    await expectUsable(6);
  });

  it('fails the store when the sealed segment\'s sidecar fsync fails, even with ENOSPC', async () => {
    await fillFirstSegment();
    fs.arm('sync', '00000000000000000001.wal.idx.tmp');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('fsync of a sidecar failed');
  });

  it('fails the store when the sealed segment\'s sidecar cannot be written for another reason', async () => {
    await fillFirstSegment();
    fs.arm('write', '00000000000000000001.wal.idx.tmp', 'EIO');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('fsync of a sidecar failed');
  });

  it('fails the store when the sealed segment\'s sidecar cannot be published', async () => {
    await fillFirstSegment();
    fs.arm('rename', '00000000000000000001.wal.idx.tmp');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBeInstanceOf(StoreFailedError);
    await expectFailed('could not publish a sidecar');
  });

  it('writes the sealed segment\'s sidecar and counts it', async () => {
    await fillFirstSegment();
    await store.commit([put('x', '1')]);
    expect(store.metrics()).toMatchObject({ sidecarRewrites: 1, segmentCount: 2, walBytes: 256 + (await sizeOf(fs, segmentPath(dir, 2))) });
    expect((await readFile(fs, sidecarPath(dir, 1))).length).toBe(48 + 4 * 4);
  });
});

describe('the write path', () => {
  it('fails the store on a write error other than ENOSPC, with the commit in doubt', async () => {
    fs.arm('write', '00000000000000000001.wal', 'EIO');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toBeInstanceOf(StoreFailedError);
    expect(error).toMatchObject({ reason: 'write to the WAL failed', commitOutcome: 'unknown' });
    await expectFailed('write to the WAL failed');
  });

  it('on ENOSPC cuts the partial frame, fsyncs the cut, and rejects the commit as absent', async () => {
    fs.arm('write', '00000000000000000001.wal');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toBeInstanceOf(DiskFullError);
    expect(error).toMatchObject({ file: segmentPath(dir, 1), commitOutcome: 'absent' });
    expect(probes).toEqual(['commit.enospc-cut-fsynced']);
    expect(stateOf(store)).not.toHaveProperty('x');
    await expectUsable(4);
  });

  it('fails the store when the cut after ENOSPC fails, with the commit in doubt', async () => {
    fs.arm('write', '00000000000000000001.wal');
    fs.arm('truncate', '00000000000000000001.wal');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toBeInstanceOf(StoreFailedError);
    expect(error).toMatchObject({ reason: 'could not cut a partial frame after ENOSPC', commitOutcome: 'unknown' });
    expect(probes).toEqual(['store.failed']);
    await expectFailed('could not cut a partial frame after ENOSPC');
  });

  it('fails the store when the fsync of the cut after ENOSPC fails, with the commit in doubt', async () => {
    fs.arm('write', '00000000000000000001.wal');
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toBeInstanceOf(StoreFailedError);
    expect(error).toMatchObject({ reason: 'fsync of the WAL failed', commitOutcome: 'unknown' });
    expect(probes).toEqual(['store.failed']);
    await expectFailed('fsync of the WAL failed');
  });

  it('rejects the whole queued group as absent on ENOSPC in mode none, the store still usable', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sync: 'none', onProbe: (probe) => probes.push(probe) });
    fs.arm('write', '00000000000000000001.wal');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toMatchObject({ code: 'DISK_FULL', commitOutcome: 'absent' });
    expect(probes).toEqual(['commit.enospc-cut-fsynced']);
    expect((await store.commit([put('y', '1')])).lsn).toBe(4);
  });
});

describe('a failed fsync of the WAL', () => {
  it('fails the store with the commit in doubt, and a later close rejects', async () => {
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toMatchObject({ reason: 'fsync of the WAL failed', commitOutcome: 'unknown' });
    expect(store.metrics()).toMatchObject({ writtenLsn: 4, durableLsn: 3 });
    await expectFailed('fsync of the WAL failed');
  });

  it('an explicit sync after unsynced commits (mode none) that fails fails the store', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sync: 'none', onProbe: (probe) => probes.push(probe) });
    await store.commit([put('x', '1')]);
    expect(store.metrics()).toMatchObject({ writtenLsn: 4, durableLsn: 3 });
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    expect(await rejectionOf(store.sync())).toMatchObject({ code: 'STORE_FAILED', reason: 'fsync of the WAL failed' });
    await expectFailed('fsync of the WAL failed');
  });
});

describe('after a failed fsync of the WAL', () => {
  it('cuts the segment back to its size at the last successful fsync (the page cache may lie)', async () => {
    const before = await sizeOf(fs, segmentPath(dir, 1));
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    await rejectionOf(store.commit([put('x', '1')]));
    expect(await sizeOf(fs, segmentPath(dir, 1))).toBe(before);
  });
});

describe('an automatic checkpoint on a full disk', () => {
  it('leaves the commit acknowledged and the store usable, and is retried after the next commit', async () => {
    await store.close();
    probes = [];
    store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 256, onProbe: (probe) => probes.push(probe) });
    fs.arm('write', '.snap.tmp');
    expect((await store.commit([put('k4', 'v')])).lsn).toBe(4);
    expect((await store.commit([put('k5', 'v')])).lsn).toBe(5);
    await store.sync();
    expect(probes).toEqual(['checkpoint.disk-full']);
    expect(store.metrics().checkpoints).toBe(0);
    expect((await store.commit([put('k6', 'v')])).lsn).toBe(6);
    await store.sync();
    expect(store.metrics().checkpoints).toBe(1);
    await store.close();
  });
});

describe('an error that is not an I/O error', () => {
  it('from the port while creating the next segment reaches the commit unchanged and does not fail the store', async () => {
    await commitPuts(store, 1, 4);
    const bug = new TypeError('adapter bug');
    fs.arm('write', '00000000000000000002.wal.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.commit([put('x', '1')]))).toBe(bug);
    expect(probes).toEqual([]);
    expect((await store.commit([put('y', '1')])).lsn).toBe(5);
    await store.close();
  });

  it('from the port while writing a snapshot reaches the checkpoint unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('write', '.snap.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.checkpoint())).toBe(bug);
  });

  it('from the port while writing the manifest reaches the checkpoint unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('write', 'MANIFEST.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.checkpoint())).toBe(bug);
  });

  it('from the port while pruning reaches the checkpoint unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('rename', '00000000000000000001.wal', 'EIO', 0, bug);
    expect(await rejectionOf(store.checkpoint())).toBe(bug);
  });

  it('from the port while writing a sidecar reaches the close unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('write', '.wal.idx.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.close())).toBe(bug);
  });
});

describe('operations queued behind a commit that fails the store', () => {
  it('a queued sync and checkpoint reject with StoreFailedError (absent), carrying the failure\'s reason and cause', async () => {
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const failing = store.commit([put('x', '1')]);
    const sync = store.sync();
    const checkpoint = store.checkpoint();
    await rejectionOf(failing);
    for (const error of [await rejectionOf(sync), await rejectionOf(checkpoint)]) {
      expect(error).toBeInstanceOf(StoreFailedError);
      expect(error).toMatchObject({ reason: 'fsync of the WAL failed', commitOutcome: 'absent', cause: { code: 'EIO', syscall: 'datasync' } });
    }
  });

  it('a queued close still runs, releases the store, and rejects with StoreFailedError', async () => {
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const failing = store.commit([put('x', '1')]);
    const close = store.close();
    await rejectionOf(failing);
    expect(await rejectionOf(close)).toMatchObject({ code: 'STORE_FAILED', reason: 'fsync of the WAL failed' });
    expect(() => store.get('k1')).toThrow('the store is closed');
  });

  // The failure rejects what was queued behind at once, in fail(): a sync or checkpoint is never
  // left in the queue to be refused later, after the commit that failed reports it.
  it('a queued sync is rejected the moment the store fails, before the failing commit settles', async () => {
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const settled: string[] = [];
    const failing = store.commit([put('x', '1')]).catch(() => settled.push('commit'));
    const sync = store.sync().catch(() => settled.push('sync'));
    const checkpoint = store.checkpoint().catch(() => settled.push('checkpoint'));
    await Promise.all([failing, sync, checkpoint]);
    expect(settled).toEqual(['sync', 'checkpoint', 'commit']);
  });

  it('commits queued behind it are rejected as absent, and nothing of them is written', async () => {
    fs.arm('datasync', '00000000000000000001.wal', 'EIO');
    const failing = store.commit([put('x', '1')]);
    const queued = [store.commit([put('y', '1')]), store.commit([put('z', '1')])];
    await rejectionOf(failing);
    for (const commit of queued) expect(await rejectionOf(commit)).toMatchObject({ code: 'STORE_FAILED', commitOutcome: 'absent' });
    expect(store.metrics().writtenLsn).toBe(4);
  });
});

describe('retrying a checkpoint', () => {
  it('after one stopped on a full disk does not rotate again: the sealed segments are already there', async () => {
    fs.arm('write', '.snap.tmp');
    await rejectionOf(store.checkpoint());
    await store.checkpoint();
    expect(await fs.readdir(dir)).toEqual(['00000000000000000002.wal', 'MANIFEST', snapshotName(3)]);
    expect(store.metrics()).toMatchObject({ checkpoints: 1, segmentsPruned: 1 });
  });
});

describe('failures after the commit was acknowledged', () => {
  it('a sidecar rewrite of the cadence that fails fails the store for the next operation, not the commit', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sidecarEveryFrames: 1, onProbe: (probe) => probes.push(probe) });
    fs.arm('sync', '.wal.idx.tmp', 'EIO');
    expect((await store.commit([put('x', '1')])).lsn).toBe(4);
    await expectFailed('fsync of a sidecar failed');
  });

  it('a sidecar rewrite of the cadence on a full disk is skipped and the store goes on', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sidecarEveryFrames: 1, onProbe: (probe) => probes.push(probe) });
    fs.arm('write', '.wal.idx.tmp');
    expect((await store.commit([put('x', '1')])).lsn).toBe(4);
    await store.sync();
    expect(store.metrics().sidecarRewrites).toBe(0);
    await expectUsable(5);
  });

  it('an automatic checkpoint that fails the store leaves the commit acknowledged and fails the next operation', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 256, onProbe: (probe) => probes.push(probe) });
    fs.arm('sync', '.snap.tmp', 'EIO');
    expect((await store.commit([put('k4', 'v')])).lsn).toBe(4);
    expect((await store.commit([put('k5', 'v')])).lsn).toBe(5);
    await expectFailed('could not write the snapshot');
  });

  it('an automatic checkpoint hit by an error that is not an I/O error fails the store as an internal error', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 256, onProbe: (probe) => probes.push(probe) });
    fs.arm('write', '.snap.tmp', 'EIO', 0, new TypeError('adapter bug'));
    expect((await store.commit([put('k4', 'v')])).lsn).toBe(4);
    expect((await store.commit([put('k5', 'v')])).lsn).toBe(5);
    const error = await rejectionOf(store.commit([put('k6', 'v')]));
    expect(error).toMatchObject({ code: 'STORE_FAILED', reason: 'internal error', cause: { message: 'adapter bug' } });
  });
});

describe('more failures, pinned after the per-file Stryker run', () => {
  it('a commit whose rotation failed the store is rejected as absent: nothing of it was written', async () => {
    await commitPuts(store, 1, 4);
    fs.arm('sync', '00000000000000000002.wal.tmp', 'EIO');
    expect(await rejectionOf(store.commit([put('x', '1')]))).toMatchObject({ code: 'STORE_FAILED', commitOutcome: 'absent' });
  });

  it('an error that is not an I/O error while publishing a sidecar reaches the close unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('rename', '.wal.idx.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.close())).toBe(bug);
  });

  it('an error that is not an I/O error while publishing the manifest reaches the checkpoint unchanged', async () => {
    const bug = new TypeError('adapter bug');
    fs.arm('rename', 'MANIFEST.tmp', 'EIO', 0, bug);
    expect(await rejectionOf(store.checkpoint())).toBe(bug);
  });

  it('an error that is not an I/O error in a sidecar rewrite of the cadence fails the store as an internal error', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sidecarEveryFrames: 1, onProbe: (probe) => probes.push(probe) });
    fs.arm('write', '.wal.idx.tmp', 'EIO', 0, new TypeError('adapter bug'));
    expect((await store.commit([put('x', '1')])).lsn).toBe(4);
    expect(await rejectionOf(store.commit([put('y', '1')]))).toMatchObject({ code: 'STORE_FAILED', reason: 'internal error' });
  });
});

describe('publishing the next segment', () => {
  it('a failed rename fails the store with a SegmentPublishError naming the segment as the cause', async () => {
    await commitPuts(store, 1, 4);
    fs.arm('rename', '00000000000000000002.wal.tmp', 'EIO');
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toMatchObject({ reason: 'could not create the next segment' });
    expect((error as StoreFailedError).cause).toMatchObject({
      name: 'SegmentPublishError', path: segmentPath(dir, 2), message: `could not publish segment ${segmentPath(dir, 2)}`, cause: { code: 'EIO' },
    });
  });

  it('a failed directory fsync after the rename fails the store too: the name may not survive a crash', async () => {
    await commitPuts(store, 1, 4);
    // The sealed segment's sidecar is published first, with its own directory fsync.
    fs.arm('syncDir', dir, 'EIO', 1);
    const error = await rejectionOf(store.commit([put('x', '1')]));
    expect(error).toMatchObject({ code: 'STORE_FAILED', reason: 'could not create the next segment' });
    expect((error as StoreFailedError).cause).toMatchObject({ name: 'SegmentPublishError' });
  });
});
