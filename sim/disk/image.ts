/**
 * The disk image format: a whole simulated disk, plus the few machine counters that give it
 * meaning, as one plain JSON-able object. A process that ends writes its disk to an image; the
 * next process starts from it (facade/preload.ts), so the simulated disk outlives the process
 * and a power loss in a later incarnation can still lose what an earlier one left unsynced.
 * Written by image-writer.ts, read (and checked) by image-reader.ts.
 *
 * The export is exact: everything a later read, sync or power loss depends on is kept, and
 * nothing else. Layout (every number a non-negative safe integer unless said otherwise; byte
 * strings are standard base64):
 *
 * - `format`: `"powercut-disk-image"`; `version`: `1`.
 * - `machine.ioCount`: the global I/O index the next operation gets, so faults scheduled by
 *   index keep their meaning across processes; `machine.incarnation`: the incarnation number
 *   when the image was taken (a process that ends restarts its world first, so this is the
 *   next process's number); `machine.powerLossCount`: power losses so far, which keys the
 *   crash stream.
 * - `disk.sectorBytes` (512 or 4096); `disk.dirOrder` (`"per-name"`, or absent for `journal`); `disk.dataOrder` (`"ordered"`, or absent for `posix`); `disk.sectorWrites` (`"atomic"`, or absent for `torn`); `disk.nameSync` (`"journal"`, or absent for `directory`); `disk.capacityBytes` (null: unlimited); `disk.blockBytes` (the unit of space, absent for 4096);
 *   `disk.nextFileId`, `disk.nextTxnSeq`: the id counters.
 * - `disk.files[]`, by id: `id`; `durable`, `cache`, `journal` (bytes: what the platter holds,
 *   what reads see, the bytes of pending writes); `pending[]`, oldest first, each
 *   `{ kind: "write", offset, start, length }` (bytes `[start, start + length)` of the journal),
 *   with `misdirect: { file: id, offset }` for a misdirected write (where it really lands),
 *   or `{ kind: "truncate", size, nextTxn }` (`nextTxn`: the sequence number the next directory
 *   operation got, absent in older images); `syncBroken` (a sticky fsync failure);
 *   `forgotten[]`, only when some are, the `[start, end)` byte ranges an fsync that failed
 *   ext4's way left unwritten and clean, in offset order; `badBits[]` as
 *   `[sector, bit]` pairs in insertion order (bit: absolute, byte * 8 + bit); `badSectors[]`,
 *   only when some sector reads back damaged, as `[sector, zeros, seed]` in insertion order.
 * - `disk.dirs[]`, in creation order (a power loss draws its choices in this order): `path`;
 *   `cache[]` and `durable[]`, the entries in map order, each `{ name, file: id }` or
 *   `{ name, dir: path }`; `log[]`, the sequence numbers of the directory's unsynced
 *   operations, oldest first.
 * - `disk.txns[]`, by sequence number, each logged operation once (a rename between two
 *   directories sits in both logs): `seq`; `committed`; `sets[]`, each `{ dir: path, name,
 *   file: id | null }` (null: the entry is removed).
 *
 * Not kept: open descriptors (they die with their process), a file's `cacheLinks` and the
 * disk's used bytes (both follow from the directories), and virtual time.
 */
/** A pending record as an image holds it: a misdirected write names the file it lands in by id. */
export type PendingRecordImage =
  | { readonly kind: 'write'; readonly offset: number; readonly start: number; readonly length: number; readonly misdirect?: { readonly file: number; readonly offset: number }; readonly nextTxn?: number }
  | { readonly kind: 'truncate'; readonly size: number; readonly nextTxn?: number };

/** The image's format name. */
export const diskImageFormat = 'powercut-disk-image';
/** The image format version this build writes and reads. */
export const diskImageVersion = 1;

/** The machine counters an image carries beside the disk. */
export interface MachineState {
  /** Global index of the next I/O operation. */
  readonly ioCount: number;
  /** The incarnation number when the image was taken. */
  readonly incarnation: number;
  /** Power losses applied so far. */
  readonly powerLossCount: number;
}

