import { describe, expect, it } from 'vitest';
import {
  decodeBatch, decodeFrameHeader, decodeSegmentHeader, encodeBatch, encodeFrame, encodeSegmentHeader,
  frameAlignBytes, frameBytes, frameHeaderBytes, isAllZero, segmentHeaderBytes, segmentMagic,
} from '../../../engine/wal/format.ts';
import { crc32c } from '../../../engine/wal/crc32c.ts';
import { batchOpsMax, framePayloadBytesMax, keyBytesMax, valueBytesMax } from '../../../engine/limits.ts';
import { AssertionError } from '../../../engine/assert.ts';
import type { Op } from '../../../engine/types.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const batch: Op[] = [
  { type: 'put', key: 'alpha', value: bytes('one') },
  { type: 'delete', key: 'beta' },
  { type: 'put', key: 'ключ', value: new Uint8Array(0) },
  { type: 'put', key: '', value: Uint8Array.of(0, 255, 7) },
];

describe('segment header', () => {
  it('round-trips the sequence number and base LSN', () => {
    const encoded = encodeSegmentHeader({ seq: 7, baseLsn: 12345 });
    expect(encoded.length).toBe(segmentHeaderBytes);
    expect(decodeSegmentHeader(encoded)).toEqual({ seq: 7, baseLsn: 12345 });
  });

  it('starts with the magic "PCWALSEG" and version 1', () => {
    const encoded = encodeSegmentHeader({ seq: 1, baseLsn: 1 });
    expect(new TextDecoder().decode(encoded.subarray(0, 8))).toBe('PCWALSEG');
    expect(new DataView(encoded.buffer).getUint32(8, true)).toBe(1);
  });

  it('refuses a header with a flipped bit as a checksum problem', () => {
    const encoded = encodeSegmentHeader({ seq: 3, baseLsn: 9 });
    encoded[20]! ^= 0x04;
    expect(decodeSegmentHeader(encoded)).toEqual({ problem: 'checksum' });
  });

  it('refuses a header shorter than 32 bytes', () => {
    expect(decodeSegmentHeader(encodeSegmentHeader({ seq: 1, baseLsn: 1 }).subarray(0, 31))).toEqual({ problem: 'short' });
  });

  it('refuses a header with the wrong magic', () => {
    const encoded = encodeSegmentHeader({ seq: 1, baseLsn: 1 });
    encoded[0] = 0x51;
    expect(decodeSegmentHeader(encoded)).toEqual({ problem: 'magic' });
  });
});

describe('batch payload', () => {
  it('round-trips puts and deletes, UTF-8 keys, empty values and empty keys', () => {
    expect(decodeBatch(encodeBatch(batch))).toEqual(batch);
  });

  it('refuses a payload with bytes after the last operation', () => {
    const encoded = encodeBatch(batch);
    const longer = new Uint8Array(encoded.length + 1);
    longer.set(encoded);
    expect(decodeBatch(longer)).toBeUndefined();
  });

  it('refuses a payload whose operation count is zero', () => {
    expect(decodeBatch(new Uint8Array(4))).toBeUndefined();
  });

  it('refuses a key length larger than the bytes left', () => {
    const encoded = encodeBatch([{ type: 'delete', key: 'abc' }]);
    new DataView(encoded.buffer).setUint32(5, 4, true);
    expect(decodeBatch(encoded)).toBeUndefined();
  });

  it('refuses an unknown operation type', () => {
    const encoded = encodeBatch([{ type: 'delete', key: 'abc' }]);
    encoded[4] = 9;
    expect(decodeBatch(encoded)).toBeUndefined();
  });

  it('refuses a key that is not UTF-8', () => {
    const encoded = encodeBatch([{ type: 'delete', key: 'a' }]);
    encoded[9] = 0xff;
    expect(decodeBatch(encoded)).toBeUndefined();
  });
});

