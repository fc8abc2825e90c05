/**
 * `inspect` and `verify` as a specification: for each kind of damage a store directory can hold
 * (a bad or missing manifest, a bad or missing snapshot, covered segments and stale snapshots
 * left by an interrupted prune, orphans, sidecars in every state, bad segment headers, torn
 * tails, evidence beyond its limit), the exact report: which file, which offset, which rule,
 * what message, and what recovery would do. On memfs only: the reports are pure functions of
 * the bytes, and the real disk adds nothing here.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { inspect, verify } from '../../engine/inspect.ts';
import { encodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import { encodeSnapshot, snapshotName } from '../../engine/snapshot.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { encodeSegmentHeader } from '../../engine/wal/format.ts';
import { frameOffsets } from './helpers/segments.ts';
import {
  commitPuts, garbage, memoryStore, openCrashable, openStore, overwrite, readFile, resize, segmentPath, sidecarPath, sizeOf, writeFile,
} from './helpers/store.ts';

let fs: FileSystem;
let dir: string;
let manifestPath: string;

beforeEach(async () => {
  ({ fs, dir } = await memoryStore());
  manifestPath = joinPath(dir, manifestFileName);
});

const path = (name: string): string => joinPath(dir, name);

/** A store of 12 single-put commits in 256-byte segments: 1 (LSN 1–4), 2 (5–8), 3 (9–12), closed cleanly. */
async function closedStore(): Promise<void> {
  const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
  await commitPuts(store, 12);
  await store.close();
}

/** The same 12 commits, the process killed after the last: segment 3 has no sidecar and the manifest says open. */
async function killedStore(count = 12): Promise<void> {
  const { store, crash } = await openCrashable(fs, dir, { segmentSizeBytes: 256 });
  await commitPuts(store, count);
  await crash();
}

describe('inspect of a healthy store', () => {
  it('describes every segment with its role, LSNs, frames and sidecar, and plans only routine work', async () => {
    await closedStore();
    const report = await inspect(fs, dir);
    expect(report.dir).toBe(dir);
    // The clean close recorded every frame durable, up to LSN 12.
    expect(report.manifest).toEqual({ snapshot: null, snapshotLsn: 0, clean: true, durableLsn: 12 });
    expect(report).not.toHaveProperty('manifestProblem');
    expect(report).not.toHaveProperty('snapshot');
    expect(report).not.toHaveProperty('snapshotProblem');
    expect(report.segments).toEqual([
      { name: '00000000000000000001.wal', seq: 1, role: 'sealed', bytes: 256, baseLsn: 1, lastLsn: 4, frames: 4, sidecar: 'ok', sidecarSyncedLsn: 4 },
      { name: '00000000000000000002.wal', seq: 2, role: 'sealed', bytes: 256, baseLsn: 5, lastLsn: 8, frames: 4, sidecar: 'ok', sidecarSyncedLsn: 8 },
      { name: '00000000000000000003.wal', seq: 3, role: 'last', bytes: 256, baseLsn: 9, lastLsn: 12, frames: 4, sidecar: 'ok', sidecarSyncedLsn: 12 },
    ]);
    expect(report.orphans).toEqual([]);
    expect(report.evidence).toEqual([]);
    expect(report.recovery).toEqual({
      refusals: [],
      actions: [
        { kind: 'sync-segment', rule: 'K5', file: segmentPath(dir, 3) },
        { kind: 'mark-open', rule: 'K7', manifest: { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 12 } },
      ],
    });
  });

  it('verify counts the live segments and their frames, and finds nothing', async () => {
    await closedStore();
    expect(await verify(fs, dir)).toEqual({ ok: true, problems: [], segmentsChecked: 3, framesChecked: 12, evidence: [] });
  });

  it('an empty directory has no manifest: recovery would create the manifest and the first segment', async () => {
    await fs.mkdir(dir);
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('missing');
    expect(report).not.toHaveProperty('manifest');
    expect(report.segments).toEqual([]);
    expect(report.recovery).toEqual({
      refusals: [],
      actions: [
        { kind: 'create-manifest', rule: 'K6', manifest: { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 0 } },
        { kind: 'create-segment', rule: 'K6', seq: 1, baseLsn: 1 },
      ],
    });
    expect(await verify(fs, dir)).toEqual({ ok: true, problems: [], segmentsChecked: 0, framesChecked: 0, evidence: [] });
  });
});

