/**
 * The read-only analysis (engine/analysis.ts): what recovery would do, as data, each decision
 * naming its rule of engine/wal/recovery.ts. The damage is written into the files by hand, as in
 * recovery.test.ts; here the plan is examined instead of the reopened store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeStore } from '../../engine/analysis.ts';
import { tornEvidenceFilesMax } from '../../engine/limits.ts';
import { joinPath, type FileHandle, type FileSystem, type OpenOptions } from '../../engine/ports/fs.ts';
import type { CutTornTail, RecoveryAction, RecoveryPlan } from '../../engine/recovery-plan.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { frameHeaderBytes } from '../../engine/wal/format.ts';
import { frameOffsets } from './helpers/segments.ts';
import {
  commitPuts, flipBits, garbage, memory, openCrashable, openStore, overwrite, readFile, resize, segmentPath,
  sidecarPath, stateOf, writeFile, type Backend,
} from './helpers/store.ts';

let backend: Backend;
let fs: FileSystem;
let dir: string;
let segment: string;

beforeEach(async () => {
  backend = await memory();
  fs = backend.fs;
  dir = joinPath(backend.root, 'store');
  segment = segmentPath(dir, 1);
});
afterEach(async () => {
  await backend.cleanup();
});

/** Commits `count` puts in a new store and drops it without closing (a crash). */
async function crashAfter(count: number, options: { segmentSizeBytes?: number } = {}): Promise<number[]> {
  const { store, crash } = await openCrashable(fs, dir, options);
  await commitPuts(store, count);
  await crash();
  return frameOffsets(fs, segment);
}

function actionOf<K extends RecoveryAction['kind']>(plan: RecoveryPlan, kind: K): Extract<RecoveryAction, { kind: K }> | undefined {
  return plan.actions.find((action): action is Extract<RecoveryAction, { kind: K }> => action.kind === kind);
}