describe('frame', () => {
  it('round-trips the header fields and the payload', () => {
    const payload = encodeBatch(batch);
    const frame = encodeFrame(42, 40, payload);
    const header = decodeFrameHeader(frame, 0);
    expect(header).toMatchObject({ payloadBytes: payload.length, lsn: 42, durableLsn: 40 });
    expect(decodeBatch(frame.subarray(frameHeaderBytes, frameHeaderBytes + payload.length))).toEqual(batch);
  });

  it('pads every frame to a multiple of 8 bytes with zeros', () => {
    for (let payloadBytes = 0; payloadBytes < 20; payloadBytes++) {
      const frame = encodeFrame(1, 0, new Uint8Array(payloadBytes).fill(0xaa));
      expect(frame.length).toBe(frameBytes(payloadBytes));
      expect(frame.length % frameAlignBytes).toBe(0);
      expect(frame.length - (frameHeaderBytes + payloadBytes)).toBeLessThan(frameAlignBytes);
      expect(frame.subarray(frameHeaderBytes + payloadBytes).every((b) => b === 0)).toBe(true);
    }
  });

  it('decodes a header at a non-zero offset of a larger buffer', () => {
    const frame = encodeFrame(5, 4, encodeBatch(batch));
    const buffer = new Uint8Array(24 + frame.length);
    buffer.set(frame, 24);
    expect(decodeFrameHeader(buffer, 24)?.lsn).toBe(5);
  });

  it('refuses a header cut short', () => {
    const frame = encodeFrame(5, 4, encodeBatch(batch));
    expect(decodeFrameHeader(frame.subarray(0, frameHeaderBytes - 1), 0)).toBeUndefined();
  });

  it('refuses to encode a frame whose durable LSN is not below its own LSN', () => {
    expect(() => encodeFrame(3, 3, encodeBatch(batch))).toThrow(AssertionError);
    expect(() => encodeFrame(3, 4, encodeBatch(batch))).toThrow('a frame cannot be durable before it is written');
  });

  // validateBatch refuses a larger batch with a typed error before anything is encoded; a payload
  // above the limit reaching the encoder is a bug in the engine, so it is an assertion.
  it('encodes a payload of exactly framePayloadBytesMax bytes and refuses one more as a failed assertion', () => {
    const frame = encodeFrame(2, 1, new Uint8Array(framePayloadBytesMax));
    expect(frame.length).toBe(frameBytes(framePayloadBytesMax));
    expect(decodeFrameHeader(frame, 0)).toMatchObject({ payloadBytes: framePayloadBytesMax, lsn: 2, durableLsn: 1 });
    expect(() => encodeFrame(2, 1, new Uint8Array(framePayloadBytesMax + 1))).toThrow(AssertionError);
    expect(() => encodeFrame(2, 1, new Uint8Array(framePayloadBytesMax + 1))).toThrow('frame payload within limit');
  });
});