describe('the manifest', () => {
  it('missing beside segments is corruption of the manifest at offset 0 (rule F1)', async () => {
    await closedStore();
    await fs.unlink(manifestPath);
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('missing');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F1', kind: 'corruption', file: manifestPath, offset: 0, reason: 'the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist' },
    ]);
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'corruption', file: manifestPath, offset: 0, message: 'the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist', rule: 'F1' },
    ]);
  });

  it('missing beside a snapshot alone is corruption too (rule F1)', async () => {
    await fs.mkdir(dir);
    await writeFile(fs, path(snapshotName(4)), encodeSnapshot(4, new Map()));
    const verdict = await verify(fs, dir);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([expect.objectContaining({ rule: 'F1', file: manifestPath })]);
  });

  it('with a bad checksum is reported with the checksum detail at the checksum line (rule F2)', async () => {
    await closedStore();
    const bytes = await readFile(fs, manifestPath);
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('crc32c:') + 7;
    await overwrite(fs, manifestPath, at, Uint8Array.of(bytes[at] === 0x30 ? 0x31 : 0x30));
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('checksum mismatch');
    expect(report).not.toHaveProperty('manifest');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F2', kind: 'corruption', file: manifestPath, offset: text.indexOf('\n') + 1, reason: 'checksum mismatch' },
    ]);
  });

  it('above 64 KiB is refused without being read (rule F2)', async () => {
    await closedStore();
    await resize(fs, manifestPath, 64 * 1024 + 1);
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('file is 65537 bytes, above the limit of 65536');
    expect(report.recovery.refusals[0]).toEqual({
      rule: 'F2', kind: 'corruption', file: manifestPath, offset: 0, reason: 'file is 65537 bytes, above the limit of 65536',
    });
  });

  it('of exactly 64 KiB is read (and here refused for its contents, not its size)', async () => {
    await closedStore();
    await resize(fs, manifestPath, 64 * 1024);
    expect((await inspect(fs, dir)).manifestProblem).toBe('checksum mismatch');
  });

  it('of another version is a version refusal naming both versions (rule F3)', async () => {
    await closedStore();
    const body = `${JSON.stringify({ format: 'powercut-manifest', version: 2, snapshot: null, snapshotLsn: 0, clean: true })}\n`;
    const crc = crc32c(new TextEncoder().encode(body)).toString(16).padStart(8, '0');
    await writeFile(fs, manifestPath, new TextEncoder().encode(`${body}crc32c:${crc}\n`));
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('format version 2, this engine reads 1');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F3', kind: 'version', file: manifestPath, offset: 0, reason: 'format version 2, this engine reads 1', foundVersion: 2, supportedVersion: 1 },
    ]);
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'corruption', file: manifestPath, offset: 0, message: 'format version 2, this engine reads 1', rule: 'F3' },
    ]);
  });
});

