/**
 * A checkpoint of a store whose log ends exactly at its snapshot. Recovery opens such a store
 * when the snapshot covers every frame of the last segment: the segment a checkpoint rotated to
 * was lost (C3 accepts it, since the log still reaches the snapshot and the manifest's durable
 * LSN), or the snapshot was written by a tool. The last segment then holds only frames the
 * snapshot has, yet it is live: it is the one the store appends to. A checkpoint must still seal
 * it and prune it, and must keep the snapshot it rewrote under the same name.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { encodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import { encodeSnapshot, snapshotName } from '../../engine/snapshot.ts';
import { commitPuts, memoryStore, openCrashable, openStore, putsState, stateOf, writeFile } from './helpers/store.ts';

let fs: FileSystem;
let dir: string;

beforeEach(async () => {
  ({ fs, dir } = await memoryStore());
});

/** Segment 1 holds LSNs 1–4, and the manifest names a snapshot at LSN 4 with the same state. */
async function logEndingAtTheSnapshot(): Promise<void> {
  const { store, crash } = await openCrashable(fs, dir);
  await commitPuts(store, 4);
  const state = new Map(store.entries());
  await crash();
  await writeFile(fs, joinPath(dir, snapshotName(4)), encodeSnapshot(4, state));
  await writeFile(fs, joinPath(dir, manifestFileName), encodeManifest({ snapshot: snapshotName(4), snapshotLsn: 4, clean: false, durableLsn: 4 }));
}

describe('a checkpoint of a store whose log ends at its snapshot', () => {
  it('opens on segment 1 with nothing to replay', async () => {
    await logEndingAtTheSnapshot();
    const store = await openStore(fs, dir);
    expect(store.replayStats).toMatchObject({ snapshotLsn: 4, lastLsn: 4, recordsApplied: 0 });
    expect(store.metrics()).toMatchObject({ writtenLsn: 4, segmentCount: 1 });
    await store.close();
  });

  it('seals the last segment, rewrites the snapshot at the same LSN, and prunes the sealed segment', async () => {
    await logEndingAtTheSnapshot();
    const store = await openStore(fs, dir);
    await store.checkpoint();
    expect(store.metrics()).toMatchObject({ checkpoints: 1, segmentsPruned: 1, segmentCount: 1, writtenLsn: 4 });
    // The snapshot just written has the previous one's name: it is not removed as the previous one.
    expect((await fs.readdir(dir)).sort()).toEqual(['00000000000000000002.wal', manifestFileName, snapshotName(4)]);
    await store.close();
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats).toMatchObject({ snapshotLsn: 4, lastLsn: 4, recordsApplied: 0 });
    expect(stateOf(reopened)).toEqual(putsState(4));
    await reopened.close();
  });
});
