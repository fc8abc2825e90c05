/**
 * The store's options and counters as a specification: each option's accepted range, to the
 * exact boundary, with the message of its refusal; what `metrics()` counts in each sync mode;
 * the sidecar cadence; the automatic checkpoint threshold; and what a closed store answers.
 * Group commit runs on the simulator's virtual time, so counts do not depend on speed.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreClosedError, StoreFailedError } from '../../engine/errors.ts';
import { IoError, joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import { Store } from '../../engine/store.ts';
import type { StoreOptions } from '../../engine/types.ts';
import { decodeSidecar } from '../../engine/wal/sidecar.ts';
import { SimWorld } from '../../sim/index.ts';
import { scanFile } from './helpers/segments.ts';
import { isSegmentPath, once, WrappingFileSystem } from './helpers/wrapping-fs.ts';
import { commitPuts, memoryStore, openStore, put, readFile, rejectionOf, sidecarPath } from './helpers/store.ts';

let fs: FileSystem;
let dir: string;

beforeEach(async () => {
  ({ fs, dir } = await memoryStore());
});

async function refusal(options: Partial<StoreOptions>): Promise<unknown> {
  return rejectionOf(openStore(fs, dir, options));
}

async function opensWith(options: Partial<StoreOptions>): Promise<void> {
  const store = await openStore(fs, dir, options);
  await store.close();
}

describe('options', () => {
  it('refuses an unknown sync mode, naming it, before touching the directory', async () => {
    expect(await refusal({ sync: 'fast' as never })).toMatchObject({ code: 'INVALID_ARGUMENT', message: "unknown sync mode 'fast'" });
    expect(await fs.exists(dir)).toBe(false);
  });

  it('accepts each sync mode', async () => {
    for (const sync of ['strict', 'group', 'none'] as const) await opensWith({ sync });
  });

  it('accepts segment sizes from 256 bytes to 1 GiB, integers only', async () => {
    const message = 'segmentSizeBytes must be an integer in [256, 1073741824]';
    expect(await refusal({ segmentSizeBytes: 255 })).toMatchObject({ code: 'INVALID_ARGUMENT', message });
    expect(await refusal({ segmentSizeBytes: 2 ** 30 + 1, walSizeBytesMax: 2 ** 31 })).toMatchObject({ message });
    expect(await refusal({ segmentSizeBytes: 300.5 })).toMatchObject({ message });
    await opensWith({ segmentSizeBytes: 256 });
    await opensWith({ segmentSizeBytes: 2 ** 30, walSizeBytesMax: 2 ** 30 });
  });

  it('needs walSizeBytesMax of at least one segment', async () => {
    const message = 'walSizeBytesMax must be at least segmentSizeBytes';
    expect(await refusal({ segmentSizeBytes: 1024, walSizeBytesMax: 1023 })).toMatchObject({ code: 'INVALID_ARGUMENT', message });
    expect(await refusal({ walSizeBytesMax: Number.NaN })).toMatchObject({ message });
    await opensWith({ segmentSizeBytes: 1024, walSizeBytesMax: 1024 });
  });

  it('needs a group-commit delay of at least 0', async () => {
    const message = 'groupCommitMaxDelayMs must be at least 0';
    expect(await refusal({ groupCommitMaxDelayMs: -1 })).toMatchObject({ code: 'INVALID_ARGUMENT', message });
    expect(await refusal({ groupCommitMaxDelayMs: Number.NaN })).toMatchObject({ message });
    await opensWith({ groupCommitMaxDelayMs: 0 });
  });

  it('needs a group of at least one commit, an integer', async () => {
    const message = 'groupCommitMaxBatch must be a positive integer';
    expect(await refusal({ groupCommitMaxBatch: 0 })).toMatchObject({ code: 'INVALID_ARGUMENT', message });
    expect(await refusal({ groupCommitMaxBatch: 1.5 })).toMatchObject({ message });
    await opensWith({ groupCommitMaxBatch: 1 });
  });

  it('needs a sidecar cadence of 0 or more frames, an integer', async () => {
    const message = 'sidecarEveryFrames must be a non-negative integer';
    expect(await refusal({ sidecarEveryFrames: -1 })).toMatchObject({ code: 'INVALID_ARGUMENT', message });
    expect(await refusal({ sidecarEveryFrames: 0.5 })).toMatchObject({ message });
    await opensWith({ sidecarEveryFrames: 0 });
  });
});

describe('metrics', () => {
  it('in strict mode count one WAL fsync per commit and no group syncs', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 3);
    await store.commit([{ type: 'delete', key: 'k2' }]);
    expect(store.metrics()).toEqual({
      writtenLsn: 4, durableLsn: 4, walBytes: 32 + 3 * 56 + 40, segmentCount: 1, keyCount: 2,
      fsyncCount: 4, sidecarRewrites: 0, checkpoints: 0, segmentsPruned: 0, commits: 4, groupSyncs: 0,
    });
    await store.close();
  });

  it('in none mode count no fsync until sync(), and durableLsn stays behind until then', async () => {
    const store = await openStore(fs, dir, { sync: 'none' });
    await commitPuts(store, 3);
    expect(store.metrics()).toMatchObject({ writtenLsn: 3, durableLsn: 0, fsyncCount: 0, commits: 3, groupSyncs: 0 });
    await store.sync();
    expect(store.metrics()).toMatchObject({ writtenLsn: 3, durableLsn: 3, fsyncCount: 1 });
    await store.sync();
    expect(store.metrics().fsyncCount).toBe(1);
    await store.close();
  });

  it('in group mode count one group sync per shared fsync', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const store = await Store.open({ fs: world.fs, clock: world.clock, dir: '/db', sync: 'group', groupCommitMaxBatch: 4 });
      const commits = Array.from({ length: 10 }, (_, i) => store.commit([put(`k${i}`, 'v')]));
      const lsns = (await Promise.all(commits)).map(({ lsn }) => lsn);
      return { lsns, metrics: store.metrics() };
    });
    if (outcome.outcome !== 'done') throw new Error(`the run ended ${outcome.outcome}`);
    expect(outcome.value.lsns).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outcome.value.metrics).toMatchObject({ commits: 10, groupSyncs: 3, fsyncCount: 3, writtenLsn: 10, durableLsn: 10 });
  });
});

describe('group commit', () => {
  /** Commits `count` puts at once on virtual time; returns their LSNs and when the last was acknowledged. */
  async function burst(options: Partial<StoreOptions>, count: number): Promise<{ lsns: number[]; doneAtMs: number; groupSyncs: number }> {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const store = await Store.open({ fs: world.fs, clock: world.clock, dir: '/db', sync: 'group', ...options });
      const startMs = world.clock.now();
      const lsns = (await Promise.all(Array.from({ length: count }, (_, i) => store.commit([put(`k${i}`, 'v')])))).map(({ lsn }) => lsn);
      return { lsns, doneAtMs: world.clock.now() - startMs, groupSyncs: store.metrics().groupSyncs };
    });
    if (outcome.outcome !== 'done') throw new Error(`the run ended ${outcome.outcome}`);
    return outcome.value;
  }

  it('does not wait out the delay once a group is full', async () => {
    expect(await burst({ groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 4 }, 8)).toEqual({ lsns: [1, 2, 3, 4, 5, 6, 7, 8], doneAtMs: 0, groupSyncs: 2 });
  });

  it('waits out the delay for a group that is not full', async () => {
    expect(await burst({ groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 4 }, 3)).toEqual({ lsns: [1, 2, 3], doneAtMs: 50, groupSyncs: 1 });
  });

  it('writes every frame of a group: a reopened store replays them all', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const options = { fs: world.fs, clock: world.clock, dir: '/db', sync: 'group' as const, groupCommitMaxBatch: 4 };
      const store = await Store.open(options);
      await Promise.all(Array.from({ length: 8 }, (_, i) => store.commit([put(`k${i}`, 'v')])));
      await store.close();
      const reopened = await Store.open(options);
      return { stats: reopened.replayStats, keys: [...reopened.entries()].map(([key]) => key).sort() };
    });
    if (outcome.outcome !== 'done') throw new Error(`the run ended ${outcome.outcome}`);
    expect(outcome.value.stats).toMatchObject({ recordsApplied: 8, lastLsn: 8 });
    expect(outcome.value.keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
  });

  it('a group of one commit does not wait', async () => {
    expect(await burst({ groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 1 }, 2)).toEqual({ lsns: [1, 2], doneAtMs: 0, groupSyncs: 2 });
  });

  // The commit that fills the group wakes the waiting leader: a group is full at
  // groupCommitMaxBatch commits, not one more.
  it('does not wait out the delay for exactly groupCommitMaxBatch commits', async () => {
    expect(await burst({ groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 4 }, 4)).toEqual({ lsns: [1, 2, 3, 4], doneAtMs: 0, groupSyncs: 1 });
  });

  it('a sync issued right after a commit neither joins its group nor wakes the leader: both settle when the delay ends', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const store = await Store.open({ fs: world.fs, clock: world.clock, dir: '/db', sync: 'group', groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 2 });
      const startMs = world.clock.now();
      const settledAtMs: Record<string, number> = {};
      const commit = store.commit([put('a', '1')]).then(({ lsn }) => {
        settledAtMs.commit = world.clock.now() - startMs;
        return lsn;
      });
      const sync = store.sync().then(() => {
        settledAtMs.sync = world.clock.now() - startMs;
      });
      const [lsn] = await Promise.all([commit, sync]);
      return { lsn, settledAtMs, metrics: store.metrics() };
    });
    if (outcome.outcome !== 'done') throw new Error(`the run ended ${outcome.outcome}`);
    expect(outcome.value.lsn).toBe(1);
    expect(outcome.value.settledAtMs).toEqual({ commit: 50, sync: 50 });
    // The group's fsync covered the commit, so the sync found nothing left to make durable.
    expect(outcome.value.metrics).toMatchObject({ commits: 1, groupSyncs: 1, fsyncCount: 1, writtenLsn: 1, durableLsn: 1 });
  });

  it('a commit on a failed store is refused at once, without waiting for a group', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const wrapper = new WrappingFileSystem(world.fs);
      const store = await Store.open({ fs: wrapper, clock: world.clock, dir: '/db', sync: 'group', groupCommitMaxDelayMs: 50, groupCommitMaxBatch: 4 });
      wrapper.hooks.datasync = once(isSegmentPath, (path: string) => new IoError('EIO', 'datasync', path, true));
      const failedAfterMs = await elapsed(world, rejectionOf(store.commit([put('a', '1')])));
      const refusedAfterMs = await elapsed(world, rejectionOf(store.commit([put('b', '1')])));
      return { failedAfterMs, refusedAfterMs };
    });
    if (outcome.outcome !== 'done') throw new Error(`the run ended ${outcome.outcome}`);
    expect(outcome.value.failedAfterMs.ms).toBe(50);
    expect(outcome.value.failedAfterMs.value).toMatchObject({ code: 'STORE_FAILED', commitOutcome: 'unknown' });
    expect(outcome.value.refusedAfterMs.ms).toBe(0);
    expect(outcome.value.refusedAfterMs.value).toMatchObject({ code: 'STORE_FAILED', reason: 'fsync of the WAL failed', commitOutcome: 'absent' });
  });
});

