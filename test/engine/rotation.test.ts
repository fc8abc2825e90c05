/** Segment rotation, checkpoints and pruning: the WAL split into segments and cut back by snapshots. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '../../engine/errors.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { parseSnapshotName } from '../../engine/snapshot.ts';
import { listSegments } from '../../engine/wal/segments.ts';
import { scanFile } from './helpers/segments.ts';
import {
  backends, commitPuts, openCrashable, openStore, putsState, readFile, rejectionOf, segmentPath, sidecarPath,
  stateOf, writeFile, type Backend,
} from './helpers/store.ts';

describe.each(backends)('rotation and checkpoints on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let dir: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    dir = joinPath(backend.root, 'store');
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  const small = { segmentSizeBytes: 256 } as const;
  const segmentsIn = async (): Promise<number[]> => listSegments(await fs.readdir(dir));
  const snapshotsIn = async (): Promise<string[]> => (await fs.readdir(dir)).filter((name) => parseSnapshotName(name) !== undefined);

  it('rotates into several segments whose LSNs continue from one to the next', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.close();
    const seqs = await segmentsIn();
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    let nextLsn = 1;
    for (const seq of seqs) {
      const scan = await scanFile(fs, segmentPath(dir, seq));
      expect(scan.header.baseLsn).toBe(nextLsn);
      expect(scan.damage).toBeUndefined();
      nextLsn += scan.frames.length;
    }
    expect(nextLsn).toBe(21);
  });

  it('replays every segment on reopen', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.close();
    const reopened = await openStore(fs, dir, small);
    expect(stateOf(reopened)).toEqual(putsState(20));
    expect(reopened.replayStats).toMatchObject({ lastLsn: 20, recordsApplied: 20, segmentsScanned: (await segmentsIn()).length });
    await reopened.close();
  });

  it('writes the sidecar of a segment when it is sealed', async () => {
    const { store, crash } = await openCrashable(fs, dir, small);
    await commitPuts(store, 20);
    await crash();
    const seqs = await segmentsIn();
    for (const seq of seqs.slice(0, -1)) expect(await fs.exists(sidecarPath(dir, seq))).toBe(true);
  });

  it('refuses to open when a middle segment is missing', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.close();
    await fs.unlink(segmentPath(dir, 2));
    const error = await rejectionOf(openStore(fs, dir, small));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: segmentPath(dir, 3), offset: 24 });
    expect((error as Error).message).toContain('missing');
  });

  it('refuses to open when the first segment is missing', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.close();
    await fs.unlink(segmentPath(dir, 1));
    expect(await rejectionOf(openStore(fs, dir, small))).toMatchObject({ code: 'CORRUPTION', file: segmentPath(dir, 2) });
  });

  it('prunes the segments and the snapshot a checkpoint covers, keeping the state', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.checkpoint();
    const firstSnapshots = await snapshotsIn();
    expect(firstSnapshots).toHaveLength(1);
    expect((await segmentsIn()).length).toBe(1);
    await commitPuts(store, 5, 21);
    await store.checkpoint();
    const snapshots = await snapshotsIn();
    expect(snapshots).toHaveLength(1);
    expect(snapshots).not.toEqual(firstSnapshots);
    expect(store.metrics().checkpoints).toBe(2);
    expect(store.metrics().segmentsPruned).toBeGreaterThanOrEqual(3);
    await store.close();
  });

  it('reopens after a checkpoint with the same state, starting from the snapshot', async () => {
    const store = await openStore(fs, dir, small);
    await commitPuts(store, 20);
    await store.checkpoint();
    await commitPuts(store, 3, 21);
    await store.close();
    const reopened = await openStore(fs, dir, small);
    expect(stateOf(reopened)).toEqual(putsState(23));
    expect(reopened.replayStats).toMatchObject({ snapshotLsn: 20, recordsApplied: 3, lastLsn: 23 });
    expect((await reopened.commit([{ type: 'delete', key: 'k1' }])).lsn).toBe(24);
    await reopened.close();
  });

  it('checkpoints automatically once the WAL passes walSizeBytesMax', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256, walSizeBytesMax: 1024 });
    await commitPuts(store, 40);
    const metrics = store.metrics();
    expect(metrics.checkpoints).toBeGreaterThanOrEqual(1);
    expect(metrics.walBytes).toBeLessThanOrEqual(1024 + 256);
    expect(await snapshotsIn()).toHaveLength(1);
    await store.close();
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(40));
    expect(reopened.replayStats.snapshotLsn).toBeGreaterThan(0);
    await reopened.close();
  });

  it('refuses to open when the log ends before the snapshot, instead of appending after a gap', async () => {
    // Keep segment 1 as it was at LSN 3, let a checkpoint at LSN 5 prune it, then put the old
    // segment back in place of the live one: the log now ends (LSN 3) before the snapshot (5).
    const store = await openStore(fs, dir);
    await commitPuts(store, 3);
    await store.close();
    const oldSegment = await readFile(fs, segmentPath(dir, 1));
    const again = await openStore(fs, dir);
    await commitPuts(again, 2, 4);
    await again.checkpoint();
    await again.close();
    expect(await segmentsIn()).toEqual([2]);
    await fs.unlink(segmentPath(dir, 2));
    await fs.unlink(sidecarPath(dir, 2));
    await writeFile(fs, segmentPath(dir, 1), oldSegment);
    expect(await rejectionOf(openStore(fs, dir))).toMatchObject({ code: 'CORRUPTION', file: segmentPath(dir, 1) });
  });
});
