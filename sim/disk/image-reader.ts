/**
 * Reads a {@link DiskImage} (format in image.ts) back into a simulated disk, checking it field
 * by field first: an image is a file on the real disk that a person may have edited or that an
 * older build wrote, and a half-valid image would make the simulation answer for a disk that
 * never existed. Every failure is a {@link DiskImageError} with a one-line message naming the
 * field.
 *
 * Checked: format and version; the type and range of every field; no unknown field; unique file
 * ids, directory paths and operation numbers, each below its counter; every reference (an
 * entry's file or directory, a log's operation, an operation's directory and file) resolves; a
 * directory entry's path is its parent's path plus its name; pending writes lie inside the
 * journal; a bad bit lies in its sector; base64 is well formed. Not checked: that the image is
 * one a run could have reached (say, a durable entry no operation explains); such an image
 * still loads and behaves by the same rules.
 */
import { Buffer } from 'node:buffer';
import { ByteBuffer } from './bytes.ts';
import { defaultBlockBytes, SimDisk, type DirNode, type DirTxn, type Entry } from './disk.ts';
import { blockSizes } from './faults.ts';
import { FileState, type ByteRange, type PendingRecord } from './file-state.ts';
import { DiskImageError, diskImageFormat, diskImageVersion, type MachineState } from './image.ts';

type Json = Record<string, unknown>;

/** What an image holds, live. */
export interface ImportedDisk {
  readonly disk: SimDisk;
  readonly machine: MachineState;
}

function fail(field: string, problem: string): never {
  throw new DiskImageError(`not a valid powercut disk image: ${field} ${problem}`);
}

function found(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Checks an object of the image: every one of `keys`, maybe some of `optional`, nothing else. */
function object(value: unknown, field: string, keys: readonly string[], optional: readonly string[] = []): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, `must be an object, found ${found(value)}`);
  const record = value as Json;
  for (const key of Object.keys(record)) if (!keys.includes(key) && !optional.includes(key)) fail(`${field}.${key}`, 'is not an image field');
  for (const key of keys) if (!(key in record)) fail(`${field}.${key}`, 'is missing');
  return record;
}

function natural(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, `must be an integer >= 0, found ${found(value)}`);
  return value as number;
}

function array(value: unknown, field: string): unknown[] {
  return Array.isArray(value) ? value : fail(field, `must be an array, found ${found(value)}`);
}

function text(value: unknown, field: string): string {
  return typeof value === 'string' ? value : fail(field, `must be a string, found ${found(value)}`);
}

function bool(value: unknown, field: string): boolean {
  return typeof value === 'boolean' ? value : fail(field, `must be true or false, found ${found(value)}`);
}

function bytes(value: unknown, field: string): ByteBuffer {
  const encoded = text(value, field);
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) fail(field, 'must be base64');
  const buffer = new ByteBuffer();
  buffer.write(0, Buffer.from(encoded, 'base64'));
  return buffer;
}

