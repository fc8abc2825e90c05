/**
 * `repro --disk DIR` and `replay --disk DIR`: the simulated disk at the run's first failed check,
 * written as real files a user can open, hexdump and diff, in two trees:
 * - `DIR/now/...`: every file as the code under test read it then (the page cache: what reads
 *   see, unsynced writes included);
 * - `DIR/durable/...`: what the platter held then, under the names the directories had made
 *   durable (what a power loss that kept nothing unsynced would leave);
 * and `DIR/disk-image.json`, the exact image (sim/disk/image.ts), with the unsynced writes and
 * directory operations still pending.
 *
 * Media damage is not applied to the trees: a bit a fault flipped or a sector it damaged reads
 * so only through the simulator (the trace names each). A symbolic link is written as a file
 * `NAME.symlink` holding its target, so nothing points out of the folder.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiskImage } from '../sim/index.ts';
type EntryImage = DiskImage['disk']['dirs'][number]['cache'][number];
import { UsageError } from './errors.ts';

/** What was written: files in each tree. */
export interface DiskDump {
  readonly now: number;
  readonly durable: number;
}

/**
 * Makes sure `dir` is missing or an empty folder, so a dump never mixes with or overwrites
 * anything. @throws {@link UsageError} otherwise
 */
export function checkDumpDir(dir: string): void {
  let entries: string[] | undefined;
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--disk ${dir}: is a file, not a folder`);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return;
  }
  if (entries.length > 0) throw new UsageError(`--disk ${dir}: the folder is not empty (give a new or empty folder: the dump never overwrites)`);
}

/** Writes `image` under `dir` as the module comment says. @returns the files written per tree */
export function writeDiskDump(image: DiskImage, dir: string): DiskDump {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'disk-image.json'), JSON.stringify(image));
  const files = new Map(image.disk.files.map((file) => [file.id, file]));
  const dirs = image.disk.dirs.filter((entry) => entry.removedBy === undefined);
  const byPath = new Map(dirs.map((entry) => [entry.path, entry]));
  let now = 0;
  let durable = 0;
  const write = (tree: string, path: string, entry: EntryImage, view: 'cache' | 'durable'): void => {
    if (!safeName(entry.name)) return;
    const at = join(dir, tree, ...path.split('/').filter(Boolean), entry.name);
    if ('dir' in entry) {
      mkdirSync(at, { recursive: true });
      return;
    }
    const file = files.get(entry.file);
    if (file === undefined) return;
    if (file.linkTarget !== undefined) writeFileSync(`${at}.symlink`, file.linkTarget);
    else writeFileSync(at, Buffer.from(file[view], 'base64'));
    if (tree === 'now') now++;
    else durable++;
  };
  for (const entry of dirs) {
    mkdirSync(join(dir, 'now', ...entry.path.split('/').filter(Boolean)), { recursive: true });
    for (const child of entry.cache) write('now', entry.path, child, 'cache');
  }
  // A durable subdirectory is written under its durable name, from the directory its entry names.
  const walkDurable = (source: string, as: string, seen: Set<string>): void => {
    const entry = byPath.get(source);
    if (entry === undefined || seen.has(source)) return;
    seen.add(source);
    mkdirSync(join(dir, 'durable', ...as.split('/').filter(Boolean)), { recursive: true });
    for (const child of entry.durable) {
      write('durable', as, child, 'durable');
      if ('dir' in child && child.removedBy === undefined && safeName(child.name)) walkDurable(child.dir, `${as === '/' ? '' : as}/${child.name}`, seen);
    }
  };
  walkDurable('/', '/', new Set());
  return { now, durable };
}

/** Whether `name` is one path component that stays inside the folder it is written to. */
function safeName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0');
}
