/**
 * Reading a segment: decode frames from the start until the end of the file or the first
 * frame that is not intact. The reader only describes what it finds; what to do about a bad
 * frame (cut a torn tail, or refuse) is decided by the rules in recovery.ts.
 */
import { crc32c, findSingleBitError } from './crc32c.ts';
import {
  decodeBatch, decodeFrameHeader, decodeSegmentHeader, frameAlignBytes, frameBytes, frameHeaderBytes,
  isAllZero, segmentHeaderBytes, type SegmentHeader,
} from './format.ts';
import type { Op } from '../types.ts';

/** An intact frame. */
export interface ScannedFrame {
  readonly lsn: number;
  readonly durableLsn: number;
  readonly offset: number;
  /** Bytes the frame occupies, padding included. */
  readonly bytes: number;
  readonly ops: readonly Op[];
}

/**
 * What is wrong at the first bad frame.
 * - `cut-off`: fewer bytes left than the frame needs (the file ends inside it);
 * - `zero`: the frame header is all zero bytes (a size that survived without its data);
 * - `header-checksum`, `payload-checksum`: the bytes do not match their checksum;
 * - `sequence`: an intact frame whose LSN is not the previous one plus one;
 * - `malformed`: an intact checksum over contents no writer produces (a bug, not a crash).
 */
export type FrameDamageKind = 'cut-off' | 'zero' | 'header-checksum' | 'payload-checksum' | 'sequence' | 'malformed';

/** The first bad frame of a segment. */
export interface FrameDamage {
  readonly kind: FrameDamageKind;
  /** Offset of the bad frame in the segment. */
  readonly offset: number;
  /** The LSN the bad frame should have carried. */
  readonly expectedLsn: number;
  /** Set when flipping exactly this one bit (index from the frame start) would make it intact. */
  readonly singleBit?: number;
  readonly detail: string;
}

/** The result of reading one segment. */
export interface SegmentScan {
  readonly header: SegmentHeader;
  readonly frames: ScannedFrame[];
  /** Offset just past the last intact frame. */
  readonly endOffset: number;
  /** The first bad frame, if the intact frames do not reach the end of the file. */
  readonly damage?: FrameDamage;
}

/** A segment whose header is unreadable. */
export interface BadSegmentHeader {
  readonly headerProblem: string;
}

function oneBitApart(a: number, b: number): boolean {
  const x = (a ^ b) >>> 0;
  return x !== 0 && (x & (x - 1)) === 0;
}

/** Examines a frame whose header checksum failed: is it one flipped bit? */
function headerDamage(bytes: Uint8Array, offset: number, expectedLsn: number): FrameDamage {
  if (bytes.length - offset < frameHeaderBytes) {
    return { kind: 'cut-off', offset, expectedLsn, detail: `${bytes.length - offset} bytes left, a frame header needs ${frameHeaderBytes}` };
  }
  if (isAllZero(bytes, offset, offset + frameHeaderBytes)) {
    return { kind: 'zero', offset, expectedLsn, detail: 'frame header is all zeros' };
  }
  const stored = storedHeaderChecksum(bytes, offset);
  // The flipped bit may be in the covered bytes [4,28) or in the stored checksum itself.
  let singleBit = findSingleBitError(bytes, offset + 4, offset + frameHeaderBytes, stored);
  if (singleBit >= 0) singleBit += 32;
  else if (oneBitApart(stored, headerChecksum(bytes, offset))) singleBit = 31 - Math.clz32((stored ^ headerChecksum(bytes, offset)) >>> 0);
  return {
    kind: 'header-checksum', offset, expectedLsn,
    ...(singleBit >= 0 ? { singleBit } : {}),
    detail: singleBit >= 0 ? `frame header differs in exactly one bit (bit ${singleBit})` : 'frame header checksum mismatch',
  };
}

function headerChecksum(bytes: Uint8Array, offset: number): number {
  return crc32c(bytes, offset + 4, offset + frameHeaderBytes);
}

function storedHeaderChecksum(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, true);
}

/**
 * Reads the frames of one segment file.
 * @param bytes - the whole segment file
 * @returns the frames up to the first bad one, or the header problem
 */