describe('the recovery analysis', () => {
  it('plans a torn tail as a cut at the torn frame by rule R5, keeping the cut bytes as evidence', async () => {
    const offsets = await crashAfter(3);
    await resize(fs, segment, offsets[2]! + 10);
    const bytes = await readFile(fs, segment);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([]);
    const cut = actionOf(plan, 'cut-torn-tail');
    expect(cut).toMatchObject({
      rule: 'R5', file: segment, offset: offsets[2], evidenceKept: false,
      evidence: joinPath(dir, evidenceName(1, 1, offsets[2]!)),
    });
    expect(cut?.tail).toEqual(bytes.subarray(offsets[2]!));
    expect(plan.segments[0]).toMatchObject({ role: 'last', endOffset: offsets[2], offsets: offsets.slice(0, 2) });
    expect(plan.replay.lastLsn).toBe(2);
  });

  it('refuses a bad frame in a sealed segment by rule R1, naming file and offset', async () => {
    await crashAfter(12, { segmentSizeBytes: 256 });
    const offsets = await frameOffsets(fs, segment);
    await overwrite(fs, segment, offsets[offsets.length - 1]! + frameHeaderBytes, garbage(8));
    await fs.unlink(sidecarPath(dir, 1));
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals[0]).toMatchObject({ rule: 'R1', kind: 'corruption', file: segment, offset: offsets[offsets.length - 1] });
    expect(actionOf(plan, 'cut-torn-tail')).toBeUndefined();
  });

  it('refuses a single flipped bit in the last frame by rule R3 (bit rot)', async () => {
    const offsets = await crashAfter(3);
    await flipBits(fs, segment, offsets[2]! + frameHeaderBytes + 6, 0x08);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'R3', file: segment, offset: offsets[2] })]);
  });

  it('refuses damage a clean close vouches for by rule R4', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 3);
    await store.close();
    await fs.unlink(sidecarPath(dir));
    const offsets = await frameOffsets(fs, segment);
    await overwrite(fs, segment, offsets[2]! + frameHeaderBytes, garbage(8));
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'R4', offset: offsets[2] })]);
    expect(plan.refusals[0]?.reason).toContain('closed cleanly');
  });

  it('refuses damage to a frame an earlier recovery made durable by rule R4, reading the manifest\'s durable LSN', async () => {
    await crashAfter(3);
    // The recovery records in the manifest that it made LSN 3 durable; then the process dies
    // before writing anything that would vouch for it, and the last frame is damaged.
    const { crash } = await openCrashable(fs, dir);
    await crash();
    const offsets = await frameOffsets(fs, segment);
    await overwrite(fs, segment, offsets[2]!, new Uint8Array(frameHeaderBytes));
    await fs.unlink(sidecarPath(dir));
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'R4', file: segment, offset: offsets[2] })]);
    expect(plan.refusals[0]?.reason).toBe('frame header is all zeros; the manifest records LSN 3 durable, which proves LSN 3 had been fsynced');
  });

  it('records what it replayed as durable in the manifest (K7), and nothing when the manifest already says so', async () => {
    await crashAfter(3);
    expect(actionOf(await analyzeStore(fs, dir), 'mark-open')).toMatchObject({ rule: 'K7', manifest: { clean: false, durableLsn: 3 } });
    const { crash } = await openCrashable(fs, dir);
    await crash();
    expect(actionOf(await analyzeStore(fs, dir), 'mark-open')).toBeUndefined();
  });

  it('refuses a log that ends before the LSN the manifest records durable by rule C3: the last segment is lost', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    await store.close();
    const names = (await fs.readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
    const last = joinPath(dir, names[names.length - 1]!);
    await fs.unlink(last);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'C3', kind: 'corruption' })]);
    expect(plan.refusals[0]?.reason).toMatch(/^the log ends at LSN \d+, before LSN 12, which the manifest records durable: a segment is missing$/);
  });

  it('refuses a store whose only segment is lost by rule C3, naming the manifest', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 2);
    await store.close();
    await fs.unlink(segment);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'C3', file: joinPath(dir, 'MANIFEST'), offset: 0 })]);
    expect(plan.refusals[0]?.reason).toBe('the log ends at LSN 0, before LSN 2, which the manifest records durable: a segment is missing');
  });

  it('refuses a store whose manifest and segments are lost, a sidecar left, by rule F1 (lost-file seed 268)', async () => {
    await crashAfter(2);
    await writeFile(fs, sidecarPath(dir), garbage(16));
    await fs.unlink(segment);
    await fs.unlink(joinPath(dir, 'MANIFEST'));
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'F1', kind: 'corruption', file: joinPath(dir, 'MANIFEST'), offset: 0 })]);
    expect(plan.refusals[0]?.reason).toBe('the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist');
  });

  it('removes a sidecar whose segment is gone by rule K2, so that it never describes the next segment of that number', async () => {
    await crashAfter(2);
    await writeFile(fs, sidecarPath(dir), garbage(16));
    await fs.unlink(segment);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([]);
    expect(actionOf(plan, 'remove-dead')).toEqual({ kind: 'remove-dead', rule: 'K2', files: [sidecarPath(dir)] });
    expect(actionOf(plan, 'create-segment')).toMatchObject({ seq: 1, baseLsn: 1 });
  });

  it('refuses damage that a later intact frame records as durable by rule R4', async () => {
    const offsets = await crashAfter(5);
    await overwrite(fs, segment, offsets[1]! + frameHeaderBytes, garbage(8));
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'R4', offset: offsets[1] })]);
    expect(plan.refusals[0]?.reason).toContain('records LSN');
  });

  it('plans orphan removal by rule K1, and never takes evidence for an orphan', async () => {
    const offsets = await crashAfter(2);
    const evidence = evidenceName(1, 1, offsets[1]!);
    await writeFile(fs, joinPath(dir, evidence), garbage(8));
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    await writeFile(fs, `${segment}.dead`, garbage(16));
    const plan = await analyzeStore(fs, dir);
    expect(actionOf(plan, 'remove-orphans')).toEqual({
      kind: 'remove-orphans', rule: 'K1', files: [`${segment}.dead`, `${sidecarPath(dir)}.tmp`],
    });
    expect(plan.evidence).toEqual([evidence]);
  });

  it('plans rebuilding a missing sidecar, a corrupt one and one of another segment by rule K3', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 20);
    await store.close();
    const another = await readFile(fs, sidecarPath(dir, 1));
    await fs.unlink(sidecarPath(dir, 1));
    await flipBits(fs, sidecarPath(dir, 2), 50, 0x40);
    await writeFile(fs, sidecarPath(dir, 3), another);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([]);
    expect(plan.segments.slice(0, 3).map((found) => found.sidecar)).toEqual(['missing', 'corrupt', 'corrupt']);
    expect(plan.actions.filter((action) => action.kind === 'rebuild-sidecar')).toEqual([
      expect.objectContaining({ rule: 'K3', file: sidecarPath(dir, 1), state: 'missing' }),
      expect.objectContaining({ rule: 'K3', file: sidecarPath(dir, 2), state: 'corrupt' }),
      expect.objectContaining({ rule: 'K3', file: sidecarPath(dir, 3), state: 'corrupt' }),
    ]);
  });

  it('calls a sidecar that indexes other frames of its own segment stale (rule K3)', async () => {
    const first = await openStore(fs, dir);
    await commitPuts(first, 2);
    await first.close();
    const earlier = await readFile(fs, sidecarPath(dir));
    const second = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(second, 12, 3);
    await second.close();
    await writeFile(fs, sidecarPath(dir, 1), earlier);
    const plan = await analyzeStore(fs, dir);
    expect(plan.segments[0]).toMatchObject({ role: 'sealed', sidecar: 'stale' });
    expect(actionOf(plan, 'rebuild-sidecar')).toMatchObject({ rule: 'K3', file: sidecarPath(dir, 1), state: 'stale' });
  });

  it('plans removing segments the snapshot covers, and their sidecars, by rule K2 (an interrupted prune)', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segment);
    const firstSidecar = await readFile(fs, sidecarPath(dir, 1));
    await store.checkpoint();
    await store.close();
    await writeFile(fs, segment, first);
    await writeFile(fs, sidecarPath(dir, 1), firstSidecar);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([]);
    expect(plan.segments[0]).toMatchObject({ seq: 1, role: 'covered' });
    expect(actionOf(plan, 'remove-dead')).toEqual({ kind: 'remove-dead', rule: 'K2', files: [segment, sidecarPath(dir, 1)] });
  });

  it('refuses a missing middle segment by rule C2 and a missing first one by rule C1', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 20);
    await store.close();
    await fs.unlink(segmentPath(dir, 2));
    const gap = await analyzeStore(fs, dir);
    expect(gap.refusals).toEqual([expect.objectContaining({ rule: 'C2', file: segmentPath(dir, 3), offset: 24 })]);
    await fs.unlink(segmentPath(dir, 1));
    const start = await analyzeStore(fs, dir);
    expect(start.refusals).toEqual([expect.objectContaining({ rule: 'C1', file: segmentPath(dir, 3), offset: 24 })]);
  });

  it('refuses a log that ends before the snapshot by rule C3', async () => {
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 12);
    const first = await readFile(fs, segment);
    await store.checkpoint();
    await store.close();
    for (const name of await fs.readdir(dir)) {
      if (name.endsWith('.wal') || name.endsWith('.wal.idx')) await fs.unlink(joinPath(dir, name));
    }
    await writeFile(fs, segment, first);
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([expect.objectContaining({ rule: 'C3', file: segment })]);
  });

  it('recognises evidence an interrupted recovery already kept, and plans no second copy', async () => {
    const offsets = await crashAfter(3);
    await resize(fs, segment, offsets[2]! + 10);
    const tail = (await readFile(fs, segment)).slice(offsets[2]!);
    const kept = joinPath(dir, evidenceName(1, 4, offsets[2]!));
    await writeFile(fs, kept, tail);
    const cut = actionOf(await analyzeStore(fs, dir), 'cut-torn-tail') as CutTornTail;
    expect(cut).toMatchObject({ evidence: kept, evidenceKept: true });
    // Other bytes at the same place are a different tail: a new file, numbered after the others.
    await writeFile(fs, kept, garbage(10));
    expect(actionOf(await analyzeStore(fs, dir), 'cut-torn-tail')).toMatchObject({
      evidence: joinPath(dir, evidenceName(1, 5, offsets[2]!)), evidenceKept: false,
    });
  });

  it(`plans removing the oldest evidence beyond ${tornEvidenceFilesMax} files by rule K4, never the new one`, async () => {
    const offsets = await crashAfter(3);
    const names = Array.from({ length: tornEvidenceFilesMax }, (_, i) => evidenceName(1, i + 1, offsets[2]!));
    for (const name of names) await writeFile(fs, joinPath(dir, name), garbage(4, names.indexOf(name) + 1));
    expect(actionOf(await analyzeStore(fs, dir), 'remove-evidence')).toBeUndefined();
    await resize(fs, segment, offsets[2]! + 10);
    const plan = await analyzeStore(fs, dir);
    expect(actionOf(plan, 'cut-torn-tail')?.evidence).toBe(joinPath(dir, evidenceName(1, tornEvidenceFilesMax + 1, offsets[2]!)));
    expect(actionOf(plan, 'remove-evidence')).toEqual({ kind: 'remove-evidence', rule: 'K4', files: [joinPath(dir, names[0]!)] });
  });

  it('changes nothing: no port call of it creates, writes, truncates, renames, removes or syncs', async () => {
    const offsets = await crashAfter(4);
    await resize(fs, segment, offsets[3]! + 12);
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    const plan = await analyzeStore(new ReadOnlyFileSystem(fs), dir);
    expect(plan.actions.map((action) => action.kind)).toEqual(['remove-orphans', 'cut-torn-tail', 'sync-segment', 'rebuild-sidecar', 'mark-open']);
  });

  it('plans only the routine fsync right after a recovery: recovery is idempotent', async () => {
    const offsets = await crashAfter(4);
    await resize(fs, segment, offsets[3]! + 12);
    await writeFile(fs, `${sidecarPath(dir)}.tmp`, garbage(16));
    const first = await openCrashable(fs, dir);
    const state = stateOf(first.store);
    await first.crash();
    const plan = await analyzeStore(fs, dir);
    expect(plan.refusals).toEqual([]);
    expect(plan.actions).toEqual([{ kind: 'sync-segment', rule: 'K5', file: segment }]);
    const second = await openStore(fs, dir);
    expect(stateOf(second)).toEqual(state);
    expect(second.replayStats).toMatchObject({ truncatedBytes: 0, tornBytesKept: 0, orphansRemoved: 0, sidecarsRebuilt: 0 });
    await second.close();
  });
});

