/**
 * A synchronous path into the simulated disk: the same operations as sim/disk/sim-fs.ts and
 * sim/disk/sim-handle.ts, on the same {@link IoKernel} (disk, fault injector, trace, step budget),
 * but returning their result instead of a promise.
 *
 * Why it exists: Node's `fs.*Sync` calls must return at once, and a promise cannot be read
 * synchronously. The asynchronous port already runs each operation's body synchronously and only
 * delivers the result as a promise (sim/disk/perform.ts), so running the same body here and
 * returning its value gives the same disk state, the same fault decisions (same eligibility
 * masks, same argument streams) and the same trace events. test/facade/sync-port.test.ts checks
 * that the two paths leave identical trace digests on the same operation sequence with faults.
 *
 * Differences, on purpose:
 * - latency is never drawn: a synchronous call cannot wait for simulated time;
 * - a crash cannot make a synchronous call "never return": it throws {@link ProcessCrashedError},
 *   and so does every later call of the dead incarnation;
 * - `stat` is an extra operation (the engine's port has none), traced as `stat`.
 *
 * The bodies below mirror sim-fs.ts and sim-handle.ts line for line; a change there must be
 * made here too (the differential test fails if they drift).
 */
import { IoError } from '../engine/ports/fs.ts';
import type { Rng } from '../sim/rng.ts';
import { none } from '../sim/trace.ts';
import { splitPath, type DirNode, type Entry } from '../sim/disk/disk.ts';
import { crashBits, faultBit } from '../sim/disk/faults.ts';
import { FileState } from '../sim/disk/file-state.ts';
import { crashSignal, type IoKernel } from '../sim/disk/kernel.ts';
import { crashAt, type OpContext, type OpLabel } from '../sim/disk/perform.ts';
import { diskFullSlackBytesMax, pageBytes } from '../sim/disk/sim-handle.ts';

const createBits = crashBits | faultBit('disk-full');
const readBits = crashBits | faultBit('read-error') | faultBit('bit-flip');
const readBitsEmpty = crashBits | faultBit('read-error');
const growBits = crashBits | faultBit('disk-full');
const syncBits = crashBits | faultBit('fsync-error') | faultBit('disk-full');
const syncBitsClean = crashBits | faultBit('fsync-error');

/**
 * The simulated process died (kill -9 or power loss fired, or an earlier one did), or ran out of
 * steps. A synchronous call cannot hang like the asynchronous port does, so it throws this; the
 * workload runner treats it as the end of the incarnation, never as a library error.
 */
export class ProcessCrashedError extends Error {
  override readonly name = 'ProcessCrashedError';
  readonly code = 'POWERCUT_CRASHED';
  /** @param syscall - the call that found the process dead */
  constructor(readonly syscall: string) {
    super(`powercut: the simulated process is dead (crash or step budget), at ${syscall}`);
  }
}

/**
 * Runs one operation synchronously: count it, ask the fault injector, run it or crash there,
 * trace the outcome, return. The synchronous twin of sim/disk/perform.ts `perform`.
 * @throws ProcessCrashedError when the incarnation is dead or a crash fires here
 * @throws IoError from the body
 */
export function performSync<T>(
  kernel: IoKernel,
  incarnation: number,
  label: OpLabel,
  mask: number,
  ownsCrash: boolean,
  body: (context: OpContext) => T,
): T {
  const io = kernel.begin(incarnation);
  if (io < 0) throw new ProcessCrashedError(label.name);
  const fault = kernel.faults.decide(io, mask, kernel.phase);
  try {
    if (!ownsCrash && (fault === 'kill-9' || fault === 'power-loss')) crashAt(kernel, label, io, fault, undefined);
    const value = body({ io, fault });
    kernel.traceIo(label.name, label.path, label.offset, label.length, 'ok');
    return value;
  } catch (error) {
    if (error === crashSignal) throw new ProcessCrashedError(label.name);
    kernel.traceIo(label.name, label.path, label.offset, label.length, error instanceof IoError ? error.code : 'throw');
    throw error;
  }
}

function checkRange(value: number, syscall: string, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new IoError('EINVAL', syscall, path);
}

/** What `stat` returns: the kind of entry, and for files the inode and size. */
export type SyncStat =
  | { readonly kind: 'file'; readonly id: number; readonly size: number }
  | { readonly kind: 'dir'; readonly path: string };

/** An open file of the synchronous port (one inode, one incarnation). */
export class SyncFile {
  #closed = false;

  constructor(
    readonly kernel: IoKernel,
    readonly incarnation: number,
    readonly path: string,
    readonly file: FileState,
  ) {}

