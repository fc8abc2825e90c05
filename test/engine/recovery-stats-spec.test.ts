/**
 * What opening a store reports about its recovery, exactly: every field of `replayStats`, the
 * rare-branch probes named (`onProbe`), the files left afterwards, and the typed error of each
 * kind of refusal with its file and offset. The clock is a stub whose readings are given, so
 * `recoveryMs` is exact too.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, UnsupportedVersionError } from '../../engine/errors.ts';
import { encodeManifest, manifestFileName } from '../../engine/manifest.ts';
import type { Clock, Timer } from '../../engine/ports/clock.ts';
import { joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import type { EngineProbe } from '../../engine/probes.ts';
import { encodeSnapshot, snapshotName } from '../../engine/snapshot.ts';
import { Store } from '../../engine/store.ts';
import type { EnginePhase, StoreOptions } from '../../engine/types.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { RecordingFileSystem } from './helpers/recording-fs.ts';
import { frameOffsets } from './helpers/segments.ts';
import { WrappingFileSystem } from './helpers/wrapping-fs.ts';
import {
  commitPuts, garbage, memoryStore, openCrashable, openStore, overwrite, putsState, readFile, rejectionOf, resize, segmentPath, sidecarPath,
  sizeOf, stateOf, writeFile,
} from './helpers/store.ts';

/** A clock whose `now()` returns the given readings in turn (the last one forever after). */
class ReadingsClock implements Clock {
  constructor(private readonly readings: number[]) {}
  now(): number {
    return this.readings.length > 1 ? this.readings.shift()! : this.readings[0]!;
  }
  setTimer(_delayMs: number, callback: () => void): Timer {
    const handle = setTimeout(callback, 0);
    return { cancel: () => clearTimeout(handle) };
  }
}

let fs: FileSystem;
let dir: string;
let probes: EngineProbe[];
let phases: EnginePhase[];

beforeEach(async () => {
  ({ fs, dir } = await memoryStore());
  probes = [];
  phases = [];
});

const path = (name: string): string => joinPath(dir, name);

/** Opens with probes recorded and a clock that reads 1000, then 1000 + `recoveryMs`. */
function reopen(options: Partial<StoreOptions> = {}, recoveryMs = 7): Promise<Store> {
  return Store.open({
    fs, dir, clock: new ReadingsClock([1000, 1000 + recoveryMs]), segmentSizeBytes: 256,
    onProbe: (probe) => probes.push(probe), probe: (phase) => phases.push(phase), ...options,
  });
}

const cleanStats = {
  recordsApplied: 0, lastLsn: 0, truncatedBytes: 0, tornBytesKept: 0, segmentsScanned: 0, sidecarsRebuilt: 0,
  uncleanShutdown: false, snapshotLsn: 0, orphansRemoved: 0, recoveryMs: 7, bytesReplayed: 0,
};

/** 12 commits in 256-byte segments (1: LSN 1–4, 2: 5–8, 3: 9–12), closed cleanly. */
async function closedStore(): Promise<void> {
  const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
  await commitPuts(store, 12);
  await store.close();
}

describe('opening an empty directory', () => {
  it('creates the manifest and the first segment, and reports nothing recovered', async () => {
    const store = await reopen();
    expect(store.replayStats).toEqual(cleanStats);
    expect(await fs.readdir(dir)).toEqual(['00000000000000000001.wal', manifestFileName]);
    expect(await sizeOf(fs, segmentPath(dir, 1))).toBe(32);
    expect(probes).toEqual([]);
    expect(phases).toEqual(['recovery', 'manifest', 'recovery', 'segment.rotate', 'recovery', 'recovery']);
    expect(store.metrics()).toEqual({
      writtenLsn: 0, durableLsn: 0, walBytes: 32, segmentCount: 1, keyCount: 0,
      fsyncCount: 0, sidecarRewrites: 0, checkpoints: 0, segmentsPruned: 0, commits: 0, groupSyncs: 0,
    });
    expect((await store.commit([{ type: 'delete', key: 'x' }])).lsn).toBe(1);
    await store.close();
  });
});

describe('opening a cleanly closed store', () => {
  it('replays every segment and reports a clean shutdown', async () => {
    await closedStore();
    const store = await reopen();
    expect(store.replayStats).toEqual({ ...cleanStats, recordsApplied: 12, lastLsn: 12, segmentsScanned: 3, bytesReplayed: 768 });
    expect(stateOf(store)).toEqual(putsState(12));
    expect(probes).toEqual([]);
    expect(store.metrics()).toMatchObject({ writtenLsn: 12, durableLsn: 12, walBytes: 768, segmentCount: 3, keyCount: 12 });
    const manifest = new TextDecoder().decode(await readFile(fs, path(manifestFileName)));
    expect(manifest).toContain('"clean":false');
    await store.close();
  });

  it('continues the log in the last segment at the next LSN', async () => {
    await closedStore();
    const store = await reopen();
    expect((await store.commit([{ type: 'delete', key: 'k1' }])).lsn).toBe(13);
    await store.close();
    expect((await frameOffsets(fs, segmentPath(dir, 4))).length).toBe(1);
  });
});

