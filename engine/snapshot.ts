/**
 * Snapshots: the whole key-value state at one LSN, written by a checkpoint so that the WAL
 * segments it covers can be pruned. File `snapshot-<lsn:20 digits>.snap`:
 * ```
 * offset  size  field
 * 0       8     magic "PCSNAPSH"
 * 8       4     format version (1)
 * 12      4     reserved, zero
 * 16      8     LSN: the state includes every commit up to and including this one
 * 24      8     entry count N
 * 32      ...   N entries: u32 key length K, K bytes UTF-8 key, u32 value length V, V bytes
 * end-4   4     CRC-32C of every byte before it
 * ```
 * The whole file is checked before any of it is used: a snapshot is all or nothing.
 */
import { keyBytesMax, valueBytesMax } from './limits.ts';
import { decodeUtf8, encodeUtf8 } from './utf8.ts';
import { crc32c } from './wal/crc32c.ts';

const MAGIC = [0x50, 0x43, 0x53, 0x4e, 0x41, 0x50, 0x53, 0x48];
const VERSION = 1;
const HEADER_BYTES = 32;
const SNAPSHOT_NAME = /^snapshot-(\d{20})\.snap$/;

/** The file name of the snapshot at `lsn`. */
export function snapshotName(lsn: number): string {
  return `snapshot-${String(lsn).padStart(20, '0')}.snap`;
}

/** The LSN in a snapshot file name, or `undefined`. */
export function parseSnapshotName(name: string): number | undefined {
  const match = SNAPSHOT_NAME.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Encodes the state at `lsn`. Entries are written in key order so equal states give equal files. */
export function encodeSnapshot(lsn: number, state: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const keys = [...state.keys()].sort();
  const encodedKeys = keys.map((key) => encodeUtf8(key));
  let size = HEADER_BYTES + 4;
  keys.forEach((key, i) => {
    size += 8 + encodedKeys[i]!.length + state.get(key)!.length;
  });
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(8, VERSION, true);
  view.setBigUint64(16, BigInt(lsn), true);
  view.setBigUint64(24, BigInt(keys.length), true);
  let at = HEADER_BYTES;
  keys.forEach((key, i) => {
    const keyBytes = encodedKeys[i]!;
    const value = state.get(key)!;
    view.setUint32(at, keyBytes.length, true);
    bytes.set(keyBytes, at + 4);
    at += 4 + keyBytes.length;
    view.setUint32(at, value.length, true);
    bytes.set(value, at + 4);
    at += 4 + value.length;
  });
  view.setUint32(at, crc32c(bytes, 0, at), true);
  return bytes;
}

/** A decoded snapshot, or the reason it was refused and the offset where the problem is. */
export type SnapshotDecoding =
  | { readonly lsn: number; readonly state: Map<string, Uint8Array> }
  | { readonly problem: string; readonly offset: number; readonly version?: number };

/**
 * Decodes and fully verifies a snapshot file. Values are views into `bytes`, as in
 * `decodeBatch`: a caller that keeps them copies them first.
 */
export function decodeSnapshot(bytes: Uint8Array): SnapshotDecoding {
  if (bytes.length < HEADER_BYTES + 4) return { problem: 'file too short for a snapshot', offset: 0 };
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return { problem: 'bad magic', offset: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 4;
  if (view.getUint32(end, true) !== crc32c(bytes, 0, end)) return { problem: 'checksum mismatch', offset: 0 };
  const version = view.getUint32(8, true);
  if (version !== VERSION) return { problem: `unknown version ${version}`, offset: 8, version };
  const lsn = Number(view.getBigUint64(16, true));
  const count = Number(view.getBigUint64(24, true));
  const state = new Map<string, Uint8Array>();
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) return { problem: 'entry header past the end', offset: at };
    const keyLength = view.getUint32(at, true);
    if (keyLength > keyBytesMax || keyLength > end - at - 4) return { problem: 'bad key length', offset: at };
    let key: string;
    try {
      key = decodeUtf8(bytes, at + 4, at + 4 + keyLength);
    } catch {
      return { problem: 'key is not UTF-8', offset: at };
    }
    at += 4 + keyLength;
    if (at + 4 > end) return { problem: 'value header past the end', offset: at };
    const valueLength = view.getUint32(at, true);
    if (valueLength > valueBytesMax || valueLength > end - at - 4) return { problem: 'bad value length', offset: at };
    state.set(key, bytes.subarray(at + 4, at + 4 + valueLength));
    at += 4 + valueLength;
  }
  if (at !== end) return { problem: 'trailing bytes after the last entry', offset: at };
  return { lsn, state };
}