  /** Reads up to `length` bytes at `position` (fewer at end of file). */
  read(position: number, length: number): Uint8Array {
    const file = this.file;
    const available = Math.max(0, Math.min(file.size, position + length) - position);
    const label = { name: 'read', path: this.path, offset: position, length };
    return performSync(this.kernel, this.incarnation, label, available > 0 ? readBits : readBitsEmpty, false, ({ io, fault }) => {
      this.#checkOpen('read');
      checkRange(position, 'read', this.path);
      checkRange(length, 'read', this.path);
      const k = this.kernel;
      if (fault === 'read-error') {
        k.fire(fault, io, undefined, this.path);
        throw k.injected('EIO', 'read', this.path);
      }
      if (fault === 'bit-flip') {
        const draw = (rng: Rng): number => (position + rng.int(available)) * 8 + rng.int(8);
        const bitsRange = available * 8;
        const offsetBits = (((k.faults.arg(fault, io, draw) - position * 8) % bitsRange) + bitsRange) % bitsRange;
        const bit = position * 8 + offsetBits;
        k.fire(fault, io, bit, this.path);
        file.breakBit(bit, k.disk.sectorBytes);
      }
      const out = file.cache.read(position, length);
      file.applyBadBits(out, position);
      return out;
    });
  }

  /** Writes all of `data` at `position` (`append`: at the end). @throws IoError ENOSPC after a short write */
  write(position: number, data: Uint8Array, name: 'write' | 'append' = 'write'): void {
    const file = this.file;
    const label = { name, path: this.path, offset: position, length: data.length };
    const growthBytes = position + data.length - file.size;
    const mask = growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits;
    performSync(this.kernel, this.incarnation, label, mask, true, ({ io, fault }) => {
      this.#checkOpen(name);
      checkRange(position, name, this.path);
      const k = this.kernel;
      if (fault === 'disk-full') this.#fillDisk(io, growthBytes);
      const fitBytes = file.cacheLinks === 0
        ? data.length
        : Math.max(0, Math.min(data.length, file.size + k.disk.freeBytes - position));
      if (fault === 'kill-9') {
        const pages = pageBoundaries(position, data.length);
        const appliedBytes = Math.max(0, Math.min(fitBytes, k.faults.arg(fault, io, (rng) => {
          const pick = rng.int(pages.length + 1);
          return pick === 0 ? 0 : pages[pick - 1]! - position;
        })));
        k.disk.write(file, position, data, appliedBytes);
        crashAt(k, label, io, fault, appliedBytes);
      }
      k.disk.write(file, position, data, fitBytes);
      if (fault === 'power-loss') crashAt(k, label, io, fault, undefined);
      if (fitBytes < data.length) throw k.injected('ENOSPC', name, this.path);
    });
  }

  /** The size reads see. */
  size(): number {
    const label = { name: 'size', path: this.path, offset: none, length: none };
    return performSync(this.kernel, this.incarnation, label, crashBits, false, () => {
      this.#checkOpen('size');
      return this.file.size;
    });
  }

  /** Cuts or zero-extends the file. */
  truncate(size: number): void {
    const file = this.file;
    const growthBytes = size - file.size;
    const label = { name: 'truncate', path: this.path, offset: size, length: none };
    const mask = growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits;
    performSync(this.kernel, this.incarnation, label, mask, false, ({ io, fault }) => {
      this.#checkOpen('truncate');
      checkRange(size, 'truncate', this.path);
      const k = this.kernel;
      if (fault === 'disk-full') this.#fillDisk(io, growthBytes);
      if (growthBytes > 0 && file.cacheLinks > 0 && growthBytes > k.disk.freeBytes) {
        throw k.injected('ENOSPC', 'truncate', this.path);
      }
      k.disk.truncate(file, size);
    });
  }

  /** fsync (`sync`) or fdatasync (`datasync`): both make data and size durable. */
  sync(name: 'sync' | 'datasync' = 'sync'): void {
    const file = this.file;
    const label = { name, path: this.path, offset: none, length: none };
    performSync(this.kernel, this.incarnation, label, file.pending.length > 0 ? syncBits : syncBitsClean, false, ({ io, fault }) => {
      this.#checkOpen(name);
      const k = this.kernel;
      if (fault === 'fsync-error') {
        k.fire(fault, io, undefined, this.path);
        const mode = k.faults.profile.fsyncFailureMode;
        if (mode === 'ext4') file.forgetPending();
        else if (mode === 'btrfs') k.disk.revert(file);
        else file.syncBroken = true;
        throw k.injected('EIO', name, this.path);
      }
      if (file.syncBroken && k.faults.enabled) throw k.injected('EIO', name, this.path);
      if (fault === 'disk-full') {
        this.#fillDisk(io, 1);
        throw k.injected('ENOSPC', name, this.path);
      }
      file.sync();
    });
  }

  /** Releases the handle; does not sync. */
  close(): void {
    const label = { name: 'close', path: this.path, offset: none, length: none };
    performSync(this.kernel, this.incarnation, label, crashBits, false, () => {
      this.#checkOpen('close');
      this.#closed = true;
    });
  }

  #fillDisk(io: number, growthBytes: number): void {
    const k = this.kernel;
    const slackMax = Math.max(1, Math.min(growthBytes, diskFullSlackBytesMax));
    const slack = Math.min(slackMax - 1, k.faults.arg('disk-full', io, (rng) => rng.int(slackMax)));
    k.fire('disk-full', io, slack, this.path);
    k.disk.capacityBytes = k.disk.usedBytes + slack;
  }

  #checkOpen(syscall: string): void {
    if (this.#closed) throw new IoError('EBADF', syscall, this.path);
  }
}