describe('the snapshot the manifest names', () => {
  /** A store checkpointed at LSN 12, then two more commits in segment 4, closed. */
  async function checkpointed(): Promise<void> {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    await store.checkpoint();
    await commitPuts(store, 2, 13);
    await store.close();
  }
  const snapshotPath = (): string => path(snapshotName(12));

  it('is described by name, LSN, entry count and size', async () => {
    await checkpointed();
    const report = await inspect(fs, dir);
    expect(report.snapshot).toEqual({ name: snapshotName(12), lsn: 12, entries: 12, bytes: await sizeOf(fs, snapshotPath()) });
    expect(report.manifest).toEqual({ snapshot: snapshotName(12), snapshotLsn: 12, clean: true, durableLsn: 14 });
    expect(report.segments.map((segment) => [segment.seq, segment.role, segment.baseLsn, segment.lastLsn])).toEqual([[4, 'last', 13, 14]]);
    expect(await verify(fs, dir)).toEqual({ ok: true, problems: [], segmentsChecked: 1, framesChecked: 2, evidence: [] });
  });

  it('missing is corruption of that snapshot at offset 0 (rule F4)', async () => {
    await checkpointed();
    await fs.unlink(snapshotPath());
    const report = await inspect(fs, dir);
    expect(report.snapshotProblem).toBe('the snapshot named by the manifest is missing');
    expect(report).not.toHaveProperty('snapshot');
    expect(report).not.toHaveProperty('manifestProblem');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F4', kind: 'corruption', file: snapshotPath(), offset: 0, reason: 'the snapshot named by the manifest is missing' },
    ]);
  });

  it('damaged is corruption with the decoder\'s reason and offset (rule F4)', async () => {
    await checkpointed();
    await overwrite(fs, snapshotPath(), 40, garbage(4));
    const report = await inspect(fs, dir);
    expect(report.snapshotProblem).toBe('checksum mismatch');
    expect(report.recovery.refusals).toEqual([{ rule: 'F4', kind: 'corruption', file: snapshotPath(), offset: 0, reason: 'checksum mismatch' }]);
    const verdict = await verify(fs, dir);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      { severity: 'corruption', file: snapshotPath(), offset: 0, message: 'checksum mismatch', rule: 'F4' },
    ]);
  });

  it('of another version is refused at offset 8', async () => {
    await checkpointed();
    const bytes = encodeSnapshot(12, new Map());
    bytes[8] = 2;
    new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32c(bytes, 0, bytes.length - 4), true);
    await writeFile(fs, snapshotPath(), bytes);
    expect((await inspect(fs, dir)).recovery.refusals).toEqual([
      { rule: 'F4', kind: 'corruption', file: snapshotPath(), offset: 8, reason: 'unknown version 2' },
    ]);
  });

  it('at another LSN than the manifest says is corruption at the LSN field, offset 16 (rule F4)', async () => {
    await checkpointed();
    await writeFile(fs, snapshotPath(), encodeSnapshot(11, new Map()));
    const report = await inspect(fs, dir);
    expect(report.snapshotProblem).toBe('snapshot LSN 11, the manifest says 12');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F4', kind: 'corruption', file: snapshotPath(), offset: 16, reason: 'snapshot LSN 11, the manifest says 12' },
    ]);
  });

  it('segments and sidecars it covers, and other snapshots, are dead files an interrupted prune left (rule K2)', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const before = new Map<string, Uint8Array>();
    for (const name of ['00000000000000000001.wal', '00000000000000000001.wal.idx', '00000000000000000002.wal.idx']) {
      before.set(name, await readFile(fs, path(name)));
    }
    await store.checkpoint();
    await commitPuts(store, 2, 13);
    await store.close();
    for (const [name, bytes] of before) await writeFile(fs, path(name), bytes);
    await writeFile(fs, path(snapshotName(3)), encodeSnapshot(3, new Map()));
    const report = await inspect(fs, dir);
    expect(report.segments.map((segment) => [segment.seq, segment.role, segment.frames])).toEqual([[1, 'covered', 4], [4, 'last', 2]]);
    const dead = [path('00000000000000000001.wal'), path('00000000000000000001.wal.idx'), path('00000000000000000002.wal.idx'), path(snapshotName(3))];
    expect(report.recovery.actions[0]).toEqual({ kind: 'remove-dead', rule: 'K2', files: dead });
    const verdict = await verify(fs, dir);
    expect(verdict).toEqual({
      ok: true,
      problems: dead.map((file) => ({
        severity: 'recoverable', file, offset: 0, message: 'left by an interrupted prune (covered by the snapshot) or without its segment', rule: 'K2',
      })),
      segmentsChecked: 1, framesChecked: 2, evidence: [],
    });
  });
});