/** What `promise` settles to, and how much virtual time passed until it did. */
async function elapsed<T>(world: SimWorld, promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const startMs = world.clock.now();
  const value = await promise;
  return { value, ms: world.clock.now() - startMs };
}

describe('sidecar cadence', () => {
  it('rewrites the active segment\'s sidecar every sidecarEveryFrames frames', async () => {
    const store = await openStore(fs, dir, { sidecarEveryFrames: 2 });
    await commitPuts(store, 3);
    await store.sync();
    expect(store.metrics().sidecarRewrites).toBe(1);
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir, 1)))).toMatchObject({ seq: 1, baseLsn: 1, syncedLsn: 2, endOffset: 32 + 2 * 56 });
    await commitPuts(store, 1, 4);
    await store.sync();
    expect(store.metrics().sidecarRewrites).toBe(2);
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir, 1)))).toMatchObject({ syncedLsn: 4, offsets: [32, 88, 144, 200] });
    await store.close();
  });

  it('never rewrites it between rotations with the default 0', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 5);
    expect(store.metrics().sidecarRewrites).toBe(0);
    expect(await fs.exists(sidecarPath(dir, 1))).toBe(false);
    await store.close();
    expect(store.metrics().sidecarRewrites).toBe(1);
  });

  it('records as synced only what an fsync covered (none mode)', async () => {
    const store = await openStore(fs, dir, { sync: 'none', sidecarEveryFrames: 2 });
    await commitPuts(store, 2);
    await store.sync();
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir, 1)))).toMatchObject({ baseLsn: 1, syncedLsn: 0, offsets: [32, 88] });
    await store.close();
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir, 1)))).toMatchObject({ syncedLsn: 2 });
  });
});

