/**
 * The namespace operations of the simulated file system, each described once as an
 * {@link Operation} and run by both the asynchronous port (sim-fs.ts) and the synchronous one
 * (sim/disk/sync-port.ts): POSIX errors, and the faults that concern the namespace (crashes
 * everywhere, `ENOSPC` on create, `EXDEV` on the fs facade's renames, a lost entry when a
 * directory is listed or, at a process's first look into a directory, a file in it opened).
 */
import type { OpenOptions } from '../../engine/ports/fs.ts';
import { diskError } from './disk-error.ts';
import { none } from '../trace.ts';
import { childPath, splitPath, type DirNode, type Entry, type SplitPath } from './disk.ts';
import { crashBits, faultBit } from './faults.ts';
import { fillDiskAt } from './file-ops.ts';
import { FileState } from './file-state.ts';
import type { IoKernel } from './kernel.ts';
import { plainOp, type Operation } from './perform.ts';

const createBits = crashBits | faultBit('disk-full');
const lostEntryBit = faultBit('lost-entry');
const listBits = crashBits | lostEntryBit;
/** A lost entry needs this many synced file names in the directory: with one, nothing is left to tell a lost store from a new one. */
export const lostEntryNamesMin = 2;
const exdevBits = faultBit('exdev');
const dirSyncBits = crashBits | faultBit('dir-sync-error');

/** What {@link statOp} returns: the kind of entry, and for files the inode and size. */
export type EntryStat =
  | {
    readonly kind: 'file'; readonly id: number; readonly size: number; readonly links: number;
    /** A symbolic link's target (`lstat` shows the link itself); absent for a regular file. */
    readonly linkTarget?: string;
    /** Where its modifications stand (the inode itself, read live), for the facade's times. */
    readonly changes: { readonly modifications: number; readonly durableModification: number; readonly decidedModification: number };
  }
  | {
    readonly kind: 'dir'; readonly path: string;
    /** Its names on Linux: its entry, its own `.`, and each subdirectory's `..`. */
    readonly links: number;
  };

/**
 * Opens (with `create`, creates) the file at `path`.
 * @param makeHandle - wraps the opened inode in the calling port's handle type
 * @param note - how the caller named the open, for the trace (the facade's `flags=w`); the
 * engine's port gives none, so its traces and digests do not change
 * @throws IoError `ENOENT`, `ENOTDIR`, `EISDIR`, `EEXIST`; injected `ENOSPC` on create
 */
export function openOp<H>(k: IoKernel, path: string, options: OpenOptions, makeHandle: (file: FileState) => H, note?: string): Operation<H> {
  const split = splitPath(path);
  const creating = options.create === true && k.disk.lookup(split) === undefined;
  const losable = !creating && k.faults.mayFire('lost-entry') && losableAtOpen(k, split);
  return {
    label: { name: 'open', path, offset: none, length: none, ...(note === undefined ? {} : { note }) },
    ioClass: creating ? 'create' : 'open',
    mask: creating ? createBits : losable ? crashBits | lostEntryBit : crashBits,
    ownsCrash: false,
    body: ({ io, fault }) => {
      const dir = k.disk.parentOf(split, 'open', path);
      k.lookAt(dir.path);
      if (fault === 'lost-entry' && k.disk.losableFileNames(dir, k.incarnation).includes(split.name)) {
        k.fire(fault, io, undefined, path);
        k.disk.loseEntry(dir, split.name);
      }
      const entry = split.name === '' ? k.disk.dir(split.full) : dir.cache.get(split.name);
      if (entry !== undefined && !(entry instanceof FileState)) throw diskError('EISDIR', 'open', path);
      let file = entry;
      if (file === undefined) {
        if (options.create !== true) throw diskError('ENOENT', 'open', path);
        // An empty file takes no block (ext4's inodes are made in advance), so a full disk
        // still creates one. A disk-full fault here is a directory whose blocks are full needing
        // one more, or XFS allocating an inode cluster: it fills the disk and refuses the create.
        if (fault === 'disk-full') {
          fillDiskAt(k, io, path, Infinity);
          throw k.injected('ENOSPC', 'open', path);
        }
        file = k.disk.createFile(dir, split.name);
      } else {
        if (options.create === true && options.exclusive === true) throw diskError('EEXIST', 'open', path);
        if (options.truncate === true) {
          k.disk.truncate(file, 0);
          k.shortWrites.truncated(file, 0);
        }
      }
      return makeHandle(file);
    },
  };
}

