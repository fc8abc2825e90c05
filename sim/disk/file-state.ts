/**
 * One file (an inode): what is durable versus what reads see.
 *
 * `durable` is what the platter holds; `cache` is the page-cache view (durable state plus every
 * write not yet synced) that reads see. `pending` lists those unsynced changes as small records,
 * in order, so that a sync replays only what changed (never copies the whole file) and so that
 * the crash policy can keep a prefix or a subset of them after a power loss.
 *
 * After a power loss (or a btrfs-style revert) the page cache holds exactly the durable bytes, so
 * `cache` is then the very same buffer as `durable`, copied only when the first change of either
 * would make them differ (a write, a truncate, or a misdirected write of another file landing in
 * this one): most files are only read by a recovery, and never pay for a copy.
 *
 * After an fsync failed ext4's way, the pages it did not write are clean but still cached: reads
 * see the bytes, no writeback will write them ({@link FileState.forgotten}). A later write that
 * dirties such a page again makes its forgotten bytes pending again, as cached: writeback writes
 * whole pages, so the forgotten bytes of a page the code writes again reach the disk after all,
 * and only those of pages it never writes again are lost for good. (Only the forgotten bytes are
 * pending again, not the whole page: as for any write, a power loss tears only what was changed.)
 *
 * Media faults live beside the clean bytes, as in TigerBeetle: `badBits` maps a sector to the
 * bit a read of it flips, and `badSectors` a sector that reads back whole as zeros or garbage,
 * each until a write to the sector rewrites it. A misdirected write is a pending record that
 * knows where it will really land ({@link Misdirect}): the page cache holds it where it was
 * meant to go, and only writing it back (a sync, or a power loss that keeps it) puts it
 * elsewhere.
 */
import { Rng } from '../rng.ts';
import { ByteBuffer } from './bytes.ts';

/**
 * Where a misdirected write really lands when it is written back: `offset` in `file` (the file
 * it was meant for, some sectors away, or another file of the same kind). The place it was meant
 * for keeps its old bytes; only the file's size, which is metadata, grows as intended.
 */
export interface Misdirect {
  readonly file: FileState;
  readonly offset: number;
}

/**
 * An unsynced change to a file's data or size. A write's bytes are `[start, start + length)` of
 * its file's {@link FileState.journal}, so recording a write allocates no buffer of its own.
 */
export type PendingRecord =
  | {
    readonly kind: 'write';
    readonly offset: number;
    readonly start: number;
    readonly length: number;
    readonly misdirect?: Misdirect;
    /**
     * For a write that grew the file: the sequence number of the first directory operation made
     * after it. Its growth is journaled metadata, so in journal order it survives a power loss
     * only if every directory operation made before it does (SimDisk.powerLoss). Absent for a
     * write inside the file, and in images older than the field.
     */
    readonly nextTxn?: number;
    /** The file's modification number ({@link FileState.modifications}); absent in images. */
    readonly seq?: number;
  }
  | {
    readonly kind: 'truncate';
    readonly size: number;
    /**
     * The sequence number of the first directory operation made after it (SimDisk's next one
     * then): a power loss that keeps that operation, or a later one moving this file, keeps
     * the size change too (SimDisk.powerLoss). Absent in images older than the field.
     */
    readonly nextTxn?: number;
    /** The file's modification number ({@link FileState.modifications}); absent in images. */
    readonly seq?: number;
  };

/** Applies one pending record of a file with journal `journal` to `bytes`, where it was meant to go. */
export function applyRecord(bytes: ByteBuffer, record: PendingRecord, journal: ByteBuffer): void {
  if (record.kind === 'write') bytes.write(record.offset, journal.view(), record.start, record.start + record.length);
  else bytes.resize(record.size);
}

/**
 * When bytes became durable, and what media faults destroyed (shared by a disk's files). Each
 * landing (an fsync that wrote bytes back, or a power loss that kept some) takes the next number,
 * which stamps the sectors it made durable ({@link FileState.durableAt}). A damage records the
 * landing by which every byte it destroyed had been durable: commits issued after it, and after
 * a promise of durability that followed, could have left evidence of those bytes (sim/model.ts).
 */