describe('automatic checkpoints', () => {
  it('start once the WAL is above walSizeBytesMax, not when it is equal', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 256 });
    await commitPuts(store, 4);
    await store.sync();
    expect(store.metrics()).toMatchObject({ walBytes: 256, checkpoints: 0 });
    await commitPuts(store, 1, 5);
    await store.sync();
    expect(store.metrics()).toMatchObject({ checkpoints: 1, segmentsPruned: 2, walBytes: 32, segmentCount: 1 });
    await store.close();
  });
});

describe('a closed store', () => {
  it('answers get and entries with StoreClosedError, and refuses checkpoint and sync', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 1);
    await store.close();
    expect(() => store.get('k1')).toThrow(StoreClosedError);
    expect(() => store.entries()).toThrow(StoreClosedError);
    expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreClosedError);
    expect(await rejectionOf(store.sync())).toBeInstanceOf(StoreClosedError);
  });

  it('refuses commits issued while it is closing', async () => {
    const store = await openStore(fs, dir);
    const closing = store.close();
    expect(await rejectionOf(store.commit([put('a', '1')]))).toBeInstanceOf(StoreClosedError);
    await closing;
  });

  it('resolves a second close only once the store is closed', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 1);
    const first = store.close();
    const second = store.close();
    await second;
    expect(() => store.get('k1')).toThrow(StoreClosedError);
    await first;
  });

  it('closing a failed store releases it, rejects with StoreFailedError, and leaves the manifest open', async () => {
    const wrapper = new WrappingFileSystem(fs);
    const store = await openStore(wrapper, dir);
    await commitPuts(store, 1);
    wrapper.hooks.datasync = once((_path: string) => true, (path: string) => new IoError('EIO', 'datasync', path, true));
    await rejectionOf(store.commit([put('x', '1')]));
    const error = await rejectionOf(store.close());
    expect(error).toBeInstanceOf(StoreFailedError);
    expect(error).toMatchObject({ reason: 'fsync of the WAL failed', commitOutcome: 'absent' });
    expect(() => store.get('k1')).toThrow(StoreClosedError);
    expect(wrapper.openHandles.size).toBe(0);
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats.uncleanShutdown).toBe(true);
    await reopened.close();
  });
});

