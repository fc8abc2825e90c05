/**
 * The on-disk format of WAL segments, shared by the writer, the reader and `verify`.
 * All integers are little-endian. LSNs are stored as u64 and must stay below 2^53.
 *
 * Segment file `<seq:20 digits>.wal`:
 * ```
 * offset  size  field
 * 0       8     magic "PCWALSEG"
 * 8       4     format version (1)
 * 12      4     CRC-32C of bytes [0,12) ++ [16,32)
 * 16      8     segment sequence number (equals the number in the file name)
 * 24      8     base LSN: the LSN the first frame of this segment carries
 * 32      ...   frames, back to back, each starting at a multiple of 8
 * ```
 * A segment is created as `<name>.tmp`, its header synced, then renamed into place and the
 * directory synced, so a segment header is never torn: a bad header is corruption.
 *
 * Frame (one committed batch):
 * ```
 * offset  size  field
 * 0       4     header CRC-32C over bytes [4,28) of the frame
 * 4       4     payload length P in bytes (at most framePayloadBytesMax)
 * 8       8     LSN of this commit (the previous frame's LSN + 1)
 * 16      8     durable LSN: the highest LSN known fsynced when this frame was written
 * 24      4     payload CRC-32C over bytes [28, 28+P)
 * 28      P     payload: the batch (below)
 * 28+P    0..7  zero padding to the next multiple of 8
 * ```
 * The header has its own checksum so that a damaged length field is never trusted to find the
 * payload, and so that recovery can scan forward for the next intact frame after a bad one.
 * The durable LSN is what lets recovery tell a torn tail (never synced, safe to cut) from
 * damage to synced data (refuse): see recovery.ts.
 *
 * Batch payload:
 * ```
 * u32 operation count N (1..batchOpsMax)
 * N times:  u8 type (1 = put, 2 = delete)
 *           u32 key length K, K bytes of UTF-8 key
 *           (put only) u32 value length V, V bytes of value
 * ```
 */
import { assert } from '../assert.ts';
import { batchOpsMax, framePayloadBytesMax, keyBytesMax, valueBytesMax } from '../limits.ts';
import type { Op } from '../types.ts';
import { crc32c } from './crc32c.ts';
import { decodeUtf8, encodeUtf8 } from '../utf8.ts';

/** Bytes before the first frame of a segment. */
export const segmentHeaderBytes = 32;
/** Bytes of a frame header. */
export const frameHeaderBytes = 28;
/** Frames start at multiples of this. */
export const frameAlignBytes = 8;
/** The segment magic, "PCWALSEG". */
export const segmentMagic = new Uint8Array([0x50, 0x43, 0x57, 0x41, 0x4c, 0x53, 0x45, 0x47]);
/** The segment and frame format version this engine writes and reads. */
export const walFormatVersion = 1;

const OP_PUT = 1;
const OP_DELETE = 2;

/** A decoded segment header. */
export interface SegmentHeader {
  readonly seq: number;
  readonly baseLsn: number;
}

/** A decoded frame header. */
export interface FrameHeader {
  readonly payloadBytes: number;
  readonly lsn: number;
  readonly durableLsn: number;
  readonly payloadCrc: number;
}

/** Total bytes a frame with `payloadBytes` occupies, padding included. */
export function frameBytes(payloadBytes: number): number {
  const raw = frameHeaderBytes + payloadBytes;
  return Math.ceil(raw / frameAlignBytes) * frameAlignBytes;
}

/** Reads a little-endian u64 as a number, or NaN above 2^53 (no BigInt: this is on the hot path). */
function u64(view: DataView, offset: number): number {
  const high = view.getUint32(offset + 4, true);
  if (high > 0x1fffff) return Number.NaN;
  return high * 0x1_0000_0000 + view.getUint32(offset, true);
}