describe('orphans', () => {
  it('temporary and dead files are listed as orphans and reported as recoverable (rule K1)', async () => {
    await closedStore();
    await writeFile(fs, path('MANIFEST.tmp'), garbage(5));
    await writeFile(fs, path('00000000000000000004.wal.dead'), garbage(5));
    const report = await inspect(fs, dir);
    expect(report.orphans).toEqual(['00000000000000000004.wal.dead', 'MANIFEST.tmp']);
    expect(report.recovery.actions[0]).toEqual({
      kind: 'remove-orphans', rule: 'K1', files: [path('00000000000000000004.wal.dead'), path('MANIFEST.tmp')],
    });
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: path('00000000000000000004.wal.dead'), offset: 0, message: 'orphan file left by an interrupted operation', rule: 'K1' },
      { severity: 'recoverable', file: path('MANIFEST.tmp'), offset: 0, message: 'orphan file left by an interrupted operation', rule: 'K1' },
    ]);
  });
});

describe('sidecars', () => {
  it('the last segment\'s sidecar missing after a kill is routine: rebuilt, not a problem', async () => {
    await killedStore();
    const report = await inspect(fs, dir);
    expect(report.segments[2]).toEqual({
      name: '00000000000000000003.wal', seq: 3, role: 'last', bytes: 256, baseLsn: 9, lastLsn: 12, frames: 4, sidecar: 'missing',
    });
    expect(report.manifest?.clean).toBe(false);
    expect(report.recovery.actions).toEqual([
      { kind: 'sync-segment', rule: 'K5', file: segmentPath(dir, 3) },
      {
        kind: 'rebuild-sidecar', rule: 'K3', file: sidecarPath(dir, 3), state: 'missing',
        index: { seq: 3, baseLsn: 9, syncedLsn: 12, offsets: await frameOffsets(fs, segmentPath(dir, 3)), endOffset: 256 },
      },
      // The manifest says open but records LSN 0 durable: recovery records the 12 frames K5 made durable (K7).
      { kind: 'mark-open', rule: 'K7', manifest: { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 12 } },
    ]);
    expect(await verify(fs, dir)).toEqual({ ok: true, problems: [], segmentsChecked: 3, framesChecked: 12, evidence: [] });
  });

  it('a sealed segment\'s sidecar missing is reported as recoverable', async () => {
    await closedStore();
    await fs.unlink(sidecarPath(dir, 1));
    expect((await inspect(fs, dir)).segments[0]?.sidecar).toBe('missing');
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: sidecarPath(dir, 1), offset: 0, message: 'sidecar missing', rule: 'K3' },
    ]);
  });

  it('a sidecar that does not decode is corrupt, and has no watermark', async () => {
    await closedStore();
    await overwrite(fs, sidecarPath(dir, 2), 20, garbage(4));
    const segment = (await inspect(fs, dir)).segments[1];
    expect(segment?.sidecar).toBe('corrupt');
    expect(segment).not.toHaveProperty('sidecarSyncedLsn');
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: sidecarPath(dir, 2), offset: 0, message: 'sidecar corrupt', rule: 'K3' },
    ]);
  });

  it('a sidecar of another segment is corrupt', async () => {
    await closedStore();
    await writeFile(fs, sidecarPath(dir, 2), await readFile(fs, sidecarPath(dir, 1)));
    expect((await inspect(fs, dir)).segments[1]?.sidecar).toBe('corrupt');
  });

  it('a sealed segment\'s sidecar indexing only a prefix is stale, and reported', async () => {
    await killedStore(6);
    // Segment 2 holds LSN 5–6 with no sidecar yet; keep that prefix's sidecar, then fill and seal it.
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await store.close();
    const prefix = await readFile(fs, sidecarPath(dir, 2));
    const again = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(again, 6, 7);
    await again.close();
    await writeFile(fs, sidecarPath(dir, 2), prefix);
    const report = await inspect(fs, dir);
    expect(report.segments[1]).toMatchObject({ seq: 2, role: 'sealed', sidecar: 'stale', sidecarSyncedLsn: 6 });
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: sidecarPath(dir, 2), offset: 0, message: 'sidecar stale', rule: 'K3' },
    ]);
  });

  it('the last segment\'s sidecar indexing only a prefix is behind: rebuilt, not a problem', async () => {
    await killedStore(6);
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await store.close();
    const prefix = await readFile(fs, sidecarPath(dir, 2));
    const again = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(again, 1, 7);
    await again.close();
    await writeFile(fs, sidecarPath(dir, 2), prefix);
    const report = await inspect(fs, dir);
    expect(report.segments[1]).toMatchObject({ seq: 2, role: 'last', sidecar: 'behind', sidecarSyncedLsn: 6, lastLsn: 7 });
    expect(report.recovery.actions).toContainEqual(expect.objectContaining({ kind: 'rebuild-sidecar', state: 'behind', file: sidecarPath(dir, 2) }));
    expect((await verify(fs, dir)).problems).toEqual([]);
  });
});