describe('opening after a kill', () => {
  it('reports an unclean shutdown and rebuilds the last segment\'s missing sidecar', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    await crash();
    const reopened = await reopen();
    expect(reopened.replayStats).toEqual({
      ...cleanStats, recordsApplied: 12, lastLsn: 12, segmentsScanned: 3, bytesReplayed: 768, uncleanShutdown: true, sidecarsRebuilt: 1,
    });
    expect(probes).toEqual(['recovery.rebuild-sidecar.missing']);
    expect((await readFile(fs, sidecarPath(dir, 3))).length).toBe(48 + 4 * 4);
    await reopened.close();
  });

  it('cuts a torn tail after keeping its bytes as evidence, and reports both', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 6);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 2));
    const tail = (await readFile(fs, segmentPath(dir, 2))).slice(offsets[1]!, offsets[1]! + 10);
    await resize(fs, segmentPath(dir, 2), offsets[1]! + 10);
    const reopened = await reopen();
    expect(reopened.replayStats).toMatchObject({ recordsApplied: 5, lastLsn: 5, truncatedBytes: 10, tornBytesKept: 10, uncleanShutdown: true });
    expect(probes).toEqual(['recovery.cut-torn-tail', 'recovery.rebuild-sidecar.missing']);
    expect(await sizeOf(fs, segmentPath(dir, 2))).toBe(offsets[1]);
    expect(await readFile(fs, path(evidenceName(2, 1, offsets[1]!)))).toEqual(tail);
    expect(stateOf(reopened)).toEqual(putsState(5));
    await reopened.close();
  });

  it('reuses evidence an interrupted recovery already kept, and reports no bytes kept this time', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 6);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 2));
    await resize(fs, segmentPath(dir, 2), offsets[1]! + 10);
    const tail = (await readFile(fs, segmentPath(dir, 2))).slice(offsets[1]!);
    await writeFile(fs, path(evidenceName(2, 1, offsets[1]!)), tail);
    const reopened = await reopen();
    expect(reopened.replayStats).toMatchObject({ truncatedBytes: 10, tornBytesKept: 0 });
    expect(probes).toEqual(['recovery.evidence-reused', 'recovery.rebuild-sidecar.missing']);
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.torn'))).toEqual([evidenceName(2, 1, offsets[1]!)]);
    await reopened.close();
  });

  it('keeps a new evidence file when one of the same place holds other bytes', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 6);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 2));
    await resize(fs, segmentPath(dir, 2), offsets[1]! + 10);
    await writeFile(fs, path(evidenceName(2, 1, offsets[1]!)), garbage(10));
    const reopened = await reopen();
    expect(reopened.replayStats).toMatchObject({ truncatedBytes: 10, tornBytesKept: 10 });
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.torn'))).toEqual([
      evidenceName(2, 1, offsets[1]!), evidenceName(2, 2, offsets[1]!),
    ]);
    await reopened.close();
  });
});

describe('clean-up', () => {
  it('removes orphans and counts them', async () => {
    await closedStore();
    await writeFile(fs, path('MANIFEST.tmp'), garbage(3));
    await writeFile(fs, path('00000000000000000002.wal.dead'), garbage(3));
    const store = await reopen();
    expect(store.replayStats.orphansRemoved).toBe(2);
    expect(probes).toEqual(['recovery.remove-orphans']);
    expect((await fs.readdir(dir)).some((name) => name.endsWith('.tmp') || name.endsWith('.dead'))).toBe(false);
    await store.close();
  });

  it('removes evidence beyond the limit, oldest first', async () => {
    await closedStore();
    for (let n = 1; n <= 9; n++) await writeFile(fs, path(evidenceName(1, n, 100)), garbage(2, n));
    const store = await reopen();
    expect(probes).toEqual(['recovery.remove-evidence']);
    expect((await fs.readdir(dir)).filter((name) => name.endsWith('.torn'))).toEqual(
      Array.from({ length: 8 }, (_, i) => evidenceName(1, i + 2, 100)),
    );
    await store.close();
  });

  it('removes what an interrupted prune left: covered segments, their sidecars and older snapshots', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segmentPath(dir, 1));
    await store.checkpoint();
    await store.close();
    await writeFile(fs, segmentPath(dir, 1), first);
    await writeFile(fs, path(snapshotName(2)), encodeSnapshot(2, new Map()));
    const reopened = await reopen();
    expect(probes).toEqual(['recovery.remove-dead']);
    expect(reopened.replayStats).toMatchObject({ snapshotLsn: 12, recordsApplied: 0, lastLsn: 12, segmentsScanned: 1, bytesReplayed: 32 });
    expect(await fs.readdir(dir)).toEqual(['00000000000000000004.wal', '00000000000000000004.wal.idx', manifestFileName, snapshotName(12)]);
    expect(stateOf(reopened)).toEqual(putsState(12));
    await reopened.close();
  });
});