export function scanSegment(bytes: Uint8Array): SegmentScan | BadSegmentHeader {
  const header = decodeSegmentHeader(bytes);
  if ('problem' in header) return { headerProblem: header.problem };
  const frames: ScannedFrame[] = [];
  let offset = segmentHeaderBytes;
  let expectedLsn = header.baseLsn;
  while (offset < bytes.length) {
    const frameHeader = decodeFrameHeader(bytes, offset);
    if (!frameHeader) {
      return { header, frames, endOffset: offset, damage: malformedOrDamaged(bytes, offset, expectedLsn) };
    }
    const size = frameBytes(frameHeader.payloadBytes);
    if (offset + size > bytes.length) {
      return {
        header, frames, endOffset: offset,
        damage: { kind: 'cut-off', offset, expectedLsn, detail: `frame needs ${size} bytes, ${bytes.length - offset} left` },
      };
    }
    const payloadStart = offset + frameHeaderBytes;
    const payloadEnd = payloadStart + frameHeader.payloadBytes;
    if (crc32c(bytes, payloadStart, payloadEnd) !== frameHeader.payloadCrc) {
      const bit = findSingleBitError(bytes, payloadStart, payloadEnd, frameHeader.payloadCrc);
      const storedBit = oneBitApart(crc32c(bytes, payloadStart, payloadEnd), frameHeader.payloadCrc);
      const singleBit = bit >= 0 ? bit + frameHeaderBytes * 8 : storedBit ? 24 * 8 : -1;
      return {
        header, frames, endOffset: offset,
        damage: {
          kind: 'payload-checksum', offset, expectedLsn,
          ...(singleBit >= 0 ? { singleBit } : {}),
          detail: singleBit >= 0 ? 'frame payload differs in exactly one bit' : 'frame payload checksum mismatch',
        },
      };
    }
    if (frameHeader.lsn !== expectedLsn) {
      return {
        header, frames, endOffset: offset,
        damage: { kind: 'sequence', offset, expectedLsn, detail: `frame carries LSN ${frameHeader.lsn}, expected ${expectedLsn}` },
      };
    }
    const ops = decodeBatch(bytes.subarray(payloadStart, payloadEnd));
    if (!ops) {
      return {
        header, frames, endOffset: offset,
        damage: { kind: 'malformed', offset, expectedLsn, detail: 'checksum-valid payload that is not a batch' },
      };
    }
    frames.push({ lsn: frameHeader.lsn, durableLsn: frameHeader.durableLsn, offset, bytes: size, ops });
    expectedLsn++;
    offset += size;
  }
  return { header, frames, endOffset: offset };
}

/** A header that failed to decode: checksum damage, or an intact checksum over nonsense. */
function malformedOrDamaged(bytes: Uint8Array, offset: number, expectedLsn: number): FrameDamage {
  const whole = bytes.length - offset >= frameHeaderBytes;
  if (whole && headerChecksum(bytes, offset) === storedHeaderChecksum(bytes, offset)) {
    return { kind: 'malformed', offset, expectedLsn, detail: 'checksum-valid frame header with impossible fields' };
  }
  return headerDamage(bytes, offset, expectedLsn);
}

/** An intact frame found by scanning past damage. */
export interface FoundFrame {
  readonly offset: number;
  readonly lsn: number;
  readonly durableLsn: number;
}

/**
 * Looks for intact frames after `from`, at every frame-aligned offset, as evidence for the
 * recovery rules. Only runs when a segment is damaged, so its cost (one small header checksum
 * per 8 bytes) is paid only then.
 */
export function findIntactFramesAfter(bytes: Uint8Array, from: number): FoundFrame[] {
  const found: FoundFrame[] = [];
  let offset = from + frameAlignBytes;
  while (offset + frameHeaderBytes <= bytes.length) {
    const header = decodeFrameHeader(bytes, offset);
    if (header) {
      const size = frameBytes(header.payloadBytes);
      const payloadStart = offset + frameHeaderBytes;
      if (offset + size <= bytes.length && crc32c(bytes, payloadStart, payloadStart + header.payloadBytes) === header.payloadCrc) {
        found.push({ offset, lsn: header.lsn, durableLsn: header.durableLsn });
        offset += size;
        continue;
      }
    }
    offset += frameAlignBytes;
  }
  return found;
}