export interface DamageLog {
  /** How often a media fault destroyed durable bytes. */
  count: number;
  /** Landings so far. */
  landings: number;
  /** Per damage, in order: the landing by which what it destroyed had all been durable. */
  durableBy: number[];
  readonly sectorBytes: number;
}

/** A fresh {@link DamageLog} for a disk with sectors of `sectorBytes`. */
export function newDamageLog(sectorBytes: number): DamageLog {
  return { count: 0, landings: 0, durableBy: [], sectorBytes };
}

/** Records one damage that destroyed bytes durable since `landing`. */
export function recordDamage(log: DamageLog, landing: number): void {
  log.count++;
  log.durableBy.push(landing);
}

/** What an fsync needs of its disk: the damage count, and the number of fsyncs that made written bytes durable. */
export interface SyncLog {
  readonly damage: DamageLog;
  syncs: number;
}

/** The bytes one fsync made durable, `[from, to)`, and its number on the disk ({@link SyncLog.syncs}). */
export interface LastSynced {
  readonly seq: number;
  readonly from: number;
  readonly to: number;
  /**
   * The written bytes the fsync before it made durable (absent: none did): data an append made
   * durable earlier, which a later synced frame may vouch for (sim/world.ts, letRot).
   */
  readonly before?: { readonly from: number; readonly to: number };
}

/** A sector that reads back whole as zeros, or as garbage drawn from `seed`. */
export interface BadSector {
  readonly zeros: boolean;
  readonly seed: number;
}

/**
 * The page cache's unit: writeback writes whole pages ({@link FileState.forgotten}), and a kill -9
 * inside a large write leaves a prefix of whole pages applied (file-ops.ts).
 */
export const pageBytes = 4096;

/** A byte range `[start, end)` of a file. */
export type ByteRange = readonly [start: number, end: number];

/** A file's state: durable bytes, page cache, unsynced records and media faults. */
export class FileState {
  /** A stable number, for traces and debugging. */
  readonly id: number;
  durable = new ByteBuffer();
  cache = new ByteBuffer();
  pending: PendingRecord[] = [];
  /** The bytes of pending writes, appended in order; emptied whenever `pending` is. */
  journal = new ByteBuffer();
  /** Directory entries (in the page-cache namespace) naming this file; space counts while > 0. */
  cacheLinks = 0;
  /** Set by a `sticky` fsync failure: every later sync of this file fails. */
  syncBroken = false;
  /**
   * The cached bytes an fsync that failed ext4's way left unwritten and clean, as ranges in
   * offset order: a write that dirties a page again makes those of that page pending. Empty: none.
   */
  forgotten: readonly ByteRange[] = [];
  /**
   * Changes made to the file so far (each write and size change of the page cache), numbered
   * from 1 in their records' `seq`: the facade's file times follow them (facade/times.ts).
   */
  modifications = 0;
  /** The highest modification that reached the durable bytes, whole or in part. */
  durableModification = 0;
  /**
   * Every modification up to this one is decided: durable or lost for good (a power loss, or
   * btrfs reverting after a failed fsync). A time set by a modification decided and not durable
   * goes back with it.
   */
  decidedModification = 0;
  /**
   * The written bytes the last fsync of this file made durable (absent before any): the newest
   * durable data, which a second look lets rot (sim/second-look.ts).
   */
  lastSynced: LastSynced | undefined;
  /** Sector index → absolute bit index (byte * 8 + bit) that reads flip. */
  badBits: Map<number, number> | undefined;
  /**
   * Sector index → the landing ({@link DamageLog.landings}) that last wrote durable bytes into
   * it; 0 (or absent) for bytes durable from the start, as an image's are.
   */
  durableAt: number[] = [];
  /** The last copy {@link snapshot} made, and of which buffer at which version. */
  #snapshot: { readonly of: ByteBuffer; readonly version: number; readonly bytes: Uint8Array } | undefined;
  /**
   * The handles open on this inode ({@link OpenFile}s add and remove themselves; those of a dead
   * incarnation are dropped when asked, see {@link isOpenIn}).
   */
  readonly opens = new Set<{ readonly incarnation: number }>();

