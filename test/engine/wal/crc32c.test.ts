import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c, findSingleBitError } from '../../../engine/wal/crc32c.ts';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Bit-at-a-time CRC-32C, the textbook definition the table-driven version must agree with. */
function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the standard check value 0xe3069283 for "123456789"', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('gives 0 for the empty message', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('gives 0x8a9136aa for 32 zero bytes (RFC 3720 test vector)', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });

  it('checksums only the range [start, end) it is given', () => {
    const bytes = ascii('xx123456789yyy');
    expect(crc32c(bytes, 2, 11)).toBe(0xe3069283);
  });

  it('agrees with the bit-at-a-time definition on every length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat({ max: 9 }), (bytes, cut) => {
        const start = Math.min(cut, bytes.length);
        expect(crc32c(bytes, start)).toBe(referenceCrc32c(bytes.subarray(start)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('findSingleBitError', () => {
  it('returns -1 when the checksum already matches', () => {
    const bytes = ascii('123456789');
    expect(findSingleBitError(bytes, 0, bytes.length, crc32c(bytes))).toBe(-1);
  });

  it('locates every single flipped bit of a random buffer', () => {
    const bytes = Uint8Array.from({ length: 61 }, (_, i) => (i * 151 + 7) & 0xff);
    const expected = crc32c(bytes);
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const damaged = bytes.slice();
      damaged[bit >> 3]! ^= 1 << (bit & 7);
      expect(findSingleBitError(damaged, 0, damaged.length, expected)).toBe(bit);
    }
  });

  it('locates a flipped bit relative to start when checking a sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.nat({ max: 16 }), (body, pick, start) => {
        const bytes = new Uint8Array(start + body.length + 3);
        bytes.set(body, start);
        const end = start + body.length;
        const expected = crc32c(bytes, start, end);
        const bit = pick % (body.length * 8);
        bytes[start + (bit >> 3)]! ^= 1 << (bit & 7);
        expect(findSingleBitError(bytes, start, end, expected)).toBe(bit);
      }),
      { numRuns: 300 },
    );
  });

  // CRC is linear, so a flip just before the range has a syndrome of its own: the difference it
  // makes is that of one bit, but of no bit inside [start, end). The answer is "none" (-1).
  it('names no bit outside the range: a difference explained only by a bit just before start gives -1', () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 151 + 7) & 0xff);
    const start = 8;
    const end = bytes.length;
    for (let bit = 0; bit < 8; bit++) {
      const flipped = bytes.slice();
      flipped[start - 1]! ^= 1 << bit;
      // The syndrome of that bit, measured over the range extended by the byte that holds it.
      const syndrome = (crc32c(bytes, start - 1, end) ^ crc32c(flipped, start - 1, end)) >>> 0;
      const expected = (crc32c(bytes, start, end) ^ syndrome) >>> 0;
      expect(findSingleBitError(bytes, start, end, expected), `bit ${bit} of the byte before start`).toBe(-1);
    }
  });

  it('finds no single bit to blame when two bits are flipped', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    const expected = crc32c(bytes);
    bytes[3]! ^= 0x10;
    bytes[40]! ^= 0x02;
    expect(findSingleBitError(bytes, 0, bytes.length, expected)).toBe(-1);
  });

  it('finds no single bit to blame when a whole sector is zeroed', () => {
    const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131 + 1) & 0xff);
    const expected = crc32c(bytes);
    bytes.fill(0, 512, 1024);
    expect(findSingleBitError(bytes, 0, bytes.length, expected)).toBe(-1);
  });
});