describe('segment headers', () => {
  it('a header with a bad magic is corruption at offset 0 (rule F5), and the segment has no LSNs', async () => {
    await closedStore();
    await overwrite(fs, segmentPath(dir, 3), 0, Uint8Array.of(0));
    const report = await inspect(fs, dir);
    expect(report.segments[2]).toEqual({
      name: '00000000000000000003.wal', seq: 3, role: 'last', bytes: 256, frames: 0, sidecar: 'ok', headerProblem: 'segment header: magic',
    });
    expect(report.recovery.refusals).toEqual([
      { rule: 'F5', kind: 'corruption', file: segmentPath(dir, 3), offset: 0, reason: 'segment header: magic' },
    ]);
  });

  it('a header naming another segment is corruption at the sequence field, offset 16 (rule F5)', async () => {
    await closedStore();
    await writeFile(fs, segmentPath(dir, 5), encodeSegmentHeader({ seq: 4, baseLsn: 13 }));
    const report = await inspect(fs, dir);
    expect(report.segments[3]).toMatchObject({ seq: 5, headerProblem: 'header says segment 4', frames: 0 });
    expect(report.recovery.refusals).toEqual([
      { rule: 'F5', kind: 'corruption', file: segmentPath(dir, 5), offset: 16, reason: 'header says segment 4' },
    ]);
  });

  it('an empty segment after the last is the last one, and recovery appends to it', async () => {
    await closedStore();
    await writeFile(fs, segmentPath(dir, 4), encodeSegmentHeader({ seq: 4, baseLsn: 13 }));
    const report = await inspect(fs, dir);
    expect(report.segments[3]).toEqual({
      name: '00000000000000000004.wal', seq: 4, role: 'last', bytes: 32, baseLsn: 13, lastLsn: 12, frames: 0, sidecar: 'missing',
    });
    expect(report.segments[2]?.role).toBe('sealed');
    expect(report.recovery.refusals).toEqual([]);
  });
});

describe('frame damage', () => {
  it('a torn tail of the last segment is described with its verdict, and verify names the evidence file (rule R5)', async () => {
    await killedStore(5);
    const segment = segmentPath(dir, 2);
    const offsets = await frameOffsets(fs, segment);
    await resize(fs, segment, offsets[0]! + 10);
    const report = await inspect(fs, dir);
    const reason = 'torn tail (cut-off): 10 bytes left, a frame header needs 28';
    expect(report.segments[1]).toEqual({
      name: '00000000000000000002.wal', seq: 2, role: 'last', bytes: offsets[0]! + 10, baseLsn: 5, lastLsn: 4, frames: 0, sidecar: 'missing',
      damage: { offset: offsets[0], detail: '10 bytes left, a frame header needs 28', verdict: { action: 'truncate', rule: 'R5', offset: offsets[0], reason } },
    });
    const evidence = path(evidenceName(2, 1, offsets[0]!));
    expect(report.recovery.actions[0]).toEqual({
      kind: 'cut-torn-tail', rule: 'R5', file: segment, offset: offsets[0], reason, tail: expect.any(Uint8Array), evidence, evidenceKept: false,
    });
    expect(await verify(fs, dir)).toEqual({
      ok: true,
      problems: [{ severity: 'recoverable', file: segment, offset: offsets[0], rule: 'R5', message: `${reason}; its 10 bytes are kept in ${evidence} before the cut` }],
      segmentsChecked: 2, framesChecked: 4, evidence: [],
    });
  });

  it('damage in a sealed segment is refused with rule R1 at the damaged frame', async () => {
    await closedStore();
    const segment = segmentPath(dir, 1);
    const offsets = await frameOffsets(fs, segment);
    await overwrite(fs, segment, offsets[2]! + 30, garbage(8));
    const report = await inspect(fs, dir);
    expect(report.segments[0]).toMatchObject({
      seq: 1, frames: 2, lastLsn: 2, damage: { offset: offsets[2], verdict: { action: 'refuse', rule: 'R1', offset: offsets[2] } },
    });
    const verdict = await verify(fs, dir);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems[0]).toMatchObject({ severity: 'corruption', rule: 'R1', file: segment, offset: offsets[2] });
    expect(verdict.problems[0]?.message).toMatch(/; the segment is not the last, so it had been fsynced$/);
  });

  it('damage in a covered segment is described without a verdict, and refuses nothing', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segmentPath(dir, 1));
    await store.checkpoint();
    await store.close();
    await writeFile(fs, segmentPath(dir, 1), first);
    const offsets = await frameOffsets(fs, segmentPath(dir, 1));
    await overwrite(fs, segmentPath(dir, 1), offsets[1]! + 30, garbage(8));
    const report = await inspect(fs, dir);
    expect(report.segments[0]).toMatchObject({ seq: 1, role: 'covered', frames: 1, damage: { offset: offsets[1] } });
    expect(report.segments[0]?.damage).not.toHaveProperty('verdict');
    expect(report.recovery.refusals).toEqual([]);
  });
});

