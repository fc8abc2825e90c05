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
  /** A new directory's parent is never fsynced after the `mkdir` (layout `generations`). */
  readonly noParentFsyncAfterMkdir?: boolean;
  /**
   * The parent is fsynced only by the write that made the directory, so after that fsync failed
   * the next write finds the directory there and never retries it (layout `generations`).
   */
  readonly parentFsyncOnlyOnMkdir?: boolean;
}

/**
 * Where the writer keeps its document: `doc.json` in the root, or `gen-<n>/doc.json` with a new
 * generation directory every second version (what stores that keep a directory per snapshot,
 * epoch or day do); the newest generation holding a document is the current one.
 */
export type Layout = 'root' | 'generations';

/** The generation directory of document version `version`. */
function generationOf(version: number): string {
  return `gen-${Math.floor(version / 2)}`;
}

/** The current document of the `generations` layout: the newest `gen-<n>/doc.json` there is. */
function newestGeneration(ctx: Pick<WorkloadContext<unknown>, 'path' | 'root'>): string {
  const generations = fs.readdirSync(ctx.root).filter((name) => /^gen-\d+$/.test(name)).sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
  const current = generations.find((name) => fs.existsSync(ctx.path(`${name}/doc.json`)));
  return ctx.path(`${current ?? 'gen-0'}/doc.json`);
}

/** fsync of the file or directory at `path`, through a descriptor of its own. */
export function fsyncPath(path: string): void {
  const dir = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/**
 * Writes all of `bytes` (or of `text`, as UTF-8) at the descriptor's position, as Node's own
 * `writeFile` does: `write(2)` may write less than asked, and the fs facade's writes land short
 * under `short-write`.
 */
export function writeAll(fd: number, data: Buffer | string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
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

/** Replaces `doc.json` under `ctx.root` (in `layout`) with `text`, with `flaws`. */
export function writeWithFlaws(ctx: Pick<WorkloadContext<unknown>, 'path' | 'root'>, text: string, flaws: Flaws, layout: Layout = 'root'): void {
  let dir = ctx.root;
  if (layout === 'generations') {
    dir = ctx.path(generationOf((JSON.parse(text) as { version: number }).version));
    const made = fs.mkdirSync(dir, { recursive: true }) !== undefined;
    // Correct: the directory's name may still be pending (an earlier fsync of the parent failed),
    // so the parent is fsynced before every write that rests on it.
    if (flaws.noParentFsyncAfterMkdir !== true && (made || flaws.parentFsyncOnlyOnMkdir !== true)) fsyncPath(ctx.root);
  }
  const tmp = `${dir}/doc.json.tmp`;
  const target = `${dir}/doc.json`;
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
  if (flaws.noDirFsync !== true) fsyncPath(dir);
}

/** A planted writer bug. */
export interface PlantedWriter {
  readonly id: string;
  /** The library mistake it models. */
  readonly models: string;
  readonly flaws: Flaws;
  /** Where it keeps its document (default `root`). */
  readonly layout?: Layout;
}

export const plantedWriters: readonly PlantedWriter[] = [
  { id: 'writer-no-file-fsync', models: 'lokijs, steno, fs-jetpack: rename without fsync', flaws: { noFileFsync: true } },
  { id: 'writer-no-dir-fsync', models: 'write-file-atomic, atomically, conf: no directory fsync after the rename', flaws: { noDirFsync: true } },
  { id: 'writer-fsync-error-ignored', models: 'fsyncgate: a failed fsync swallowed, the rename published anyway', flaws: { fsyncErrorIgnored: true } },
  { id: 'writer-fsync-after-rename', models: 'ALICE: the rename published before the data was durable', flaws: { fsyncAfterRename: true } },
  { id: 'writer-unlink-before-rename', models: 'fs-extra move({ overwrite: true }): the old file unlinked before the rename', flaws: { unlinkBeforeRename: true } },
  { id: 'writer-write-count-ignored', models: 'write-file-atomic and atomically: one write, its count never looked at', flaws: { writeCountIgnored: true } },
  {
    id: 'writer-mkdir-no-parent-fsync',
    models: 'ALICE: a new directory synced inside, its parent never fsynced after the mkdir',
    flaws: { noParentFsyncAfterMkdir: true },
    layout: 'generations',
  },
  {
    id: 'writer-parent-fsync-not-retried',
    models: 'a failed directory fsync after a mkdir never retried: the next write finds the directory and trusts it',
    flaws: { parentFsyncOnlyOnMkdir: true },
    layout: 'generations',
  },
];

/** The workload of a writer with `flaws` (none: the control) keeping its document in `layout`. */
export function flawedWriter(id: string, flaws: Flaws, layout: Layout = 'root'): Workload<{ acked: number }, unknown> {
  const locate = layout === 'generations' ? newestGeneration : undefined;
  return writerWorkload(id, async (ctx, text) => writeWithFlaws(ctx, text, flaws, layout), locate) as unknown as Workload<{ acked: number }, unknown>;
}