/** The namespace operations of the synchronous port, for the kernel's current incarnation. */
export class SyncFileSystem {
  constructor(readonly kernel: IoKernel) {}

  /** The incarnation new calls belong to (the kernel's current one). */
  get incarnation(): number {
    return this.kernel.incarnation;
  }

  /** Opens (with `create`, creates) a file. Mirrors sim-fs.ts `open`. */
  open(path: string, options: { create?: boolean; exclusive?: boolean; truncate?: boolean } = {}): SyncFile {
    const k = this.kernel;
    const incarnation = k.incarnation;
    const split = splitPath(path);
    const creating = options.create === true && k.disk.lookup(split) === undefined;
    const label = { name: 'open', path, offset: none, length: none };
    return performSync(k, incarnation, label, creating ? createBits : crashBits, false, ({ io, fault }) => {
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
        if (k.disk.freeBytes <= 0) throw k.injected('ENOSPC', 'open', path);
        file = k.disk.createFile(dir, split.name);
      } else {
        if (options.create === true && options.exclusive === true) throw new IoError('EEXIST', 'open', path);
        if (options.truncate === true) k.disk.truncate(file, 0);
      }
      return new SyncFile(k, incarnation, path, file);
    });
  }

  /** Renames a file, replacing the target. Mirrors sim-fs.ts `rename`. */
  rename(from: string, to: string): void {
    const k = this.kernel;
    const label = { name: 'rename', path: `${from} -> ${to}`, offset: none, length: none };
    performSync(k, k.incarnation, label, crashBits, false, () => {
      const source = splitPath(from);
      const target = splitPath(to);
      const fromDir = k.disk.parentOf(source, 'rename', from);
      const file = fromDir.cache.get(source.name);
      if (file === undefined) throw new IoError('ENOENT', 'rename', from);
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

  /** Removes a file. Mirrors sim-fs.ts `unlink`. */
  unlink(path: string): void {
    const k = this.kernel;
    const label = { name: 'unlink', path, offset: none, length: none };
    performSync(k, k.incarnation, label, crashBits, false, () => {
      const split = splitPath(path);
      const dir = k.disk.parentOf(split, 'unlink', path);
      const entry = split.name === '' ? dir : dir.cache.get(split.name);
      if (entry === undefined) throw new IoError('ENOENT', 'unlink', path);
      if (!(entry instanceof FileState)) throw new IoError('EISDIR', 'unlink', path);
      k.disk.unlink(dir, split.name);
    });
  }

  /** Creates a directory and its missing parents (durable at once, see disk.ts). */
  mkdir(path: string): void {
    const k = this.kernel;
    const label = { name: 'mkdir', path, offset: none, length: none };
    performSync(k, k.incarnation, label, crashBits, false, () => {
      k.disk.mkdir(path);
    });
  }

  /** The sorted names in a directory. */
  readdir(path: string): string[] {
    const k = this.kernel;
    const label = { name: 'readdir', path, offset: none, length: none };
    return performSync(k, k.incarnation, label, crashBits, false, () => [...this.#dir(path, 'readdir').cache.keys()].sort());
  }

  /** Whether anything exists at `path`. */
  exists(path: string): boolean {
    const k = this.kernel;
    const label = { name: 'exists', path, offset: none, length: none };
    return performSync(k, k.incarnation, label, crashBits, false, () => k.disk.lookup(splitPath(path)) !== undefined);
  }

  /** fsync of a directory. */
  syncDir(path: string): void {
    const k = this.kernel;
    const label = { name: 'syncDir', path, offset: none, length: none };
    performSync(k, k.incarnation, label, crashBits, false, () => {
      k.disk.syncDir(this.#dir(path, 'syncDir'));
    });
  }

  /** What is at `path`. @throws IoError ENOENT, ENOTDIR */
  stat(path: string): SyncStat {
    const k = this.kernel;
    const label = { name: 'stat', path, offset: none, length: none };
    return performSync(k, k.incarnation, label, crashBits, false, () => {
      const split = splitPath(path);
      const entry: Entry | undefined = split.name === '' ? k.disk.dir(split.full) : k.disk.parentOf(split, 'stat', path).cache.get(split.name);
      if (entry === undefined) throw new IoError('ENOENT', 'stat', path);
      if (entry instanceof FileState) return { kind: 'file', id: entry.id, size: entry.size };
      return { kind: 'dir', path: entry.path };
    });
  }

  #dir(path: string, syscall: string): DirNode {
    const split = splitPath(path);
    const dir = this.kernel.disk.dir(split.full);
    if (dir !== undefined) return dir;
    if (this.kernel.disk.lookup(split) instanceof FileState) throw new IoError('ENOTDIR', syscall, path);
    throw new IoError('ENOENT', syscall, path);
  }
}

/** Page boundaries strictly inside a write of `length` bytes at `position` (as sim-handle.ts). */
function pageBoundaries(position: number, length: number): number[] {
  const out: number[] = [];
  for (let b = (Math.floor(position / pageBytes) + 1) * pageBytes; b < position + length; b += pageBytes) out.push(b);
  return out;
}
