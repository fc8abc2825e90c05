/**
 * The analysis's size limits and the log-shape rules that only a damaged directory reaches:
 * an oversized segment, snapshot or sidecar (rule F5, F4, K3), a segment that grows between its
 * two reads, a segment header of another version, a first segment that starts too late (C1), a
 * log that ends before the snapshot (C3), and sidecars left below the first live segment (K2).
 * Sizes above a gigabyte are not written: a wrapper reports a file's size as larger than it is,
 * which is all the limits look at.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { analyzeStore } from '../../engine/analysis.ts';
import { inspect, verify } from '../../engine/inspect.ts';
import { segmentReadBytesMax } from '../../engine/analysis-log.ts';
import { snapshotBytesMax } from '../../engine/limits.ts';
import { encodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import { InterceptingFileSystem } from './helpers/intercepting-fs.ts';
import { encodeSnapshot, snapshotName } from '../../engine/snapshot.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';
import { encodeSegmentHeader } from '../../engine/wal/format.ts';
import { commitPuts, memory, openStore, readFile, segmentPath, sidecarPath, writeFile } from './helpers/store.ts';

/** Reports the sizes given for a path (one per `size()` call, the last one repeated), else the real size. */
class LyingSizeFileSystem extends InterceptingFileSystem {
  readonly sizes = new Map<string, number[]>();
  /** Paths whose whole-file reads (more than a header) come back with the first byte changed. */
  readonly changedOnWholeRead = new Set<string>();
  /** Handles opened and not yet closed. */
  openCount = 0;
  constructor(inner: FileSystem) {
    super(inner);
    this.interceptor = {
      before: (call) => {
        if (call === 'open') this.openCount++;
        if (call === 'close') this.openCount--;
      },
      // A lying size asks for more than a file holds: never more than 1 MiB reaches the backend.
      readLength: (_path, length) => Math.min(length, 1 << 20),
      afterRead: (path, _position, length, bytes) => {
        if (this.changedOnWholeRead.has(path) && length > 32) bytes[0] = bytes[0]! ^ 0xff;
        return bytes;
      },
      afterSize: (path, size) => {
        const sizes = this.sizes.get(path);
        return sizes === undefined ? size : sizes.length > 1 ? sizes.shift()! : sizes[0]!;
      },
    };
  }
}

let fs: LyingSizeFileSystem;
let dir: string;

beforeEach(async () => {
  const backend = await memory();
  fs = new LyingSizeFileSystem(backend.fs);
  dir = joinPath(backend.root, 'store');
  const store = await openStore(backend.fs, dir, { segmentSizeBytes: 256 });
  await commitPuts(store, 12);
  await store.close();
});

const path = (name: string): string => joinPath(dir, name);

