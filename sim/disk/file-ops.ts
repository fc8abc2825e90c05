/**
 * The operations on an open file, each described once as an {@link Operation} and run by both
 * the asynchronous port (sim-handle.ts) and the synchronous one (sim/disk/sync-port.ts), with the
 * faults that concern file data: partial writes on kill-9, torn writes on power loss, `ENOSPC`,
 * short writes (the fs facade's only), fsync failure modes, read errors, sticky bit flips,
 * latent sector damage and misdirected writes.
 */
import { IoError } from '../../engine/ports/fs.ts';
import type { Rng } from '../rng.ts';
import { none } from '../trace.ts';
import { childPath, splitPath } from './disk.ts';
import { crashBits, faultBit } from './faults.ts';
import { pageBytes, recordDamage, type FileState, type Misdirect } from './file-state.ts';
import type { IoKernel } from './kernel.ts';
import { crashAt, plainOp, type Operation } from './perform.ts';

export { pageBytes };
/**
 * The bytes at the start of each 4 KiB page where file formats keep their headers and
 * superblocks (a page store's meta page, a segment's header): half the bit flips drawn land
 * there when the bytes at stake cover some. Uniform flips over a 4 KiB page would almost never
 * strike a 24-byte header, and an engine that trusts one unchecked would go uncaught.
 */
export const headerBytes = 64;
/** The share of drawn bit flips aimed at {@link headerBytes}. */
const headerFlipShare = 0.5;

/**
 * A bit among bytes `[from, from + length)` to flip: with probability {@link headerFlipShare} one
 * in the first {@link headerBytes} of a page those bytes reach into, else any.
 */
export function drawFlipBit(rng: Rng, from: number, length: number): number {
  const headers: [start: number, end: number][] = [];
  let total = 0;
  for (let page = Math.floor(from / pageBytes) * pageBytes; page < from + length; page += pageBytes) {
    const start = Math.max(from, page);
    const end = Math.min(from + length, page + headerBytes);
    if (end > start) {
      headers.push([start, end]);
      total += end - start;
    }
  }
  if (total > 0 && rng.chance(headerFlipShare)) {
    let at = rng.int(total);
    for (const [start, end] of headers) {
      if (at < end - start) return (start + at) * 8 + rng.int(8);
      at -= end - start;
    }
  }
  return (from + rng.int(length)) * 8 + rng.int(8);
}

/** Most space a disk-full fault leaves free, in bytes (8 blocks of 4 KiB), and always less than the write that strikes it needs. */
export const diskFullSlackBytesMax = 32 * 1024;
/**
 * Largest file the simulated file system holds (it keeps files in memory): a write or truncate
 * past it fails with `EFBIG`, as on a file system whose largest file is smaller than asked for,
 * instead of the simulator running out of memory on a sparse write at a garbage offset.
 */
export const fileBytesMax = 1024 * 1024 * 1024;

const readBits = crashBits | faultBit('read-error') | faultBit('bit-flip');
const readBitsEmpty = crashBits | faultBit('read-error');
const readBitsDurable = readBits | faultBit('sector-damage');
const growBits = crashBits | faultBit('disk-full');
const writeErrorBit = faultBit('write-error');
const misdirectBit = faultBit('misdirected-write');
/** Most sectors a misdirected write lands away from where it was meant to go, within its file. */
export const misdirectSectorsMax = 4;
const syncBits = crashBits | faultBit('fsync-error') | faultBit('disk-full');
const syncBitsClean = crashBits | faultBit('fsync-error');
const shortBits = faultBit('short-write');

/** What one handle's operations share: the inode it was opened on, and whether it is closed. */
export class OpenFile {
  /** Set by {@link closeOp}; later operations fail with `EBADF`. */
  closed = false;

  /**
   * @param kernel - the world's shared I/O state
   * @param path - the path the file was opened by (for errors and the trace)
   * @param file - the inode
   */
  /** The incarnation that opened it: its handles die with that process. */
  readonly incarnation: number;

  constructor(
    readonly kernel: IoKernel,
    readonly path: string,
    readonly file: FileState,
  ) {
    this.incarnation = kernel.incarnation;
    file.opens.add(this);
  }
}

/**
 * Reads up to `length` bytes at `position` (fewer at end of file).
 * @throws IoError `EBADF`, `EINVAL`; injected `EIO`
 */