  /** Whether a handle of `incarnation` (the live process) holds the file open. */
  isOpenIn(incarnation: number): boolean {
    for (const open of this.opens) {
      if (open.incarnation === incarnation) return true;
      this.opens.delete(open);
    }
    return false;
  }

  /** Sector index → how reads of that sector come back (latent sector damage). */
  badSectors: Map<number, BadSector> | undefined;

  /**
   * For a symbolic link, the path it holds; undefined for a regular file. A link holds no data:
   * `symlink(2)` writes the target with the inode, in the same journaled operation as the name
   * (ext4 keeps a short one inside the inode), so a link that survives a power loss survives
   * whole, and its durability is its name's (SimDisk.createSymlink).
   */
  linkTarget: string | undefined;

  constructor(id: number) {
    this.id = id;
  }

  /**
   * An independent copy of the file's bytes, records and media faults, with no handle open.
   * Misdirected writes still name their original target: sim/disk/disk-copy.ts points them at
   * its copy.
   */
  copy(): FileState {
    const copy = new FileState(this.id);
    // Copies share bytes until one side changes (ByteBuffer.clone): a copied file costs no bytes.
    copy.durable = this.durable.clone();
    copy.cache = this.cache === this.durable ? copy.durable : this.cache.clone();
    copy.journal = this.journal.clone();
    copy.pending = [...this.pending];
    copy.syncBroken = this.syncBroken;
    copy.forgotten = this.forgotten;
    copy.modifications = this.modifications;
    copy.durableModification = this.durableModification;
    copy.decidedModification = this.decidedModification;
    copy.lastSynced = this.lastSynced;
    copy.durableAt = this.durableAt.slice();
    copy.linkTarget = this.linkTarget;
    if (this.badBits !== undefined) copy.badBits = new Map(this.badBits);
    if (this.badSectors !== undefined) copy.badSectors = new Map(this.badSectors);
    return copy;
  }

  /** The size reads see. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * Writes `data[0, length)` at `offset` into the page cache (and the pending log).
   * The journal keeps its own copy: the caller may reuse its buffer.
   */
  write(offset: number, data: Uint8Array, length: number, sectorBytes: number, misdirect?: Misdirect, nextTxn?: number): void {
    if (length <= 0) return;
    const grows = nextTxn !== undefined && offset + length > this.cache.size;
    const seq = ++this.modifications;
    if (this.forgotten.length > 0) this.#redirtyForgotten(offset, offset + length, seq);
    this.#ownCache(offset + length);
    this.cache.write(offset, data, 0, length);
    const start = this.journal.size;
    this.journal.write(start, data, 0, length);
    if (misdirect === undefined) this.pending.push(grows ? { kind: 'write', offset, start, length, nextTxn, seq } : { kind: 'write', offset, start, length, seq });
    else this.pending.push(grows ? { kind: 'write', offset, start, length, misdirect, nextTxn, seq } : { kind: 'write', offset, start, length, misdirect, seq });
    if (this.badBits !== undefined || this.badSectors !== undefined) this.#healSectors(offset, offset + length, sectorBytes);
  }

  /** Sets the size in the page cache; `nextTxn` is the disk's next directory operation's number (PendingRecord). */
  truncate(size: number, sectorBytes: number, nextTxn?: number): void {
    if (size === this.cache.size) return;
    this.#ownCache(size);
    this.cache.resize(size);
    const seq = ++this.modifications;
    this.pending.push(nextTxn === undefined ? { kind: 'truncate', size, seq } : { kind: 'truncate', size, nextTxn, seq });
    if (this.badBits !== undefined || this.badSectors !== undefined) this.#healSectors(size, Number.MAX_SAFE_INTEGER, sectorBytes);
  }

