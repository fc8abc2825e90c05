/**
 * The careful store's log format, shared by the writer (store.ts) and the reader (recover.ts).
 *
 * The log is one file of records, back to back from offset 0; there is no file header. Every
 * integer is an unsigned 32-bit little-endian number.
 *
 * Record:
 *
 *   offset    bytes  field
 *   0         4      magic          c3 5a a5 3c
 *   4         4      bodyBytes      n, the length of the body
 *   8         4      bodyBytesNot   ~n: guards the length, which the body checksum cannot
 *   12        4      bodyCrc        CRC-32 of the body
 *   16        n      body
 *   16 + n    4      trailer        3c a5 5a c3
 *
 * Body:
 *
 *   0         4      prevCrc        bodyCrc of the record before this one in the file (0 for the first)
 *   4         4      durableBytes   how many bytes of the file were known fsynced when this record
 *                                   was written: a later record vouches for the earlier ones
 *   8         4      opCount
 *   12        ...    opCount ops:   u8 kind (1 put, 2 delete), u32 keyBytes, key (UTF-8),
 *                                   and for a put u32 valueBytes, value
 *
 * Why each field:
 * - magic and trailer: each of their bytes has four bits set, so a record whose first or last
 *   sector never landed (zeros there) differs in more than one bit, however few of its bytes
 *   that sector held, and is never taken for bit rot.
 * - bodyBytes and its complement: a torn header fails the pair; a flipped bit in the length
 *   shows as a one-bit difference instead of a record that seems to run past the end of file.
 * - prevCrc chains each record to the one before it, so a stale record left behind a cut that
 *   never reached the disk is not mistaken for the next one.
 *
 * Limits are checked when a record is written and again when it is read: a decoder never trusts
 * a length beyond the bytes left or the limit.
 */
import { crc32, isSingleBitError, popcount } from './crc32.ts';
import { CarefulLimitError } from './errors.ts';

/** One operation of a batch (the same shape powercut passes). */
export type CarefulOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

export const headerBytes = 16;
export const trailerBytes = 4;
const magic = 0x3ca55ac3;
const trailer = 0xc35aa53c;
const bodyFixedBytes = 12;

/** Longest key, in UTF-8 bytes. */
export const keyBytesMax = 4096;
/** Longest value. */
export const valueBytesMax = 1 << 20;
/** Most operations in one batch. */
export const opsMax = 10_000;
/** Longest record body: also bounds a checkpoint, which writes the whole state as one record. */
export const bodyBytesMax = 64 << 20;
/** Longest log: offsets are 32-bit, and open reads the whole log at once. */
export const logBytesMax = 1 << 30;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A record read back intact. */
export interface LogRecord {
  readonly offset: number;
  /** The offset just past the record. */
  readonly end: number;
  readonly crc: number;
  readonly prevCrc: number;
  readonly durableBytes: number;
  readonly ops: readonly CarefulOp[];
}

/**
 * What is at an offset:
 * - `intact`: a whole record with every check passing;
 * - `cut-off`: the file ends inside the record (a crash during the append);
 * - `garbage`: more than one bit differs from any record (zeros, random bytes: a torn write);
 * - `single-bit`: exactly one bit differs from an intact record (bit rot);
 * - `malformed`: checksums pass over contents no writer produces (a bug, or tampering).
 */
export type RecordRead =
  | { readonly kind: 'intact'; readonly record: LogRecord }
  | { readonly kind: 'cut-off' | 'garbage' | 'single-bit' | 'malformed'; readonly detail: string };

/**
 * Encodes one record.
 * @throws CarefulLimitError when the body would exceed {@link bodyBytesMax}
 */
export function encodeRecord(ops: readonly CarefulOp[], prevCrc: number, durableBytes: number): { bytes: Uint8Array; crc: number } {
  const keys = ops.map((op) => encoder.encode(op.key));
  let bodyBytes = bodyFixedBytes;
  ops.forEach((op, i) => {
    bodyBytes += 1 + 4 + keys[i]!.length + (op.type === 'put' ? 4 + op.value.length : 0);
  });
  if (bodyBytes > bodyBytesMax) throw new CarefulLimitError(`a record of ${bodyBytes} bytes, more than ${bodyBytesMax}`);
  const bytes = new Uint8Array(headerBytes + bodyBytes + trailerBytes);
  const view = new DataView(bytes.buffer);
  let at = headerBytes;
  view.setUint32(at, prevCrc, true);
  view.setUint32(at + 4, durableBytes, true);
  view.setUint32(at + 8, ops.length, true);
  at += bodyFixedBytes;
  ops.forEach((op, i) => {
    const key = keys[i]!;
    bytes[at] = op.type === 'put' ? 1 : 2;
    view.setUint32(at + 1, key.length, true);
    bytes.set(key, at + 5);
    at += 5 + key.length;
    if (op.type === 'put') {
      view.setUint32(at, op.value.length, true);
      bytes.set(op.value, at + 4);
      at += 4 + op.value.length;
    }
  });
  const crc = crc32(bytes, headerBytes, headerBytes + bodyBytes);
  view.setUint32(0, magic, true);
  view.setUint32(4, bodyBytes, true);
  view.setUint32(8, ~bodyBytes >>> 0, true);
  view.setUint32(12, crc, true);
  view.setUint32(headerBytes + bodyBytes, trailer, true);
  return { bytes, crc };
}

/** Why a batch cannot be written, or `undefined` when it can. */
export function batchProblem(ops: readonly CarefulOp[]): string | undefined {
  if (ops.length > opsMax) return `${ops.length} operations, more than ${opsMax}`;
  for (const op of ops) {
    if (encoder.encode(op.key).length > keyBytesMax) return `a key longer than ${keyBytesMax} bytes`;
    if (op.type === 'put' && op.value.length > valueBytesMax) return `a value longer than ${valueBytesMax} bytes`;
  }
  return undefined;
}

