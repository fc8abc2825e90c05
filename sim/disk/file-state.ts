/**
 * One file (an inode): what is durable versus what reads see.
 *
 * `durable` is what the platter holds; `cache` is the page-cache view (durable state plus every
 * write not yet synced) that reads see. `pending` lists those unsynced changes as small records,
 * in order, so that a sync replays only what changed (never copies the whole file) and so that
 * the crash policy can keep a prefix or a subset of them after a power loss.
 *
 * Media faults live beside the clean bytes, as in TigerBeetle: `badBits` maps a sector to the
 * bit a read of it flips, until a write to the sector rewrites it.
 */
import { ByteBuffer } from './bytes.ts';

/**
 * An unsynced change to a file's data or size. A write's bytes are `[start, start + length)` of
 * its file's {@link FileState.journal}, so recording a write allocates no buffer of its own.
 */
export type PendingRecord =
  | { readonly kind: 'write'; readonly offset: number; readonly start: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly size: number };

/** Applies one pending record of a file with journal `journal` to `bytes`. */
export function applyRecord(bytes: ByteBuffer, record: PendingRecord, journal: ByteBuffer): void {
  if (record.kind === 'write') bytes.write(record.offset, journal.view(), record.start, record.start + record.length);
  else bytes.resize(record.size);
}

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
  /** Sector index → absolute bit index (byte * 8 + bit) that reads flip. */
  badBits: Map<number, number> | undefined;
  /** The last copy {@link snapshot} made, and of which buffer at which version. */
  #snapshot: { readonly of: ByteBuffer; readonly version: number; readonly bytes: Uint8Array } | undefined;

  constructor(id: number) {
    this.id = id;
  }

  /** The size reads see. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * Writes `data[0, length)` at `offset` into the page cache (and the pending log).
   * The journal keeps its own copy: the caller may reuse its buffer.
   */
  write(offset: number, data: Uint8Array, length: number, sectorBytes: number): void {
    if (length <= 0) return;
    this.cache.write(offset, data, 0, length);
    const start = this.journal.size;
    this.journal.write(start, data, 0, length);
    this.pending.push({ kind: 'write', offset, start, length });
    if (this.badBits !== undefined) this.#healSectors(offset, offset + length, sectorBytes);
  }

  /** Sets the size in the page cache. */
  truncate(size: number, sectorBytes: number): void {
    if (size === this.cache.size) return;
    this.cache.resize(size);
    this.pending.push({ kind: 'truncate', size });
    if (this.badBits !== undefined) this.#healSectors(size, Number.MAX_SAFE_INTEGER, sectorBytes);
  }

  /** sync: every pending record becomes durable. */
  sync(): void {
    for (const record of this.pending) applyRecord(this.durable, record, this.journal);
    this.#clearPending();
  }

  /**
   * A copy of what reads see now (bad bits not applied), shared between calls while the page
   * cache does not change: an unchanged file gives the very same array, so a caller can tell it
   * is unchanged by identity alone. Callers must not modify it.
   */
  snapshot(): Uint8Array {
    const last = this.#snapshot;
    if (last !== undefined && last.of === this.cache && last.version === this.cache.version) return last.bytes;
    const bytes = this.cache.view().slice();
    this.#snapshot = { of: this.cache, version: this.cache.version, bytes };
    return bytes;
  }

  /** The bytes a pending write record wrote (a view, valid until the pending log is cleared). */
  dataOf(record: PendingRecord & { kind: 'write' }): Uint8Array {
    return this.journal.view().subarray(record.start, record.start + record.length);
  }

  /** ext4 after a failed fsync: dirty pages are marked clean, so they will never be written. */
  forgetPending(): void {
    this.#clearPending();
  }

  /** btrfs after a failed fsync: the file reverts to its durable state. */
  revertToDurable(): void {
    this.cache = this.durable.clone();
    this.#clearPending();
  }

  /** After a power loss the page cache is gone: reads see the (new) durable state. */
  dropCache(): void {
    this.cache = this.durable.clone();
    this.#clearPending();
  }

  #clearPending(): void {
    if (this.pending.length > 0) this.pending = [];
    // Keep the journal's buffer for the next writes, unless it grew large.
    if (this.journal.size > 1 << 20) this.journal = new ByteBuffer();
    else this.journal.resize(0);
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

  /** A rewritten sector is healthy again (TigerBeetle's model of a latent sector error). */
  #healSectors(start: number, end: number, sectorBytes: number): void {
    const badBits = this.badBits!;
    for (const sector of [...badBits.keys()]) {
      const sectorStart = sector * sectorBytes;
      if (sectorStart < end && sectorStart + sectorBytes > start) badBits.delete(sector);
    }
    if (badBits.size === 0) this.badBits = undefined;
  }
}
