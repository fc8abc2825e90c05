/**
 * The simulated {@link FileSystem} port of one process incarnation: namespace operations with
 * POSIX errors, the faults that concern them (crashes everywhere, `ENOSPC` on create), and the
 * trace. After a crash the world builds a new one; the old one's calls never settle.
 */
import { IoError, type FileHandle, type FileSystem, type OpenOptions } from '../../engine/ports/fs.ts';
import { none } from '../trace.ts';
import { splitPath, type DirNode } from './disk.ts';
import { crashBits, faultBit } from './faults.ts';
import { FileState } from './file-state.ts';
import type { IoKernel } from './kernel.ts';
import { perform } from './perform.ts';
import { diskFullSlackBytesMax, SimFileHandle } from './sim-handle.ts';

const createBits = crashBits | faultBit('disk-full');

/** The simulated file system, as one process incarnation sees it. */
export class SimFileSystem implements FileSystem {
  readonly #kernel: IoKernel;
  readonly #incarnation: number;

  /** @param kernel - the world's shared I/O state; the incarnation is the kernel's current one */
  constructor(kernel: IoKernel) {
    this.#kernel = kernel;
    this.#incarnation = kernel.incarnation;
  }

  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const k = this.#kernel;
    const split = splitPath(path);
    const creating = options.create === true && k.disk.lookup(split) === undefined;
    const label = { name: 'open', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, creating ? createBits : crashBits, false, ({ io, fault }) => {
      const dir = k.disk.parentOf(split, 'open', path);
      const entry = split.name === '' ? k.disk.dir(split.full) : dir.cache.get(split.name);
      if (entry !== undefined && !(entry instanceof FileState)) throw new IoError('EISDIR', 'open', path);
      let file = entry;
      if (file === undefined) {
        if (options.create !== true) throw new IoError('ENOENT', 'open', path);
        if (fault === 'disk-full') {
          const slack = k.faults.arg(fault, io, (rng) => rng.int(diskFullSlackBytesMax));
          k.fire(fault, io, slack, path);
          k.disk.capacityBytes = k.disk.usedBytes + slack;
          throw k.injected('ENOSPC', 'open', path);
        }
        // A new inode needs a little space; a full disk has none.
        if (k.disk.freeBytes <= 0) throw k.injected('ENOSPC', 'open', path);
        file = k.disk.createFile(dir, split.name);
      } else {
        if (options.create === true && options.exclusive === true) throw new IoError('EEXIST', 'open', path);
        if (options.truncate === true) k.disk.truncate(file, 0);
      }
      return new SimFileHandle(k, this.#incarnation, path, file);
    });
  }

  rename(from: string, to: string): Promise<void> {
    const k = this.#kernel;
    const label = { name: 'rename', path: `${from} -> ${to}`, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => {
      const source = splitPath(from);
      const target = splitPath(to);
      const fromDir = k.disk.parentOf(source, 'rename', from);
      const file = fromDir.cache.get(source.name);
      if (file === undefined) throw new IoError('ENOENT', 'rename', from);
      // Directories are never renamed in this model (see disk.ts).
      if (!(file instanceof FileState) || source.name === '') throw new IoError('EISDIR', 'rename', from);
      const toDir = k.disk.parentOf(target, 'rename', to);
      const replaced = toDir.cache.get(target.name);
      if (target.name === '' || (replaced !== undefined && !(replaced instanceof FileState))) {
        throw new IoError('EISDIR', 'rename', to);
      }
      if (source.full === target.full) return;
      k.disk.rename(fromDir, source.name, toDir, target.name, file);
    });
  }

  unlink(path: string): Promise<void> {
    const k = this.#kernel;
    const label = { name: 'unlink', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => {
      const split = splitPath(path);
      const dir = k.disk.parentOf(split, 'unlink', path);
      const entry = split.name === '' ? dir : dir.cache.get(split.name);
      if (entry === undefined) throw new IoError('ENOENT', 'unlink', path);
      if (!(entry instanceof FileState)) throw new IoError('EISDIR', 'unlink', path);
      k.disk.unlink(dir, split.name);
    });
  }

  mkdir(path: string): Promise<void> {
    const k = this.#kernel;
    const label = { name: 'mkdir', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => {
      k.disk.mkdir(path);
    });
  }

  readdir(path: string): Promise<string[]> {
    const k = this.#kernel;
    const label = { name: 'readdir', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => {
      return [...this.#dir(path, 'readdir').cache.keys()].sort();
    });
  }

  exists(path: string): Promise<boolean> {
    const k = this.#kernel;
    const label = { name: 'exists', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => k.disk.lookup(splitPath(path)) !== undefined);
  }

  syncDir(path: string): Promise<void> {
    const k = this.#kernel;
    const label = { name: 'syncDir', path, offset: none, length: none };
    return perform(k, this.#incarnation, label, crashBits, false, () => {
      k.disk.syncDir(this.#dir(path, 'syncDir'));
    });
  }

  /** The directory at `path`. @throws IoError `ENOENT`, `ENOTDIR` */
  #dir(path: string, syscall: string): DirNode {
    const split = splitPath(path);
    const dir = this.#kernel.disk.dir(split.full);
    if (dir !== undefined) return dir;
    if (this.#kernel.disk.lookup(split) instanceof FileState) throw new IoError('ENOTDIR', syscall, path);
    throw new IoError('ENOENT', syscall, path);
  }
}