describe('size limits', () => {
  it('reads segments up to 1 GiB plus two maximal frames', () => {
    expect(segmentReadBytesMax).toBe(2 ** 30 + 2 * 16 * 2 ** 20);
  });

  it('refuses a segment above the read limit at offset 0 without reading it (rule F5)', async () => {
    fs.sizes.set(segmentPath(dir, 2), [segmentReadBytesMax + 1]);
    const report = await inspect(fs, dir);
    const reason = `file is ${segmentReadBytesMax + 1} bytes, above the limit of ${segmentReadBytesMax}`;
    expect(report.recovery.refusals).toContainEqual({ rule: 'F5', kind: 'corruption', file: segmentPath(dir, 2), offset: 0, reason });
    expect(report.segments[1]).toMatchObject({ seq: 2, headerProblem: 'segment too large', frames: 0, bytes: segmentReadBytesMax + 1, sidecar: 'ok' });
    expect(report.segments[1]).not.toHaveProperty('baseLsn');
  });

  it('accepts a segment of exactly the read limit', async () => {
    fs.sizes.set(segmentPath(dir, 3), [segmentReadBytesMax, 256]);
    expect((await inspect(fs, dir)).recovery.refusals).toEqual([]);
  });

  it('refuses a segment that grew above the limit between its header read and its whole read (rule F5)', async () => {
    fs.sizes.set(segmentPath(dir, 3), [256, segmentReadBytesMax + 1]);
    const report = await inspect(fs, dir);
    expect(report.recovery.refusals).toEqual([{
      rule: 'F5', kind: 'corruption', file: segmentPath(dir, 3), offset: 0,
      reason: `file is ${segmentReadBytesMax + 1} bytes, above the limit of ${segmentReadBytesMax}`,
    }]);
    expect(report.segments[2]).toMatchObject({ seq: 3, headerProblem: 'segment too large', bytes: segmentReadBytesMax + 1, sidecar: 'missing', frames: 0 });
  });

  it('treats a sidecar above 64 MiB as corrupt, without reading it', async () => {
    fs.sizes.set(sidecarPath(dir, 1), [64 * 2 ** 20 + 1]);
    expect((await inspect(fs, dir)).segments[0]?.sidecar).toBe('corrupt');
  });

  it('reads a sidecar of exactly 64 MiB', async () => {
    fs.sizes.set(sidecarPath(dir, 1), [64 * 2 ** 20]);
    expect((await inspect(fs, dir)).segments[0]?.sidecar).toBe('ok');
  });

  it('refuses a snapshot above 1 GiB at offset 0 (rule F4)', async () => {
    await writeFile(fs, path(snapshotName(12)), encodeSnapshot(12, new Map()));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(12), snapshotLsn: 12, clean: true, durableLsn: 12 }));
    fs.sizes.set(path(snapshotName(12)), [snapshotBytesMax + 1]);
    const report = await inspect(fs, dir);
    expect(report.snapshotProblem).toBe(`file is ${snapshotBytesMax + 1} bytes, above the limit of ${snapshotBytesMax}`);
    expect(report.recovery.refusals[0]).toMatchObject({ rule: 'F4', file: path(snapshotName(12)), offset: 0 });
  });
});

describe('segment headers', () => {
  it('of another format version are refused at offset 0, naming both versions (rule F5)', async () => {
    const header = encodeSegmentHeader({ seq: 3, baseLsn: 9 });
    const view = new DataView(header.buffer);
    view.setUint32(8, 2, true);
    const covered = new Uint8Array(28);
    covered.set(header.subarray(0, 12), 0);
    covered.set(header.subarray(16, 32), 12);
    view.setUint32(12, crc32c(covered), true);
    const bytes = await readFile(fs, segmentPath(dir, 3));
    bytes.set(header, 0);
    await writeFile(fs, segmentPath(dir, 3), bytes);
    const report = await inspect(fs, dir);
    expect(report.recovery.refusals).toEqual([{
      rule: 'F5', kind: 'corruption', file: segmentPath(dir, 3), offset: 0, reason: 'segment format version 2, this engine reads 1',
    }]);
    expect(report.segments[2]).toMatchObject({ headerProblem: 'segment format version 2, this engine reads 1', sidecar: 'ok' });
  });

  it('shorter than 32 bytes are refused as short', async () => {
    await writeFile(fs, segmentPath(dir, 4), new Uint8Array(10));
    expect((await inspect(fs, dir)).recovery.refusals).toEqual([{
      rule: 'F5', kind: 'corruption', file: segmentPath(dir, 4), offset: 0, reason: 'segment header: short',
    }]);
  });
});

