/** inspect and verify: read-only reports that say what recovery would do, and change nothing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect, verify } from '../../engine/inspect.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { frameHeaderBytes } from '../../engine/wal/format.ts';
import { frameOffsets } from './helpers/segments.ts';
import {
  backends, commitPuts, directoryBytes, garbage, openCrashable, openStore, overwrite, readFile, resize, segmentPath,
  sidecarPath, sizeOf, writeFile, type Backend,
} from './helpers/store.ts';

describe.each(backends)('inspect and verify on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let dir: string;
  let segment: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    dir = joinPath(backend.root, 'store');
    segment = segmentPath(dir);
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  async function crashAfter(count: number): Promise<number[]> {
    const { store, crash } = await openCrashable(fs, dir);
    await commitPuts(store, count);
    await crash();
    return frameOffsets(fs, segment);
  }

  it('verifies a cleanly closed store as ok with no problems', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 10);
    await store.close();
    const report = await verify(fs, dir);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.framesChecked).toBe(10);
    expect(report.segmentsChecked).toBeGreaterThan(1);
  });

  it('reports a torn tail as recoverable, at the offset of the torn frame', async () => {
    const offsets = await crashAfter(3);
    await resize(fs, segment, offsets[2]! + 10);
    const report = await verify(fs, dir);
    expect(report.ok).toBe(true);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'recoverable', file: segment, offset: offsets[2] }));
  });

  it('reports mid-log damage as corruption with its file and offset', async () => {
    const offsets = await crashAfter(5);
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    const report = await verify(fs, dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'corruption', file: segment, offset: offsets[1] }));
  });

  it('reports an orphan temporary file as recoverable', async () => {
    await crashAfter(1);
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    const report = await verify(fs, dir);
    expect(report.ok).toBe(true);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'recoverable', file: `${sidecarPath(dir)}.tmp` }));
  });

  it('never modifies a damaged store directory', async () => {
    const offsets = await crashAfter(4);
    await resize(fs, segment, offsets[3]! + 12);
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    const before = await directoryBytes(fs, dir);
    await verify(fs, dir);
    await inspect(fs, dir);
    expect(await directoryBytes(fs, dir)).toEqual(before);
  });

  /** A closed store of several 256-byte segments. */
  async function closedSegments(count: number): Promise<void> {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, count);
    await store.close();
  }

  it('reports a missing middle segment as corruption at the base LSN of the segment after the gap (rule C2)', async () => {
    await closedSegments(20);
    await fs.unlink(segmentPath(dir, 2));
    const report = await verify(fs, dir);
    expect(report.ok).toBe(false);
    // The missing segment's sidecar is left without it: recovery would remove it (rule K2).
    expect(report.problems).toEqual([
      expect.objectContaining({ severity: 'corruption', rule: 'C2', file: segmentPath(dir, 3), offset: 24 }),
      expect.objectContaining({ severity: 'recoverable', rule: 'K2', file: `${segmentPath(dir, 2)}.idx` }),
    ]);
    expect(report.problems[0]?.message).toContain('a segment is missing or out of order');
  });

  it('reports a missing first segment as corruption (rule C1)', async () => {
    await closedSegments(20);
    await fs.unlink(segmentPath(dir, 1));
    const report = await verify(fs, dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'corruption', rule: 'C1', file: segmentPath(dir, 2), offset: 24 }));
  });

  it('reports a log that ends before the snapshot as corruption (rule C3)', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segment);
    await store.checkpoint();
    await store.close();
    for (const name of await fs.readdir(dir)) {
      if (name.endsWith('.wal') || name.endsWith('.wal.idx')) await fs.unlink(joinPath(dir, name));
    }
    await writeFile(fs, segment, first);
    const report = await verify(fs, dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'corruption', rule: 'C3', file: segment }));
  });

  it('lists torn-tail evidence files apart from problems, and describes them', async () => {
    const offsets = await crashAfter(3);
    await resize(fs, segment, offsets[2]! + 10);
    const reopened = await openStore(fs, dir);
    await reopened.close();
    const name = evidenceName(1, 1, offsets[2]!);
    const report = await verify(fs, dir);
    expect(report.problems).toEqual([]);
    expect(report.evidence).toEqual([joinPath(dir, name)]);
    expect((await inspect(fs, dir)).evidence).toEqual([{ name, segmentSeq: 1, offset: offsets[2], evidenceNumber: 1, bytes: 10 }]);
  });

  it('reports a torn tail with the evidence file recovery will keep its bytes in (rule R5)', async () => {
    const offsets = await crashAfter(3);
    await resize(fs, segment, offsets[2]! + 10);
    const report = await verify(fs, dir);
    const torn = report.problems.find((problem) => problem.rule === 'R5');
    expect(torn?.message).toContain(evidenceName(1, 1, offsets[2]!));
  });

  it('describes segments, frames and the manifest', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 3);
    await store.close();
    const report = await inspect(fs, dir);
    expect(report.manifest).toEqual({ snapshot: null, snapshotLsn: 0, clean: true, durableLsn: 3 });
    expect(report.segments).toEqual([
      expect.objectContaining({ seq: 1, baseLsn: 1, lastLsn: 3, frames: 3, sidecar: 'ok', bytes: await sizeOf(fs, segment) }),
    ]);
    expect(report.orphans).toEqual([]);
  });
});