describe('starting from a snapshot', () => {
  it('replays only the frames after the snapshot LSN on top of the snapshot\'s state', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 4096 });
    await commitPuts(store, 4);
    await crash();
    // A snapshot at LSN 2 whose values differ from what frames 1 and 2 wrote: replaying either
    // frame again would overwrite them.
    const encoder = new TextEncoder();
    await writeFile(fs, path(snapshotName(2)), encodeSnapshot(2, new Map([['k1', encoder.encode('S1')], ['k2', encoder.encode('S2')]])));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(2), snapshotLsn: 2, clean: false, durableLsn: 2 }));
    const reopened = await reopen({ segmentSizeBytes: 4096 });
    expect(stateOf(reopened)).toEqual({ k1: 'S1', k2: 'S2', k3: 'v3'.padEnd(8, '.'), k4: 'v4'.padEnd(8, '.') });
    expect(reopened.replayStats).toMatchObject({ snapshotLsn: 2, recordsApplied: 2, lastLsn: 4, uncleanShutdown: true });
    await reopened.close();
  });
});

describe('refusals', () => {
  it('a damaged snapshot refuses with CorruptionError naming it, and names probe F4', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    await store.checkpoint();
    await store.close();
    await overwrite(fs, path(snapshotName(12)), 40, garbage(4));
    const error = await rejectionOf(reopen());
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ code: 'CORRUPTION', file: path(snapshotName(12)), offset: 0, reason: 'checksum mismatch' });
    expect(probes).toEqual(['recovery.refuse.F4']);
  });

  it('a manifest of another version refuses with UnsupportedVersionError, and names probe F3', async () => {
    await closedStore();
    const body = `${JSON.stringify({ format: 'powercut-manifest', version: 3, snapshot: null, snapshotLsn: 0, clean: true })}\n`;
    const crc = crc32c(new TextEncoder().encode(body)).toString(16).padStart(8, '0');
    await writeFile(fs, path(manifestFileName), new TextEncoder().encode(`${body}crc32c:${crc}\n`));
    const error = await rejectionOf(reopen());
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error).toMatchObject({ file: path(manifestFileName), found: 3, supported: 1 });
    expect(probes).toEqual(['recovery.refuse.F3']);
  });

  it('the first refusal is the error: a missing middle segment refuses with C2 at the next segment\'s base LSN field', async () => {
    await closedStore();
    await fs.unlink(segmentPath(dir, 2));
    const error = await rejectionOf(reopen());
    expect(error).toMatchObject({ code: 'CORRUPTION', file: segmentPath(dir, 3), offset: 24 });
    expect((error as CorruptionError).reason).toBe('segment starts at LSN 9, expected 5: a segment is missing or out of order');
    expect(probes).toEqual(['recovery.refuse.C2']);
  });

  it('changes nothing in the directory when it refuses', async () => {
    await closedStore();
    await fs.unlink(segmentPath(dir, 2));
    await writeFile(fs, path('MANIFEST.tmp'), garbage(3));
    const before = await fs.readdir(dir);
    await rejectionOf(reopen());
    expect(await fs.readdir(dir)).toEqual(before);
  });
});