/** A file system that lets only reads through: every other call fails the test. */
class ReadOnlyFileSystem implements FileSystem {
  constructor(private readonly inner: FileSystem) {}
  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    if (options?.create === true || options?.truncate === true) throw new Error(`open ${path} with ${JSON.stringify(options)}`);
    return new ReadOnlyHandle(await this.inner.open(path));
  }
  rename(from: string): Promise<void> {
    throw new Error(`rename ${from}`);
  }
  unlink(path: string): Promise<void> {
    throw new Error(`unlink ${path}`);
  }
  mkdir(path: string): Promise<void> {
    throw new Error(`mkdir ${path}`);
  }

  rmdir(path: string): Promise<void> {
    throw new Error(`rmdir ${path}`);
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  syncDir(path: string): Promise<void> {
    throw new Error(`syncDir ${path}`);
  }
}

class ReadOnlyHandle implements FileHandle {
  constructor(private readonly inner: FileHandle) {}
  get path(): string {
    return this.inner.path;
  }
  read(position: number, length: number): Promise<Uint8Array> {
    return this.inner.read(position, length);
  }
  size(): Promise<number> {
    return this.inner.size();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  write(): Promise<void> {
    throw new Error(`write ${this.path}`);
  }
  append(): Promise<number> {
    throw new Error(`append ${this.path}`);
  }
  truncate(): Promise<void> {
    throw new Error(`truncate ${this.path}`);
  }
  sync(): Promise<void> {
    throw new Error(`sync ${this.path}`);
  }
  datasync(): Promise<void> {
    throw new Error(`datasync ${this.path}`);
  }
}