export function readOp(open: OpenFile, position: number, length: number): Operation<Uint8Array> {
  const { kernel: k, path, file } = open;
  const available = Math.max(0, Math.min(file.size, position + length) - position);
  const label = { name: 'read', path, offset: position, length };
  // Sector damage strikes durable bytes; whether the range read holds any is settled when it fires.
  const durable = available > 0 && position < file.durable.size;
  return {
    label,
    ioClass: 'read',
    mask: available === 0 ? readBitsEmpty : durable ? readBitsDurable : readBits,
    ownsCrash: false,
    body: ({ io, fault }) => {
      checkOpen(open, 'read');
      checkRange(position, 'read', path, 'position');
      checkRange(length, 'read', path, 'length');
      if (fault === 'read-error') {
        k.fire(fault, io, undefined, path);
        throw k.injected('EIO', 'read', path);
      }
      if (fault === 'bit-flip') {
        const draw = (rng: Rng): number => drawFlipBit(rng, position, available);
        // A scheduled bit outside the range read is brought into it, so any entry replays.
        const bitsRange = available * 8;
        const offsetBits = (((k.faults.arg(fault, io, draw) - position * 8) % bitsRange) + bitsRange) % bitsRange;
        const bit = position * 8 + offsetBits;
        k.fire(fault, io, bit, path);
        file.breakBit(bit, k.disk.sectorBytes);
      }
      if (fault === 'sector-damage') damageSector(open, io, position, available);
      if (k.rot !== undefined && k.rot.file === file) meetRot(open, io, position, available);
      const out = file.cache.read(position, length);
      file.applyBadBits(out, position);
      file.applyBadSectors(out, position, k.disk.sectorBytes);
      return out;
    },
  };
}

/**
 * A read that covers what a second look let rot (IoKernel.rot) meets it as the fault that fired
 * there: the same trace, fault record and sticky damage as an injected bit flip or sector damage,
 * with the argument that replays it as `faults.scheduled` at this I/O (the bit; twice the
 * sector's place among the durable sectors the read covers, plus one for garbage).
 */
function meetRot(open: OpenFile, io: number, position: number, available: number): void {
  const { kernel: k, path, file } = open;
  const rot = k.rot!;
  if (rot.fault === 'bit-flip') {
    const byte = Math.floor(rot.at / 8);
    if (byte < position || byte >= position + available) return;
    k.rot = undefined;
    k.rotRead = { io, arg: rot.at };
    k.fire('bit-flip', io, rot.at, path);
    file.breakBit(rot.at, k.disk.sectorBytes);
    return;
  }
  const sectors = file.durableSectors(position, position + available, k.disk.sectorBytes);
  const place = sectors.indexOf(rot.at);
  if (place < 0) return;
  const arg = 2 * place + (rot.zeros ? 0 : 1);
  k.rot = undefined;
  k.rotRead = { io, arg };
  strikeSector(open, io, arg, sectors);
}

/**
 * Latent sector damage: one durable sector in `[position, position + available)` reads back
 * whole as zeros (even argument) or garbage (odd) from now on, until it is rewritten. The
 * argument's half picks the sector among the durable ones the read covers (sectors with
 * unsynced changes are spared: the damage is to what the platter holds). A read that covers no
 * durable sector is left alone, and the fault is not recorded.
 */
function damageSector(open: OpenFile, io: number, position: number, available: number): void {
  const { kernel: k, file } = open;
  const sectors = file.durableSectors(position, position + available, k.disk.sectorBytes);
  if (sectors.length === 0) return;
  strikeSector(open, io, k.faults.arg('sector-damage', io, (rng) => rng.int(2 * sectors.length)), sectors);
}

/** Sector damage with argument `arg` among `sectors` (the durable ones a read at `io` covers), recorded and counted. */
function strikeSector(open: OpenFile, io: number, arg: number, sectors: readonly number[]): void {
  const { kernel: k, path, file } = open;
  const sector = sectors[Math.floor(arg / 2) % sectors.length]!;
  const zeros = arg % 2 === 0;
  k.fire('sector-damage', io, arg, path, `sector ${sector} reads as ${zeros ? 'zeros' : 'garbage'}`);
  file.breakSector(sector, { zeros, seed: io });
  recordDamage(k.disk.damage, file.durableAt[sector] ?? 0);
}

