import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeBatch, encodeFrame, encodeSegmentHeader, frameHeaderBytes, segmentHeaderBytes } from '../../../engine/wal/format.ts';
import { scanSegment, type SegmentScan } from '../../../engine/wal/reader.ts';
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
