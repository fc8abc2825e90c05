/**
 * Sidecar indexes: a cache of frame offsets that recovery rebuilds whenever it disagrees with
 * its segment, and whose synced watermark is evidence that frames had been made durable.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '../../engine/errors.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { frameHeaderBytes } from '../../engine/wal/format.ts';
import { decodeSidecar } from '../../engine/wal/sidecar.ts';
import { frameOffsets } from './helpers/segments.ts';
import {
  backends, commitPuts, flipBits, garbage, openCrashable, openStore, overwrite, putsState, readFile, rejectionOf,
  segmentPath, sidecarPath, stateOf, writeFile, type Backend,
} from './helpers/store.ts';

describe.each(backends)('sidecar indexes on %s', (_name, makeBackend) => {
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

  async function closedStoreWith(count: number): Promise<void> {
    const store = await openStore(fs, dir);
    await commitPuts(store, count);
    await store.close();
  }

  it('writes a sidecar on close that lists every frame and a synced watermark at the last LSN', async () => {
    await closedStoreWith(3);
    const index = decodeSidecar(await readFile(fs, sidecarPath(dir)));
    expect(index).toMatchObject({ seq: 1, baseLsn: 1, syncedLsn: 3 });
    expect(index?.offsets).toEqual(await frameOffsets(fs, segmentPath(dir)));
  });

  it('rebuilds nothing after a clean close', async () => {
    await closedStoreWith(3);
    const store = await openStore(fs, dir);
    expect(store.replayStats.sidecarsRebuilt).toBe(0);
    await store.close();
  });

  it('rebuilds a missing sidecar', async () => {
    await closedStoreWith(3);
    await fs.unlink(sidecarPath(dir));
    const store = await openStore(fs, dir);
    expect(store.replayStats.sidecarsRebuilt).toBe(1);
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir)))?.offsets).toEqual(await frameOffsets(fs, segmentPath(dir)));
    expect(stateOf(store)).toEqual(putsState(3));
    await store.close();
  });

  it('rebuilds a stale sidecar left from an earlier point of its segment', async () => {
    await closedStoreWith(2);
    const earlier = await readFile(fs, sidecarPath(dir));
    const store = await openStore(fs, dir);
    await commitPuts(store, 2, 3);
    await store.close();
    await writeFile(fs, sidecarPath(dir), earlier);
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats.sidecarsRebuilt).toBe(1);
    expect(stateOf(reopened)).toEqual(putsState(4));
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir)))?.offsets).toHaveLength(4);
    await reopened.close();
  });

  it('rebuilds a corrupt sidecar', async () => {
    await closedStoreWith(3);
    await flipBits(fs, sidecarPath(dir), 50, 0x40);
    const store = await openStore(fs, dir);
    expect(store.replayStats.sidecarsRebuilt).toBe(1);
    expect(decodeSidecar(await readFile(fs, sidecarPath(dir)))).toMatchObject({ seq: 1, syncedLsn: 3 });
    await store.close();
  });

  it('removes an orphan sidecar temporary on open', async () => {
    await closedStoreWith(1);
    const orphan = `${sidecarPath(dir)}.tmp`;
    await writeFile(fs, orphan, garbage(40));
    const store = await openStore(fs, dir);
    expect(store.replayStats.orphansRemoved).toBe(1);
    expect(await fs.exists(orphan)).toBe(false);
    await store.close();
  });

  it('refuses a damaged frame at or below the sidecar\'s synced watermark as corruption', async () => {
    await closedStoreWith(3);
    const offsets = await frameOffsets(fs, segmentPath(dir));
    // The last frame: no later frame vouches for it, only the sidecar written by close does.
    await overwrite(fs, segmentPath(dir), offsets[2]! + frameHeaderBytes, garbage(8));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: segmentPath(dir), offset: offsets[2] });
    expect((error as Error).message).toContain('synced watermark');
  });

  it('vouches, through the sidecar recovery rebuilds, for every frame recovery replayed', async () => {
    const first = await openCrashable(fs, dir);
    await commitPuts(first.store, 3);
    await first.crash();
    // This open replays frames 1-3, fsyncs them and writes a sidecar with watermark 3.
    const second = await openCrashable(fs, dir);
    expect(second.store.replayStats.sidecarsRebuilt).toBe(1);
    await second.crash();
    const offsets = await frameOffsets(fs, segmentPath(dir));
    await overwrite(fs, segmentPath(dir), offsets[2]! + frameHeaderBytes, garbage(8));
    expect(await rejectionOf(openStore(fs, dir))).toMatchObject({ code: 'CORRUPTION', offset: offsets[2] });
  });
});