describe('what the store tells a simulator', () => {
  it('names the phase of each I/O: append and sync per strict commit, then rotation, checkpoint, prune and close', async () => {
    const phases: string[] = [];
    const store = await openStore(fs, dir, { segmentSizeBytes: 256, probe: (phase) => phases.push(phase) });
    phases.length = 0;
    await commitPuts(store, 1);
    expect(phases).toEqual(['wal.append', 'wal.sync']);
    phases.length = 0;
    await store.checkpoint();
    await store.close();
    expect(phases).toEqual([
      'checkpoint', 'segment.rotate', 'sidecar.rewrite', 'segment.rotate', 'checkpoint', 'manifest', 'prune', 'sidecar.rewrite', 'manifest',
    ]);
  });

  it('names only the append of a commit in none mode, and the sync of sync()', async () => {
    const phases: string[] = [];
    const store = await openStore(fs, dir, { sync: 'none', probe: (phase) => phases.push(phase) });
    phases.length = 0;
    await commitPuts(store, 1);
    expect(phases).toEqual(['wal.append']);
    await store.sync();
    expect(phases).toEqual(['wal.append', 'wal.sync']);
    await store.close();
  });

  it('writes in each frame the LSN durable when it was written', async () => {
    const store = await openStore(fs, dir, { sync: 'none' });
    await commitPuts(store, 2);
    await store.sync();
    await commitPuts(store, 1, 3);
    await store.close();
    const scan = await scanFile(fs, joinPath(dir, '00000000000000000001.wal'));
    expect(scan.frames.map((frame) => [frame.lsn, frame.durableLsn])).toEqual([[1, 0], [2, 0], [3, 2]]);
  });
});

describe('file handles', () => {
  it('only the active segment stays open across rotations, and nothing after close', async () => {
    const wrapper = new WrappingFileSystem(fs);
    const store = await openStore(wrapper, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 9);
    await store.checkpoint();
    expect(wrapper.openHandles.size).toBe(1);
    await store.close();
    expect(wrapper.openHandles.size).toBe(0);
  });
});

describe('closing with commits queued', () => {
  it('does not start an automatic checkpoint once close was called', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 256 });
    await commitPuts(store, 4);
    const last = store.commit([put('k5', 'v')]);
    const closed = store.close();
    await last;
    await closed;
    expect(store.metrics().checkpoints).toBe(0);
    expect((await fs.readdir(dir)).some((name) => name.startsWith('snapshot-'))).toBe(false);
  });
});