/**
 * Whether opening the file `split` names may find its name lost: a process's first look into
 * its directory (neither listed nor opened in before: an engine that opens its files by name
 * meets a lost name there, one that lists its folder when it lists it), at a synced name no
 * handle of the process holds open, in a directory of at least {@link lostEntryNamesMin} synced
 * names. An engine that lists its folder first is never eligible here, so its runs draw as before.
 */
function losableAtOpen(k: IoKernel, split: SplitPath): boolean {
  if (split.name === '') return false;
  const dir = k.disk.dir(split.parent);
  if (dir === undefined || k.hasLookedAt(dir.path)) return false;
  const names = k.disk.losableFileNames(dir, k.incarnation);
  return names.includes(split.name) && k.disk.syncedFileNames(dir).length >= lostEntryNamesMin;
}

/**
 * Renames a file, replacing the target.
 * @param exdevEligible - the fs facade's renames may fail with an injected `EXDEV` (fault kind
 * `exdev`), as a rename across file systems does; the engine's never do, nor one within a
 * directory, which one file system always holds (a rename from a subfolder may cross a mount)
 * @throws IoError `ENOENT`, `ENOTDIR`, `EISDIR`; injected `EXDEV`
 */
export function renameOp(k: IoKernel, from: string, to: string, exdevEligible = false): Operation<void> {
  const op = plainOp('rename', `${from} -> ${to}`, 'rename', ({ io, fault }) => {
    const source = splitPath(from);
    const target = splitPath(to);
    const fromDir = k.disk.parentOf(source, 'rename', from);
    if (fault === 'exdev') {
      // rename(2) compares the mounts of the two parents before it looks the source up: a
      // missing parent is still ENOENT, a missing source on another file system EXDEV.
      k.disk.parentOf(target, 'rename', to);
      k.fire(fault, io, undefined, `${from} -> ${to}`);
      throw k.injected('EXDEV', 'rename', from);
    }
    // A root (`/`, `.`) cannot move; rename(2) says EBUSY, the port has no such code (rmdir's EINVAL).
    if (source.name === '') throw diskError('EINVAL', 'rename', from);
    const entry = fromDir.cache.get(source.name);
    if (entry === undefined) throw diskError('ENOENT', 'rename', from);
    if (!(entry instanceof FileState)) {
      renameDirectory(k, entry, fromDir, source, target, to);
      return;
    }
    const toDir = k.disk.parentOf(target, 'rename', to);
    const replaced = toDir.cache.get(target.name);
    if (target.name === '' || (replaced !== undefined && !(replaced instanceof FileState))) {
      throw diskError('EISDIR', 'rename', to);
    }
    // Two names of one file (hard links): rename(2) does nothing and succeeds (POSIX), both stay.
    if (source.full === target.full || replaced === entry) return;
    k.shortWrites.movedOn(entry);
    k.disk.rename(fromDir, source.name, toDir, target.name, entry);
    if (entry.pending.length > 0) k.onUnsyncedRename?.();
  });
  return exdevEligible && splitPath(from).parent !== splitPath(to).parent ? { ...op, mask: op.mask | exdevBits } : op;
}

/**
 * rename(2) of a directory (see disk.ts `renameDir`): onto itself nothing happens; under a missing
 * parent `ENOENT`; into its own subtree `EINVAL`; onto a file `ENOTDIR`; onto a directory that is not empty `ENOTEMPTY`; an
 * empty one is replaced.
 */
function renameDirectory(k: IoKernel, dir: DirNode, fromDir: DirNode, source: SplitPath, target: SplitPath, to: string): void {
  if (target.full === source.full) return;
  if (target.name === '') throw diskError('EINVAL', 'rename', to);
  // The target's parent is resolved first: under a missing one, even inside the source, ENOENT.
  const toDir = k.disk.parentOf(target, 'rename', to);
  if (target.full.startsWith(`${source.full === '/' ? '' : source.full}/`)) throw diskError('EINVAL', 'rename', source.full);
  const replaced = toDir.cache.get(target.name);
  if (replaced instanceof FileState) throw diskError('ENOTDIR', 'rename', to);
  if (replaced !== undefined && replaced.cache.size > 0) throw diskError('ENOTEMPTY', 'rename', to);
  k.disk.renameDir(fromDir, source.name, toDir, target.name, dir);
}

