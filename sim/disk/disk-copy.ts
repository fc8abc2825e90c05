/**
 * A simulated disk copied in memory, and a fingerprint of what a settled disk holds: for second
 * looks at a power loss (sim/second-look.ts), which settle copies of one disk on other crash
 * states and recover only those that differ. The disk image (image-writer.ts, image-reader.ts)
 * does the same job for files on the real disk, through base64 and a field-by-field check that
 * cost far more than a recovery; here the objects are copied directly, and the files' bytes are
 * shared until one side changes them (ByteBuffer.clone), so a copy costs a few objects per file.
 */
import { Digest64 } from '../digest.ts';
import { SimDisk, type DirNode, type DirTxn, type Entry } from './disk.ts';
import { FileState, type PendingRecord } from './file-state.ts';
import type { ByteBuffer } from './bytes.ts';

/** An independent copy of `disk`: namespace, logs, files, counters, capacity and damage count (bytes shared until changed). */
export function copyDisk(disk: SimDisk): SimDisk {
  const internals = disk.internals();
  const files = new Map<FileState, FileState>();
  const fileOf = (file: FileState): FileState => {
    let copy = files.get(file);
    if (copy === undefined) {
      copy = file.copy();
      files.set(file, copy);
    }
    return copy;
  };
  // A directory an entry or a log still names may be gone from the disk's table (removed, or
  // moved away in the page cache but not yet durably): it is copied all the same, and stays out
  // of the copy's table as it is out of the original's.
  const dirs = new Map<DirNode, DirNode>();
  const pendingDirs: DirNode[] = [];
  const dirOf = (dir: DirNode): DirNode => {
    let copy = dirs.get(dir);
    if (copy === undefined) {
      copy = { kind: 'dir', path: dir.path, cache: new Map(), durable: new Map(), log: [] };
      dirs.set(dir, copy);
      pendingDirs.push(dir);
    }
    return copy;
  };
  const tabled = internals.dirs.map(dirOf);
  const entryOf = (entry: Entry): Entry => (entry instanceof FileState ? fileOf(entry) : dirOf(entry));
  const txns = new Map<DirTxn, DirTxn>();
  const txnOf = (txn: DirTxn): DirTxn => {
    let copy = txns.get(txn);
    if (copy === undefined) {
      const sets = txn.sets.map((set) => ({ dir: dirOf(set.dir), name: set.name, target: set.target === undefined ? undefined : entryOf(set.target) }));
      copy = {
        seq: txn.seq, sets, committed: txn.committed,
        ...(txn.failedSync === true ? { failedSync: true } : {}),
        ...(txn.removes === undefined ? {} : { removes: dirOf(txn.removes) }),
      };
      txns.set(txn, copy);
    }
    return copy;
  };
  for (let dir = pendingDirs.shift(); dir !== undefined; dir = pendingDirs.shift()) {
    const copy = dirs.get(dir)!;
    for (const [name, entry] of dir.cache) copy.cache.set(name, entryOf(entry));
    for (const [name, entry] of dir.durable) copy.durable.set(name, entryOf(entry));
    copy.log = dir.log.map(txnOf);
  }
  // A misdirected write may land in a file no name reaches any more: it is copied all the same.
  const work = [...files.values()];
  for (let copy = work.pop(); copy !== undefined; copy = work.pop()) {
    copy.pending = copy.pending.map((record): PendingRecord => {
      if (record.kind !== 'write' || record.misdirect === undefined) return record;
      const known = files.has(record.misdirect.file);
      const target = fileOf(record.misdirect.file);
      if (!known) work.push(target);
      return { ...record, misdirect: { file: target, offset: record.misdirect.offset } };
    });
  }
  const copy = SimDisk.fromInternals(disk.sectorBytes, { dirs: tabled, nextFileId: internals.nextFileId, nextTxnSeq: internals.nextTxnSeq }, disk.blockBytes);
  copy.capacityBytes = disk.capacityBytes;
  copy.dirOrder = disk.dirOrder;
  copy.dataOrder = disk.dataOrder;
  copy.sectorWrites = disk.sectorWrites;
  copy.nameSync = disk.nameSync;
  copy.damage.count = disk.damage.count;
  copy.damage.landings = disk.damage.landings;
  copy.damage.durableBy.push(...disk.damage.durableBy);
  copy.syncs = disk.syncs;
  copy.forgotten = disk.forgotten;
  copy.syncFailuresOverWrites = disk.syncFailuresOverWrites;
  return copy;
}

/**
 * A 64-bit fingerprint of what reads of `disk` would see, for a disk a power loss has just
 * settled (no page cache apart, no unsynced records): the directories in order, their entries in
 * order, each file's bytes, and the damage count. Two disks with equal fingerprints recover alike.
 */
export function settledFingerprint(disk: SimDisk): string {
  const digest = new Digest64();
  const seen = new Set<FileState>();
  for (const dir of disk.internals().dirs) {
    digest.string(dir.path);
    for (const [name, entry] of dir.durable) {
      digest.string(name);
      if (!(entry instanceof FileState)) {
        digest.string(entry.path);
        continue;
      }
      digest.int(entry.id);
      if (seen.has(entry)) continue;
      seen.add(entry);
      feedFile(digest, entry.durable);
    }
  }
  digest.int(disk.damage.count);
  return digest.hex();
}

/**
 * Hashes of files' bytes, by their sealed storage and size (ByteBuffer.sealedStorage: storage
 * that never changes again). The copies of one disk that second looks settle share the storage
 * of every file the settling did not change, so each such file is hashed once, not once a look.
 */
const fileHashes = new WeakMap<Uint8Array, { readonly size: number; readonly hash: readonly [number, number] }>();

/** Feeds the hash of a file's bytes (its length and every byte, hashed once per contents). */
function feedFile(digest: Digest64, bytes: ByteBuffer): void {
  const storage = bytes.sealedStorage();
  let known = fileHashes.get(storage);
  if (known === undefined || known.size !== bytes.size) {
    const own = new Digest64();
    feedBytes(own, bytes.view());
    known = { size: bytes.size, hash: own.words() };
    fileHashes.set(storage, known);
  }
  digest.int(known.hash[0]);
  digest.int(known.hash[1]);
}

function feedBytes(digest: Digest64, bytes: Uint8Array): void {
  const length = bytes.length;
  digest.int(length);
  const words = length >>> 2;
  for (let w = 0; w < words; w++) {
    const i = w << 2;
    digest.int(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  let tail = 0;
  for (let i = words << 2; i < length; i++) tail = (tail << 8) | bytes[i]!;
  digest.int(tail);
}
