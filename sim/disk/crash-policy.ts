/**
 * The crash policy: what a power loss leaves on disk, decided from the crash-policy stream.
 *
 * Files. Each file keeps its durable state plus some of its unsynced records (pending writes
 * and truncations), chosen in one of two ways, half the time each:
 * - prefix: the first n records land whole (the page cache was flushed in order, as RocksDB's
 *   `FaultInjectionTestFS` assumes), and the record after them may land torn;
 * - subset: each record independently lands whole, not at all, or torn (the block layer
 *   reorders writes, as FoundationDB's `AsyncFileNonDurable` assumes), except that nothing
 *   after a truncation that does not land lands (a size change is metadata, which a journal
 *   keeps in order).
 * Truncations at the head of a file's pending records that were made before a directory
 * operation naming the file (a rename, a link) land whenever that operation survives, in
 * journal order: the journal carries the size change before the rename (SimDisk.powerLoss).
 * The other way round, in journal order a write that grew the file after a directory operation
 * the power loss lost does not land, nor anything after it: the journal commits the new size
 * after that operation (ext4 and XFS cannot keep an append to one file made after another file
 * was created without that creation; a new npm user's hypercore seeds opened such states).
 * A torn write lands sector by sector (`sectorBytes`, 512 or 4096): each sector it covers lands
 * whole, not at all, or as garbage (random bytes over the part of the sector the write covered).
 * Finally the file's new size may survive without its data (ALICE): the size grows to the end of
 * a lost write and the tail reads as zeros or garbage.
 *
 * File data keeps the disk's {@link DataOrder}: `posix` (the default) as above; `ordered`, ext4's
 * default `data=ordered` mode, where a file's size grows on disk only once the data under it is
 * written: the part of a write past the file's size lands as a prefix of what was written or not
 * at all, never as garbage, cut at a page boundary or the end of a write (the sizes the file had),
 * the size never survives without its data, and no write lands past a size its earlier writes did
 * not reach (a hole the process did not make). Writes inside the size still tear sector by sector.
 * Every `ordered` state is a `posix` one.
 *
 * Sectors keep the disk's {@link SectorWrites}: `torn` (the default) as above, a sector cut
 * mid-write reading back as garbage, even where the write overwrote durable bytes in place (a drive
 * cut mid-sector, FoundationDB's and SQLite's crash models); `atomic`, a device that lands a sector
 * whole or not at all (an enterprise SSD with power-loss protection, an NVMe atomic write unit of a
 * sector, what SQLite's `IOCAP_ATOMIC512` and etcd's torn-record rule assume): a torn write then
 * leaves each sector it covered old or new, never garbage. A size that survives without its data
 * is the file system's, not a sector's, and still reads as zeros or garbage. Every `atomic` state
 * is a `torn` one.
 *
 * Directories. Each directory's unsynced operations form a log in the order they were made.
 * How much of it survives depends on the disk's {@link DirOrder}:
 * - `journal` (the default): a prefix of each directory's log (ext4 and XFS commit metadata
 *   through a journal, in order), so an unlink made after a rename never survives without it;
 * - `per-name`: a prefix of each name's operations, names apart: what POSIX promises before the
 *   directory is synced, and a file system without an ordered metadata journal (ext2) keeps. An
 *   old file unlinked after a new one was renamed into place may be gone while the rename is
 *   lost, so "rename, unlink, one directory sync" is caught. A seeded random state picks, a
 *   third of the time each ({@link PerNameBias}): every name's prefix at random; the names a
 *   rename changed whole and the names only created lost (a pointer renamed into place without
 *   the file it names); the names a rename changed lost and every other kept (an unlink without
 *   the rename that replaced what it removed). The last two are the states a bug needs, and
 *   uniform prefixes reach them seldom when a directory has many names pending.
 * A rename is one atomic operation: it survives whole or not at all, and a rename sits in the log
 * of each name (and directory) it changes and survives only if every prefix includes it.
 * Directories themselves (mkdir) are durable at once, and moves of directories keep journal
 * order either way; see disk.ts.
 *
 * Crash states (`restart({ crashState })`), each deterministic for a given seed and crash:
 * 0 seeded random; 1 keep nothing unsynced; 2 keep everything; 3 keep directory operations but
 * no unsynced data (the state that exposes "renamed before the data was synced"); 4 keep
 * unsynced data but no directory operations (exposes "directory never synced"); k ≥ 5 another
 * seeded random state per k.
 */
