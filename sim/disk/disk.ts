/**
 * The simulated disk without faults: a namespace of directories and files (inodes), the
 * directory-entry durability model, space accounting, and what a power loss does to it all.
 * Errors thrown here are the ordinary ones (`ENOENT`, `EISDIR`, ...), never injected; the fault
 * layer (sim-fs.ts) sits on top.
 *
 * Directory model. Each directory holds two maps of entries: `cache` (what lookups see) and
 * `durable` (what survives a power loss), plus a log of unsynced operations (create, unlink,
 * rename). `syncDir(d)` commits every operation in d's log, including both halves of a rename
 * into or out of d, as a journal commit would. Syncing a file never commits its name.
 * A new directory's name is pending in its parent like a file's, until the parent is synced
 * (ALICE's model: syncing the directory itself, or a file in it, does not make its name
 * durable); a power loss that loses it loses the directory and everything in it, synced or not.
 * A directory is renamed like a file, pending until either parent is synced. Both follow one rule
 * more, the order of a journal: directory creations and moves commit and survive a power loss
 * in the order they were made, and no operation made after one that a power loss undid survives
 * it (see {@link SimDisk.renameDir}); so the durable tree is always one the directories really
 * had, without cycles or a directory in two places. `rmdir` is pending in the parent too, and
 * keeps the same order: a power loss that loses it brings the directory back, with what a prefix
 * of its own pending operations (the unlinks that emptied it) left in it; a lock directory
 * removed without syncing its parent is back after a power loss. `mkdir` first commits the
 * pending changes of the name it creates. An empty directory another is renamed over is removed
 * durably at once. Setting up a root
 * (`mkdir(path, { durable: true })`) is durable at once. Files are inodes, so an open handle
 * keeps its file through rename and unlink, as in POSIX.
 *
 * Space. `usedBytes` is what the files that have a name take in whole blocks of `blockBytes`
 * (4 KiB, ext4's and XFS's default block): a file of 1 byte takes a block, and a write or a
 * growth inside its last block takes nothing more, so a disk that fills stops a write at a block
 * boundary, as ext4 does. An unlinked file's space is freed at once even if a handle is still
 * open (a simplification), and a hole takes space like data (so does ext4's fallocate).
 */
import { assert } from '../../engine/assert.ts';
import type { IoErrorCode } from '../../engine/ports/fs.ts';
import { diskError } from './disk-error.ts';
import { dirLogs, dirPrefixLength, drawPerNameBias, namePrefixLength, settleFile, type CrashPolicy, type DataOrder, type DirOrder, type GarbageRange, type NameSync, type SectorWrites } from './crash-policy.ts';
import { FileState, newDamageLog, recordDamage, type DamageLog, type Misdirect, type PendingRecord } from './file-state.ts';

/** The default unit of space: ext4's and XFS's default block. */
export const defaultBlockBytes = 4096;

/** A directory. */
export interface DirNode {
  readonly kind: 'dir';
  /** Where the page-cache namespace has it (a rename or a power loss may change it). */
  path: string;
  cache: Map<string, Entry>;
  durable: Map<string, Entry>;
  /** Unsynced operations touching this directory, oldest first (committed ones skipped). */
  log: DirTxn[];
}

/** What a directory entry names. */
export type Entry = DirNode | FileState;

/** One change of one entry: `name` in `dir` now names `target` (undefined: removed). */
export interface EntrySet {
  readonly dir: DirNode;
  readonly name: string;
  /** A file, or a directory that a rename moves here. */
  readonly target: Entry | undefined;
}

/** An atomic directory operation (a create, an unlink, or a rename's two changes). */
export interface DirTxn {
  /** Creation order, across directories. */
  readonly seq: number;
  readonly sets: readonly EntrySet[];
  committed: boolean;
  /**
   * Left pending by a directory fsync that failed (fault `dir-sync-error`): a power loss that
   * loses it says so (SimDisk.lastLostAfterFailedSync).
   */
  failedSync?: boolean;
  /** An `rmdir`: the directory it removes (its one set removes the name), which a power loss that loses it brings back. */
  readonly removes?: DirNode;
}

/** A path split into its parent directory and its last name. */
export interface SplitPath {
  readonly full: string;
  readonly parent: string;
  readonly name: string;
}

const splitMemo = new Map<string, SplitPath>();

/**
 * Normalises a `/`-separated path (`.` and empty segments dropped, `..` resolved) and splits it.
 * Absolute paths hang under `/`, relative ones under `.`; both roots always exist.
 */
export function splitPath(path: string): SplitPath {
  const memo = splitMemo.get(path);
  if (memo !== undefined) return memo;
  const root = path.startsWith('/') ? '/' : '.';
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  const join = (n: number): string => (n === 0 ? root : `${root === '/' ? '/' : ''}${parts.slice(0, n).join('/')}`);
  const split = { full: join(parts.length), parent: join(Math.max(0, parts.length - 1)), name: parts.at(-1) ?? '' };
  if (splitMemo.size > 100_000) splitMemo.clear();
  splitMemo.set(path, split);
  return split;
}

/**
 * `path` itself, or, when it is already normalised, the one string object that stands for it
 * (the memo's): the same text, so traces and digests do not change, but later lookups and
 * comparisons of it (the trace's hashes, the memo) find its hash cached and compare by identity,
 * where a path the caller built again for every call (`${dir}/${name}`) is hashed every time.
 */
export function canonicalPath(path: string): string {
  const full = splitPath(path).full;
  return full === path ? full : path;
}