/**
 * Writes `data` at `position` (traced as `name`; an append passes the current size): ENOSPC
 * short writes, kill-9 page prefixes, power loss mid-write. With late writes on, a write no
 * fault struck may take effect after I/O issued after it (kernel.ts); it reads the caller's
 * buffer when it takes effect, as a thread-pool write reads it during the call.
 *
 * Two contracts. The engine's port (`partial` false) promises whole writes: a write that cannot
 * land whole applies the prefix that fits and throws `ENOSPC`, and the operation returns
 * `position`. The fs facade (`partial` true) has `write(2)`'s: a write may land a prefix and
 * return its length, which the caller must check. It does so when the disk fills part way (the
 * bytes that fit land and count; only a write of which nothing fits fails with `ENOSPC`), and
 * when a `short-write` fault fires (eligible only here, on writes of 2 bytes or more, so the
 * engine's runs never draw it).
 * @returns an operation whose result is `position` (whole) or the bytes written (partial)
 * @throws IoError `EBADF`, `EINVAL`; injected `ENOSPC` (whole: after a short write; partial:
 * when nothing fits)
 */
export function writeOp(open: OpenFile, name: 'write' | 'append', position: number, data: Uint8Array, partial = false): Operation<number> {
  const { kernel: k, path, file } = open;
  const label = { name, path, offset: position, length: data.length };
  // Only new blocks of a named file take space (see disk.ts), so only they can hit a full disk.
  const growthBytes = k.disk.allocatedBytes(position + data.length) - k.disk.allocatedBytes(file.size);
  const grows = (growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits) | (partial && data.length > 1 ? shortBits : 0);
  const mask = file.cacheLinks > 0 && data.length > 0 ? grows | misdirectBit | writeErrorBit : grows;
  return {
    label,
    ioClass: position + data.length > file.size ? 'append' : 'write',
    mask,
    ownsCrash: true,
    mayBeLate: true,
    ...(partial ? { outcome: (written: number) => (written < data.length ? `short=${written}` : 'ok') } : {}),
    body: ({ io, fault }) => {
      checkOpen(open, name);
      checkRange(position, name, path, 'position');
      checkFileSize(position + data.length, name, path);
      // A power loss scheduled to strike before the write (argument 0): none of it reaches the page cache.
      if (fault === 'power-loss' && k.faults.scheduledArg(fault) === 0) crashAt(k, label, io, fault, 0);
      if (partial) k.shortWrites.attempted(file, position, data);
      if (fault === 'disk-full') fillDisk(open, io, growthBytes);
      // Bytes that fit: the file's blocks take any write, new blocks need free space, so a
      // write that does not fit stops at a block boundary.
      const fitBytes = file.cacheLinks === 0
        ? data.length
        : Math.max(0, Math.min(data.length, k.disk.allocatedBytes(file.size) + k.disk.freeBytes - position));
      if (fault === 'kill-9') {
        const appliedBytes = Math.max(0, Math.min(fitBytes, k.faults.arg(fault, io, (rng) => pagePrefix(rng, position, data.length))));
        k.disk.write(file, position, data, appliedBytes);
        crashAt(k, label, io, fault, appliedBytes);
      }
      if (fault === 'write-error') failWrite(open, io, name, position, data, fitBytes, partial);
      const shortBytes = fault === 'short-write' ? shortWrite(open, io, position, data.length) : data.length;
      const writtenBytes = Math.min(fitBytes, shortBytes);
      const misdirect = fault === 'misdirected-write' ? misdirectOf(open, io, position) : undefined;
      k.disk.write(file, position, data, writtenBytes, misdirect);
      if (partial && writtenBytes > 0) k.shortWrites.landed(file, path, io, position, writtenBytes, data);
      // A power loss during the write: it reached the page cache, and the crash policy decides
      // what of it reaches the disk, like any other unsynced write.
      if (fault === 'power-loss') crashAt(k, label, io, fault, undefined);
      if (fitBytes < data.length && (!partial || writtenBytes === 0)) throw k.injected('ENOSPC', name, path);
      return partial ? writtenBytes : position;
    },
  };
}

/**
 * Where a misdirected write at `position` really lands (TigerBeetle's model): with an odd
 * argument and another file of the same kind in the file's directory (another segment, another
 * snapshot), at the same offset of one of them, chosen by the argument's half; otherwise in the
 * same file, 1 to {@link misdirectSectorsMax} whole sectors before (argument bit 1 set, when
 * there is room) or after where it was meant to go. The page cache holds the write where it was
 * meant to go; the misdirection shows once it is written back and the cache dropped.
 */