/** Encodes a segment header. */
export function encodeSegmentHeader(header: SegmentHeader): Uint8Array {
  const bytes = new Uint8Array(segmentHeaderBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(segmentMagic, 0);
  view.setUint32(8, walFormatVersion, true);
  view.setBigUint64(16, BigInt(header.seq), true);
  view.setBigUint64(24, BigInt(header.baseLsn), true);
  view.setUint32(12, segmentHeaderCrc(bytes), true);
  return bytes;
}

/** The 28 bytes a segment header's checksum covers, gathered here (reused: no await in between). */
const headerCovered = new Uint8Array(28);

/** CRC-32C of a segment header's bytes [0, 12) then [16, 32): all but the checksum field. */
function segmentHeaderCrc(bytes: Uint8Array): number {
  for (let i = 0; i < 12; i++) headerCovered[i] = bytes[i]!;
  for (let i = 16; i < 32; i++) headerCovered[i - 4] = bytes[i]!;
  return crc32c(headerCovered);
}

/** Why a segment header was refused. */
export type SegmentHeaderProblem = 'short' | 'magic' | 'checksum' | 'version';

/** Decodes a segment header, or says what is wrong with it. */
export function decodeSegmentHeader(bytes: Uint8Array): SegmentHeader | { problem: SegmentHeaderProblem; version?: number } {
  if (bytes.length < segmentHeaderBytes) return { problem: 'short' };
  for (let i = 0; i < segmentMagic.length; i++) if (bytes[i] !== segmentMagic[i]) return { problem: 'magic' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, segmentHeaderBytes);
  if (view.getUint32(12, true) !== segmentHeaderCrc(bytes)) return { problem: 'checksum' };
  const version = view.getUint32(8, true);
  if (version !== walFormatVersion) return { problem: 'version', version };
  return { seq: u64(view, 16), baseLsn: u64(view, 24) };
}

/** Encoded size of a batch payload, without encoding it. Keys must already be validated. */
function encodedKeys(ops: readonly Op[]): { keys: Uint8Array[]; payloadBytes: number } {
  let payloadBytes = 4;
  const keys: Uint8Array[] = [];
  for (const op of ops) {
    const key = encodeUtf8(op.key);
    keys.push(key);
    payloadBytes += 1 + 4 + key.length + (op.type === 'put' ? 4 + op.value.length : 0);
  }
  return { keys, payloadBytes };
}

/** Encodes a batch payload. The caller has checked the limits (store.ts `validateBatch`). */
export function encodeBatch(ops: readonly Op[]): Uint8Array {
  const { keys, payloadBytes } = encodedKeys(ops);
  const bytes = new Uint8Array(payloadBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ops.length, true);
  let at = 4;
  ops.forEach((op, i) => {
    const key = keys[i]!;
    bytes[at] = op.type === 'put' ? OP_PUT : OP_DELETE;
    view.setUint32(at + 1, key.length, true);
    bytes.set(key, at + 5);
    at += 5 + key.length;
    if (op.type === 'put') {
      view.setUint32(at, op.value.length, true);
      bytes.set(op.value, at + 4);
      at += 4 + op.value.length;
    }
  });
  assert(at === payloadBytes, 'batch encoding filled exactly its computed size');
  return bytes;
}

/**
 * Decodes a batch payload whose checksum has already been verified. A checksum-valid payload
 * that does not parse was written by a different program or a buggy writer: the caller treats
 * `undefined` as corruption, never as an empty batch. Values are views into `payload`, not
 * copies: analysis discards most of them, and a caller that keeps them copies them first
 * (recover.ts, `ownedValues`).
 */
export function decodeBatch(payload: Uint8Array): Op[] | undefined {
  if (payload.length < 4) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const count = view.getUint32(0, true);
  if (count < 1 || count > batchOpsMax) return undefined;
  const ops: Op[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 5 > payload.length) return undefined;
    const type = payload[at]!;
    const keyBytes = view.getUint32(at + 1, true);
    at += 5;
    // Never trust a length beyond the bytes left or the limit.
    if (keyBytes > keyBytesMax || keyBytes > payload.length - at) return undefined;
    let key: string;
    try {
      key = decodeUtf8(payload, at, at + keyBytes);
    } catch {
      return undefined;
    }
    at += keyBytes;
    if (type === OP_DELETE) {
      ops.push({ type: 'delete', key });
    } else if (type === OP_PUT) {
      if (at + 4 > payload.length) return undefined;
      const valueBytes = view.getUint32(at, true);
      at += 4;
      if (valueBytes > valueBytesMax || valueBytes > payload.length - at) return undefined;
      ops.push({ type: 'put', key, value: payload.subarray(at, at + valueBytes) });
      at += valueBytes;
    } else {
      return undefined;
    }
  }
  return at === payload.length ? ops : undefined;
}

/** Encodes one frame, padding included. */
export function encodeFrame(lsn: number, durableLsn: number, payload: Uint8Array): Uint8Array {
  assert(payload.length <= framePayloadBytesMax, 'frame payload within limit');
  assert(durableLsn < lsn, 'a frame cannot be durable before it is written');
  const bytes = new Uint8Array(frameBytes(payload.length));
  const view = new DataView(bytes.buffer);
  view.setUint32(4, payload.length, true);
  view.setBigUint64(8, BigInt(lsn), true);
  view.setBigUint64(16, BigInt(durableLsn), true);
  bytes.set(payload, frameHeaderBytes);
  view.setUint32(24, crc32c(bytes, frameHeaderBytes, frameHeaderBytes + payload.length), true);
  view.setUint32(0, crc32c(bytes, 4, frameHeaderBytes), true);
  return bytes;
}

/**
 * Decodes the frame header at `offset` if its checksum holds and its fields are plausible
 * (length within the limit; LSN fields representable).
 */
export function decodeFrameHeader(bytes: Uint8Array, offset: number): FrameHeader | undefined {
  if (offset + frameHeaderBytes > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, frameHeaderBytes);
  if (view.getUint32(0, true) !== crc32c(bytes, offset + 4, offset + frameHeaderBytes)) return undefined;
  const payloadBytes = view.getUint32(4, true);
  if (payloadBytes > framePayloadBytesMax) return undefined;
  const lsn = u64(view, 8);
  const durableLsn = u64(view, 16);
  if (!Number.isFinite(lsn) || !Number.isFinite(durableLsn) || durableLsn >= lsn) return undefined;
  return { payloadBytes, lsn, durableLsn, payloadCrc: view.getUint32(24, true) };
}

/** Whether `bytes[start, end)` are all zero. */
export function isAllZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}