describe('torn-tail evidence', () => {
  it('is described by segment, offset, number and size, oldest first', async () => {
    await closedStore();
    await writeFile(fs, path(evidenceName(3, 2, 64)), garbage(7));
    await writeFile(fs, path(evidenceName(1, 1, 200)), garbage(3));
    await writeFile(fs, path('00000000000000000001.wal.x@1.torn'), garbage(3));
    const report = await inspect(fs, dir);
    expect(report.evidence).toEqual([
      { name: evidenceName(1, 1, 200), segmentSeq: 1, offset: 200, evidenceNumber: 1, bytes: 3 },
      { name: evidenceName(3, 2, 64), segmentSeq: 3, offset: 64, evidenceNumber: 2, bytes: 7 },
    ]);
    expect((await verify(fs, dir)).evidence).toEqual([path(evidenceName(1, 1, 200)), path(evidenceName(3, 2, 64))]);
  });

  it('beyond the limit of 8 files, the oldest are reported for removal (rule K4)', async () => {
    await closedStore();
    for (let n = 1; n <= 10; n++) await writeFile(fs, path(evidenceName(1, n, 100 + n)), garbage(2, n));
    const report = await inspect(fs, dir);
    expect(report.recovery.actions).toContainEqual({ kind: 'remove-evidence', rule: 'K4', files: [path(evidenceName(1, 1, 101)), path(evidenceName(1, 2, 102))] });
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: path(evidenceName(1, 1, 101)), offset: 0, message: 'torn-tail evidence beyond the limit, oldest first', rule: 'K4' },
      { severity: 'recoverable', file: path(evidenceName(1, 2, 102)), offset: 0, message: 'torn-tail evidence beyond the limit, oldest first', rule: 'K4' },
    ]);
  });

  it('exactly 8 files are all kept', async () => {
    await closedStore();
    for (let n = 1; n <= 8; n++) await writeFile(fs, path(evidenceName(1, n, 100 + n)), garbage(2, n));
    expect((await verify(fs, dir)).problems).toEqual([]);
  });
});

describe('reports carry only the fields that apply', () => {
  it('a healthy segment has no header problem, damage or other optional field set to undefined', async () => {
    await closedStore();
    const report = await inspect(fs, dir);
    expect(report.segments[0]).toStrictEqual({
      name: '00000000000000000001.wal', seq: 1, role: 'sealed', bytes: 256, baseLsn: 1, lastLsn: 4, frames: 4, sidecar: 'ok', sidecarSyncedLsn: 4,
    });
  });
});

