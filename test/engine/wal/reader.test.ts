import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeBatch, encodeFrame, encodeSegmentHeader, frameHeaderBytes, segmentHeaderBytes } from '../../../engine/wal/format.ts';
import { scanSegment, type SegmentScan } from '../../../engine/wal/reader.ts';
import { crc32c } from '../../../engine/wal/crc32c.ts';
import type { Op } from '../../../engine/types.ts';

/**
 * Builds a segment holding one frame per batch, LSNs from `baseLsn`, and returns the bytes with
 * each frame's offset and unpadded length.
 */
function segmentOf(batches: readonly Op[][], baseLsn = 1): { bytes: Uint8Array; frames: { offset: number; usedBytes: number; bytes: number }[] } {
  const parts: Uint8Array[] = [encodeSegmentHeader({ seq: 1, baseLsn })];
  const frames: { offset: number; usedBytes: number; bytes: number }[] = [];
  let offset = segmentHeaderBytes;
  batches.forEach((ops, i) => {
    const payload = encodeBatch(ops);
    const frame = encodeFrame(baseLsn + i, baseLsn + i - 1, payload);
    parts.push(frame);
    frames.push({ offset, usedBytes: frameHeaderBytes + payload.length, bytes: frame.length });
    offset += frame.length;
  });
  const bytes = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, frames };
}

function asScan(result: ReturnType<typeof scanSegment>): SegmentScan {
  if ('headerProblem' in result) throw new Error(`unexpected header problem ${result.headerProblem}`);
  return result;
}

const op = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: fc.string({ maxLength: 12 }), value: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ type: fc.constant('delete' as const), key: fc.string({ maxLength: 12 }) }),
);
const batches = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 });