/** The path of the entry `name` of the directory at `parent` (as disk.ts `splitPath` joins). */
function childPath(parent: string, name: string): string {
  return parent === '.' ? name : parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** A misdirected write whose target file is resolved once every file is read. */
interface MisdirectImage {
  readonly file: number;
  readonly offset: number;
  readonly field: string;
}

function pendingRecord(value: unknown, field: string, journalBytes: number): PendingRecord & { misdirectImage?: MisdirectImage } {
  const kind = (value as Json | null)?.['kind'];
  if (kind === 'truncate') {
    const record = object(value, field, ['kind', 'size'], ['nextTxn']);
    const size = natural(record['size'], `${field}.size`);
    return record['nextTxn'] === undefined ? { kind, size } : { kind, size, nextTxn: natural(record['nextTxn'], `${field}.nextTxn`) };
  }
  if (kind !== 'write') fail(`${field}.kind`, `must be "write" or "truncate", found ${found(kind)}`);
  const misdirected = typeof value === 'object' && value !== null && 'misdirect' in value;
  const record = object(value, field, misdirected ? ['kind', 'offset', 'start', 'length', 'misdirect'] : ['kind', 'offset', 'start', 'length'], ['nextTxn']);
  const offset = natural(record['offset'], `${field}.offset`);
  const start = natural(record['start'], `${field}.start`);
  const length = natural(record['length'], `${field}.length`);
  if (start + length > journalBytes) fail(field, `reaches past the end of the journal (${journalBytes} bytes)`);
  const grew = record['nextTxn'] === undefined ? {} : { nextTxn: natural(record['nextTxn'], `${field}.nextTxn`) };
  if (!misdirected) return { kind: 'write', offset, start, length, ...grew };
  const target = object(record['misdirect'], `${field}.misdirect`, ['file', 'offset']);
  const misdirectImage = { file: natural(target['file'], `${field}.misdirect.file`), offset: natural(target['offset'], `${field}.misdirect.offset`), field: `${field}.misdirect.file` };
  return { kind: 'write', offset, start, length, ...grew, misdirectImage };
}

/** Latent sector damage: `[sector, zeros, seed]` triples. */
function badSectorsOf(file: FileState, value: unknown, field: string): void {
  for (const [i, raw] of array(value, field).entries()) {
    const triple = array(raw, `${field}[${i}]`);
    if (triple.length !== 3) fail(`${field}[${i}]`, 'must be a [sector, zeros, seed] triple');
    file.breakSector(natural(triple[0], `${field}[${i}][0]`), { zeros: bool(triple[1], `${field}[${i}][1]`), seed: natural(triple[2], `${field}[${i}][2]`) });
  }
}

/** The `[start, end)` ranges of a file's forgotten bytes: pairs in offset order, none empty or overlapping. */
function forgottenRanges(value: unknown, field: string): ByteRange[] {
  let previousEnd = 0;
  return array(value, field).map((raw, i): ByteRange => {
    const pair = array(raw, `${field}[${i}]`);
    if (pair.length !== 2) fail(`${field}[${i}]`, 'must be a [start, end] pair');
    const start = natural(pair[0], `${field}[${i}][0]`);
    const end = natural(pair[1], `${field}[${i}][1]`);
    if (start < previousEnd || end <= start) fail(`${field}[${i}]`, 'must be a non-empty range after the one before it');
    previousEnd = end;
    return [start, end];
  });
}

function fileOf(value: unknown, field: string, sectorBytes: number, nextFileId: number): FileState {
  const has = (key: string): boolean => typeof value === 'object' && value !== null && key in value;
  const damaged = has('badSectors');
  const forgotten = has('forgotten');
  const linked = has('linkTarget');
  const keys = ['id', 'durable', 'cache', 'journal', 'pending', 'syncBroken', 'badBits', ...(damaged ? ['badSectors'] : []), ...(forgotten ? ['forgotten'] : []), ...(linked ? ['linkTarget'] : [])];
  const record = object(value, field, keys);
  const id = natural(record['id'], `${field}.id`);
  if (id >= nextFileId) fail(`${field}.id`, `must be below disk.nextFileId (${nextFileId})`);
  const file = new FileState(id);
  file.durable = bytes(record['durable'], `${field}.durable`);
  file.cache = bytes(record['cache'], `${field}.cache`);
  file.journal = bytes(record['journal'], `${field}.journal`);
  file.pending = array(record['pending'], `${field}.pending`).map((raw, i) => pendingRecord(raw, `${field}.pending[${i}]`, file.journal.size));
  file.syncBroken = bool(record['syncBroken'], `${field}.syncBroken`);
  if (forgotten) file.forgotten = forgottenRanges(record['forgotten'], `${field}.forgotten`);
  if (linked) {
    const target = record['linkTarget'];
    if (typeof target !== 'string' || target === '') fail(`${field}.linkTarget`, 'must be a non-empty string');
    file.linkTarget = target;
  }
  for (const [i, raw] of array(record['badBits'], `${field}.badBits`).entries()) {
    const pair = array(raw, `${field}.badBits[${i}]`);
    if (pair.length !== 2) fail(`${field}.badBits[${i}]`, 'must be a [sector, bit] pair');
    const sector = natural(pair[0], `${field}.badBits[${i}][0]`);
    const bit = natural(pair[1], `${field}.badBits[${i}][1]`);
    if (Math.floor(bit / 8 / sectorBytes) !== sector) fail(`${field}.badBits[${i}]`, `bit ${bit} is not in sector ${sector}`);
    file.badBits ??= new Map();
    file.badBits.set(sector, bit);
  }
  if (damaged) badSectorsOf(file, record['badSectors'], `${field}.badSectors`);
  return file;
}

/** Points each misdirected write read by {@link pendingRecord} at its file. */
function resolveMisdirects(files: ReadonlyMap<number, FileState>): void {
  for (const file of files.values()) {
    file.pending = file.pending.map((raw) => {
      const { misdirectImage, ...record } = raw as PendingRecord & { misdirectImage?: MisdirectImage };
      if (misdirectImage === undefined || record.kind !== 'write') return raw;
      const target = files.get(misdirectImage.file) ?? fail(misdirectImage.field, `names file ${misdirectImage.file}, which disk.files does not hold`);
      return { ...record, misdirect: { file: target, offset: misdirectImage.offset } };
    });
  }
}

/** How an image's operations name files and directories (see {@link readTxn}). */
interface Refs {
  file(id: unknown, field: string): FileState;
  dir(path: unknown, field: string, removedBy?: unknown, removedField?: string): DirNode;
  /** The directory the rmdir numbered `seq` removed, listed with `removedBy`. */
  removed(seq: number): DirNode | undefined;
}

/** One logged directory operation of an image (`disk.txns[i]`, at `field`). */
function readTxn(raw: unknown, field: string, nextTxnSeq: number, refs: Refs): DirTxn {
  const record = object(raw, field, ['seq', 'committed', 'sets'], ['removesDir']);
  const seq = natural(record['seq'], `${field}.seq`);
  if (seq >= nextTxnSeq) fail(`${field}.seq`, `must be below disk.nextTxnSeq (${nextTxnSeq})`);
  const sets = array(record['sets'], `${field}.sets`).map((rawSet, j) => {
    const setField = `${field}.sets[${j}]`;
    const moved = typeof rawSet === 'object' && rawSet !== null && 'movedDir' in rawSet;
    const set = object(rawSet, setField, ['dir', 'name', moved ? 'movedDir' : 'file'], moved ? ['dirRemovedBy', 'movedDirRemovedBy'] : ['dirRemovedBy']);
    let target: Entry | undefined;
    if (moved) target = refs.dir(set['movedDir'], `${setField}.movedDir`, set['movedDirRemovedBy'], `${setField}.movedDirRemovedBy`);
    else target = set['file'] === null ? undefined : refs.file(set['file'], `${setField}.file`);
    return { dir: refs.dir(set['dir'], `${setField}.dir`, set['dirRemovedBy'], `${setField}.dirRemovedBy`), name: text(set['name'], `${setField}.name`), target };
  });
  if (record['removesDir'] === undefined) return { seq, sets, committed: bool(record['committed'], `${field}.committed`) };
  if (record['removesDir'] !== true) fail(`${field}.removesDir`, `must be true or absent, found ${found(record['removesDir'])}`);
  const removes = refs.removed(seq) ?? fail(`${field}.removesDir`, `no directory in disk.dirs is removedBy ${seq}`);
  return { seq, sets, committed: bool(record['committed'], `${field}.committed`), removes };
}

/**
 * Reads an image (parsed JSON) into a new disk.
 * @param value - the parsed image
 * @returns the disk and the machine counters
 * @throws {@link DiskImageError} naming the first field that is wrong
 */
export function importDiskImage(value: unknown): ImportedDisk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(root)', `must be an object, found ${found(value)}`);
  const root = value as Json;
  if (root['format'] !== diskImageFormat) fail('format', `must be "${diskImageFormat}", found ${found(root['format'])}`);
  if (root['version'] !== diskImageVersion) fail('version', `${found(root['version'])} is not supported (this build reads version ${diskImageVersion})`);
  object(root, '(root)', ['format', 'version', 'machine', 'disk']);
  const m = object(root['machine'], 'machine', ['ioCount', 'incarnation', 'powerLossCount']);
  const machine: MachineState = {
    ioCount: natural(m['ioCount'], 'machine.ioCount'),
    incarnation: natural(m['incarnation'], 'machine.incarnation'),
    powerLossCount: natural(m['powerLossCount'], 'machine.powerLossCount'),
  };
  const d = object(root['disk'], 'disk', ['sectorBytes', 'capacityBytes', 'nextFileId', 'nextTxnSeq', 'files', 'dirs', 'txns'], ['dirOrder', 'dataOrder', 'sectorWrites', 'nameSync', 'blockBytes']);
  const sectorBytes = d['sectorBytes'];
  if (sectorBytes !== 512 && sectorBytes !== 4096) fail('disk.sectorBytes', `must be 512 or 4096, found ${found(sectorBytes)}`);
  const orders = diskOrders(d);
  const capacityBytes = d['capacityBytes'] === null ? Infinity : natural(d['capacityBytes'], 'disk.capacityBytes');
  const blockBytes = d['blockBytes'] ?? defaultBlockBytes;
  if (!blockSizes.includes(blockBytes as number)) fail('disk.blockBytes', `must be one of ${blockSizes.join(', ')} or absent, found ${found(d['blockBytes'])}`);
  const nextFileId = natural(d['nextFileId'], 'disk.nextFileId');
  const nextTxnSeq = natural(d['nextTxnSeq'], 'disk.nextTxnSeq');

  const files = new Map<number, FileState>();
  array(d['files'], 'disk.files').forEach((raw, i) => {
    const file = fileOf(raw, `disk.files[${i}]`, sectorBytes, nextFileId);
    if (files.has(file.id)) fail(`disk.files[${i}].id`, `${file.id} is listed twice`);
    files.set(file.id, file);
  });
  resolveMisdirects(files);

  // Directories first as empty shells, so that entries and operations can refer to any of them.
  // One a pending rmdir removed is keyed by its path and that rmdir, and stays out of the table.
  const rawDirs = array(d['dirs'], 'disk.dirs').map((raw, i) => object(raw, `disk.dirs[${i}]`, ['path', 'cache', 'durable', 'log'], ['removedBy']));
  const dirs = new Map<string, DirNode>();
  const tabled: DirNode[] = [];
  const removedDirs = new Map<number, DirNode>();
  const keyOf = (path: string, removedBy: number | undefined): string => (removedBy === undefined ? path : `${path}\u0000${removedBy}`);
  const removedByOf = (value: unknown, field: string): number | undefined => (value === undefined ? undefined : natural(value, field));
  rawDirs.forEach((raw, i) => {
    const path = text(raw['path'], `disk.dirs[${i}].path`);
    const key = keyOf(path, removedByOf(raw['removedBy'], `disk.dirs[${i}].removedBy`));
    if (dirs.has(key)) fail(`disk.dirs[${i}].path`, `${found(path)} is listed twice`);
    const dir: DirNode = { kind: 'dir', path, cache: new Map(), durable: new Map(), log: [] };
    dirs.set(key, dir);
    if (raw['removedBy'] === undefined) tabled.push(dir);
    else removedDirs.set(raw['removedBy'] as number, dir);
  });
  for (const path of ['/', '.']) if (!dirs.has(path)) fail('disk.dirs', `must include the root ${found(path)}`);
  const fileRef = (id: unknown, field: string): FileState => {
    const file = files.get(natural(id, field));
    return file ?? fail(field, `names file ${found(id)}, which disk.files does not hold`);
  };
  const dirRef = (path: unknown, field: string, removedBy?: unknown, removedField = field): DirNode => {
    const dir = dirs.get(keyOf(text(path, field), removedByOf(removedBy, removedField)));
    return dir ?? fail(field, `names directory ${found(path)}, which disk.dirs does not hold`);
  };

  const refs: Refs = { file: fileRef, dir: dirRef, removed: (seq) => removedDirs.get(seq) };
  const txns = new Map<number, DirTxn>();
  array(d['txns'], 'disk.txns').forEach((raw, i) => {
    const txn = readTxn(raw, `disk.txns[${i}]`, nextTxnSeq, refs);
    if (txns.has(txn.seq)) fail(`disk.txns[${i}].seq`, `${txn.seq} is listed twice`);
    txns.set(txn.seq, txn);
  });

  rawDirs.forEach((raw, i) => {
    const field = `disk.dirs[${i}]`;
    const dir = dirs.get(keyOf(raw['path'] as string, raw['removedBy'] as number | undefined))!;
    for (const which of ['cache', 'durable'] as const) {
      array(raw[which], `${field}.${which}`).forEach((rawEntry, j) => {
        const entryField = `${field}.${which}[${j}]`;
        const keys = typeof rawEntry === 'object' && rawEntry !== null && 'dir' in rawEntry ? ['name', 'dir'] : ['name', 'file'];
        const record = object(rawEntry, entryField, keys, keys[1] === 'dir' ? ['removedBy'] : []);
        const name = text(record['name'], `${entryField}.name`);
        if (name === '' || name === '.' || name === '..' || name.includes('/')) fail(`${entryField}.name`, `${found(name)} is not a file name`);
        if (dir[which].has(name)) fail(`${entryField}.name`, `${found(name)} is listed twice`);
        let entry: Entry;
        if (keys[1] === 'dir') {
          entry = dirRef(record['dir'], `${entryField}.dir`, record['removedBy'], `${entryField}.removedBy`);
          // The durable map may still hold a renamed directory at its old name.
          if (which === 'cache' && entry.path !== childPath(dir.path, name)) fail(`${entryField}.dir`, `${found(entry.path)} is not the path of ${found(name)} in ${found(dir.path)}`);
        } else {
          entry = fileRef(record['file'], `${entryField}.file`);
        }
        dir[which].set(name, entry);
      });
    }
    for (const [j, seq] of array(raw['log'], `${field}.log`).entries()) {
      const txn = txns.get(natural(seq, `${field}.log[${j}]`));
      dir.log.push(txn ?? fail(`${field}.log[${j}]`, `names operation ${found(seq)}, which disk.txns does not hold`));
    }
  });

  const disk = SimDisk.fromInternals(sectorBytes, { dirs: tabled, nextFileId, nextTxnSeq }, blockBytes as number);
  disk.capacityBytes = capacityBytes;
  Object.assign(disk, orders);
  return { disk, machine };
}

/**
 * The disk's orders and name sync an image records, each only when not the default (absent
 * fields keep the disk's defaults). @throws {@link DiskImageError} for any other value
 */
function diskOrders(d: Json): Partial<Pick<SimDisk, 'dirOrder' | 'dataOrder' | 'sectorWrites' | 'nameSync'>> {
  const orders: { dirOrder?: 'per-name'; dataOrder?: 'ordered'; sectorWrites?: 'atomic'; nameSync?: 'journal' } = {};
  const fields = [['dirOrder', 'per-name'], ['dataOrder', 'ordered'], ['sectorWrites', 'atomic'], ['nameSync', 'journal']] as const;
  for (const [field, value] of fields) {
    if (d[field] === undefined) continue;
    if (d[field] !== value) fail(`disk.${field}`, `must be "${value}" or absent, found ${found(d[field])}`);
    (orders as Record<string, string>)[field] = value;
  }
  return orders;
}