describe('more sidecar and header cases', () => {
  it('the last segment\'s corrupt sidecar is reported: only missing or behind is routine', async () => {
    await closedStore();
    await overwrite(fs, sidecarPath(dir, 3), 20, garbage(4));
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'recoverable', file: sidecarPath(dir, 3), offset: 0, message: 'sidecar corrupt', rule: 'K3' },
    ]);
  });

  it('a segment with an unreadable header gets no sidecar rebuilt: only the header is reported', async () => {
    await closedStore();
    await writeFile(fs, segmentPath(dir, 5), encodeSegmentHeader({ seq: 4, baseLsn: 13 }));
    expect((await verify(fs, dir)).problems).toEqual([
      { severity: 'corruption', file: segmentPath(dir, 5), offset: 16, message: 'header says segment 4', rule: 'F5' },
    ]);
  });
});

describe('a directory without a manifest', () => {
  it('holding only files that are neither segments nor snapshots is a new store, not corruption', async () => {
    await fs.mkdir(dir);
    await writeFile(fs, path('notes.txt'), garbage(3));
    await writeFile(fs, path('snapshot-1.snap'), garbage(3));
    expect((await verify(fs, dir)).ok).toBe(true);
  });

  // A sidecar is written only after its segment: with the manifest and every segment lost, it is
  // what tells a lost store from a new one.
  it('holding a sidecar and no segment is refused (rule F1), not taken for a new store', async () => {
    await fs.mkdir(dir);
    await writeFile(fs, sidecarPath(dir, 1), garbage(3));
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('missing');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F1', kind: 'corruption', file: manifestPath, offset: 0, reason: 'the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist' },
    ]);
    expect((await verify(fs, dir)).ok).toBe(false);
  });

  // Evidence of a torn tail is kept only after a segment was cut, so it too outlives a lost store.
  it('holding only torn-tail evidence is refused (rule F1), not taken for a new store', async () => {
    await fs.mkdir(dir);
    await writeFile(fs, path(evidenceName(1, 1, 32)), garbage(3));
    const report = await inspect(fs, dir);
    expect(report.manifestProblem).toBe('missing');
    expect(report.recovery.refusals).toEqual([
      { rule: 'F1', kind: 'corruption', file: manifestPath, offset: 0, reason: 'the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist' },
    ]);
    expect((await verify(fs, dir)).ok).toBe(false);
  });

  it('beside a torn log refuses with F1 and still judges the tail as torn (no clean close is assumed)', async () => {
    await killedStore(5);
    const offsets = await frameOffsets(fs, segmentPath(dir, 2));
    await resize(fs, segmentPath(dir, 2), offsets[0]! + 10);
    await fs.unlink(manifestPath);
    const report = await verify(fs, dir);
    expect(report.problems.map((problem) => [problem.severity, problem.rule])).toEqual([['corruption', 'F1'], ['recoverable', 'R5']]);
  });
});

describe('evidence limit with evidence being reused', () => {
  it('counts the reused file once: eight files, one of them this cut\'s, are all kept', async () => {
    await killedStore(5);
    const segment = segmentPath(dir, 2);
    const offsets = await frameOffsets(fs, segment);
    await resize(fs, segment, offsets[0]! + 10);
    const tail = (await readFile(fs, segment)).slice(offsets[0]!);
    await writeFile(fs, path(evidenceName(2, 1, offsets[0]!)), tail);
    for (let n = 2; n <= 8; n++) await writeFile(fs, path(evidenceName(1, n, 100 + n)), garbage(2, n));
    const report = await inspect(fs, dir);
    expect(report.recovery.actions[0]).toMatchObject({ kind: 'cut-torn-tail', evidenceKept: true, evidence: path(evidenceName(2, 1, offsets[0]!)) });
    expect(report.recovery.actions.map((action) => action.kind)).not.toContain('remove-evidence');
  });
});

describe('a sealed segment with an unreadable header and no sidecar', () => {
  it('plans no sidecar rebuild for it: there is nothing to index', async () => {
    await closedStore();
    await overwrite(fs, segmentPath(dir, 2), 0, Uint8Array.of(0));
    await fs.unlink(sidecarPath(dir, 2));
    const report = await inspect(fs, dir);
    expect(report.segments[1]).toMatchObject({ seq: 2, sidecar: 'missing', headerProblem: 'segment header: magic' });
    expect(report.recovery.actions.filter((action) => action.kind === 'rebuild-sidecar')).toEqual([]);
  });
});