function misdirectOf(open: OpenFile, io: number, position: number): Misdirect {
  const { kernel: k, path, file } = open;
  const split = splitPath(path);
  const dir = k.disk.dir(split.parent);
  const named = dir !== undefined && dir.cache.get(split.name) === file;
  const others = named ? k.disk.filesOfKind(dir, split.name, file) : [];
  const arg = k.faults.arg('misdirected-write', io, (rng) => rng.int(1 << 16));
  let misdirect: Misdirect;
  let where: string;
  if (arg % 2 === 1 && others.length > 0) {
    const [name, other] = others[(arg >> 1) % others.length]!;
    misdirect = { file: other, offset: position };
    where = `${childPath(split.parent, name)}@${position}`;
  } else {
    const delta = (1 + ((arg >> 2) % misdirectSectorsMax)) * k.disk.sectorBytes;
    const offset = (arg >> 1) % 2 === 1 && position >= delta ? position - delta : position + delta;
    misdirect = { file, offset };
    where = `${path}@${offset}`;
  }
  k.fire('misdirected-write', io, arg, path, `lands at ${where} when written back`);
  return misdirect;
}

/**
 * A `write-error` fault: the write fails with `EIO`. Through the engine's port (`partial` false)
 * a prefix of whole pages that fits lands first, drawn as a kill -9 inside a write draws it (the
 * argument: the bytes landed; a scheduled count is cut to what fits); through the fs facade
 * nothing lands, as `write(2)` would report a partial write by its count, not by an error.
 * @throws IoError injected `EIO`, always
 */
function failWrite(open: OpenFile, io: number, name: 'write' | 'append', position: number, data: Uint8Array, fitBytes: number, partial: boolean): never {
  const k = open.kernel;
  const drawn = partial ? 0 : k.faults.arg('write-error', io, (rng) => pagePrefix(rng, position, data.length));
  const landed = Math.max(0, Math.min(fitBytes, drawn));
  k.disk.write(open.file, position, data, landed);
  k.fire('write-error', io, landed, open.path);
  throw k.injected('EIO', name, open.path);
}

/**
 * How many bytes of a write of `length` at `position` land before it stops at a page boundary
 * inside it, drawn: none, or up to one of those boundaries (a kill -9 or a failed write mid-way).
 */
function pagePrefix(rng: Rng, position: number, length: number): number {
  const pages = pageBoundaries(position, length);
  const pick = rng.int(pages.length + 1);
  return pick === 0 ? 0 : pages[pick - 1]! - position;
}

/**
 * A `short-write` fault: the bytes a write of `length` at `position` lands, in [1, length).
 * Drawn as a page boundary inside the write when it crosses one (a file system allocates and
 * copies page by page, so a write stops short at one), any count otherwise; a scheduled count
 * out of range is brought into it, so any entry replays.
 */
function shortWrite(open: OpenFile, io: number, position: number, length: number): number {
  const k = open.kernel;
  const pages = pageBoundaries(position, length);
  const drawn = k.faults.arg('short-write', io, (rng) => (pages.length > 0 ? rng.pick(pages) - position : 1 + rng.int(length - 1)));
  const bytes = Math.max(1, Math.min(length - 1, drawn));
  k.fire('short-write', io, bytes, open.path);
  return bytes;
}

/** The size reads see. @throws IoError `EBADF` */
export function sizeOp(open: OpenFile): Operation<number> {
  return plainOp('size', open.path, 'other', () => {
    checkOpen(open, 'size');
    return open.file.size;
  });
}

/**
 * Cuts or zero-extends the file to `size` bytes.
 * @throws IoError `EBADF`, `EINVAL`; injected `ENOSPC` when growth does not fit
 */
export function truncateOp(open: OpenFile, size: number): Operation<void> {
  const { kernel: k, path, file } = open;
  const growthBytes = k.disk.allocatedBytes(size) - k.disk.allocatedBytes(file.size);
  return {
    label: { name: 'truncate', path, offset: size, length: none },
    ioClass: 'truncate',
    mask: growthBytes > 0 && file.cacheLinks > 0 ? growBits : crashBits,
    ownsCrash: false,
    body: ({ io, fault }) => {
      checkOpen(open, 'truncate');
      checkRange(size, 'truncate', path, 'size');
      checkFileSize(size, 'truncate', path);
      if (fault === 'disk-full') fillDisk(open, io, growthBytes);
      if (growthBytes > 0 && file.cacheLinks > 0 && growthBytes > k.disk.freeBytes) {
        throw k.injected('ENOSPC', 'truncate', path);
      }
      k.disk.truncate(file, size);
      k.shortWrites.truncated(file, size);
    },
  };
}

/**
 * fsync (`sync`) or fdatasync (`datasync`): both make the file's data and size durable.
 * @throws IoError `EBADF`; injected `EIO` (per the profile's fsync failure mode) or `ENOSPC`
 */