import type { Rng } from '../rng.ts';
import { applyRecord, type DamageLog, type FileState, type PendingRecord } from './file-state.ts';

/** How much of one kind of unsynced state survives. */
export type Survival = 'random' | 'none' | 'all';

/** How the unsynced operations of a directory may survive a power loss (see the module comment). */
export type DirOrder = 'journal' | 'per-name';

/** The values of {@link DirOrder}, the default first. */
export const dirOrders: readonly DirOrder[] = ['journal', 'per-name'];

/**
 * How a power loss keeps unsynced file data past a file's durable size (see the module comment):
 * `posix` lets the size survive without its data (zeros or garbage), `ordered` holds the disk to
 * ext4's `data=ordered` (no byte nothing wrote).
 */
export type DataOrder = 'posix' | 'ordered';

/** The values of {@link DataOrder}, the default first. */
export const dataOrders: readonly DataOrder[] = ['posix', 'ordered'];

/**
 * How a sector cut mid-write by a power loss reads back (see the module comment): `torn`, whole,
 * not at all, or as garbage; `atomic`, whole or not at all.
 */
export type SectorWrites = 'torn' | 'atomic';

/** The values of {@link SectorWrites}, the default first. */
export const sectorWritesKinds: readonly SectorWrites[] = ['torn', 'atomic'];

/**
 * What makes a directory operation (a create, rename, unlink, link) durable: `directory`, only an
 * fsync of its directory (POSIX, and what ALICE's model and every careful engine assume); `journal`,
 * any successful fsync, of a file or a directory, since it commits the file system's metadata
 * journal, which holds every directory operation made before it (ext4 and XFS: fsyncing a new file
 * makes its name durable there). `journal` tells a bug that loses data on ext4 from one that loses
 * it only on a file system that keeps POSIX's letter.
 */
export type NameSync = 'directory' | 'journal';

/** The values of {@link NameSync}, the default first. */
export const nameSyncs: readonly NameSync[] = ['directory', 'journal'];

/** What a power loss keeps, for files and for directories. */
export interface CrashPolicy {
  readonly files: Survival;
  readonly dirs: Survival;
  /** Draws of the random choices; forked per crash and crash state by the world. */
  readonly rng: Rng;
  readonly sectorBytes: number;
  /** How unsynced data past a file's size survives. @defaultValue `posix` */
  readonly dataOrder?: DataOrder;
  /** How a sector cut mid-write reads back. @defaultValue `torn` */
  readonly sectorWrites?: SectorWrites;
  /** Counts misdirected writes that land (see file-state.ts `land`). */
  readonly damage?: DamageLog;
}

/** Number of named crash states (0..4); any larger number is another seeded random state. */
export const namedCrashStates = 5;

/** The crash state that keeps nothing unsynced: neither file data nor directory operations. */
export const nothingUnsyncedState = 1;

/** The crash state that keeps every unsynced write and directory operation: a power loss that loses only what was already lost (a failed fsync's forgotten bytes). */
export const keepEverythingState = 2;

/** The crash state that keeps directory operations but no unsynced data: a rename lands, the data it published does not. */
export const namesWithoutDataState = 3;

/** The survival rules of crash state `crashState` (see the module comment). */
export function survivalOf(crashState: number): { files: Survival; dirs: Survival } {
  switch (crashState) {
    case nothingUnsyncedState: return { files: 'none', dirs: 'none' };
    case keepEverythingState: return { files: 'all', dirs: 'all' };
    case namesWithoutDataState: return { files: 'none', dirs: 'all' };
    case 4: return { files: 'all', dirs: 'none' };
    default: return { files: 'random', dirs: 'random' };
  }
}

/**
 * What crash state `crashState` keeps, in words for a message: `nothing unsynced kept`,
 * `unsynced names kept, their data lost`, `a seeded random share of unsynced writes and names kept`.
 */
export function crashStateWords(crashState: number): string {
  const { files, dirs } = survivalOf(crashState);
  if (files === 'random') return 'a seeded random share of unsynced writes and names kept';
  if (files === dirs) return files === 'none' ? 'nothing unsynced kept' : 'everything unsynced kept';
  return files === 'none' ? 'unsynced names kept, unsynced data lost' : 'unsynced data kept, unsynced names lost';
}

/** A byte range `[start, end)` of a file that the power loss filled with garbage. */
export type GarbageRange = readonly [start: number, end: number];