  /**
   * sync: every pending record becomes durable (a misdirected write where it really lands).
   * @param log - counts the misdirected writes that land, and numbers the sync in {@link lastSynced} when it wrote bytes
   */
  sync(log?: SyncLog): void {
    let from = Number.MAX_SAFE_INTEGER;
    let to = 0;
    if (log !== undefined && this.pending.length > 0) log.damage.landings++;
    for (const record of this.pending) {
      if (record.kind === 'write') {
        from = Math.min(from, record.offset);
        to = Math.max(to, record.offset + record.length);
      }
      this.land(record, log?.damage);
    }
    if (log !== undefined && to > 0) {
      const last = this.lastSynced;
      this.lastSynced = { seq: ++log.syncs, from, to, ...(last === undefined ? {} : { before: { from: last.from, to: last.to } }) };
    }
    this.#clearPending();
  }

  /**
   * What reads see now (bad bits not applied), as an array that never changes (a sealed view:
   * the page cache copies before its next change), the same array between calls while the page
   * cache does not change: an unchanged file gives the very same array, so a caller can tell it
   * is unchanged by identity alone. Callers must not modify it.
   */
  snapshot(): Uint8Array {
    const last = this.#snapshot;
    if (last !== undefined && last.of === this.cache && last.version === this.cache.version) return last.bytes;
    const bytes = this.cache.sealedView();
    this.#snapshot = { of: this.cache, version: this.cache.version, bytes };
    return bytes;
  }

  /**
   * Writes one pending record back to the durable bytes. A misdirected write lands at its
   * {@link Misdirect} instead: the file's size grows as intended (metadata), the bytes meant for
   * it keep their old value (zeros where the file grew), and the misdirected bytes land within
   * the size of the file they reach, overwriting what was there; past its end they are lost.
   * @param damage - counts a misdirected write that lands, and stamps the sectors the landing
   *   changed with its current landing
   */
  land(record: PendingRecord, damage?: DamageLog): void {
    this.survived(record);
    const misdirect = record.kind === 'write' ? record.misdirect : undefined;
    if (record.kind === 'truncate' || misdirect === undefined) {
      const before = this.durable.size;
      applyRecord(this.durable, record, this.journal);
      if (damage === undefined) return;
      if (record.kind === 'write') this.stampDurable(record.offset, record.offset + record.length, damage);
      else if (record.size > before) this.stampDurable(before, record.size, damage);
      return;
    }
    const end = record.offset + record.length;
    if (end > this.durable.size) this.durable.resize(end);
    misdirect.file.#ownCache(0);
    const target = misdirect.file.durable;
    const fit = Math.max(0, Math.min(record.length, target.size - misdirect.offset));
    target.write(misdirect.offset, this.journal.view(), record.start, record.start + fit);
    if (damage === undefined) return;
    // What it destroyed (the target's bytes, and its own meant for here) was durable by now.
    recordDamage(damage, damage.landings);
    misdirect.file.stampDurable(misdirect.offset, misdirect.offset + fit, damage);
  }

  /** `record` reached the durable bytes, whole or in part (see {@link durableModification}). */
  survived(record: PendingRecord): void {
    if (record.seq !== undefined && record.seq > this.durableModification) this.durableModification = record.seq;
  }

  /** Stamps the sectors overlapping `[start, end)` with `log`'s current landing. */
  stampDurable(start: number, end: number, log: DamageLog): void {
    const bytes = log.sectorBytes;
    for (let sector = Math.floor(start / bytes); sector * bytes < end; sector++) this.durableAt[sector] = log.landings;
  }

  /** The bytes a pending write record wrote (a view, valid until the pending log is cleared). */
  dataOf(record: PendingRecord & { kind: 'write' }): Uint8Array {
    return this.journal.view().subarray(record.start, record.start + record.length);
  }

