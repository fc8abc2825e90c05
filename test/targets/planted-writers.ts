/**
 * Planted bugs in a library: one document writer (temporary file, write, fsync, rename,
 * directory fsync, through Node's synchronous `fs`) with one step done wrong in each, the
 * mistakes npm libraries make (README, "Testing any Node library"). Each is a workload
 * (writers.ts): the document must be whole and no older than acknowledged. The library path
 * of powercut (the fs facade, the workload runner, its looks) must catch every one
 * (planted-writers.test.ts); `npm run bench:library-mutants` measures the seeds.
 */
import fs from 'node:fs';
import type { Workload, WorkloadContext } from '../../targets/workload.ts';
import { writerWorkload } from './writers.ts';

/** The steps a writer gets wrong; none: it is correct. */
export interface Flaws {
  /** The temporary file is renamed without an fsync. */
  readonly noFileFsync?: boolean;
  /** The directory is not fsynced after the rename. */
  readonly noDirFsync?: boolean;
  /** A failed fsync is ignored and the rename goes ahead. */
  readonly fsyncErrorIgnored?: boolean;
  /** The file is fsynced only after the rename has published it. */
  readonly fsyncAfterRename?: boolean;
  /** The old document is unlinked before the rename (fs-extra's `move` with `overwrite`). */
  readonly unlinkBeforeRename?: boolean;
  /** One `writeSync`, its count ignored (write-file-atomic, atomically). */
  readonly writeCountIgnored?: boolean;
}

/** Writes all of `bytes` at the descriptor's position, as Node's own `writeFile` does. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** fsync, or (flawed) an fsync whose failure is ignored. */
function fsyncFile(fd: number, ignoreErrors: boolean): void {
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!ignoreErrors) throw error;
  }
}

/** Replaces `doc.json` under `ctx.root` with `text`, with `flaws`. */
export function writeWithFlaws(ctx: Pick<WorkloadContext<unknown>, 'path' | 'root'>, text: string, flaws: Flaws): void {
  const tmp = ctx.path('doc.json.tmp');
  const target = ctx.path('doc.json');
  const fd = fs.openSync(tmp, 'w');
  try {
    if (flaws.writeCountIgnored === true) fs.writeSync(fd, text);
    else writeAll(fd, Buffer.from(text));
    if (flaws.noFileFsync !== true && flaws.fsyncAfterRename !== true) fsyncFile(fd, flaws.fsyncErrorIgnored === true);
  } finally {
    fs.closeSync(fd);
  }
  if (flaws.unlinkBeforeRename === true && fs.existsSync(target)) fs.unlinkSync(target);
  fs.renameSync(tmp, target);
  if (flaws.fsyncAfterRename === true) {
    const published = fs.openSync(target, 'r+');
    try {
      fs.fsyncSync(published);
    } finally {
      fs.closeSync(published);
    }
  }
  if (flaws.noDirFsync === true) return;
  const dir = fs.openSync(ctx.root, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** A planted writer bug. */
export interface PlantedWriter {
  readonly id: string;
  /** The library mistake it models. */
  readonly models: string;
  readonly flaws: Flaws;
}

export const plantedWriters: readonly PlantedWriter[] = [
  { id: 'writer-no-file-fsync', models: 'lokijs, steno, fs-jetpack: rename without fsync', flaws: { noFileFsync: true } },
  { id: 'writer-no-dir-fsync', models: 'write-file-atomic, atomically, conf: no directory fsync after the rename', flaws: { noDirFsync: true } },
  { id: 'writer-fsync-error-ignored', models: 'fsyncgate: a failed fsync swallowed, the rename published anyway', flaws: { fsyncErrorIgnored: true } },
  { id: 'writer-fsync-after-rename', models: 'ALICE: the rename published before the data was durable', flaws: { fsyncAfterRename: true } },
  { id: 'writer-unlink-before-rename', models: 'fs-extra move({ overwrite: true }): the old file unlinked before the rename', flaws: { unlinkBeforeRename: true } },
  { id: 'writer-write-count-ignored', models: 'write-file-atomic and atomically: one write, its count never looked at', flaws: { writeCountIgnored: true } },
];

/** The workload of a writer with `flaws` (none: the control). */
export function flawedWriter(id: string, flaws: Flaws): Workload<{ acked: number }, unknown> {
  return writerWorkload(id, async (ctx, text) => writeWithFlaws(ctx, text, flaws)) as unknown as Workload<{ acked: number }, unknown>;
}