/** A directory entry: a file by id, or a directory by path. */
export type EntryImage = { readonly name: string; readonly file: number } | ({ readonly name: string } & DirRefImage);

/**
 * How an image names a directory: by its path, and, for one an `rmdir` still pending removed
 * (no longer in the namespace, but back if a power loss loses the removal), by that operation's
 * sequence number as well, since another directory may have its path by then.
 */
export interface DirRefImage {
  readonly dir: string;
  readonly removedBy?: number;
}

/** One file (inode). */
export interface FileImage {
  readonly id: number;
  /** base64 */
  readonly durable: string;
  /** base64 */
  readonly cache: string;
  /** base64 */
  readonly journal: string;
  readonly pending: readonly PendingRecordImage[];
  readonly syncBroken: boolean;
  /** A symbolic link's target (FileState.linkTarget); absent for a regular file. */
  readonly linkTarget?: string;
  /** Cached bytes an fsync that failed ext4's way left unwritten and clean (FileState.forgotten), in offset order; absent: none. */
  readonly forgotten?: ReadonlyArray<readonly [start: number, end: number]>;
  readonly badBits: ReadonlyArray<readonly [sector: number, bit: number]>;
  readonly badSectors?: ReadonlyArray<readonly [sector: number, zeros: boolean, seed: number]>;
}

/** One directory. */
export interface DirImage {
  /** Where the page-cache namespace has it. */
  readonly path: string;
  readonly cache: readonly EntryImage[];
  /** A directory here may still sit at its old name (a rename not yet synced). */
  readonly durable: readonly EntryImage[];
  /** Sequence numbers of logged operations, oldest first. */
  readonly log: readonly number[];
  /** A directory a pending `rmdir` removed: that operation's sequence number (see {@link DirRefImage}). */
  readonly removedBy?: number;
}

/** One logged directory operation. */
export interface TxnImage {
  readonly seq: number;
  readonly committed: boolean;
  /**
   * Each change: `name` in `dir` names `file` (null: removed), or the directory at `movedDir` (a
   * directory rename); `dirRemovedBy` and `movedDirRemovedBy` as `removedBy` in {@link DirRefImage}.
   */
  readonly sets: ReadonlyArray<
    | { readonly dir: string; readonly dirRemovedBy?: number; readonly name: string; readonly file: number | null }
    | { readonly dir: string; readonly dirRemovedBy?: number; readonly name: string; readonly movedDir: string; readonly movedDirRemovedBy?: number }
  >;
  /** An `rmdir`: the directory it removed is the one listed with `removedBy` equal to this `seq`. */
  readonly removesDir?: true;
}

/** The disk part of an image. */
export interface DiskPartImage {
  readonly sectorBytes: 512 | 4096;
  /** How a power loss keeps unsynced directory operations; absent: `journal`. */
  readonly dirOrder?: 'per-name';
  /** How a power loss keeps unsynced data past a file's size; absent: `posix`. */
  readonly dataOrder?: 'ordered';
  /** How a sector cut mid-write by a power loss reads back; absent: `torn`. */
  readonly sectorWrites?: 'atomic';
  readonly nameSync?: 'journal';
  /** The unit of space; absent: 4096. */
  readonly blockBytes?: number;
  readonly capacityBytes: number | null;
  readonly nextFileId: number;
  readonly nextTxnSeq: number;
  readonly files: readonly FileImage[];
  readonly dirs: readonly DirImage[];
  readonly txns: readonly TxnImage[];
}

/** A whole simulated disk and its machine counters, as plain JSON-able data. */
export interface DiskImage {
  readonly format: typeof diskImageFormat;
  readonly version: typeof diskImageVersion;
  readonly machine: MachineState;
  readonly disk: DiskPartImage;
}

/**
 * An image that cannot be read: not an object, another format or version, a field of the wrong
 * type, or a reference to a file or directory the image does not hold. The message is one line
 * naming the field.
 */
export class DiskImageError extends Error {
  override readonly name = 'DiskImageError';
  readonly code = 'POWERCUT_BAD_IMAGE';
}