describe('exact bytes of the on-disk format', () => {
  const le32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
  const le64 = (value: number): number[] => [...le32(value % 2 ** 32), ...le32(Math.floor(value / 2 ** 32))];
  /** Rewrites the header checksum of a frame at offset 0 so that its header is intact again. */
  const resealFrame = (frame: Uint8Array): Uint8Array => {
    new DataView(frame.buffer, frame.byteOffset).setUint32(0, crc32c(frame, 4, frameHeaderBytes), true);
    return frame;
  };
  /** A segment header with the given fields and a valid checksum. */
  const segmentHeader = (version: number, seq: number, baseLsn: number): Uint8Array => {
    const fields = [...segmentMagic, ...le32(version), 0, 0, 0, 0, ...le64(seq), ...le64(baseLsn)];
    const covered = Uint8Array.from([...fields.slice(0, 12), ...fields.slice(16)]);
    return Uint8Array.from([...fields.slice(0, 12), ...le32(crc32c(covered)), ...fields.slice(16)]);
  };

  it('writes a segment header as magic, version, checksum of the other 28 bytes, sequence number and base LSN', () => {
    expect([...encodeSegmentHeader({ seq: 0x0102_0304_05, baseLsn: 2 ** 40 + 7 })]).toEqual([...segmentHeader(1, 0x0102_0304_05, 2 ** 40 + 7)]);
  });

  it('reads LSNs up to 2^53 - 1 exactly, and refuses larger ones as unrepresentable', () => {
    expect(decodeSegmentHeader(segmentHeader(1, 2, Number.MAX_SAFE_INTEGER))).toEqual({ seq: 2, baseLsn: Number.MAX_SAFE_INTEGER });
    expect(decodeSegmentHeader(segmentHeader(1, 2, 2 ** 53))).toEqual({ seq: 2, baseLsn: Number.NaN });
  });

  it('refuses a segment header of another version, with a valid checksum, naming the version', () => {
    expect(decodeSegmentHeader(segmentHeader(2, 1, 1))).toEqual({ problem: 'version', version: 2 });
  });

  it('checks every byte of the segment magic', () => {
    for (let i = 0; i < segmentMagic.length; i++) {
      const bytes = segmentHeader(1, 1, 1);
      bytes[i]! ^= 0x20;
      expect(decodeSegmentHeader(bytes)).toEqual({ problem: 'magic' });
    }
  });

  it('writes a frame as header checksum, payload length, LSN, durable LSN, payload checksum, payload and zero padding', () => {
    const payload = Uint8Array.of(1, 2, 3, 4, 5);
    const fields = [...le32(5), ...le64(2 ** 33 + 1), ...le64(2 ** 33), ...le32(crc32c(payload)), ...payload, 0, 0, 0, 0, 0, 0, 0];
    const expected = Uint8Array.from([0, 0, 0, 0, ...fields]);
    expect([...encodeFrame(2 ** 33 + 1, 2 ** 33, payload)]).toEqual([...resealFrame(expected)]);
  });

  it('writes a batch as count, then type, key length, key, and for a put value length and value', () => {
    expect([...encodeBatch([{ type: 'put', key: 'ab', value: Uint8Array.of(7, 8, 9) }, { type: 'delete', key: 'é' }])]).toEqual([
      ...le32(2), 1, ...le32(2), 0x61, 0x62, ...le32(3), 7, 8, 9, 2, ...le32(2), 0xc3, 0xa9,
    ]);
  });

  it('sizes frames as the header plus payload rounded up to 8 bytes', () => {
    expect([0, 4, 5, 12, 13].map(frameBytes)).toEqual([32, 32, 40, 40, 48]);
  });

  it('says whether a range is all zero bytes, looking only inside it', () => {
    const bytes = Uint8Array.of(1, 0, 0, 0, 1);
    expect(isAllZero(bytes, 1, 4)).toBe(true);
    expect(isAllZero(bytes, 0, 4)).toBe(false);
    expect(isAllZero(bytes, 1, 5)).toBe(false);
  });
});

describe('frame header decoding at its limits', () => {
  /** A frame header (no payload needed) with the given fields and a valid header checksum. */
  function header(payloadBytes: number, lsn: number, durableLsn: number): Uint8Array {
    const bytes = new Uint8Array(frameHeaderBytes);
    const view = new DataView(bytes.buffer);
    view.setUint32(4, payloadBytes, true);
    view.setBigUint64(8, BigInt(lsn), true);
    view.setBigUint64(16, BigInt(durableLsn), true);
    view.setUint32(24, 0xdeadbeef, true);
    view.setUint32(0, crc32c(bytes, 4, frameHeaderBytes), true);
    return bytes;
  }

  it('accepts a payload length of exactly framePayloadBytesMax and refuses one more', () => {
    expect(decodeFrameHeader(header(framePayloadBytesMax, 2, 1), 0)).toEqual({
      payloadBytes: framePayloadBytesMax, lsn: 2, durableLsn: 1, payloadCrc: 0xdeadbeef,
    });
    expect(decodeFrameHeader(header(framePayloadBytesMax + 1, 2, 1), 0)).toBeUndefined();
  });

  it('refuses a durable LSN equal to or above the frame LSN', () => {
    expect(decodeFrameHeader(header(4, 2, 2), 0)).toBeUndefined();
    expect(decodeFrameHeader(header(4, 2, 3), 0)).toBeUndefined();
  });

  it('refuses an LSN or a durable LSN above 2^53 - 1', () => {
    expect(decodeFrameHeader(header(4, 2 ** 53, 1), 0)).toBeUndefined();
    expect(decodeFrameHeader(header(4, 2 ** 53 + 8, 2 ** 53), 0)).toBeUndefined();
    expect(decodeFrameHeader(header(4, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1), 0)?.lsn).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads a header that ends exactly at the end of the buffer', () => {
    expect(decodeFrameHeader(header(4, 2, 1), 0)?.lsn).toBe(2);
  });
});