export function syncOp(open: OpenFile, name: 'sync' | 'datasync'): Operation<void> {
  const { kernel: k, path, file } = open;
  return {
    label: { name, path, offset: none, length: none },
    ioClass: 'fsync',
    mask: file.pending.length > 0 ? syncBits : syncBitsClean,
    ownsCrash: false,
    body: ({ io, fault }) => {
      checkOpen(open, name);
      k.shortWrites.movedOn(file);
      if (fault === 'fsync-error') {
        k.fire(fault, io, undefined, path);
        const mode = k.faults.profile.fsyncFailureMode;
        if (file.pending.length > 0 && mode !== 'sticky') k.disk.syncFailuresOverWrites++;
        if (mode === 'ext4') {
          if (file.pending.length > 0) k.disk.forgotten++;
          file.forgetPending();
        }
        else if (mode === 'btrfs') k.disk.revert(file);
        else file.syncBroken = true;
        throw k.injected('EIO', name, path);
      }
      // A sticky failure is a broken device; with faults off (the liveness phase) the device
      // has been replaced, so syncs work again.
      if (file.syncBroken && k.faults.enabled) throw k.injected('EIO', name, path);
      if (fault === 'disk-full') {
        // Delayed allocation: the space for dirty pages is found at writeback. Nothing is made
        // durable, the dirty pages stay, and the disk stays full until space is freed.
        fillDisk(open, io, 1);
        throw k.injected('ENOSPC', name, path);
      }
      file.sync(k.disk);
      k.disk.afterSync();
    },
  };
}

/** Releases the handle; does not sync. @throws IoError `EBADF` when already closed */
export function closeOp(open: OpenFile): Operation<void> {
  return plainOp('close', open.path, 'other', () => {
    checkOpen(open, 'close');
    open.kernel.shortWrites.movedOn(open.file);
    open.closed = true;
    open.file.opens.delete(open);
  });
}

/** A disk-full fault: capacity becomes current use plus fewer whole blocks than `growthBytes` needs. */
function fillDisk(open: OpenFile, io: number, growthBytes: number): void {
  fillDiskAt(open.kernel, io, open.path, Math.ceil(growthBytes / open.kernel.disk.blockBytes));
}

/**
 * Fills the disk at I/O `io` (a disk-full fault on `path`): capacity becomes current use plus
 * a slack of whole blocks, fewer than `blocksNeeded` (at least 1; a create, which needs no data
 * block, passes Infinity), and at most {@link diskFullSlackBytesMax}. The fault's argument is
 * the slack in bytes; a scheduled one is rounded down to whole blocks and kept under what is needed.
 */
export function fillDiskAt(k: IoKernel, io: number, path: string, blocksNeeded: number): void {
  const block = k.disk.blockBytes;
  const slackBlocksMax = Math.max(1, Math.min(blocksNeeded, Math.floor(diskFullSlackBytesMax / block)));
  const drawn = k.faults.arg('disk-full', io, (rng) => rng.int(slackBlocksMax) * block);
  const slack = Math.min(slackBlocksMax - 1, Math.floor(Math.max(0, drawn) / block)) * block;
  k.fire('disk-full', io, slack, path);
  k.disk.capacityBytes = k.disk.usedBytes + slack;
}

function checkOpen(open: OpenFile, syscall: string): void {
  if (open.closed) throw new IoError('EBADF', syscall, open.path);
}

/**
 * Refuses an offset, length or size that is not a natural number with `EINVAL`, naming it and
 * its value: the caller computed it, often from bytes it read and never checked (a new user's
 * engine read at an offset from a meta page it did not verify, and saw only `EINVAL: read`).
 */
function checkRange(value: number, syscall: string, path: string, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new IoError('EINVAL', syscall, path, false, `EINVAL: ${syscall} '${path}': ${what} ${value} is not a natural number (an argument the code computed, not an injected fault)`);
}

/** Refuses to grow a file past {@link fileBytesMax} (`EFBIG`). */
function checkFileSize(end: number, syscall: string, path: string): void {
  if (end <= fileBytesMax) return;
  throw new IoError('EFBIG', syscall, path, false, `EFBIG: ${syscall} '${path}': the file would reach ${end} bytes, past the simulated file system's largest file (${fileBytesMax} bytes)`);
}

/** Page boundaries strictly inside a write of `length` bytes at `position`, in file offsets. */
function pageBoundaries(position: number, length: number): number[] {
  const out: number[] = [];
  for (let b = (Math.floor(position / pageBytes) + 1) * pageBytes; b < position + length; b += pageBytes) out.push(b);
  return out;
}