  /**
   * Makes durable the truncations at the head of the pending log (none written before them is
   * pending): size changes are journaled metadata, which a directory's fsync commits along with
   * the names (SimDisk.syncDir). Writes stay pending.
   */
  landLeadingTruncations(damage?: DamageLog): void {
    let n = 0;
    while (this.pending[n]?.kind === 'truncate') this.land(this.pending[n++]!, damage);
    if (n === this.pending.length) this.#clearPending();
    else if (n > 0) this.pending = this.pending.slice(n);
  }

  /**
   * How many records at the head of the pending log are truncations made before directory
   * operation `seq` (PendingRecord `nextTxn`): the ones a power loss that keeps that operation
   * keeps too.
   */
  truncationsBefore(seq: number): number {
    let n = 0;
    while (true) {
      const record = this.pending[n];
      if (record?.kind !== 'truncate' || record.nextTxn === undefined || record.nextTxn > seq) return n;
      n++;
    }
  }

  /**
   * ext4 after a failed fsync: dirty pages are marked clean, so they will not be written, unless
   * a later write dirties them again ({@link forgotten}). Size changes stay pending: they are
   * journaled metadata, not pages, which the next journal commit (a later fsync) makes durable (a
   * new user's redo log, cut to zero before the fsync that failed, came back with its old tail
   * after the fsync that followed succeeded: no ext4 keeps a size its inode no longer has).
   */
  forgetPending(): void {
    const ranges = this.pending.flatMap((record): ByteRange[] => (record.kind === 'write' ? [[record.offset, record.offset + record.length]] : []));
    if (ranges.length > 0) this.forgotten = mergeRanges([...this.forgotten, ...ranges]);
    const sizes = this.pending.filter((record) => record.kind === 'truncate');
    this.#clearPending();
    if (sizes.length > 0) this.pending = sizes;
  }