describe('scanSegment', () => {
  it('reads back every frame of an intact segment, in order, with no damage', () => {
    fc.assert(
      fc.property(batches, (input) => {
        const { bytes } = segmentOf(input, 10);
        const scan = asScan(scanSegment(bytes));
        expect(scan.damage).toBeUndefined();
        expect(scan.endOffset).toBe(bytes.length);
        expect(scan.frames.map((frame) => frame.lsn)).toEqual(input.map((_, i) => 10 + i));
        expect(scan.frames.map((frame) => frame.ops)).toEqual(input);
      }),
      { numRuns: 100 },
    );
  });

  it('detects every single-byte change of a frame\'s header and payload, and never returns a wrong frame', () => {
    fc.assert(
      fc.property(batches, fc.nat(), fc.integer({ min: 1, max: 255 }), (input, pick, mask) => {
        const { bytes, frames } = segmentOf(input);
        const victimIndex = pick % frames.length;
        const victim = frames[victimIndex]!;
        // Every covered position of the victim frame, each with a random non-zero xor.
        for (let position = 0; position < victim.usedBytes; position++) {
          const damaged = bytes.slice();
          damaged[victim.offset + position]! ^= mask;
          const scan = asScan(scanSegment(damaged));
          expect(scan.damage?.offset).toBe(victim.offset);
          expect(scan.frames.map((frame) => frame.ops)).toEqual(input.slice(0, victimIndex));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('detects every truncation inside a frame, padding included', () => {
    fc.assert(
      fc.property(batches, (input) => {
        const { bytes, frames } = segmentOf(input);
        const last = frames[frames.length - 1]!;
        for (let cut = last.offset + 1; cut < bytes.length; cut++) {
          const scan = asScan(scanSegment(bytes.subarray(0, cut)));
          expect(scan.damage?.offset).toBe(last.offset);
          expect(scan.damage?.kind).toBe('cut-off');
          expect(scan.frames.map((frame) => frame.ops)).toEqual(input.slice(0, -1));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reports the bit index of a single flipped bit within the frame', () => {
    const { bytes, frames } = segmentOf([[{ type: 'put', key: 'k', value: Uint8Array.of(1, 2, 3, 4) }]]);
    const frame = frames[0]!;
    for (const bit of [0, 31, 32, 100, frame.usedBytes * 8 - 1]) {
      const damaged = bytes.slice();
      damaged[frame.offset + (bit >> 3)]! ^= 1 << (bit & 7);
      const damage = asScan(scanSegment(damaged)).damage;
      expect(damage?.singleBit).toBe(bit);
    }
  });

  it('reports a zero frame header as zero, not as a checksum problem', () => {
    const { bytes } = segmentOf([[{ type: 'delete', key: 'a' }]]);
    const grown = new Uint8Array(bytes.length + 64);
    grown.set(bytes);
    const scan = asScan(scanSegment(grown));
    expect(scan.frames).toHaveLength(1);
    expect(scan.damage).toMatchObject({ kind: 'zero', offset: bytes.length, expectedLsn: 2 });
  });

  it('reports an intact frame with the wrong LSN as a sequence problem', () => {
    const { bytes } = segmentOf([[{ type: 'delete', key: 'a' }]], 5);
    const scan = asScan(scanSegment(Uint8Array.from([...encodeSegmentHeader({ seq: 1, baseLsn: 4 }), ...bytes.subarray(segmentHeaderBytes)])));
    expect(scan.damage).toMatchObject({ kind: 'sequence', offset: segmentHeaderBytes, expectedLsn: 4 });
  });

  it('reports a bad segment header instead of frames', () => {
    const { bytes } = segmentOf([[{ type: 'delete', key: 'a' }]]);
    bytes[3]! ^= 0xff;
    expect(scanSegment(bytes)).toEqual({ headerProblem: 'magic' });
  });
});

describe('scanSegment on frame padding', () => {
  // The 0..7 padding bytes after a payload are covered by no checksum, so damage there is not
  // reported. It cannot change what is decoded, which is what this pins down; see the report
  // that came with this suite for whether padding should be checked to be zero.
  it('decodes a frame unchanged when one of its padding bytes is damaged', () => {
    const ops: Op[] = [{ type: 'put', key: 'k', value: Uint8Array.of(1) }];
    const { bytes, frames } = segmentOf([ops]);
    const frame = frames[0]!;
    expect(frame.bytes).toBeGreaterThan(frame.usedBytes);
    const damaged = bytes.slice();
    damaged[frame.offset + frame.usedBytes]! ^= 0x5a;
    const scan = asScan(scanSegment(damaged));
    expect(scan.frames.map((f) => f.ops)).toEqual([ops]);
    expect(scan.damage).toBeUndefined();
  });
});

describe('scanSegment: what it says about the first bad frame', () => {
  const frame = (lsn: number, durableLsn: number, ops: Op[] = [{ type: 'delete', key: `k${lsn}` }]): Uint8Array =>
    encodeFrame(lsn, durableLsn, encodeBatch(ops));
  const header = encodeSegmentHeader({ seq: 1, baseLsn: 1 });
  const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));
  /** Rewrites the header checksum of the frame at `offset` so that its header is intact again. */
  const resealHeader = (bytes: Uint8Array, offset: number): void => {
    new DataView(bytes.buffer, bytes.byteOffset + offset).setUint32(0, crc32c(bytes, offset + 4, offset + frameHeaderBytes), true);
  };

  it('describes each intact frame by LSN, durable LSN, offset, padded size and batch', () => {
    const scan = asScan(scanSegment(join(header, frame(1, 0), frame(2, 1))));
    const size = frame(1, 0).length;
    expect(scan.frames).toEqual([
      { lsn: 1, durableLsn: 0, offset: segmentHeaderBytes, bytes: size, ops: [{ type: 'delete', key: 'k1' }] },
      { lsn: 2, durableLsn: 1, offset: segmentHeaderBytes + size, bytes: size, ops: [{ type: 'delete', key: 'k2' }] },
    ]);
    expect(scan.endOffset).toBe(segmentHeaderBytes + 2 * size);
    expect(scan.damage).toBeUndefined();
  });

  it('reads an empty segment as no frames, ending after its header', () => {
    expect(scanSegment(header)).toEqual({ header: { seq: 1, baseLsn: 1 }, frames: [], endOffset: segmentHeaderBytes });
  });

  it('calls a tail shorter than a frame header cut off, saying how many bytes are left', () => {
    const bytes = join(header, frame(1, 0), Uint8Array.of(9, 9, 9));
    const scan = asScan(scanSegment(bytes));
    expect(scan.damage).toEqual({
      kind: 'cut-off', offset: bytes.length - 3, expectedLsn: 2, detail: `3 bytes left, a frame header needs ${frameHeaderBytes}`,
    });
    expect(scan.endOffset).toBe(bytes.length - 3);
  });

  it('calls a frame whose intact header asks for more bytes than are left cut off, saying both sizes', () => {
    const second = frame(2, 1);
    const bytes = join(header, frame(1, 0), second.subarray(0, second.length - 8));
    const offset = segmentHeaderBytes + frame(1, 0).length;
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'cut-off', offset, expectedLsn: 2, detail: `frame needs ${second.length} bytes, ${second.length - 8} left`,
    });
  });

  it('names an all-zero frame header as zero', () => {
    const bytes = join(header, new Uint8Array(frameHeaderBytes));
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'zero', offset: segmentHeaderBytes, expectedLsn: 1, detail: 'frame header is all zeros',
    });
  });

  it('names a frame header damaged in more than one bit a checksum mismatch, with no bit to blame', () => {
    const bytes = join(header, frame(1, 0));
    bytes[segmentHeaderBytes + 9]! ^= 0x03;
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'header-checksum', offset: segmentHeaderBytes, expectedLsn: 1, detail: 'frame header checksum mismatch',
    });
  });

  it('names the bit of a frame header that differs in exactly one bit, in the stored checksum or after it', () => {
    for (const bit of [0, 5, 31, 32, 33, 8 * frameHeaderBytes - 1]) {
      const bytes = join(header, frame(1, 0));
      bytes[segmentHeaderBytes + (bit >> 3)]! ^= 1 << (bit & 7);
      expect(asScan(scanSegment(bytes)).damage).toEqual({
        kind: 'header-checksum', offset: segmentHeaderBytes, expectedLsn: 1, singleBit: bit,
        detail: `frame header differs in exactly one bit (bit ${bit})`,
      });
    }
  });

  it('names a payload damaged in more than one bit a payload checksum mismatch', () => {
    const bytes = join(header, frame(1, 0));
    bytes[segmentHeaderBytes + frameHeaderBytes + 5]! ^= 0x11;
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'payload-checksum', offset: segmentHeaderBytes, expectedLsn: 1, detail: 'frame payload checksum mismatch',
    });
  });

  it('names a payload one bit away from its stored checksum as one bit at the stored checksum (bit 192)', () => {
    const bytes = join(header, frame(1, 0));
    bytes[segmentHeaderBytes + 24]! ^= 0x10;
    resealHeader(bytes, segmentHeaderBytes);
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'payload-checksum', offset: segmentHeaderBytes, expectedLsn: 1, singleBit: 24 * 8, detail: 'frame payload differs in exactly one bit',
    });
  });

  it('names a payload one bit away from intact with that bit, counted from the frame start', () => {
    const bytes = join(header, frame(1, 0));
    bytes[segmentHeaderBytes + frameHeaderBytes + 2]! ^= 0x04;
    expect(asScan(scanSegment(bytes)).damage).toMatchObject({ kind: 'payload-checksum', singleBit: (frameHeaderBytes + 2) * 8 + 2 });
  });

  // Bit 0 of the payload is the low bit of its first byte: index 0 of the payload range, which
  // is a bit found like any other, not "none".
  it('names the first bit of the payload (bit 224 of the frame) when it alone differs', () => {
    const bytes = join(header, frame(1, 0));
    bytes[segmentHeaderBytes + frameHeaderBytes]! ^= 0x01;
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'payload-checksum', offset: segmentHeaderBytes, expectedLsn: 1, singleBit: frameHeaderBytes * 8, detail: 'frame payload differs in exactly one bit',
    });
  });

  it('names an intact frame with the wrong LSN a sequence problem, saying both LSNs', () => {
    const bytes = join(header, frame(1, 0), frame(3, 1));
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'sequence', offset: segmentHeaderBytes + frame(1, 0).length, expectedLsn: 2, detail: 'frame carries LSN 3, expected 2',
    });
  });

  it('names an intact frame whose payload is not a batch malformed', () => {
    const bytes = join(header, encodeFrame(1, 0, new Uint8Array(4)));
    expect(asScan(scanSegment(bytes)).damage).toEqual({
      kind: 'malformed', offset: segmentHeaderBytes, expectedLsn: 1, detail: 'checksum-valid payload that is not a batch',
    });
  });

  it('names an intact frame header with impossible fields malformed, even as the last 28 bytes of the file', () => {
    const bytes = join(header, frame(1, 0));
    // Durable LSN 1 is not below LSN 1: no writer produces it.
    new DataView(bytes.buffer).setUint32(segmentHeaderBytes + 16, 1, true);
    resealHeader(bytes, segmentHeaderBytes);
    const damage = { kind: 'malformed', offset: segmentHeaderBytes, expectedLsn: 1, detail: 'checksum-valid frame header with impossible fields' };
    expect(asScan(scanSegment(bytes)).damage).toEqual(damage);
    expect(asScan(scanSegment(bytes.subarray(0, segmentHeaderBytes + frameHeaderBytes))).damage).toEqual(damage);
  });
});
