/**
 * Writes a simulated disk as a {@link DiskImage} (format in image.ts). The disk is only read.
 * Files are listed by id and logged operations by sequence number; directories, their entries
 * and their logs keep the disk's own order, which a later power loss depends on.
 */
import { Buffer } from 'node:buffer';
import type { ByteBuffer } from './bytes.ts';
import { defaultBlockBytes, type DirNode, type DirTxn, type Entry, type SimDisk } from './disk.ts';
import { FileState, type PendingRecord } from './file-state.ts';
import {
  diskImageFormat,
  diskImageVersion,
  type DirImage,
  type DirRefImage,
  type DiskImage,
  type EntryImage,
  type FileImage,
  type MachineState,
  type PendingRecordImage,
  type TxnImage,
} from './image.ts';

/**
 * The image of `disk` with the machine counters `machine`.
 * @param disk - the disk (not changed)
 * @param machine - global I/O index, incarnation and power-loss count to carry
 * @returns plain data: `JSON.stringify` of it is the image file
 */
export function exportDiskImage(disk: SimDisk, machine: MachineState): DiskImage {
  const internals = disk.internals();
  const files = new Map<number, FileState>();
  const txns = new Map<number, DirTxn>();
  const addFile = (entry: Entry | undefined): void => {
    if (entry instanceof FileState) files.set(entry.id, entry);
  };
  // Directories a pending rmdir removed, by that rmdir (found in logs, theirs included).
  const removedBy = new Map<DirNode, number>();
  const all = [...internals.dirs];
  for (let i = 0; i < all.length; i++) {
    for (const txn of all[i]!.log) {
      if (txn.removes !== undefined && !removedBy.has(txn.removes)) {
        removedBy.set(txn.removes, txn.seq);
        all.push(txn.removes);
      }
    }
  }
  const ref = (dir: DirNode): DirRefImage => {
    const seq = removedBy.get(dir);
    return seq === undefined ? { dir: dir.path } : { dir: dir.path, removedBy: seq };
  };
  for (const dir of all) {
    for (const entry of dir.cache.values()) addFile(entry);
    for (const entry of dir.durable.values()) addFile(entry);
    for (const txn of dir.log) {
      txns.set(txn.seq, txn);
      for (const set of txn.sets) if (set.target instanceof FileState) addFile(set.target);
    }
  }
  // A misdirected write may land in a file no name reaches any more: it is kept all the same.
  const work = [...files.values()];
  for (let file = work.pop(); file !== undefined; file = work.pop()) {
    for (const record of file.pending) {
      const target = record.kind === 'write' ? record.misdirect?.file : undefined;
      if (target !== undefined && !files.has(target.id)) {
        files.set(target.id, target);
        work.push(target);
      }
    }
  }
  const dirs: DirImage[] = all.map((dir) => {
    const seq = removedBy.get(dir);
    return {
      path: dir.path,
      cache: entriesOf(dir.cache, ref),
      durable: entriesOf(dir.durable, ref),
      log: dir.log.map((txn) => txn.seq),
      ...(seq === undefined ? {} : { removedBy: seq }),
    };
  });
  return {
    format: diskImageFormat,
    version: diskImageVersion,
    machine: { ioCount: machine.ioCount, incarnation: machine.incarnation, powerLossCount: machine.powerLossCount },
    disk: {
      sectorBytes: disk.sectorBytes as 512 | 4096,
      ...(disk.dirOrder === 'per-name' ? { dirOrder: 'per-name' as const } : {}),
      ...(disk.dataOrder === 'ordered' ? { dataOrder: 'ordered' as const } : {}),
      ...(disk.sectorWrites === 'atomic' ? { sectorWrites: 'atomic' as const } : {}),
      ...(disk.nameSync === 'journal' ? { nameSync: 'journal' as const } : {}),
      capacityBytes: Number.isFinite(disk.capacityBytes) ? disk.capacityBytes : null,
      ...(disk.blockBytes === defaultBlockBytes ? {} : { blockBytes: disk.blockBytes }),
      nextFileId: internals.nextFileId,
      nextTxnSeq: internals.nextTxnSeq,
      files: [...files.values()].sort((a, b) => a.id - b.id).map(fileImage),
      dirs,
      txns: [...txns.values()].sort((a, b) => a.seq - b.seq).map((txn) => txnImage(txn, ref)),
    },
  };
}

function entriesOf(map: ReadonlyMap<string, Entry>, ref: (dir: DirNode) => DirRefImage): EntryImage[] {
  return [...map].map(([name, entry]) => (entry instanceof FileState ? { name, file: entry.id } : { name, ...ref(entry) }));
}

function fileImage(file: FileState): FileImage {
  return {
    id: file.id,
    durable: base64(file.durable),
    cache: base64(file.cache),
    journal: base64(file.journal),
    pending: file.pending.map(recordImage),
    syncBroken: file.syncBroken,
    ...(file.linkTarget === undefined ? {} : { linkTarget: file.linkTarget }),
    ...(file.forgotten.length === 0 ? {} : { forgotten: file.forgotten.map(([start, end]) => [start, end] as const) }),
    badBits: [...(file.badBits ?? [])].map(([sector, bit]) => [sector, bit] as const),
    ...(file.badSectors === undefined ? {} : { badSectors: [...file.badSectors].map(([sector, bad]) => [sector, bad.zeros, bad.seed] as const) }),
  };
}

function recordImage(record: PendingRecord): PendingRecordImage {
  // A modification's number is for the facade's times of this process, not part of the disk.
  if (record.kind === 'truncate') {
    const { seq: _seq, ...truncate } = record;
    return truncate;
  }
  const { misdirect, seq: _seq, ...write } = record;
  return misdirect === undefined ? write : { ...write, misdirect: { file: misdirect.file.id, offset: misdirect.offset } };
}

function txnImage(txn: DirTxn, ref: (dir: DirNode) => DirRefImage): TxnImage {
  return {
    seq: txn.seq,
    committed: txn.committed,
    sets: txn.sets.map((set) => {
      const target = set.target;
      const at = ref(set.dir);
      const where = { dir: at.dir, ...(at.removedBy === undefined ? {} : { dirRemovedBy: at.removedBy }), name: set.name };
      if (target === undefined || target instanceof FileState) return { ...where, file: target?.id ?? null };
      const moved = ref(target);
      return { ...where, movedDir: moved.dir, ...(moved.removedBy === undefined ? {} : { movedDirRemovedBy: moved.removedBy }) };
    }),
    ...(txn.removes === undefined ? {} : { removesDir: true as const }),
  };
}

function base64(bytes: ByteBuffer): string {
  const view = bytes.view();
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}