/**
 * A hard link: `to` names the file `from` names, pending like a create until its directory is
 * synced. @throws IoError `ENOENT`, `ENOTDIR`, `EEXIST`; `EISDIR` for a directory (the fs
 * facade reports it as Linux's `EPERM`)
 */
export function linkOp(k: IoKernel, from: string, to: string): Operation<void> {
  return plainOp('link', `${from} -> ${to}`, 'create', () => {
    const source = splitPath(from);
    const target = splitPath(to);
    const entry = source.name === '' ? k.disk.dir(source.full) : k.disk.parentOf(source, 'link', from).cache.get(source.name);
    if (entry === undefined) throw diskError('ENOENT', 'link', from);
    // link(2) looks up the source, then creates the new name, then refuses a directory.
    const toDir = k.disk.parentOf(target, 'link', to);
    if (target.name === '' || toDir.cache.has(target.name)) throw diskError('EEXIST', 'link', to);
    if (!(entry instanceof FileState)) throw diskError('EISDIR', 'link', from);
    k.disk.link(toDir, target.name, entry);
  });
}

/**
 * Creates the symbolic link `path` holding `target` (the fs facade's `symlink`; the engine's port
 * has none). Its name is pending in its directory until the directory is synced, as a new
 * file's; the target is never lost apart from it (SimDisk.createSymlink). Traced as `symlink`
 * on the link's path, with the target as a note.
 * @throws IoError `ENOENT`, `ENOTDIR`, `EEXIST` (anything at `path`, a dangling link too)
 */
export function symlinkOp(k: IoKernel, target: string, path: string): Operation<void> {
  const op = plainOp('symlink', path, 'create', () => {
    const split = splitPath(path);
    const dir = k.disk.parentOf(split, 'symlink', path);
    if (split.name === '' || dir.cache.has(split.name)) throw diskError('EEXIST', 'symlink', path);
    k.disk.createSymlink(dir, split.name, target);
  });
  return { ...op, label: { ...op.label, note: `-> ${target}` } };
}

/** Removes a file. @throws IoError `ENOENT`, `ENOTDIR`, `EISDIR` */
export function unlinkOp(k: IoKernel, path: string): Operation<void> {
  return plainOp('unlink', path, 'unlink', () => {
    const split = splitPath(path);
    const dir = k.disk.parentOf(split, 'unlink', path);
    const entry = split.name === '' ? dir : dir.cache.get(split.name);
    if (entry === undefined) throw diskError('ENOENT', 'unlink', path);
    if (!(entry instanceof FileState)) throw diskError('EISDIR', 'unlink', path);
    k.disk.unlink(dir, split.name);
  });
}

/**
 * Removes an empty directory (pending in its parent until it is synced, see disk.ts `rmdir`); counted with unlinks.
 * @throws IoError `ENOENT`, `ENOTDIR`, `ENOTEMPTY`, `EINVAL` (a root)
 */
export function rmdirOp(k: IoKernel, path: string): Operation<void> {
  return plainOp('rmdir', path, 'unlink', () => {
    k.disk.rmdir(dirAt(k, path, 'rmdir'));
  });
}

/** Creates a directory and its missing parents (each name pending in its parent until the parent is synced, see disk.ts). */
export function mkdirOp(k: IoKernel, path: string): Operation<void> {
  return plainOp('mkdir', path, 'mkdir', () => {
    k.disk.mkdir(path);
  });
}

/**
 * The sorted names in a directory. A lost entry strikes here, when a directory is listed (an
 * engine does so when it opens, so the name is gone before its recovery looks): one synced file
 * name no handle of the live process holds open, picked by the argument among them, vanishes
 * for good before the listing (disk.ts `loseEntry`, `losableFileNames`). Only a directory
 * holding at least {@link lostEntryNamesMin} synced file names can lose one.
 * @throws IoError `ENOENT`, `ENOTDIR`
 */