/** The path of entry `name` of the directory at the normalised path `parent` (`a`, `/a`, `d/a`). */
export function childPath(parent: string, name: string): string {
  return parent === '.' ? name : parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * Everything a disk holds besides its sector size and capacity, as live objects: the
 * directories in creation order (their maps and logs in order too: a power loss draws its
 * random choices in that order) and the two id counters. Read and rebuilt by sim/disk/image.ts;
 * files' `cacheLinks` and the disk's used bytes follow from the directories.
 */
export interface DiskInternals {
  readonly dirs: readonly DirNode[];
  readonly nextFileId: number;
  readonly nextTxnSeq: number;
}

function fail(code: IoErrorCode, syscall: string, path: string): never {
  throw diskError(code, syscall, path);
}

/** Makes `txn`'s changes in the durable namespace. */
function applyDurably(txn: DirTxn): void {
  for (const set of txn.sets) {
    if (set.target === undefined) set.dir.durable.delete(set.name);
    else set.dir.durable.set(set.name, set.target);
  }
}

/** Whether `a` and `b` change the same entry (the same name in the same directory). */
function sharesAName(a: DirTxn, b: DirTxn): boolean {
  return a.sets.some((x) => b.sets.some((y) => x.dir === y.dir && x.name === y.name));
}

/**
 * Whether `txn` puts a directory under a name: a directory rename, or a `mkdir` (a move from
 * nowhere). Both keep journal order (see {@link SimDisk.renameDir}).
 */
function isDirMove(txn: DirTxn): boolean {
  return txn.removes !== undefined || txn.sets.some((set) => set.target !== undefined && !(set.target instanceof FileState));
}

/** How many names the durable maps of `dir` and the directories durably under it hold. */
function syncedNamesUnder(dir: DirNode): number {
  let count = 0;
  for (const entry of dir.durable.values()) count += 1 + (entry instanceof FileState ? 0 : syncedNamesUnder(entry));
  return count;
}

/** A directory operation in words: `the rename /d/a -> /d/b`, `the create of /d/c`, `the unlink of /d/c`. */
function describeTxn(txn: DirTxn): string {
  const path = (set: EntrySet): string => childPath(set.dir.path, set.name);
  const from = txn.sets.find((set) => set.target === undefined);
  const to = txn.sets.find((set) => set.target !== undefined);
  if (from !== undefined && to !== undefined) return `the rename ${path(from)} -> ${path(to)}`;
  if (to !== undefined) return `${to.target instanceof FileState ? 'the create' : 'the mkdir'} of ${path(to)}`;
  return `${txn.removes === undefined ? 'the unlink' : 'the rmdir'} of ${path(from!)}`;
}

/** The namespace, the files and the space of one simulated disk. */
/** Unsynced records at a moment, each with its file (none for a directory operation): {@link SimDisk.unsyncedRecords}. */
export type UnsyncedRecords = readonly { readonly file?: FileState; readonly record: PendingRecord | DirTxn }[];

export class SimDisk {
  readonly sectorBytes: number;
  /** The unit of space: a file takes its size rounded up to a whole block. */
  readonly blockBytes: number;
  /** Writes past this many used bytes fail with `ENOSPC`. */
  capacityBytes = Infinity;
  /** How a power loss keeps unsynced directory operations (crash-policy.ts). */
  dirOrder: DirOrder = 'journal';
  /** How a power loss keeps unsynced data past a file's size (crash-policy.ts). */
  dataOrder: DataOrder = 'posix';
  /** How a sector cut mid-write by a power loss reads back (crash-policy.ts): garbage-capable, or atomic. */
  sectorWrites: SectorWrites = 'torn';
  /** What makes a directory operation durable (crash-policy.ts): its directory's fsync, or any fsync. */
  nameSync: NameSync = 'directory';
  /**
   * After a power loss: the first file it settled that it left reading bytes nothing wrote past its
   * size (a size without its data, or garbage), or `undefined` (always in `ordered` data order).
   */
  lastUnwrittenTail: string | undefined;
  /**
   * What the last power loss kept out of the order operations were made in one directory
   * (possible only in `per-name` order), in words: `the rename /d/a -> /d/b survived, the create
   * of /d/c made before it did not`; `undefined` when it kept them in order.
   */
  lastOutOfOrder: string | undefined;
  /**
   * After a power loss: a directory operation it lost that a failed directory fsync had left
   * pending, in words (the rename /d/a -> /d/b), or `undefined`.
   */
  lastLostAfterFailedSync: string | undefined;
  /**
   * After a power loss: a directory it lost with synced names in it, because its creation was
   * never made durable by a sync of its parent, in words (the mkdir of /d/e, with 2 synced names
   * in it), or `undefined`.
   */
  lastLostDir: string | undefined;
  /**
   * After a power loss: a directory operation it lost that named a file with durable data (the
   * create of /d/x, the rename /d/x.tmp -> /d/x), in words, or `undefined`: data synced under a
   * name never synced, the commonest crash bug (ALICE; LevelDB #189). Told by the bytes alone,
   * as a disk image holds them.
   */
  lastLostSyncedName: string | undefined;
  /**
   * How often a media fault destroyed durable bytes: a damaged sector, a misdirected write that
   * landed, a lost name (bit flips apart), and when the bytes each destroyed had been durable.
   * The oracle excuses no loss without it (sim/model.ts).
   */
  readonly damage: DamageLog;
  /** fsyncs that made written bytes durable, which number each file's `lastSynced` (FileState). */
  syncs = 0;
  /**
   * fsyncs that failed ext4's way on a file with unsynced writes since the last power loss: its
   * pages were marked clean unwritten, readable until a power loss takes them (fsyncgate).
   */
  forgotten = 0;
  /**
   * fsyncs that failed on a file with unsynced writes and lost them from what a retry would write
   * (ext4 marks them clean, btrfs reverts the file; a sticky failure keeps failing instead).
   */
  syncFailuresOverWrites = 0;
  #usedBytes = 0;
  #nextFileId = 1;
  /** Whether a symbolic link was ever made on this disk (or a disk it was copied from). */
  #hasSymlinks = false;
  #nextTxnSeq = 0;
  #dirs = new Map<string, DirNode>();
  /** Directory moves not committed yet, oldest first (see {@link renameDir}); mostly empty. */
  #pendingDirMoves: DirTxn[] = [];

  /**
   * @param sectorBytes - the unit in which writes tear on power loss
   * @param blockBytes - the unit of space (see the file's comment; 1 counts bytes)
   */
  constructor(sectorBytes: number, blockBytes: number = defaultBlockBytes) {
    assert(Number.isSafeInteger(blockBytes) && blockBytes >= 1, 'SimDisk: blockBytes is a positive integer');
    this.sectorBytes = sectorBytes;
    this.blockBytes = blockBytes;
    this.damage = newDamageLog(sectorBytes);
    this.#addDir('/');
    this.#addDir('.');
  }

  /**
   * A disk rebuilt from its internals (see {@link DiskInternals}); recounts each file's
   * `cacheLinks` and the used bytes from the directories' page-cache maps.
   * @param sectorBytes - the unit in which writes tear on power loss
   * @param internals - directories (including `/` and `.`) and counters, as {@link internals} gives them
   * @param blockBytes - the unit of space
   */
  static fromInternals(sectorBytes: number, internals: DiskInternals, blockBytes: number = defaultBlockBytes): SimDisk {
    const disk = new SimDisk(sectorBytes, blockBytes);
    disk.#dirs.clear();
    for (const dir of internals.dirs) disk.#dirs.set(dir.path, dir);
    assert(disk.#dirs.has('/'), 'fromInternals: the root / exists');
    assert(disk.#dirs.has('.'), 'fromInternals: the root . exists');
    disk.#nextFileId = internals.nextFileId;
    disk.#nextTxnSeq = internals.nextTxnSeq;
    const files = new Set<FileState>();
    for (const dir of internals.dirs) {
      for (const entry of [...dir.cache.values(), ...dir.durable.values()]) if (entry instanceof FileState) files.add(entry);
      for (const txn of dir.log) for (const set of txn.sets) if (set.target instanceof FileState) files.add(set.target);
    }
    const moves = new Set<DirTxn>();
    for (const dir of internals.dirs) for (const txn of dir.log) if (!txn.committed && isDirMove(txn)) moves.add(txn);
    disk.#pendingDirMoves = [...moves].sort((a, b) => a.seq - b.seq);
    for (const file of files) {
      file.cacheLinks = 0;
      if (file.linkTarget !== undefined) disk.#hasSymlinks = true;
    }
    for (const dir of internals.dirs) {
      for (const entry of dir.cache.values()) {
        if (!(entry instanceof FileState)) continue;
        entry.cacheLinks++;
        if (entry.cacheLinks === 1) disk.#usedBytes += disk.allocatedBytes(entry.size);
      }
    }
    return disk;
  }

  /** The disk's directories and counters, live (for sim/disk/image.ts; do not change them). */
  internals(): DiskInternals {
    return { dirs: [...this.#dirs.values()], nextFileId: this.#nextFileId, nextTxnSeq: this.#nextTxnSeq };
  }

  /** Bytes in use: the page-cache sizes of named files, each rounded up to whole blocks. */
  get usedBytes(): number {
    return this.#usedBytes;
  }

  /** The space a file of `size` bytes takes: `size` rounded up to whole blocks. */
  allocatedBytes(size: number): number {
    return Math.ceil(size / this.blockBytes) * this.blockBytes;
  }

  /** The directory at a normalised path, if any. */
  dir(path: string): DirNode | undefined {
    return this.#dirs.get(path);
  }

  /** The parent directory of `split`. @throws IoError `ENOENT` if it does not exist */
  parentOf(split: SplitPath, syscall: string, path: string): DirNode {
    const dir = this.#dirs.get(split.parent);
    if (dir !== undefined) return dir;
    // A file where a directory should be is ENOTDIR, nothing at all is ENOENT.
    const grand = this.#dirs.get(splitPath(split.parent).parent);
    if (grand?.cache.get(splitPath(split.parent).name) instanceof FileState) fail('ENOTDIR', syscall, path);
    return fail('ENOENT', syscall, path);
  }

  /** What `path` names in the page-cache namespace. */
  lookup(split: SplitPath): Entry | undefined {
    if (split.name === '') return this.#dirs.get(split.full);
    return this.#dirs.get(split.parent)?.cache.get(split.name);
  }

  /** Creates an empty file named `name` in `dir` (unsynced entry). */
  createFile(dir: DirNode, name: string): FileState {
    const file = new FileState(this.#nextFileId++);
    this.#applyTxn({ sets: [{ dir, name, target: file }], committed: false, seq: this.#nextTxnSeq++ });
    return file;
  }

  /** Creates a symbolic link named `name` in `dir` holding `target` (unsynced entry, as a new file's). */
  createSymlink(dir: DirNode, name: string, target: string): FileState {
    const link = this.createFile(dir, name);
    link.linkTarget = target;
    this.#hasSymlinks = true;
    return link;
  }

  /**
   * Whether this disk may hold a symbolic link: false until one is made (here, or on the disk
   * this one was copied or imported from), so that path walks that follow links cost nothing on
   * a disk without any.
   */
  get hasSymlinks(): boolean {
    return this.#hasSymlinks;
  }

  /** Gives `file` the further name `name` in `dir` (a hard link; unsynced entry). */
  link(dir: DirNode, name: string, file: FileState): void {
    this.#applyTxn({ sets: [{ dir, name, target: file }], committed: false, seq: this.#nextTxnSeq++ });
  }

  /**
   * Writes and truncations that went over data already durable, in place: bytes inside a file's
   * durable size. What a recovery that rolls back or replays from unsynced data destroys
   * (sim/second-look.ts, PowerLossWatch.inRecovery). Removals and renames are not counted: a
   * careful recovery replaces its manifest and removes what it superseded at most opens (the
   * reference engine: 278 looks in 400 swarm seeds, none finding anything), and the looks after
   * an unsynced rename, and the run's own power losses, cover them.
   */
  durableOverwrites = 0;

  /** Counts a write or truncation from `from` that goes over `file`'s durable data, if it does ({@link durableOverwrites}). */
  #overwrites(file: FileState, from: number): void {
    if (from < file.durable.size) this.durableOverwrites++;
  }

  /** Removes a file's entry (unsynced). */
  unlink(dir: DirNode, name: string): void {
    this.#applyTxn({ sets: [{ dir, name, target: undefined }], committed: false, seq: this.#nextTxnSeq++ });
  }

  /** Moves `file` from `fromDir/fromName` to `toDir/toName`, replacing any file there. */
  rename(fromDir: DirNode, fromName: string, toDir: DirNode, toName: string, file: FileState): void {
    this.#applyTxn({
      sets: [{ dir: toDir, name: toName, target: file }, { dir: fromDir, name: fromName, target: undefined }],
      committed: false,
      seq: this.#nextTxnSeq++,
    });
  }

  /**
   * Creates `path` and its missing parents. Each new name is pending in its parent until the
   * parent is synced, and keeps journal order with directory moves (see the module comment).
   * @param options - `durable`: every new name is durable at once (setting up a root, no I/O)
   * @throws IoError `ENOTDIR`, `EEXIST`
   */
  mkdir(path: string, options: { readonly durable?: boolean } = {}): void {
    this.#mkdir(path, path, options.durable === true);
  }

  #mkdir(path: string, requested: string, durable: boolean): void {
    const split = splitPath(path);
    if (this.#dirs.has(split.full)) return;
    if (!this.#dirs.has(split.parent)) this.#mkdir(split.parent, requested, durable);
    const parent = this.#dirs.get(split.parent)!;
    if (parent.cache.has(split.name)) fail(path === requested ? 'EEXIST' : 'ENOTDIR', 'mkdir', requested);
    this.#commitPendingAt(parent, split.name);
    const dir = this.#addDir(split.full);
    const txn: DirTxn = { sets: [{ dir: parent, name: split.name, target: dir }], committed: false, seq: this.#nextTxnSeq++ };
    this.#applyTxn(txn);
    this.#pendingDirMoves.push(txn);
    if (durable) this.#commit(txn);
  }

  /**
   * Removes the empty directory `dir` (`rmdir`): pending in its parent until the parent is
   * synced, in journal order with directory creations and moves, as {@link renameDir} is. Its own
   * pending operations stay pending, and a power loss keeps a prefix of them as of any directory
   * ({@link #settleDirs}): one that loses the removal brings the directory back with what that
   * prefix left (empty, or with files whose unlinks were lost too).
   * @throws IoError `ENOTEMPTY` when its page-cache namespace has an entry; `EBUSY`-like roots
   * (`/`, `.`) are refused as `EINVAL`
   */
  rmdir(dir: DirNode): void {
    const { parent, name } = this.#removable(dir, 'rmdir');
    const txn: DirTxn = { sets: [{ dir: parent, name, target: undefined }], committed: false, seq: this.#nextTxnSeq++, removes: dir };
    this.#applyTxn(txn);
    this.#pendingDirMoves.push(txn);
    this.#dirs.delete(dir.path);
  }

  /**
   * Removes the empty directory `dir` durably at once: the one a directory is renamed over (a
   * rename is one operation, which this model cannot split into a removal and a move that a power
   * loss keeps apart). The pending changes of its name are committed first.
   */
  #removeDirDurably(dir: DirNode): void {
    const { parent, name } = this.#removable(dir, 'rename');
    this.syncDir(dir);
    this.#commitPendingAt(parent, name);
    parent.cache.delete(name);
    parent.durable.delete(name);
    // Its committed creation or move-in, still in the parent's log, would name it after it is gone.
    parent.log = parent.log.filter((txn) => !txn.committed);
    this.#dirs.delete(dir.path);
  }

  /** Checks that `dir` may be removed (an empty directory, not a root), and gives its parent and name. */
  #removable(dir: DirNode, syscall: string): { parent: DirNode; name: string } {
    if (dir.path === '/' || dir.path === '.') fail('EINVAL', syscall, dir.path);
    if (dir.cache.size > 0) fail('ENOTEMPTY', syscall, dir.path);
    const split = splitPath(dir.path);
    const parent = this.#dirs.get(split.parent);
    assert(parent !== undefined && parent.cache.get(split.name) === dir, 'rmdir: the directory hangs under its parent');
    return { parent, name: split.name };
  }

  /**
   * Moves the directory `dir` from `fromDir/fromName` to `toDir/toName`, which must be free or an
   * empty directory (removed first, durably); the caller checked that `toDir`
   * is not inside `dir`. The move is pending like a file rename until `fromDir` or `toDir` is
   * synced, with journal order on top: it commits only after every earlier directory move (and
   * an operation changing a name it changed commits it first), and a power loss keeps a prefix
   * of the directory moves and drops every operation made after the first move it drops
   * (`settleDirs`). Without that order a power loss could keep a later move of a directory and
   * drop an earlier one, and leave it in two places or in a cycle.
   */
  renameDir(fromDir: DirNode, fromName: string, toDir: DirNode, toName: string, dir: DirNode): void {
    const replaced = toDir.cache.get(toName);
    if (replaced !== undefined) {
      assert(!(replaced instanceof FileState) && replaced !== dir, 'renameDir: the target is another directory');
      this.#removeDirDurably(replaced);
    }
    const txn: DirTxn = {
      sets: [{ dir: toDir, name: toName, target: dir }, { dir: fromDir, name: fromName, target: undefined }],
      committed: false,
      seq: this.#nextTxnSeq++,
    };
    this.#applyTxn(txn);
    this.#pendingDirMoves.push(txn);
    this.#repath((node) => node.cache);
  }

  /**
   * fsync of a directory: commits its logged operations to the durable namespace.
   * @param count - how many of them to commit, oldest first (a directory fsync that failed part
   * way, fault `dir-sync-error`); the rest stay pending. Absent: all.
   */
  syncDir(dir: DirNode, count = Infinity): void {
    let committed = 0;
    for (const txn of dir.log) {
      if (txn.committed) continue;
      if (committed++ >= count) break;
      this.#commit(txn);
    }
    if (count === Infinity) {
      dir.log = [];
      // The journal commit that makes the names durable carries the size changes made before it
      // too: a file truncated in place (O_TRUNC) and renamed, then this fsync, never shows its
      // old bytes again (ext4, XFS; a new user's probe did here).
      for (const entry of dir.cache.values()) if (entry instanceof FileState) entry.landLeadingTruncations(this.damage);
      return;
    }
    dir.log = dir.log.filter((txn) => !txn.committed);
    for (const txn of dir.log) txn.failedSync = true;
  }

  /**
   * A successful fsync of a file or directory: under `nameSync: 'journal'` it commits the
   * metadata journal, so every pending directory operation becomes durable; otherwise nothing
   * beyond what the fsync itself did.
   */
  afterSync(): void {
    if (this.nameSync !== 'journal') return;
    for (const dir of this.#dirs.values()) if (dir.log.length > 0) this.syncDir(dir);
  }

  /** How many operations of `dir` are not yet durable (its fsync would commit them). */
  pendingInDir(dir: DirNode): number {
    let count = 0;
    for (const txn of dir.log) if (!txn.committed) count++;
    return count;
  }

  /**
   * Commits `txn`, after the directory moves it depends on: when it moves a directory, every
   * earlier move (journal order); otherwise the earlier moves of a name it changes too (and the
   * moves before those), so that it cannot land on an entry a pending move still holds durably.
   */
  #commit(txn: DirTxn): void {
    if (this.#pendingDirMoves.length > 0) this.#commitDirMovesFor(txn);
    if (txn.committed) return;
    txn.committed = true;
    applyDurably(txn);
    // Committed moves are always the oldest (a move commits every earlier one first): drop them.
    const moves = this.#pendingDirMoves;
    if (moves[0]?.committed === true) this.#pendingDirMoves = moves.filter((move) => !move.committed);
  }

  /**
   * Commits the pending operations of `dir` that change its entry `name`, before a `mkdir` there
   * or a durable removal of the directory there: otherwise a power loss could apply an older
   * pending change of the name over it (a pending unlink deleting the new directory, a move
   * undone bringing a removed directory back). Operations on other names stay pending.
   */
  #commitPendingAt(dir: DirNode, name: string): void {
    for (const txn of dir.log) {
      if (!txn.committed && txn.sets.some((set) => set.dir === dir && set.name === name)) this.#commit(txn);
    }
  }

  /** Commits the pending directory moves `txn` depends on (see {@link #commit}). */
  #commitDirMovesFor(txn: DirTxn): void {
    const moves = this.#pendingDirMoves;
    const movesDir = isDirMove(txn);
    let upTo = -1;
    for (const move of moves) {
      if (move.seq >= txn.seq) break;
      if (!move.committed && (movesDir || sharesAName(move, txn))) upTo = move.seq;
    }
    if (upTo >= 0) this.#commitDirMovesBefore(upTo + 1);
  }

  /** Commits the pending directory moves made before operation `seq`, oldest first. */
  #commitDirMovesBefore(seq: number): void {
    const moves = this.#pendingDirMoves;
    let n = 0;
    for (; n < moves.length && moves[n]!.seq < seq; n++) {
      const move = moves[n]!;
      if (move.committed) continue;
      move.committed = true;
      applyDurably(move);
    }
    if (n > 0) this.#pendingDirMoves = moves.slice(n).filter((move) => !move.committed);
  }

  /**
   * Gives every directory the path `entriesOf` (the page-cache or the durable maps) puts it at,
   * walking from the roots, and keys the directory map by the new paths in the same order.
   */
  #repath(entriesOf: (dir: DirNode) => ReadonlyMap<string, Entry>, dropUnreached = false): void {
    const reached = new Set<DirNode>();
    const visit = (dir: DirNode, path: string): void => {
      assert(!reached.has(dir), `a directory is reached twice (at ${path})`);
      reached.add(dir);
      dir.path = path;
      for (const [name, entry] of entriesOf(dir)) if (!(entry instanceof FileState)) visit(entry, childPath(path, name));
    };
    visit(this.#dirs.get('/')!, '/');
    visit(this.#dirs.get('.')!, '.');
    const tabled = [...this.#dirs.values()];
    const dirs = tabled.filter((dir) => !dropUnreached || reached.has(dir));
    // A directory whose removal a power loss undid is back (after the others, in walk order).
    if (dropUnreached) dirs.push(...[...reached].filter((dir) => !tabled.includes(dir)));
    assert(reached.size === dirs.length && dirs.every((dir) => reached.has(dir)), 'every directory, and nothing else, hangs under a root');
    this.#dirs = new Map(dirs.map((dir) => [dir.path, dir]));
  }

  /** Makes every directory entry and every file on the disk durable (what a setup leaves). */
  syncAll(): void {
    const visit = (dir: DirNode): void => {
      this.syncDir(dir);
      for (const entry of dir.cache.values()) {
        if (entry instanceof FileState) entry.sync(this);
        else visit(entry);
      }
    };
    visit(this.dir('/')!);
    visit(this.dir('.')!);
  }

  /**
   * Writes `data[0, length)` at `offset`, keeping space accounting right.
   * @param misdirect - where the write really lands when written back (a misdirected write)
   */
  write(file: FileState, offset: number, data: Uint8Array, length: number, misdirect?: Misdirect): void {
    if (length > 0) this.#overwrites(file, offset);
    const before = file.size;
    file.write(offset, data, length, this.sectorBytes, misdirect, this.#nextTxnSeq);
    if (file.cacheLinks > 0) this.#usedBytes += this.allocatedBytes(file.size) - this.allocatedBytes(before);
  }

  /**
   * The names in `dir` that a lost entry may strike: file names that are synced (the durable
   * and the page-cache namespace name the same file), sorted.
   */
  syncedFileNames(dir: DirNode): string[] {
    const names: string[] = [];
    for (const [name, entry] of dir.durable) if (entry instanceof FileState && dir.cache.get(name) === entry) names.push(name);
    return names.sort();
  }

  /**
   * The synced file names of `dir` that no handle of `incarnation` holds open: the names a lost
   * entry may take. A name lost under an open handle would leave the process writing to a file
   * nobody can find again, which no engine can notice; what the fault models (an operator, a
   * buggy file system, a partial restore) strikes while the store is not using the file.
   */
  losableFileNames(dir: DirNode, incarnation: number): string[] {
    return this.syncedFileNames(dir).filter((name) => !(dir.cache.get(name) as FileState).isOpenIn(incarnation));
  }

  /**
   * A lost entry: `name` vanishes from `dir`, durable and page-cache namespace alike, as when an
   * operator, a buggy file system or a partial restore removed it while nobody looked. Handles
   * still open keep the file (POSIX); its space is freed. Counted as damage.
   */
  loseEntry(dir: DirNode, name: string): void {
    const file = dir.cache.get(name);
    assert(file instanceof FileState && dir.durable.get(name) === file, 'loseEntry: the name is a synced file name');
    dir.cache.delete(name);
    dir.durable.delete(name);
    this.#unlinkCache(file);
    // The name had been durable for some time; stamping it as durable now only excuses more.
    recordDamage(this.damage, this.damage.landings);
  }

  /**
   * The other files of the same kind as `name` in `dir` (page-cache namespace), sorted by name:
   * a file's kind is its name without its digits, so `00000000000000000003.wal` and
   * `00000000000000000004.wal` are segments of one log, and `MANIFEST` has no other.
   */
  filesOfKind(dir: DirNode, name: string, file: FileState): [name: string, file: FileState][] {
    const kind = name.replace(/[0-9]/g, '');
    const others: [string, FileState][] = [];
    for (const [other, entry] of dir.cache) {
      if (entry instanceof FileState && entry.linkTarget === undefined && entry !== file && other.replace(/[0-9]/g, '') === kind) others.push([other, entry]);
    }
    return others.sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** Sets a file's size, keeping space accounting right. */
  truncate(file: FileState, size: number): void {
    this.#overwrites(file, size);
    const before = file.size;
    file.truncate(size, this.sectorBytes, this.#nextTxnSeq);
    if (file.cacheLinks > 0) this.#usedBytes += this.allocatedBytes(file.size) - this.allocatedBytes(before);
  }

  /** btrfs after a failed fsync: the file reverts to its durable state. */
  revert(file: FileState): void {
    const before = file.size;
    file.revertToDurable();
    if (file.cacheLinks > 0) this.#usedBytes += this.allocatedBytes(file.size) - this.allocatedBytes(before);
  }

  /** Space left before the disk is full, in whole blocks (a part of a block holds nothing). */
  get freeBytes(): number {
    const free = Math.max(0, this.capacityBytes - this.#usedBytes);
    return free === Infinity ? free : Math.floor(free / this.blockBytes) * this.blockBytes;
  }

  /**
   * A power loss: unsynced directory operations and file data survive as `policy` decides;
   * files left without a durable name are gone; the page cache is dropped.
   * @returns the garbage ranges written, by surviving path
   * @param syncingDir - the directory whose fsync the power loss struck, if it struck one (see lastLostSyncedName)
   */
  powerLoss(policy: CrashPolicy, syncingDir?: string): Map<string, GarbageRange[]> {
    this.forgotten = 0;
    const { survivors, firstLost } = this.#settleDirs(policy, syncingDir);
    const carried = this.#truncationsCarried(survivors);
    // In journal order a file's growth made after a directory operation the power loss lost is
    // lost too: the journal commits the size after the operation (see settleFile).
    const growthLostFrom = this.dirOrder === 'journal' ? firstLost : undefined;
    if (this.#pendingDirMoves.length > 0) {
      // A directory whose creation (or a move) was lost hangs under no durable name: it is gone.
      this.#repath((dir) => dir.durable, true);
      this.#pendingDirMoves = [];
    }
    this.damage.landings++;
    const settle: CrashPolicy = { ...policy, dataOrder: this.dataOrder, sectorWrites: this.sectorWrites, damage: this.damage };
    const garbage = new Map<string, GarbageRange[]>();
    const seen = new Set<FileState>();
    this.lastUnwrittenTail = undefined;
    for (const dir of this.#dirs.values()) {
      for (const [name, entry] of dir.durable) {
        if (!(entry instanceof FileState) || seen.has(entry)) continue;
        seen.add(entry);
        const settled = settleFile(entry, settle, carried.get(entry), growthLostFrom);
        if (settled.garbage.length > 0) garbage.set(childPath(dir.path, name), settled.garbage);
        if (settled.unwrittenTail) this.lastUnwrittenTail ??= childPath(dir.path, name);
      }
    }
    this.#usedBytes = 0;
    for (const dir of this.#dirs.values()) {
      dir.cache = new Map(dir.durable);
      dir.log = [];
    }
    for (const file of seen) {
      file.dropCache();
      file.cacheLinks = 0;
    }
    for (const dir of this.#dirs.values()) {
      for (const entry of dir.cache.values()) {
        if (!(entry instanceof FileState)) continue;
        entry.cacheLinks++;
        if (entry.cacheLinks === 1) this.#usedBytes += this.allocatedBytes(entry.size);
      }
    }
    return garbage;
  }

  /** The unsynced records of files and directories now: what {@link stillUnsynced} asks about later. */
  unsyncedRecords(): UnsyncedRecords {
    const records: { file?: FileState; record: PendingRecord | DirTxn }[] = [];
    const seen = new Set<FileState>();
    for (const dir of this.#dirs.values()) {
      for (const txn of dir.log) if (!txn.committed) records.push({ record: txn });
      for (const map of [dir.cache, dir.durable]) {
        for (const entry of map.values()) {
          if (!(entry instanceof FileState) || seen.has(entry)) continue;
          seen.add(entry);
          for (const record of entry.pending) records.push({ file: entry, record });
        }
      }
    }
    return records;
  }

  /**
   * Whether one of `records` ({@link unsyncedRecords}) is still unsynced: a directory operation
   * no fsync committed, or a record still pending in a file that still has a name (one replaced
   * or removed since holds nothing a recovery can read). Records written since do not count.
   */
  stillUnsynced(records: UnsyncedRecords): boolean {
    for (const { file, record } of records) {
      if (file === undefined ? !(record as DirTxn).committed : file.cacheLinks > 0 && file.pending.includes(record as PendingRecord)) return true;
    }
    return false;
  }

  /**
   * How much a power loss could lose: unsynced records of named files plus unsynced directory
   * operations. Zero means every crash state is the same.
   */
  unsyncedCount(): number {
    let count = 0;
    const seen = new Set<FileState>();
    for (const dir of this.#dirs.values()) {
      count += this.pendingInDir(dir);
      for (const map of [dir.cache, dir.durable]) {
        for (const entry of map.values()) {
          if (!(entry instanceof FileState) || seen.has(entry)) continue;
          seen.add(entry);
          count += entry.pending.length;
        }
      }
    }
    return count;
  }

  /**
   * What a power loss now could lose beyond new names, named: the files with an unsynced record
   * of their data or size (by id), and the unsynced renames, removals and new directories (by
   * creation order; a directory's name guards whatever is synced in it); empty when nothing but
   * new file names is unsynced. Creating a name (a temporary file, a link) and
   * leaving it unsynced is what careful engines do between steps; losing it loses no data a
   * promise covered, unless the data lives only under that name (which the run's own power
   * losses and the looks at other crash states test).
   */
  unsyncedBeyondNewNames(): string {
    const parts: string[] = [];
    const seen = new Set<FileState>();
    for (const dir of this.#dirs.values()) {
      for (const txn of dir.log) {
        if (!txn.committed && (txn.sets.length > 1 || txn.sets.some((set) => set.target === undefined || !(set.target instanceof FileState)))) parts.push(`t${txn.seq}`);
      }
      for (const map of [dir.cache, dir.durable]) {
        for (const entry of map.values()) {
          if (!(entry instanceof FileState) || entry.pending.length === 0 || seen.has(entry)) continue;
          seen.add(entry);
          parts.push(`f${entry.id}`);
        }
      }
    }
    return parts.join(' ');
  }

  /** Every file in the page-cache namespace, by path, in creation order of directories. */
  *files(): Generator<[path: string, file: FileState]> {
    for (const dir of this.#dirs.values()) {
      const prefix = dir.path === '.' ? '' : dir.path === '/' ? '/' : `${dir.path}/`;
      for (const [name, entry] of dir.cache) if (entry instanceof FileState) yield [`${prefix}${name}`, entry];
    }
  }

  /**
   * Keeps a prefix of each directory's log; a txn survives if every log it is in keeps it.
   * @returns the operations that survived (not those an fsync had committed before), and the
   *   sequence number of the first one it lost (undefined: none)
   */
  #settleDirs(policy: CrashPolicy, syncingDir: string | undefined): { survivors: readonly DirTxn[]; firstLost: number | undefined } {
    const kept = new Set<DirTxn>();
    const dropped = new Set<DirTxn>();
    const bias = this.dirOrder === 'per-name' ? drawPerNameBias(policy) : 'any';
    // A directory whose removal is pending settles its own log too (after the others).
    const removed = this.#pendingDirMoves.flatMap((move) => (move.removes === undefined || move.committed ? [] : [move.removes]));
    for (const dir of [...this.#dirs.values(), ...removed]) {
      for (const log of dirLogs(dir, dir.log.filter((txn) => !txn.committed), this.dirOrder)) {
        const n = this.dirOrder === 'per-name' ? namePrefixLength(log, policy, bias) : dirPrefixLength(log.length, policy);
        for (let i = 0; i < log.length; i++) (i < n ? kept : dropped).add(log[i]!);
      }
    }
    // A removal survives only with every operation that emptied the directory (they came first).
    for (const move of this.#pendingDirMoves) {
      if (move.removes !== undefined && move.removes.log.some((txn) => !txn.committed && (!kept.has(txn) || dropped.has(txn)))) dropped.add(move);
    }
    // Apply in creation order, so that a later operation on a name wins over an earlier one.
    let survivors = [...kept].filter((txn) => !dropped.has(txn)).sort((a, b) => a.seq - b.seq);
    // Journal order for directory moves (renameDir): nothing made after the first move dropped.
    const firstLost = this.#pendingDirMoves.find((move) => !move.committed && (!kept.has(move) || dropped.has(move)));
    if (firstLost !== undefined) survivors = survivors.filter((txn) => txn.seq < firstLost.seq);
    for (const txn of survivors) applyDurably(txn);
    const survived = new Set(survivors);
    let firstLostSeq: number | undefined;
    for (const txn of [...kept, ...dropped]) if (!survived.has(txn) && (firstLostSeq === undefined || txn.seq < firstLostSeq)) firstLostSeq = txn.seq;
    this.lastOutOfOrder = this.dirOrder === 'per-name' ? this.#outOfOrder(survived) : undefined;
    this.lastLostAfterFailedSync = this.#lostAfterFailedSync(survived);
    this.lastLostDir = this.#lostDir(survived);
    this.lastLostSyncedName = this.#lostSyncedName(survived, syncingDir);
    return { survivors, firstLost: firstLostSeq };
  }

  /**
   * Per file, how many truncations at the head of its pending log a power loss keeps because it
   * kept a later directory operation naming the file (journal order only): a size change is
   * metadata, journaled in order with the rename that follows it, so a file truncated in place
   * (O_TRUNC) and renamed never shows its old bytes under the new name once the rename is
   * durable, on ext4 or XFS (a new npm user's probe). Without an ordered journal (`per-name`,
   * ext2) nothing ties them.
   */
  #truncationsCarried(survivors: readonly DirTxn[]): Map<FileState, number> {
    const carried = new Map<FileState, number>();
    if (this.dirOrder !== 'journal') return carried;
    for (const txn of survivors) {
      for (const { target } of txn.sets) {
        if (!(target instanceof FileState)) continue;
        const n = target.truncationsBefore(txn.seq);
        if (n > (carried.get(target) ?? 0)) carried.set(target, n);
      }
    }
    return carried;
  }

  /**
   * The first operation lost that named a file with durable data (see
   * {@link lastLostSyncedName}): a rename if one was lost (a rename is what publishes), else a
   * create. Not one in `syncingDir`, the directory whose fsync the power loss struck: the engine
   * was making it durable, so nothing relied on it yet (an LSM user's seeds blamed such a lost
   * name for a bug it had nothing to do with).
   */
  #lostSyncedName(survivors: ReadonlySet<DirTxn>, syncingDir: string | undefined): string | undefined {
    let create: DirTxn | undefined;
    for (const dir of this.#dirs.values()) {
      for (const txn of dir.log) {
        if (txn.committed || survivors.has(txn) || txn.sets.some((set) => set.dir.path === syncingDir)) continue;
        if (!txn.sets.some((set) => set.target instanceof FileState && set.target.durable.size > 0)) continue;
        if (txn.sets.length > 1) return describeTxn(txn);
        create ??= txn;
      }
    }
    return create === undefined ? undefined : describeTxn(create);
  }

  /** The first directory creation lost with synced names under it, in words (see {@link lastLostDir}). */
  #lostDir(survivors: ReadonlySet<DirTxn>): string | undefined {
    for (const move of this.#pendingDirMoves) {
      if (move.committed || survivors.has(move) || move.sets.length !== 1 || move.removes !== undefined) continue;
      const dir = move.sets[0]!.target as DirNode;
      const synced = syncedNamesUnder(dir);
      if (synced > 0) return `${describeTxn(move)}, with ${synced} synced name${synced === 1 ? '' : 's'} in it`;
    }
    return undefined;
  }

  /** The first directory operation a failed directory fsync left pending that did not survive, in words. */
  #lostAfterFailedSync(survivors: ReadonlySet<DirTxn>): string | undefined {
    for (const dir of this.#dirs.values()) {
      for (const txn of dir.log) if (txn.failedSync === true && !txn.committed && !survivors.has(txn)) return describeTxn(txn);
    }
    return undefined;
  }

  /**
   * An operation of a directory that survived after some made before it were lost, in words: the
   * last rename that did (a rename is what publishes), else the last such operation, and the
   * first operations lost before it.
   */
  #outOfOrder(survivors: ReadonlySet<DirTxn>): string | undefined {
    let found: { kept: DirTxn; lost: DirTxn[] } | undefined;
    for (const dir of this.#dirs.values()) {
      const lost: DirTxn[] = [];
      for (const txn of dir.log) {
        if (txn.committed) continue;
        if (!survivors.has(txn)) lost.push(txn);
        else if (lost.length > 0 && (found === undefined || txn.sets.length > 1 || found.kept.sets.length === 1)) found = { kept: txn, lost: lost.slice() };
      }
    }
    if (found === undefined) return undefined;
    const named = found.lost.slice(0, 2).map(describeTxn).join(' and ');
    const more = found.lost.length > 2 ? ` and ${found.lost.length - 2} more` : '';
    return `${describeTxn(found.kept)} survived, ${named}${more} made before it did not`;
  }

  #applyTxn(txn: DirTxn): void {
    for (const set of txn.sets) {
      const old = set.dir.cache.get(set.name);
      if (old instanceof FileState) this.#unlinkCache(old);
      const target = set.target;
      if (target === undefined) {
        set.dir.cache.delete(set.name);
      } else {
        set.dir.cache.set(set.name, target);
        if (target instanceof FileState) {
          target.cacheLinks++;
          if (target.cacheLinks === 1) this.#usedBytes += this.allocatedBytes(target.size);
        }
      }
      if (set.dir.log.at(-1) !== txn) set.dir.log.push(txn);
    }
  }

  #unlinkCache(file: FileState): void {
    file.cacheLinks--;
    if (file.cacheLinks === 0) this.#usedBytes -= this.allocatedBytes(file.size);
  }

  #addDir(path: string): DirNode {
    const dir: DirNode = { kind: 'dir', path, cache: new Map(), durable: new Map(), log: [] };
    this.#dirs.set(path, dir);
    return dir;
  }
}
