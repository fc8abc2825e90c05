/**
 * An open file of the simulated file system: the {@link FileHandle} port over one inode, with
 * the faults that concern file data (partial writes on kill-9, torn writes on power loss,
 * `ENOSPC`, fsync failure modes, read errors and sticky bit flips).
 */
import { IoError, type FileHandle } from '../../engine/ports/fs.ts';
import type { Rng } from '../rng.ts';
import { none } from '../trace.ts';
import { crashBits, faultBit } from './faults.ts';
import type { FileState } from './file-state.ts';
import type { IoKernel } from './kernel.ts';
import { crashAt, perform, type OpContext, type OpLabel } from './perform.ts';

/** Page size at which a kill-9 inside a large write leaves a prefix applied. */
export const pageBytes = 4096;
/** Largest slack a disk-full fault leaves before the disk is full. */
export const diskFullSlackBytesMax = 4096;

const readBits = crashBits | faultBit('read-error') | faultBit('bit-flip');
const readBitsEmpty = crashBits | faultBit('read-error');
const growBits = crashBits | faultBit('disk-full');
const syncBits = crashBits | faultBit('fsync-error') | faultBit('disk-full');
const syncBitsClean = crashBits | faultBit('fsync-error');

function checkRange(value: number, syscall: string, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new IoError('EINVAL', syscall, path);
}

/** A handle on a file of one incarnation of the simulated file system. */
export class SimFileHandle implements FileHandle {
  readonly path: string;
  readonly #kernel: IoKernel;
  readonly #incarnation: number;
  readonly #file: FileState;
  #closed = false;

  constructor(kernel: IoKernel, incarnation: number, path: string, file: FileState) {
    this.#kernel = kernel;
    this.#incarnation = incarnation;
    this.path = path;
    this.#file = file;
  }

  read(position: number, length: number): Promise<Uint8Array> {
    const file = this.#file;
    const available = Math.max(0, Math.min(file.size, position + length) - position);
    const label = { name: 'read', path: this.path, offset: position, length };
    return perform(this.#kernel, this.#incarnation, label, available > 0 ? readBits : readBitsEmpty, false, ({ io, fault }) => {
      this.#checkOpen('read');
      checkRange(position, 'read', this.path);
      checkRange(length, 'read', this.path);
      const k = this.#kernel;
      if (fault === 'read-error') {
        k.fire(fault, io, undefined, this.path);
        throw k.injected('EIO', 'read', this.path);
      }
      if (fault === 'bit-flip') {
        const draw = (rng: Rng): number => (position + rng.int(available)) * 8 + rng.int(8);
        // A scheduled bit outside the range read is brought into it, so any entry replays.
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

  write(position: number, data: Uint8Array): Promise<void> {
    const label = { name: 'write', path: this.path, offset: position, length: data.length };
    return this.#write(label, position, data).then(() => undefined);
  }

  append(data: Uint8Array): Promise<number> {
    const position = this.#file.size;
    return this.#write({ name: 'append', path: this.path, offset: position, length: data.length }, position, data);
  }

  size(): Promise<number> {
    const label = { name: 'size', path: this.path, offset: none, length: none };
    return perform(this.#kernel, this.#incarnation, label, crashBits, false, () => {
      this.#checkOpen('size');
      return this.#file.size;
    });
  }

  truncate(size: number): Promise<void> {
    const file = this.#file;
    const growthBytes = size - file.size;
    const label = { name: 'truncate', path: this.path, offset: size, length: none };
    const mask = growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits;
    return perform(this.#kernel, this.#incarnation, label, mask, false, ({ io, fault }) => {
      this.#checkOpen('truncate');
      checkRange(size, 'truncate', this.path);
      const k = this.#kernel;
      if (fault === 'disk-full') this.#fillDisk(io, growthBytes);
      if (growthBytes > 0 && file.cacheLinks > 0 && growthBytes > k.disk.freeBytes) {
        throw k.injected('ENOSPC', 'truncate', this.path);
      }
      k.disk.truncate(file, size);
    });
  }

  sync(): Promise<void> {
    return this.#sync('sync');
  }

  datasync(): Promise<void> {
    return this.#sync('datasync');
  }

  close(): Promise<void> {
    const label = { name: 'close', path: this.path, offset: none, length: none };
    return perform(this.#kernel, this.#incarnation, label, crashBits, false, () => {
      this.#checkOpen('close');
      this.#closed = true;
    });
  }