describe('batch payload decoding at its limits', () => {
  const le32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];

  it('refuses a payload shorter than its operation count', () => {
    expect(decodeBatch(Uint8Array.of(1, 0, 0))).toBeUndefined();
  });

  it(`accepts ${batchOpsMax} operations and refuses a count of one more`, () => {
    const ops: Op[] = Array.from({ length: batchOpsMax }, () => ({ type: 'delete', key: '' }));
    const encoded = encodeBatch(ops);
    expect(decodeBatch(encoded)).toHaveLength(batchOpsMax);
    new DataView(encoded.buffer).setUint32(0, batchOpsMax + 1, true);
    expect(decodeBatch(encoded)).toBeUndefined();
  });

  // The payload below holds every operation it counts, so only the limit can refuse it.
  it(`refuses ${batchOpsMax + 1} operations even when all of them are present`, () => {
    const ops: Op[] = Array.from({ length: batchOpsMax + 1 }, () => ({ type: 'delete', key: '' }));
    expect(decodeBatch(encodeBatch(ops))).toBeUndefined();
  });

  it('refuses an operation type other than put (1) and delete (2), even one laid out as a well-formed put', () => {
    const put = encodeBatch([{ type: 'put', key: 'a', value: Uint8Array.of(9) }]);
    expect(decodeBatch(put)).toEqual([{ type: 'put', key: 'a', value: Uint8Array.of(9) }]);
    for (const type of [0, 3, 255]) {
      const other = put.slice();
      other[4] = type;
      expect(decodeBatch(other), `type ${type}`).toBeUndefined();
    }
  });

  it('refuses an operation cut off inside its type and key length', () => {
    expect(decodeBatch(Uint8Array.of(...le32(1), 2, 0, 0, 0))).toBeUndefined();
    expect(decodeBatch(Uint8Array.of(...le32(1), 2, 0, 0, 0, 0))).toEqual([{ type: 'delete', key: '' }]);
  });

  it(`accepts a key of ${keyBytesMax} bytes and refuses a key length of one more`, () => {
    const key = 'k'.repeat(keyBytesMax);
    expect(decodeBatch(encodeBatch([{ type: 'delete', key }]))).toEqual([{ type: 'delete', key }]);
    const longer = encodeBatch([{ type: 'delete', key: `${key}k` }]);
    expect(decodeBatch(longer)).toBeUndefined();
  });

  it('refuses a put cut off inside its value length, or whose value length passes the end', () => {
    expect(decodeBatch(Uint8Array.of(...le32(1), 1, ...le32(1), 0x61, 0, 0, 0))).toBeUndefined();
    expect(decodeBatch(Uint8Array.of(...le32(1), 1, ...le32(1), 0x61, ...le32(2), 9))).toBeUndefined();
    expect(decodeBatch(Uint8Array.of(...le32(1), 1, ...le32(1), 0x61, ...le32(1), 9))).toEqual([
      { type: 'put', key: 'a', value: Uint8Array.of(9) },
    ]);
  });

  it(`accepts a value of ${valueBytesMax} bytes and refuses a value length of one more`, () => {
    const value = new Uint8Array(valueBytesMax + 1);
    expect(decodeBatch(encodeBatch([{ type: 'put', key: 'v', value: value.subarray(1) }]))?.[0]).toMatchObject({ type: 'put', key: 'v' });
    expect(decodeBatch(encodeBatch([{ type: 'put', key: 'v', value }]))).toBeUndefined();
  });

  it('leaves values as views into the payload, not copies (recovery copies the ones it keeps)', () => {
    const encoded = encodeBatch([{ type: 'put', key: 'a', value: Uint8Array.of(1) }]);
    const ops = decodeBatch(encoded)!;
    encoded[encoded.length - 1] = 2;
    expect(ops[0]).toEqual({ type: 'put', key: 'a', value: Uint8Array.of(2) });
    expect((ops[0] as { value: Uint8Array }).value.buffer).toBe(encoded.buffer);
  });
});