export function readdirOp(k: IoKernel, path: string): Operation<string[]> {
  const split = splitPath(path);
  const listed = k.disk.dir(split.full);
  const losable = listed !== undefined && k.faults.mayFire('lost-entry') && k.disk.syncedFileNames(listed).length >= lostEntryNamesMin
    && k.disk.losableFileNames(listed, k.incarnation).length > 0;
  return {
    label: { name: 'readdir', path, offset: none, length: none },
    ioClass: 'other',
    mask: losable ? listBits : crashBits,
    ownsCrash: false,
    body: ({ io, fault }) => {
      const dir = dirAt(k, path, 'readdir');
      k.lookAt(dir.path);
      if (fault === 'lost-entry') {
        const names = k.disk.losableFileNames(dir, k.incarnation);
        const arg = k.faults.arg(fault, io, (rng) => rng.int(names.length));
        const name = names[arg % names.length]!;
        k.fire(fault, io, arg, childPath(split.full, name));
        k.disk.loseEntry(dir, name);
      }
      return [...dir.cache.keys()].sort();
    },
  };
}

/** Whether anything exists at `path`. */
export function existsOp(k: IoKernel, path: string): Operation<boolean> {
  return plainOp('exists', path, 'other', () => k.disk.lookup(splitPath(path)) !== undefined);
}

/**
 * fsync of a directory: makes its entries durable. An injected failure (`dir-sync-error`) commits
 * a drawn prefix of the directory's pending operations (its argument: how many) and leaves the
 * rest pending, then fails with `EIO`.
 * @throws IoError `ENOENT`, `ENOTDIR`; injected `EIO`
 */
export function syncDirOp(k: IoKernel, path: string): Operation<void> {
  return {
    label: { name: 'syncDir', path, offset: none, length: none },
    ioClass: 'dir-sync',
    mask: dirSyncBits,
    ownsCrash: false,
    body: ({ io, fault }) => {
      const dir = dirAt(k, path, 'syncDir');
      if (fault !== 'dir-sync-error') {
        k.disk.syncDir(dir);
        return k.disk.afterSync();
      }
      const pending = k.disk.pendingInDir(dir);
      const committed = Math.min(pending, k.faults.arg(fault, io, (rng) => rng.int(pending + 1)));
      k.fire(fault, io, committed, path);
      k.disk.syncDir(dir, committed);
      throw k.injected('EIO', 'syncDir', path);
    },
  };
}

/**
 * What is at `path`. The engine's port has no `stat`; the synchronous port (Node's `fs`) needs
 * one, traced as `name`: the call that looks the path up (`stat`, `lstat`, `access`, `statfs`,
 * `readlink`, `chmod`...).
 * @throws IoError `ENOENT`, `ENOTDIR`
 */
export function statOp(k: IoKernel, path: string, name = 'stat'): Operation<EntryStat> {
  return plainOp(name, path, 'other', (): EntryStat => {
    const split = splitPath(path);
    const entry: Entry | undefined = split.name === '' ? k.disk.dir(split.full) : k.disk.parentOf(split, 'stat', path).cache.get(split.name);
    if (entry === undefined) throw diskError('ENOENT', 'stat', path);
    if (entry instanceof FileState) {
      const stat = { kind: 'file' as const, id: entry.id, size: entry.size, links: entry.cacheLinks, changes: entry };
      return entry.linkTarget === undefined ? stat : { ...stat, linkTarget: entry.linkTarget };
    }
    let links = 2;
    for (const child of entry.cache.values()) if (!(child instanceof FileState)) links++;
    return { kind: 'dir', path: entry.path, links };
  });
}

/** The directory at `path`. @throws IoError `ENOENT`, `ENOTDIR` */
function dirAt(k: IoKernel, path: string, syscall: string): DirNode {
  const split = splitPath(path);
  const dir = k.disk.dir(split.full);
  if (dir !== undefined) return dir;
  if (k.disk.lookup(split) instanceof FileState) throw diskError('ENOTDIR', syscall, path);
  throw diskError('ENOENT', syscall, path);
}