describe('the shape of the log', () => {
  it('refuses a first live segment that starts after the LSN following the snapshot (rule C1), at its base LSN field', async () => {
    await fs.unlink(segmentPath(dir, 1));
    await fs.unlink(sidecarPath(dir, 1));
    const problems = (await verify(fs, dir)).problems;
    expect(problems).toEqual([{
      severity: 'corruption', file: segmentPath(dir, 2), offset: 24, rule: 'C1',
      message: 'segment starts at LSN 5 but the snapshot ends at 0: a segment is missing',
    }]);
  });

  it('accepts a first segment starting at the LSN right after the snapshot', async () => {
    await fs.unlink(segmentPath(dir, 1));
    await fs.unlink(sidecarPath(dir, 1));
    await writeFile(fs, path(snapshotName(4)), encodeSnapshot(4, new Map()));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(4), snapshotLsn: 4, clean: true, durableLsn: 4 }));
    expect((await verify(fs, dir)).problems).toEqual([]);
  });

  it('refuses a log whose last frame is before the snapshot (rule C3), at the end of the last segment', async () => {
    await writeFile(fs, path(snapshotName(13)), encodeSnapshot(13, new Map()));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(13), snapshotLsn: 13, clean: true, durableLsn: 13 }));
    expect((await verify(fs, dir)).problems.filter((problem) => problem.severity === 'corruption')).toEqual([{
      severity: 'corruption', file: segmentPath(dir, 3), offset: 256, rule: 'C3',
      message: 'the log ends at LSN 12, before the snapshot at 13: a segment is missing',
    }]);
  });

  it('accepts a log whose last frame is the snapshot\'s', async () => {
    await writeFile(fs, path(snapshotName(12)), encodeSnapshot(12, new Map()));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(12), snapshotLsn: 12, clean: true, durableLsn: 12 }));
    const report = await inspect(fs, dir);
    expect(report.recovery.refusals).toEqual([]);
    expect(report.segments.map((segment) => segment.role)).toEqual(['covered', 'covered', 'last']);
  });

  // A sidecar above the last segment is dead too: it would otherwise describe the next segment of that number.
  it('treats a sidecar without its segment as dead (rule K2), below the first live segment or above the last', async () => {
    await writeFile(fs, path(snapshotName(8)), encodeSnapshot(8, new Map()));
    await writeFile(fs, path(manifestFileName), encodeManifest({ snapshot: snapshotName(8), snapshotLsn: 8, clean: true, durableLsn: 8 }));
    await fs.unlink(segmentPath(dir, 1));
    await fs.unlink(segmentPath(dir, 2));
    await writeFile(fs, sidecarPath(dir, 5), await readFile(fs, sidecarPath(dir, 2)));
    const report = await inspect(fs, dir);
    expect(report.recovery.actions[0]).toEqual({ kind: 'remove-dead', rule: 'K2', files: [sidecarPath(dir, 1), sidecarPath(dir, 2), sidecarPath(dir, 5)] });
  });

  it('names no other snapshot dead when the manifest cannot be read', async () => {
    await writeFile(fs, path(snapshotName(3)), encodeSnapshot(3, new Map()));
    await writeFile(fs, path(manifestFileName), new Uint8Array(0));
    const report = await inspect(fs, dir);
    expect(report.recovery.actions.filter((action) => action.kind === 'remove-dead')).toEqual([]);
  });
});

describe('a segment that changes between its two reads', () => {
  it('whose header reads damaged the second time is refused at offset 0 (rule F5), with no frames and no sidecar', async () => {
    fs.changedOnWholeRead.add(segmentPath(dir, 3));
    const report = await inspect(fs, dir);
    expect(report.recovery.refusals).toEqual([
      { rule: 'F5', kind: 'corruption', file: segmentPath(dir, 3), offset: 0, reason: 'segment header: magic' },
    ]);
    expect(report.segments[2]).toEqual({
      name: '00000000000000000003.wal', seq: 3, role: 'last', bytes: 256, frames: 0, sidecar: 'missing', headerProblem: 'magic',
    });
  });
});

describe('the analysis closes what it opens', () => {
  it('leaves no file open, also after refusing an oversized segment', async () => {
    fs.sizes.set(segmentPath(dir, 2), [segmentReadBytesMax + 1]);
    await inspect(fs, dir);
    expect(fs.openCount).toBe(0);
  });
});

describe('segments with an unreadable header', () => {
  it('report their sidecar as missing when there is none', async () => {
    await writeFile(fs, segmentPath(dir, 4), new Uint8Array(10));
    expect((await inspect(fs, dir)).segments[3]).toMatchObject({ seq: 4, sidecar: 'missing', headerProblem: 'segment header: short' });
  });
});

describe('the plan of a segment without a sidecar', () => {
  it('has no sidecar watermark field at all', async () => {
    await fs.unlink(sidecarPath(dir, 3));
    const plan = await analyzeStore(fs, dir);
    expect('sidecarSyncedLsn' in plan.segments[2]!).toBe(false);
    expect(plan.segments[1]?.sidecarSyncedLsn).toBe(8);
  });
});