  /**
   * Before a write of `[start, end)`: the forgotten bytes of each page it touches become pending
   * again, as cached (up to the cached size), in records of the write's modification `seq`.
   */
  #redirtyForgotten(start: number, end: number, seq: number): void {
    const from = Math.floor(start / pageBytes) * pageBytes;
    const to = Math.ceil(end / pageBytes) * pageBytes;
    const kept: ByteRange[] = [];
    for (const [a, b] of this.forgotten) {
      const lo = Math.max(a, from);
      const hi = Math.min(b, to);
      if (lo >= hi) {
        kept.push([a, b]);
        continue;
      }
      if (a < lo) kept.push([a, lo]);
      if (hi < b) kept.push([hi, b]);
      const cachedEnd = Math.min(hi, this.cache.size);
      if (cachedEnd <= lo) continue;
      const at = this.journal.size;
      this.journal.write(at, this.cache.view(), lo, cachedEnd);
      this.pending.push({ kind: 'write', offset: lo, start: at, length: cachedEnd - lo, seq });
    }
    this.forgotten = kept;
  }

  /** btrfs after a failed fsync: the file reverts to its durable state. */
  revertToDurable(): void {
    this.cache = this.durable;
    this.decidedModification = this.modifications;
    this.forgotten = [];
    this.#clearPending();
  }

  /** After a power loss the page cache is gone: reads see the (new) durable state. */
  dropCache(): void {
    this.cache = this.durable;
    this.decidedModification = this.modifications;
    this.forgotten = [];
    this.#clearPending();
  }

  /**
   * Gives the page cache a buffer of its own before it changes, if it shares the durable one.
   * @param sizeBytes - the size the coming change needs (the copy is allocated with room for it)
   */
  #ownCache(sizeBytes: number): void {
    if (this.cache === this.durable) this.cache = this.durable.clone(sizeBytes);
  }

  #clearPending(): void {
    if (this.pending.length > 0) this.pending = [];
    // Keep the journal's buffer for the next writes, unless it grew large.
    if (this.journal.size > 1 << 20) this.journal = new ByteBuffer();
    else this.journal.resize(0);
  }

  /** Reads back as written again: no flipped bit, no damaged sector. @returns whether any was */
  heal(): boolean {
    const damaged = this.badBits !== undefined || this.badSectors !== undefined;
    this.badBits = undefined;
    this.badSectors = undefined;
    return damaged;
  }

  /** Marks `bit` (absolute: byte * 8 + bit) of its sector as flipped on every read. */
  breakBit(bit: number, sectorBytes: number): void {
    this.badBits ??= new Map();
    this.badBits.set(Math.floor(bit / 8 / sectorBytes), bit);
  }

  /** Flips, in `out` (the bytes read at `offset`), the bits of bad sectors it covers. */
  applyBadBits(out: Uint8Array, offset: number): void {
    if (this.badBits === undefined) return;
    for (const bit of this.badBits.values()) {
      // Division, not `>> 3`: bit indexes of files past 256 MiB exceed 32 bits.
      const byte = Math.floor(bit / 8);
      if (byte >= offset && byte < offset + out.length) out[byte - offset]! ^= 1 << (bit % 8);
    }
  }

  /** Marks `sector` as reading back whole as zeros, or as garbage drawn from `seed`. */
  breakSector(sector: number, damage: BadSector): void {
    this.badSectors ??= new Map();
    this.badSectors.set(sector, damage);
  }

  /**
   * Overwrites, in `out` (the bytes read at `offset`), the part of every bad sector it covers:
   * zeros, or the sector's garbage (the same bytes on every read, drawn per sector from its seed).
   */
  applyBadSectors(out: Uint8Array, offset: number, sectorBytes: number): void {
    if (this.badSectors === undefined) return;
    for (const [sector, damage] of this.badSectors) {
      const sectorStart = sector * sectorBytes;
      const from = Math.max(offset, sectorStart);
      const to = Math.min(offset + out.length, sectorStart + sectorBytes);
      if (from >= to) continue;
      if (damage.zeros) {
        out.fill(0, from - offset, to - offset);
        continue;
      }
      const garbage = new Rng(damage.seed).fork(`sector/${sector}`).bytes(sectorBytes);
      out.set(garbage.subarray(from - sectorStart, to - sectorStart), from - offset);
    }
  }

  /**
   * The sectors overlapping `[start, end)` whose bytes are durable: inside the durable size and
   * the page-cache size, and touched by no pending record (a pending truncate makes every sector
   * from the smaller size on unsettled). Latent sector damage strikes only these.
   */
  durableSectors(start: number, end: number, sectorBytes: number): number[] {
    let limit = Math.min(end, this.durable.size, this.cache.size);
    for (const record of this.pending) if (record.kind === 'truncate') limit = Math.min(limit, record.size);
    const sectors: number[] = [];
    for (let sector = Math.floor(start / sectorBytes); sector * sectorBytes < limit; sector++) {
      const sectorStart = sector * sectorBytes;
      const touched = this.pending.some((record) => record.kind === 'write'
        && record.offset < sectorStart + sectorBytes && record.offset + record.length > sectorStart);
      if (!touched) sectors.push(sector);
    }
    return sectors;
  }

  /** A rewritten sector is healthy again (TigerBeetle's model of a latent sector error). */
  #healSectors(start: number, end: number, sectorBytes: number): void {
    const overlaps = (sector: number): boolean => sector * sectorBytes < end && (sector + 1) * sectorBytes > start;
    if (this.badBits !== undefined) {
      for (const sector of [...this.badBits.keys()]) if (overlaps(sector)) this.badBits.delete(sector);
      if (this.badBits.size === 0) this.badBits = undefined;
    }
    if (this.badSectors !== undefined) {
      for (const sector of [...this.badSectors.keys()]) if (overlaps(sector)) this.badSectors.delete(sector);
      if (this.badSectors.size === 0) this.badSectors = undefined;
    }
  }
}

/** `ranges` sorted by start, overlapping and touching ones merged. */
function mergeRanges(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}