/** What a power loss did to one file beyond dropping whole records. */
export interface Settled {
  /** The ranges it filled with garbage (empty when none). */
  readonly garbage: GarbageRange[];
  /**
   * Whether the file now reads bytes nothing wrote past its size before the power loss: its size
   * grew without its data, or garbage landed there (never in `ordered` data order).
   */
  unwrittenTail: boolean;
}

/**
 * Sets `file.durable` to what survives the power loss (the caller then drops the page cache).
 * @param carried - how many records at the head of the pending log (truncations) land whatever
 *   the crash state keeps: a directory operation that survived carried them (SimDisk.powerLoss)
 * @param growthLostFrom - the sequence number of the first directory operation the power loss
 *   lost, in journal order: a write that grew the file after it, and every record after that
 *   write, do not land (undefined: none lost, or no journal order)
 */
export function settleFile(file: FileState, policy: CrashPolicy, carried = 0, growthLostFrom?: number): Settled {
  const records = file.pending;
  const settled: Settled = { garbage: [], unwrittenTail: false };
  if (records.length === 0) return settled;
  if (policy.damage !== undefined) stampSettled(file, policy.damage);
  if (policy.files === 'none') {
    for (let i = 0; i < carried; i++) file.land(records[i]!, policy.damage);
    return settled;
  }
  settleRecords(file, policy, settled, carried, heldFrom(records, growthLostFrom));
  return settled;
}

/** The index of the first write that grew the file after directory operation `lostFrom` was made (records.length: none). */
function heldFrom(records: readonly PendingRecord[], lostFrom: number | undefined): number {
  if (lostFrom === undefined) return records.length;
  const i = records.findIndex((record) => record.kind === 'write' && record.nextTxn !== undefined && lostFrom < record.nextTxn);
  return i < 0 ? records.length : i;
}

/**
 * Stamps with the power loss's landing every sector a pending record could change (landed, torn,
 * grown without data), whatever the crash state keeps: the stamps then depend on the power loss
 * alone, as the rest of the world but the bytes does, and a stamp later than the truth only makes
 * the oracle excuse more.
 */
function stampSettled(file: FileState, damage: DamageLog): void {
  const size = file.durable.size;
  for (const record of file.pending) {
    if (record.kind === 'write') file.stampDurable(record.offset, record.offset + record.length, damage);
    else file.stampDurable(Math.min(size, record.size), Math.max(size, record.size), damage);
  }
}

/**
 * Lands, tears or drops each pending record of `file` as the policy says; the first `carried`
 * land whatever is drawn for them, and none from `heldAt` on (the draws are made all the same, so
 * that other files' states stay what they were).
 */
function settleRecords(file: FileState, policy: CrashPolicy, settled: Settled, carried: number, heldAt: number): void {
  const records = file.pending;
  const out = file.durable;
  if (policy.files === 'all') {
    for (let i = 0; i < heldAt; i++) file.land(records[i]!, policy.damage);
    return;
  }
  const rng = policy.rng;
  const seen = sizesSeen(records, out.size);
  const landed = new Array<boolean>(records.length).fill(false);
  if (rng.chance(0.5)) {
    const drawn = rng.int(records.length + 1);
    const n = Math.max(Math.min(drawn, heldAt), carried);
    for (let i = 0; i < n; i++) {
      file.land(records[i]!, policy.damage);
      landed[i] = true;
    }
    const torn = drawn < records.length && rng.chance(0.5) && tear(file, records[drawn]!, policy, settled, seen[drawn]!, drawn < carried || drawn >= heldAt);
    // Past a truncation that did not land, no write grows the file either (see below).
    const lost = records.findIndex((record, i) => i >= n && record.kind === 'truncate' && !(i === drawn && torn));
    if (lost >= 0) for (let i = lost + 1; i < records.length; i++) landed[i] = true;
    for (let i = heldAt; i < records.length; i++) landed[i] = true;
  } else {
    // A truncation that does not land holds back every record after it: a size change is
    // metadata, which a journal keeps in order, and what was written after it went to blocks it
    // freed or allocated anew (fs-extra's `outputJson` rewrites in place with O_TRUNC: new JSON
    // over the old file's end is no state ext4 or XFS leaves). The draws are made all the same,
    // so that the states of files without such a truncation stay what they were.
    let heldBack = Math.min(records.length, heldAt - 1);
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const r = rng.next();
      const held = i > heldBack;
      if (i < carried) {
        if (r >= 0.8) tear(file, record, policy, settled, seen[i]!, true);
        file.land(record, policy.damage);
        landed[i] = true;
      } else if (r < 0.5 && !held) {
        landed[i] = landWhole(file, record, policy, settled, seen[i]!);
      } else if (r >= 0.8) {
        const applied = tear(file, record, policy, settled, seen[i]!, held);
        if (record.kind === 'truncate' && !applied) heldBack = Math.min(heldBack, i);
      } else if (record.kind === 'truncate') {
        heldBack = Math.min(heldBack, i);
      }
    }
    // Nor does a held-back write grow the file to its end (sizeWithoutData looks at writes not landed).
    for (let i = heldBack + 1; i < records.length; i++) landed[i] = true;
  }
  sizeWithoutData(file, landed, policy, settled);
}

