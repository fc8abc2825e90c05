import { describe, expect, it } from 'vitest';
import {
  decodeBatch, decodeFrameHeader, decodeSegmentHeader, encodeBatch, encodeFrame, encodeSegmentHeader,
  frameAlignBytes, frameBytes, frameHeaderBytes, segmentHeaderBytes,
} from '../../../engine/wal/format.ts';
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
  });
});
