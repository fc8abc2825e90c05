/**
 * The sidecar index of a segment, `<segment>.wal.idx`: the offset of every frame in the
 * segment (LSN → offset, the LSNs being consecutive from the segment's base LSN), and a synced
 * watermark.
 *
 * ```
 * offset  size  field
 * 0       8     magic "PCWALIDX"
 * 8       4     format version (1)
 * 12      4     CRC-32C of bytes [16, end)
 * 16      8     segment sequence number
 * 24      8     base LSN of the segment
 * 32      8     synced LSN: every frame of the segment with an LSN at most this had been
 *               fsynced when this sidecar was written (0: none known)
 * 40      4     entry count N
 * 44      4     end offset: the segment bytes the index covers (just past frame N)
 * 48      4*N   frame offsets, ascending
 * ```
 * The sidecar is a cache: it is rewritten as `.tmp`, fsynced, renamed and the directory
 * fsynced, and whenever it disagrees with its segment it is rebuilt from the segment, because
 * the segment always wins. Its synced watermark is evidence for recovery (recovery.ts): a
 * damaged frame at or below it had been made durable, so it is corruption, not a torn tail.
 */
import { crc32c } from './crc32c.ts';

/** The sidecar magic, "PCWALIDX". */
const SIDECAR_MAGIC = [0x50, 0x43, 0x57, 0x41, 0x4c, 0x49, 0x44, 0x58];
const SIDECAR_VERSION = 1;
const SIDECAR_HEADER_BYTES = 48;

/** The contents of a sidecar index. */
export interface SidecarIndex {
  readonly seq: number;
  readonly baseLsn: number;
  readonly syncedLsn: number;
  readonly offsets: readonly number[];
  readonly endOffset: number;
}

/** Encodes a sidecar. */
export function encodeSidecar(index: SidecarIndex): Uint8Array {
  const bytes = new Uint8Array(SIDECAR_HEADER_BYTES + 4 * index.offsets.length);
  const view = new DataView(bytes.buffer);
  bytes.set(SIDECAR_MAGIC, 0);
  view.setUint32(8, SIDECAR_VERSION, true);
  view.setBigUint64(16, BigInt(index.seq), true);
  view.setBigUint64(24, BigInt(index.baseLsn), true);
  view.setBigUint64(32, BigInt(index.syncedLsn), true);
  view.setUint32(40, index.offsets.length, true);
  view.setUint32(44, index.endOffset, true);
  index.offsets.forEach((offset, i) => view.setUint32(SIDECAR_HEADER_BYTES + 4 * i, offset, true));
  view.setUint32(12, crc32c(bytes, 16), true);
  return bytes;
}

/** Decodes a sidecar, or returns `undefined` if it is damaged or malformed in any way. */
export function decodeSidecar(bytes: Uint8Array): SidecarIndex | undefined {
  if (bytes.length < SIDECAR_HEADER_BYTES) return undefined;
  for (let i = 0; i < SIDECAR_MAGIC.length; i++) if (bytes[i] !== SIDECAR_MAGIC[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8, true) !== SIDECAR_VERSION) return undefined;
  if (view.getUint32(12, true) !== crc32c(bytes, 16)) return undefined;
  const count = view.getUint32(40, true);
  if (bytes.length !== SIDECAR_HEADER_BYTES + 4 * count) return undefined;
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) offsets.push(view.getUint32(SIDECAR_HEADER_BYTES + 4 * i, true));
  const seq = Number(view.getBigUint64(16, true));
  const baseLsn = Number(view.getBigUint64(24, true));
  const syncedLsn = Number(view.getBigUint64(32, true));
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(baseLsn) || !Number.isSafeInteger(syncedLsn)) return undefined;
  return { seq, baseLsn, syncedLsn, offsets, endOffset: view.getUint32(44, true) };
}

/** Whether a sidecar describes exactly the frames a scan of its segment found. */
export function sidecarMatches(index: SidecarIndex, actual: SidecarIndex): boolean {
  if (index.seq !== actual.seq || index.baseLsn !== actual.baseLsn) return false;
  if (index.endOffset !== actual.endOffset || index.offsets.length !== actual.offsets.length) return false;
  return index.offsets.every((offset, i) => offset === actual.offsets[i]);
}

/**
 * Whether a sidecar indexes a prefix of the frames a scan of its segment found, ending where the
 * next frame starts (as the last segment's may between rewrites).
 */
export function sidecarIsPrefix(index: SidecarIndex, actual: SidecarIndex): boolean {
  if (index.seq !== actual.seq || index.baseLsn !== actual.baseLsn || index.offsets.length > actual.offsets.length) return false;
  if (!index.offsets.every((offset, i) => offset === actual.offsets[i])) return false;
  const next = actual.offsets[index.offsets.length];
  return next === undefined ? true : index.endOffset === next;
}