/**
 * The size the process saw before each of `records`, from the durable size `size`: the bytes
 * between the size on disk and this one were written by records that did not land, so a record
 * landing past them leaves a hole the process did not make (see holeAt).
 */
function sizesSeen(records: readonly PendingRecord[], size: number): number[] {
  const seen = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    seen[i] = size;
    const record = records[i]!;
    size = record.kind === 'truncate' ? record.size : Math.max(size, record.offset + record.length);
  }
  return seen;
}

/**
 * Whether bytes landing at `offset` of a file whose size on disk is `size` leave zeros where the
 * process had written data: below `seen`, the size it saw before the record, or in the record's
 * own part before `offset` (from `start`, a torn write's sector that did not land). Never in
 * `ordered` data order.
 */
function holeAt(offset: number, size: number, seen: number, start = offset): boolean {
  return offset > size && (size < seen || offset > start);
}

/**
 * Lands `record` whole, unless it would leave a hole the process did not make in `ordered` data
 * order; in `posix` order such a hole is a tail nothing wrote.
 * @returns whether it landed
 */
function landWhole(file: FileState, record: PendingRecord, policy: CrashPolicy, settled: Settled, seen: number): boolean {
  if (record.kind === 'write' && record.misdirect === undefined && holeAt(record.offset, file.durable.size, seen)) {
    if (policy.dataOrder === 'ordered') return false;
    settled.unwrittenTail = true;
  }
  file.land(record, policy.damage);
  return true;
}

/**
 * How an append grows a file on disk in `ordered` data order: a page at a time. ext4 commits a
 * file's size after the data under it, and the size it commits is one the file had in memory, which
 * a `write(2)` grows page by page as it copies (at file offsets that are multiples of the page), so
 * a power loss keeps a prefix of an append cut at a page boundary or at the end of a write, never
 * inside a page (a new user's logger kept 512 bytes of one 656-byte append: no size it ever had).
 */
const orderedGrowthBytes = 4096;

/**
 * Lands `record` sector by sector: each sector whole, not at all, or as garbage (never on a disk
 * whose sector writes are `atomic`, where a sector that would have gone to garbage keeps its old
 * bytes); `dry`, draws
 * the same random numbers and changes nothing (a record held back, see settleRecords). In
 * `ordered` data order what lies past the file's size lands as a prefix, a page at a time
 * ({@link orderedGrowthBytes}), never as garbage.
 * @param seen - the file's size as the process saw it before the record (see sizesSeen)
 * @returns for a truncation, whether it landed
 */
function tear(file: FileState, record: PendingRecord, policy: CrashPolicy, settled: Settled, seen: number, dry = false): boolean {
  const rng = policy.rng;
  const out = file.durable;
  if (record.kind === 'truncate') {
    // A size change is one metadata update: it lands or it does not.
    const lands = rng.chance(0.5);
    if (lands && !dry) {
      applyRecord(out, record, file.journal);
      file.survived(record);
    }
    return lands && !dry;
  }
  if (record.misdirect !== undefined) {
    // A misdirected write lands elsewhere whole or not at all: its sectors never reach the
    // place they were meant for, so there is nothing there to tear.
    if (rng.chance(0.5) && !dry) file.land(record, policy.damage);
    return false;
  }
  const sector = policy.sectorBytes;
  const start = record.offset;
  const end = start + record.length;
  const data = file.dataOf(record);
  const ordered = policy.dataOrder === 'ordered';
  let tailCut = false;
  for (let lo = start; lo < end; ) {
    const sectorEnd = Math.min(end, (Math.floor(lo / sector) + 1) * sector);
    // In ordered data order what lies past the size lands a page at a time (orderedGrowthBytes).
    const step = ordered && sectorEnd > out.size ? Math.max(sector, orderedGrowthBytes) : sector;
    const hi = step === sector ? sectorEnd : Math.min(end, (Math.floor(lo / step) + 1) * step);
    const r = rng.next();
    const past = hi > out.size;
    if (ordered && past) {
      tailCut ||= r >= 0.4 || holeAt(lo, out.size, seen, start);
      if (!tailCut && !dry) {
        out.write(lo, data, lo - start, hi - start);
        file.survived(record);
      }
    } else if (r < 0.4) {
      if (!dry && holeAt(lo, out.size, seen, start)) settled.unwrittenTail = true;
      if (!dry) {
        out.write(lo, data, lo - start, hi - start);
        file.survived(record);
      }
    } else if (r >= 0.8 && policy.sectorWrites !== 'atomic') {
      const bytes = rng.bytes(hi - lo);
      if (!dry) {
        out.write(lo, bytes);
        file.survived(record);
        settled.garbage.push([lo, hi]);
        if (past) settled.unwrittenTail = true;
      }
    }
    lo = hi;
  }
  return false;
}