  /** write and append: ENOSPC short writes, kill-9 page prefixes, power loss mid-write. */
  #write(label: OpLabel, position: number, data: Uint8Array): Promise<number> {
    const file = this.#file;
    const growthBytes = position + data.length - file.size;
    // Only growth of a named file takes space (see disk.ts), so only it can hit a full disk.
    const mask = growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits;
    return perform(this.#kernel, this.#incarnation, label, mask, true, ({ io, fault }: OpContext) => {
      this.#checkOpen(label.name);
      checkRange(position, label.name, this.path);
      const k = this.#kernel;
      if (fault === 'disk-full') this.#fillDisk(io, growthBytes);
      // Bytes that fit: overwriting allocated bytes is free, growth needs free space.
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
      // A power loss during the write: it reached the page cache, and the crash policy decides
      // what of it reaches the disk, like any other unsynced write.
      if (fault === 'power-loss') crashAt(k, label, io, fault, undefined);
      if (fitBytes < data.length) throw k.injected('ENOSPC', label.name, this.path);
      return position;
    });
  }

  /** sync and datasync: both make the file's data and size durable. */
  #sync(name: 'sync' | 'datasync'): Promise<void> {
    const file = this.#file;
    const label = { name, path: this.path, offset: none, length: none };
    return perform(this.#kernel, this.#incarnation, label, file.pending.length > 0 ? syncBits : syncBitsClean, false, ({ io, fault }) => {
      this.#checkOpen(name);
      const k = this.#kernel;
      if (fault === 'fsync-error') {
        k.fire(fault, io, undefined, this.path);
        const mode = k.faults.profile.fsyncFailureMode;
        if (mode === 'ext4') file.forgetPending();
        else if (mode === 'btrfs') k.disk.revert(file);
        else file.syncBroken = true;
        throw k.injected('EIO', name, this.path);
      }
      // A sticky failure is a broken device; with faults off (the liveness phase) the device
      // has been replaced, so syncs work again.
      if (file.syncBroken && k.faults.enabled) throw k.injected('EIO', name, this.path);
      if (fault === 'disk-full') {
        // Delayed allocation: the space for dirty pages is found at writeback. Nothing is made
        // durable, the dirty pages stay, and the disk stays full until space is freed.
        this.#fillDisk(io, 1);
        throw k.injected('ENOSPC', name, this.path);
      }
      file.sync();
    });
  }

  /** A disk-full fault: capacity becomes current use plus a slack smaller than `growthBytes`. */
  #fillDisk(io: number, growthBytes: number): void {
    const k = this.#kernel;
    const slackMax = Math.max(1, Math.min(growthBytes, diskFullSlackBytesMax));
    const slack = Math.min(slackMax - 1, k.faults.arg('disk-full', io, (rng) => rng.int(slackMax)));
    k.fire('disk-full', io, slack, this.path);
    k.disk.capacityBytes = k.disk.usedBytes + slack;
  }

  #checkOpen(syscall: string): void {
    if (this.#closed) throw new IoError('EBADF', syscall, this.path);
  }
}

/** Page boundaries strictly inside a write of `length` bytes at `position`, in file offsets. */
function pageBoundaries(position: number, length: number): number[] {
  const out: number[] = [];
  for (let b = (Math.floor(position / pageBytes) + 1) * pageBytes; b < position + length; b += pageBytes) out.push(b);
  return out;
}