describe('a recovery with every kind of repair', () => {
  it('names its probes and phases in the order it repairs, and counts each repair', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segmentPath(dir, 1));
    await store.checkpoint();
    await store.close();
    const { store: killed, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(killed, 2, 13);
    await crash();
    await writeFile(fs, segmentPath(dir, 1), first);
    const offsets = await frameOffsets(fs, segmentPath(dir, 4));
    await resize(fs, segmentPath(dir, 4), offsets[1]! + 10);
    await writeFile(fs, path('MANIFEST.tmp'), garbage(3));
    const reopened = await reopen();
    expect(probes).toEqual(['recovery.remove-orphans', 'recovery.remove-dead', 'recovery.cut-torn-tail', 'recovery.rebuild-sidecar.behind']);
    // Last, the manifest marked open again (K7): it records LSN 13, which this recovery made durable.
    expect(phases).toEqual(['recovery', 'prune', 'recovery', 'sidecar.rewrite', 'manifest', 'recovery', 'recovery']);
    expect(reopened.replayStats).toEqual({
      recordsApplied: 1, lastLsn: 13, truncatedBytes: 10, tornBytesKept: 10, segmentsScanned: 1, sidecarsRebuilt: 1,
      uncleanShutdown: true, snapshotLsn: 12, orphansRemoved: 1, recoveryMs: 7, bytesReplayed: offsets[1]! + 10,
    });
    expect(reopened.metrics()).toMatchObject({ writtenLsn: 13, durableLsn: 13, walBytes: offsets[1], segmentCount: 1 });
    await reopened.close();
  });

  it('keeps the evidence of its own cut when the limit is full, removing the oldest other one', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 2);
    await crash();
    for (let n = 1; n <= 8; n++) await writeFile(fs, path(evidenceName(1, n, 500 + n)), garbage(2, n));
    const offsets = await frameOffsets(fs, segmentPath(dir, 1));
    await resize(fs, segmentPath(dir, 1), offsets[1]! + 10);
    const reopened = await reopen();
    expect(probes).toEqual(['recovery.cut-torn-tail', 'recovery.remove-evidence', 'recovery.rebuild-sidecar.missing']);
    const torn = (await fs.readdir(dir)).filter((name) => name.endsWith('.torn'));
    expect(torn).toHaveLength(8);
    expect(torn).not.toContain(evidenceName(1, 1, 501));
    expect(torn).toContain(evidenceName(1, 9, offsets[1]!));
    await reopened.close();
  });
});

describe('evidence an earlier recovery kept', () => {
  /** A killed store whose segment 1 ends in a 10-byte torn tail at the second frame; returns that offset and the tail. */
  async function tornAtSecondFrame(): Promise<{ offset: number; tail: Uint8Array }> {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 2);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 1));
    await resize(fs, segmentPath(dir, 1), offsets[1]! + 10);
    return { offset: offsets[1]!, tail: (await readFile(fs, segmentPath(dir, 1))).slice(offsets[1]!) };
  }

  it('is not reused for a cut of another segment at the same offset', async () => {
    const { offset, tail } = await tornAtSecondFrame();
    await writeFile(fs, path(evidenceName(2, 1, offset)), tail);
    const reopened = await reopen();
    expect(reopened.replayStats.tornBytesKept).toBe(10);
    expect(probes).toContain('recovery.cut-torn-tail');
    await reopened.close();
  });

  it('is not reused for a cut of the same segment at another offset', async () => {
    const { offset, tail } = await tornAtSecondFrame();
    await writeFile(fs, path(evidenceName(1, 1, offset + 8)), tail);
    expect((await reopen()).replayStats.tornBytesKept).toBe(10);
  });

  it('is not reused when it holds a prefix of the tail', async () => {
    const { offset, tail } = await tornAtSecondFrame();
    await writeFile(fs, path(evidenceName(1, 1, offset)), tail.subarray(0, 9));
    expect((await reopen()).replayStats.tornBytesKept).toBe(10);
  });

  it('is not reused when it holds the tail and more', async () => {
    const { offset, tail } = await tornAtSecondFrame();
    await writeFile(fs, path(evidenceName(1, 1, offset)), new Uint8Array([...tail, 0]));
    expect((await reopen()).replayStats.tornBytesKept).toBe(10);
  });
});

describe('evidence of the same length', () => {
  it('is not reused when a single byte differs from the tail', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 2);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 1));
    await resize(fs, segmentPath(dir, 1), offsets[1]! + 10);
    const tail = (await readFile(fs, segmentPath(dir, 1))).slice(offsets[1]!);
    tail[9] = tail[9]! ^ 0xff;
    await writeFile(fs, path(evidenceName(1, 1, offsets[1]!)), tail);
    expect((await reopen()).replayStats.tornBytesKept).toBe(10);
  });
});

describe('reusing kept evidence, as port calls', () => {
  it('does not write the evidence again, and closes the segment it cut', async () => {
    const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 2);
    await crash();
    const offsets = await frameOffsets(fs, segmentPath(dir, 1));
    await resize(fs, segmentPath(dir, 1), offsets[1]! + 10);
    const tail = (await readFile(fs, segmentPath(dir, 1))).slice(offsets[1]!);
    await writeFile(fs, path(evidenceName(1, 1, offsets[1]!)), tail);
    const recording = new RecordingFileSystem(fs);
    const wrapper = new WrappingFileSystem(recording);
    const reopened = await openStore(wrapper, dir, { segmentSizeBytes: 256 });
    expect(recording.calls.filter((call) => call.includes('.torn'))).toEqual([]);
    expect(recording.calls).toContain(`truncate 00000000000000000001.wal ${offsets[1]}`);
    expect(wrapper.openHandles.size).toBe(1);
    await reopened.close();
  });
});