/**
 * Maybe grows the file to the end of a write that did not land whole: a tail of zeros or garbage.
 * Never in `ordered` data order, where a size reaches the disk after the data under it.
 */
function sizeWithoutData(
  file: FileState,
  landed: readonly boolean[],
  policy: CrashPolicy,
  settled: Settled,
): void {
  if (policy.dataOrder === 'ordered') return;
  const records = file.pending;
  const out = file.durable;
  let endMax = 0;
  let reaching: PendingRecord | undefined;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (!landed[i] && record.kind === 'write' && record.offset + record.length > endMax) {
      endMax = record.offset + record.length;
      reaching = record;
    }
  }
  const rng = policy.rng;
  if (endMax <= out.size || !rng.chance(0.25)) return;
  const sizeBefore = out.size;
  out.resize(endMax);
  // The size is the inode's, updated with its times: the write that set it counts as landed.
  if (reaching !== undefined) file.survived(reaching);
  settled.unwrittenTail = true;
  if (rng.chance(0.5)) {
    out.write(sizeBefore, rng.bytes(endMax - sizeBefore));
    settled.garbage.push([sizeBefore, endMax]);
  }
}

/**
 * The logs of which a power loss keeps a prefix each: a directory's unsynced operations as one
 * log (`journal`), or one log per name they change (`per-name`), in the order they were made.
 */
export function dirLogs<T extends { readonly sets: readonly { readonly dir: unknown; readonly name: string }[] }>(
  dir: unknown, live: readonly T[], order: DirOrder,
): T[][] {
  if (order !== 'per-name') return [live.slice()];
  const byName = new Map<string, T[]>();
  for (const txn of live) {
    for (const set of txn.sets) {
      if (set.dir !== dir) continue;
      const log = byName.get(set.name);
      if (log === undefined) byName.set(set.name, [txn]);
      else if (log.at(-1) !== txn) log.push(txn);
    }
  }
  return [...byName.values()];
}

/** How a seeded random state of `per-name` order picks each name's prefix (see the module comment). */
export type PerNameBias = 'any' | 'publish-first' | 'remove-first';

/** Draws the {@link PerNameBias} of one power loss. */
export function drawPerNameBias(policy: CrashPolicy): PerNameBias {
  if (policy.dirs !== 'random') return 'any';
  return (['any', 'publish-first', 'remove-first'] as const)[policy.rng.int(3)]!;
}

/** How many operations of one name's unsynced log survive a power loss in `per-name` order. */
export function namePrefixLength(log: readonly { readonly sets: readonly { readonly target: unknown }[] }[], policy: CrashPolicy, bias: PerNameBias): number {
  if (bias === 'any') return dirPrefixLength(log.length, policy);
  const renamed = log.some((txn) => txn.sets.length > 1);
  if (bias === 'remove-first') return renamed ? 0 : log.length;
  const onlyCreated = log.every((txn) => txn.sets.length === 1 && txn.sets[0]!.target !== undefined);
  return !renamed && onlyCreated ? 0 : log.length;
}

/** How many operations of a directory's unsynced log (of `length`) survive. */
export function dirPrefixLength(length: number, policy: CrashPolicy): number {
  if (policy.dirs === 'none') return 0;
  if (policy.dirs === 'all') return length;
  return policy.rng.int(length + 1);
}
