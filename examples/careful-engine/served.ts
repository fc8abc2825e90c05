/**
 * What the last open served: `careful.served`, written after every recovery, compaction and
 * clean close, names the log it describes (the checksum of its first record) and how many bytes
 * of it were read intact and fsynced (or, after a close, written and fsynced).
 *
 * Why: a record the last open served was read back whole and made durable, and a caller may have
 * seen its commit. If later damage to the disk (a bad sector) hits such a record while no later
 * record vouches for it (rule 3 of recover.ts), it looks exactly like a torn tail, and cutting it
 * would silently drop a commit that had been served. With this file, damage below the served
 * size is corruption (rule 4 of recover.ts), whatever follows.
 *
 * Format (16 bytes, little-endian): magic `CSRV`, u32 served bytes, u32 CRC-32 of the log's
 * first record body (0 for an empty log), u32 CRC-32 of the 12 bytes before it. Written to
 * `careful.served.tmp`, fsynced, renamed into place and the directory fsynced, so a crash
 * leaves the old file or the new one, never a torn one: a file that does not parse is damage.
 */
import { crc32 } from './crc32.ts';
import { CarefulCorruptionError } from './errors.ts';
import { readRecordAt } from './format.ts';
import type { FileSystem } from './ports.ts';

export const servedName = 'careful.served';
export const servedTmpName = 'careful.served.tmp';

const magic = 0x56525343; // 'CSRV' read as a little-endian u32
const fileBytes = 16;

/** What an open served of one log. */
export interface Served {
  /** The body checksum of the log's first record: which log this describes (0: an empty log). */
  readonly firstCrc: number;
  /** How many bytes of that log were served intact and fsynced. */
  readonly bytes: number;
}

/** The checksum of the first record of `log`, or undefined when it is not intact (0 when empty). */
export function firstRecordCrc(log: Uint8Array): number | undefined {
  if (log.length === 0) return 0;
  const read = readRecordAt(log, 0);
  return read.kind === 'intact' && read.record.prevCrc === 0 ? read.record.crc : undefined;
}

/** The bytes of the file for `served`. */
export function encodeServed(served: Served): Uint8Array {
  const bytes = new Uint8Array(fileBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, served.bytes, true);
  view.setUint32(8, served.firstCrc, true);
  view.setUint32(12, crc32(bytes.subarray(0, 12)), true);
  return bytes;
}

/**
 * Parses the file's bytes.
 * @throws CarefulCorruptionError naming the file when they do not parse (it is only ever renamed
 *   into place whole, so only damage to the disk leaves it so)
 */
export function decodeServed(bytes: Uint8Array, path: string): Served {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length !== fileBytes || view.getUint32(0, true) !== magic || view.getUint32(12, true) !== crc32(bytes.subarray(0, 12))) {
    throw new CarefulCorruptionError(path, 0, `the record of what the last open served does not parse (${bytes.length} bytes)`);
  }
  return { bytes: view.getUint32(4, true), firstCrc: view.getUint32(8, true) };
}

/**
 * Reads the file in `dir`, or undefined when there is none (a store made before it existed).
 * @param names - the directory's listing, taken before the log is opened
 */
export async function readServed(fs: FileSystem, dir: string, names: readonly string[]): Promise<Served | undefined> {
  if (names.includes(servedTmpName)) await fs.unlink(`${dir}/${servedTmpName}`);
  if (!names.includes(servedName)) return undefined;
  const path = `${dir}/${servedName}`;
  const handle = await fs.open(path);
  try {
    return decodeServed(await handle.read(0, await handle.size()), path);
  } finally {
    await handle.close();
  }
}

/** Writes the file in `dir` atomically (temporary file, fsync, rename, directory fsync). */
export async function writeServed(fs: FileSystem, dir: string, served: Served): Promise<void> {
  const tmpPath = `${dir}/${servedTmpName}`;
  const handle = await fs.open(tmpPath, { create: true, truncate: true });
  try {
    await handle.write(0, encodeServed(served));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmpPath, `${dir}/${servedName}`);
  await fs.syncDir(dir);
}

/**
 * The served size that binds the log in `log`: the recorded one when it describes this log, else
 * none. When the log's first record is damaged the file cannot say whether it describes this
 * log; a compacted log is renamed into place only once whole and fsynced, so its first record
 * is never torn, and a served size above 0 then means damage.
 * @throws CarefulCorruptionError when the first record is damaged below a served size
 */
export function servedBound(served: Served | undefined, log: Uint8Array, path: string): number {
  if (served === undefined || served.bytes === 0) return 0;
  // No compaction writes an empty log, and nothing cuts one below what an open served.
  if (log.length === 0) throw new CarefulCorruptionError(path, 0, `the log is empty, and the last open served ${served.bytes} bytes of it (a lost file)`);
  const first = firstRecordCrc(log);
  if (first === undefined) throw new CarefulCorruptionError(path, 0, `the first record is damaged, and the last open served ${served.bytes} bytes`);
  return first === served.firstCrc ? served.bytes : 0;
}
