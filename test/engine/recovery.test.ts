/**
 * Recovery from a damaged WAL: the rules R1–R5 of engine/wal/recovery.ts, seen through
 * `Store.open`. A "crash" is simply dropping a store without `close()`; the damage is then
 * written into the files by hand, as a power loss or a bad disk would leave them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '../../engine/errors.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { frameHeaderBytes } from '../../engine/wal/format.ts';
import { frameOffsets } from './helpers/segments.ts';
import {
  backends, commitPuts, del, directoryBytes, flipBits, garbage, openCrashable, openStore, overwrite, put, putsState, readFile,
  rejectionOf, resize, segmentPath, sidecarPath, sizeOf, stateOf, writeFile, type Backend,
} from './helpers/store.ts';

describe.each(backends)('recovery on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let dir: string;
  let segment: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    dir = joinPath(backend.root, 'store');
    segment = segmentPath(dir, 1);
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  /** Commits `count` puts in a new store and drops it without closing (a crash). */
  async function crashAfter(count: number, sync: 'strict' | 'none' = 'strict'): Promise<number[]> {
    const { store, crash } = await openCrashable(fs, dir, { sync });
    await commitPuts(store, count);
    await crash();
    return frameOffsets(fs, segment);
  }

  it('replays every acknowledged commit after a crash', async () => {
    const { store, crash } = await openCrashable(fs, dir);
    await store.commit([put('a', '1'), put('b', '2')]);
    await store.commit([del('a'), put('c', '3')]);
    await store.commit([put('b', '4')]);
    await crash();
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual({ b: '4', c: '3' });
    expect(reopened.replayStats).toMatchObject({ recordsApplied: 3, lastLsn: 3, truncatedBytes: 0, segmentsScanned: 1 });
    await reopened.close();
  });

  it('gives every recovered value a buffer of its own, from the log and from a snapshot alike', async () => {
    const { store, crash } = await openCrashable(fs, dir);
    await store.commit([put('snap', 'from the snapshot, long enough to need a buffer of its own'.repeat(2))]);
    await store.checkpoint();
    await store.commit([put('log', 'from the log, long enough to need a buffer of its own'.repeat(2)), put('short', 'x')]);
    await crash();
    const reopened = await openStore(fs, dir);
    for (const key of ['snap', 'log', 'short']) {
      const value = reopened.get(key)!;
      // A view into the file buffer recovery read would keep the whole file in memory.
      expect({ key, byteOffset: value.byteOffset, buffer: value.buffer.byteLength }).toEqual({ key, byteOffset: 0, buffer: value.length });
    }
    await reopened.close();
  });

  it('truncates a frame cut off at the end of the last segment', async () => {
    const offsets = await crashAfter(3);
    const lastOffset = offsets[2]!;
    await resize(fs, segment, lastOffset + 20);
    const torn = await readFile(fs, segment);
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(2));
    expect(reopened.replayStats.truncatedBytes).toBe(20);
    expect(reopened.replayStats.tornBytesKept).toBe(20);
    expect(reopened.replayStats.lastLsn).toBe(2);
    expect(await sizeOf(fs, segment)).toBe(lastOffset);
    expect(await readFile(fs, joinPath(dir, evidenceName(1, 1, lastOffset)))).toEqual(torn.subarray(lastOffset));
    expect((await reopened.commit([put('next', 'x')])).lsn).toBe(3);
    await reopened.close();
  });

  it('truncates a zero tail left when the file size survived but its data did not', async () => {
    await crashAfter(3);
    const size = await sizeOf(fs, segment);
    await resize(fs, segment, size + 4096);
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(3));
    expect(reopened.replayStats.truncatedBytes).toBe(4096);
    expect(await sizeOf(fs, segment)).toBe(size);
    await reopened.close();
  });

  it('truncates a garbage tail after the last frame', async () => {
    await crashAfter(3);
    const size = await sizeOf(fs, segment);
    await overwrite(fs, segment, size, garbage(100));
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(3));
    expect(reopened.replayStats.truncatedBytes).toBe(100);
    expect(await sizeOf(fs, segment)).toBe(size);
    await reopened.close();
  });

  it('refuses a bad checksum mid-log when a later frame records it as durable, naming file and offset', async () => {
    const offsets = await crashAfter(5);
    // Strict mode: frame 3 carries durable LSN 2, which vouches for frame 2.
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: segment, offset: offsets[1] });
    expect((error as Error).message).toContain(segment);
    expect((error as Error).message).toContain(`offset ${offsets[1]}`);
  });

  it('leaves the files untouched when it refuses to open', async () => {
    const offsets = await crashAfter(5);
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    const size = await sizeOf(fs, segment);
    await rejectionOf(openStore(fs, dir));
    expect(await sizeOf(fs, segment)).toBe(size);
    expect(await rejectionOf(openStore(fs, dir))).toBeInstanceOf(CorruptionError);
  });

  it('refuses before changing anything: even an orphan it would remove stays', async () => {
    const offsets = await crashAfter(5);
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    const before = await directoryBytes(fs, dir);
    expect(await rejectionOf(openStore(fs, dir))).toBeInstanceOf(CorruptionError);
    expect(await directoryBytes(fs, dir)).toEqual(before);
  });

  it('refuses damage in a segment that is not the last, even at its final frame', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    await crash();
    expect(await fs.exists(segmentPath(dir, 2))).toBe(true);
    const offsets = await frameOffsets(fs, segment);
    const lastOffset = offsets[offsets.length - 1]!;
    await overwrite(fs, segment, lastOffset + frameHeaderBytes, garbage(8));
    // Without its sidecar no synced watermark speaks for the frame: only rule R1 refuses it.
    await fs.unlink(sidecarPath(dir, 1));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: segment, offset: lastOffset });
    expect((error as Error).message).toContain('not the last');
  });

  it('refuses a single flipped bit in the last frame as bit rot, not a torn tail', async () => {
    const offsets = await crashAfter(3);
    await flipBits(fs, segment, offsets[2]! + frameHeaderBytes + 6, 0x08);
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: segment, offset: offsets[2] });
    expect((error as Error).message).toContain('one bit');
  });

  it('refuses a single flipped bit in the last frame\'s header', async () => {
    const offsets = await crashAfter(3);
    await flipBits(fs, segment, offsets[2]! + 9, 0x01);
    expect(await rejectionOf(openStore(fs, dir))).toMatchObject({ code: 'CORRUPTION', offset: offsets[2] });
  });

  it('truncates a torn frame and the intact frames after it when none of them records it as durable', async () => {
    // In none mode every frame carries durable LSN 0: nothing proves frame 2 was ever synced,
    // so an intact frame 3 after a torn frame 2 is an out-of-order unsynced append.
    const offsets = await crashAfter(3, 'none');
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    const size = await sizeOf(fs, segment);
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(1));
    expect(reopened.replayStats.truncatedBytes).toBe(size - offsets[1]!);
    expect(reopened.replayStats.lastLsn).toBe(1);
    await reopened.close();
  });

  it('gives the same state when opened twice after damage, and the second open truncates nothing', async () => {
    const offsets = await crashAfter(4);
    await resize(fs, segment, offsets[3]! + 9);
    const { store: first, crash } = await openCrashable(fs, dir);
    const firstState = stateOf(first);
    expect(first.replayStats.truncatedBytes).toBe(9);
    await crash();
    const second = await openStore(fs, dir);
    expect(stateOf(second)).toEqual(firstState);
    expect(second.replayStats.truncatedBytes).toBe(0);
    expect(second.replayStats.lastLsn).toBe(3);
    await second.close();
  });

  it('opens an empty directory as an empty store', async () => {
    const store = await openStore(fs, dir);
    expect(stateOf(store)).toEqual({});
    expect(store.replayStats).toMatchObject({ lastLsn: 0, recordsApplied: 0, truncatedBytes: 0, uncleanShutdown: false });
    expect((await store.commit([put('a', '1')])).lsn).toBe(1);
    await store.close();
  });
});
