/**
 * Plain file-system workloads, independent of any engine: a random mix of every port call (for
 * determinism and crash-model tests, and for differential tests against a real file system) and
 * a log-shaped workload (appends, datasyncs, rotations by rename, directory syncs) for the
 * simulator's benchmark.
 *
 * Every operation draws the same amount from the workload stream whatever happened before, so
 * the stream position depends only on the operation count: faults change what an operation
 * does, never which operations are chosen.
 */
import { isIoError, type FileHandle, type FileSystem } from '../engine/ports/fs.ts';
import type { Rng } from './rng.ts';

/** One operation of the random workload, chosen before it meets the file system's state. */
export interface FileOp {
  readonly kind: FileOpKind;
  /** Which file (index into the workload's name pool). */
  readonly fileIndex: number;
  /** A second file, for renames. */
  readonly otherIndex: number;
  /** Offsets and sizes, as fractions in [0, 1) scaled by the operation. */
  readonly a: number;
  readonly b: number;
}

/** Operations of the random workload. */
export const fileOpKinds = [
  'create', 'append', 'write', 'read', 'truncate', 'sync', 'datasync', 'rename', 'unlink',
  'syncDir', 'readdir', 'exists', 'close',
] as const;
/** One of {@link fileOpKinds}. */
export type FileOpKind = (typeof fileOpKinds)[number];

/** Draws `count` operations over `fileCount` file names. Three draws per op, always. */
export function drawFileOps(rng: Rng, count: number, fileCount = 6): FileOp[] {
  const ops: FileOp[] = [];
  for (let i = 0; i < count; i++) {
    const kind = fileOpKinds[rng.int(fileOpKinds.length)]!;
    const pair = rng.int(fileCount * fileCount);
    ops.push({ kind, fileIndex: pair % fileCount, otherIndex: Math.floor(pair / fileCount), a: rng.next(), b: rng.next() });
  }
  return ops;
}

/**
 * Runs `ops` against `fs` under `dir` (created first). I/O errors (injected or not) are
 * tolerated and counted: a random workload often names files that do not exist.
 * @returns the number of operations that failed with an IoError
 */
export async function runFileOps(fs: FileSystem, dir: string, ops: readonly FileOp[], bytesMax = 9000): Promise<number> {
  await fs.mkdir(dir);
  const handles = new Map<number, FileHandle>();
  const name = (i: number): string => `${dir}/f${i}`;
  let errors = 0;
  let fill = 0;
  for (const op of ops) {
    try {
      const handle = handles.get(op.fileIndex);
      const length = Math.floor(op.b * bytesMax);
      const data = (): Uint8Array => new Uint8Array(length).fill(1 + (fill++ % 250));
      switch (op.kind) {
        case 'create':
          await handle?.close();
          handles.set(op.fileIndex, await fs.open(name(op.fileIndex), { create: true, truncate: op.a < 0.2 }));
          break;
        case 'append':
          if (handle) await handle.append(data());
          break;
        case 'write':
          if (handle) await handle.write(Math.floor(op.a * ((await handle.size()) + 100)), data());
          break;
        case 'read':
          if (handle) await handle.read(Math.floor(op.a * (await handle.size())), length);
          break;
        case 'truncate':
          if (handle) await handle.truncate(Math.floor(op.a * ((await handle.size()) + 100)));
          break;
        case 'sync':
          if (handle) await handle.sync();
          break;
        case 'datasync':
          if (handle) await handle.datasync();
          break;
        case 'rename':
          await fs.rename(name(op.fileIndex), name(op.otherIndex));
          break;
        case 'unlink':
          await fs.unlink(name(op.fileIndex));
          break;
        case 'syncDir':
          await fs.syncDir(dir);
          break;
        case 'readdir':
          await fs.readdir(dir);
          break;
        case 'exists':
          await fs.exists(name(op.fileIndex));
          break;
        case 'close':
          handles.delete(op.fileIndex);
          await handle?.close();
          break;
      }
    } catch (error) {
      if (!isIoError(error)) throw error;
      errors++;
    }
  }
  return errors;
}

/**
 * The benchmark's log workload: `rounds` rounds of appending `appendsPerRound` records (each
 * followed by a datasync) to a segment, then renaming it into place and syncing the directory.
 * @returns the number of port calls made
 */
export async function runLogWorkload(fs: FileSystem, dir: string, rounds: number, appendsPerRound: number, recordBytes = 128): Promise<number> {
  await fs.mkdir(dir);
  const record = new Uint8Array(recordBytes).fill(7);
  let calls = 1;
  for (let round = 0; round < rounds; round++) {
    const tmp = `${dir}/seg.tmp`;
    const handle = await fs.open(tmp, { create: true, truncate: true });
    calls++;
    for (let i = 0; i < appendsPerRound; i++) {
      await handle.append(record);
      await handle.datasync();
      calls += 2;
    }
    await handle.close();
    await fs.rename(tmp, `${dir}/seg-${round % 4}`);
    await fs.syncDir(dir);
    calls += 3;
  }
  return calls;
}