/** Whether the record at `offset` checks out whole if its body is `bodyBytes` long: its trailer and its body's checksum. */
function wholeWith(bytes: Uint8Array, offset: number, bodyBytes: number): boolean {
  if (bodyBytes < bodyFixedBytes || bodyBytes > bodyBytesMax || offset + headerBytes + bodyBytes + trailerBytes > bytes.length) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  if (view.getUint32(headerBytes + bodyBytes, true) !== trailer) return false;
  return view.getUint32(12, true) === crc32(bytes, offset + headerBytes, offset + headerBytes + bodyBytes);
}

/** Reads the record at `offset` of `bytes` (the whole log). See {@link RecordRead}. */
export function readRecordAt(bytes: Uint8Array, offset: number): RecordRead {
  const left = bytes.length - offset;
  if (left < headerBytes) return { kind: 'cut-off', detail: `${left} bytes left, short of a ${headerBytes}-byte header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, left);
  const magicFlaws = popcount(view.getUint32(0, true) ^ magic);
  const bodyBytes = view.getUint32(4, true);
  const lengthFlaws = popcount(bodyBytes ^ ~view.getUint32(8, true));
  if (lengthFlaws > 0) {
    // One bit off between the length and its complement is bit rot only if the record is whole
    // with one of them: a torn overwrite can pair a new length with the complement of an old
    // record's at the same offset (a cut tail written over), one bit apart by chance.
    const complement = ~view.getUint32(8, true) >>> 0;
    const rotted = magicFlaws + lengthFlaws === 1 && [bodyBytes, complement].some((length) => wholeWith(bytes, offset, length));
    return { kind: rotted ? 'single-bit' : 'garbage', detail: `the length and its complement disagree in ${lengthFlaws} bits, the magic in ${magicFlaws}` };
  }
  if (bodyBytes < bodyFixedBytes || bodyBytes > bodyBytesMax) {
    // A length that passes its complement check was written that way: a crash cannot make one.
    return magicFlaws === 0
      ? { kind: 'malformed', detail: `a body of ${bodyBytes} bytes is outside [${bodyFixedBytes}, ${bodyBytesMax}]` }
      : { kind: 'garbage', detail: `the magic differs in ${magicFlaws} bits and the length ${bodyBytes} is impossible` };
  }
  const end = headerBytes + bodyBytes + trailerBytes;
  if (left < end) return { kind: 'cut-off', detail: `the record needs ${end} bytes, ${left} are left` };
  const trailerFlaws = popcount(view.getUint32(headerBytes + bodyBytes, true) ^ trailer);
  const stored = view.getUint32(12, true);
  const actual = crc32(bytes, offset + headerBytes, offset + headerBytes + bodyBytes);
  const crcFlaws = stored === actual ? 0 : isSingleBitError(stored, actual, bodyBytes) ? 1 : 2;
  const flaws = magicFlaws + trailerFlaws + crcFlaws;
  if (flaws > 0) {
    const detail = `magic ${magicFlaws} bits off, trailer ${trailerFlaws} bits off, body checksum ${crcFlaws === 0 ? 'good' : crcFlaws === 1 ? 'one bit off' : 'bad'}`;
    return { kind: flaws === 1 ? 'single-bit' : 'garbage', detail };
  }
  const body = decodeBody(bytes.subarray(offset + headerBytes, offset + headerBytes + bodyBytes));
  if (typeof body === 'string') return { kind: 'malformed', detail: body };
  return { kind: 'intact', record: { offset, end: offset + end, crc: actual, ...body } };
}

/** Whether the four bytes at `offset` are a record's magic (a cheap test before {@link readRecordAt}). */
export function startsWithMagic(bytes: Uint8Array, offset: number): boolean {
  return offset + 4 <= bytes.length && new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, true) === magic;
}

/** Decodes a body whose checksum passed; a string says what is wrong with it. */
function decodeBody(body: Uint8Array): Omit<LogRecord, 'offset' | 'end' | 'crc'> | string {
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const prevCrc = view.getUint32(0, true);
  const durableBytes = view.getUint32(4, true);
  const opCount = view.getUint32(8, true);
  if (opCount > opsMax) return `${opCount} operations, more than ${opsMax}`;
  const ops: CarefulOp[] = [];
  let at = bodyFixedBytes;
  const need = (bytes: number): boolean => at + bytes <= body.length;
  for (let i = 0; i < opCount; i++) {
    if (!need(5)) return `operation ${i} runs past the body`;
    const kind = body[at]!;
    const keyBytes = view.getUint32(at + 1, true);
    at += 5;
    if (kind !== 1 && kind !== 2) return `operation ${i} has kind ${kind}`;
    if (keyBytes > keyBytesMax || !need(keyBytes)) return `operation ${i} has a key of ${keyBytes} bytes`;
    let key: string;
    try {
      key = decoder.decode(body.subarray(at, at + keyBytes));
    } catch {
      return `operation ${i} has a key that is not UTF-8`;
    }
    at += keyBytes;
    if (kind === 2) {
      ops.push({ type: 'delete', key });
      continue;
    }
    if (!need(4)) return `operation ${i} runs past the body`;
    const valueBytes = view.getUint32(at, true);
    at += 4;
    if (valueBytes > valueBytesMax || !need(valueBytes)) return `operation ${i} has a value of ${valueBytes} bytes`;
    ops.push({ type: 'put', key, value: body.slice(at, at + valueBytes) });
    at += valueBytes;
  }
  if (at !== body.length) return `${body.length - at} bytes after the last operation`;
  return { prevCrc, durableBytes, ops };
}
