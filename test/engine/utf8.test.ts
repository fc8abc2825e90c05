/**
 * The engine's UTF-8 codec (engine/utf8.ts) is the platform's, byte for byte and error for
 * error: keys and the manifest's text are encoded exactly as `TextEncoder` encodes them and
 * decoded exactly as a fatal `TextDecoder` decodes them, short ASCII included (the fast path).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, encodeUtf8 } from '../../engine/utf8.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** What a fatal TextDecoder makes of `bytes`: the text, or `error`. */
function platformDecoding(bytes: Uint8Array): string | { error: true } {
  try {
    return decoder.decode(bytes);
  } catch {
    return { error: true };
  }
}

function decoding(bytes: Uint8Array, start?: number, end?: number): string | { error: true } {
  try {
    return decodeUtf8(bytes, start, end);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return { error: true };
  }
}

/** Short byte arrays biased to ASCII, the fast path, with every other byte value possible. */
const shortBytes = fc.uint8Array({ maxLength: 20 }).chain((bytes) => fc.constantFrom(bytes, bytes.map((byte) => byte & 0x7f)));

describe('encodeUtf8', () => {
  it('gives the bytes TextEncoder gives, for any string (lone surrogates become U+FFFD)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
      expect(encodeUtf8(text)).toEqual(encoder.encode(text));
    }), { numRuns: 2000 });
  });

  it('encodes short ASCII text by hand and longer or non-ASCII text through TextEncoder, with the same result', () => {
    expect([...encodeUtf8('k12')]).toEqual([0x6b, 0x31, 0x32]);
    expect(encodeUtf8('')).toEqual(new Uint8Array(0));
    expect(encodeUtf8('a'.repeat(65))).toEqual(encoder.encode('a'.repeat(65)));
    expect([...encodeUtf8('ké')]).toEqual([0x6b, 0xc3, 0xa9]);
    expect([...encodeUtf8('\ud800')]).toEqual([0xef, 0xbf, 0xbd]);
  });
});

describe('decodeUtf8', () => {
  it('gives the text a fatal TextDecoder gives, or throws a TypeError where it throws, for any bytes', () => {
    fc.assert(fc.property(shortBytes, (bytes) => {
      expect(decoding(bytes)).toEqual(platformDecoding(bytes));
    }), { numRuns: 3000 });
  });

  it('decodes the range [start, end) alone', () => {
    fc.assert(fc.property(shortBytes, fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      expect(decoding(bytes, start, end)).toEqual(platformDecoding(bytes.subarray(start, end)));
    }), { numRuns: 2000 });
  });

  it('drops a leading byte-order mark and refuses a byte above 0x7f that starts no valid sequence, as TextDecoder does', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('a');
    expect(() => decodeUtf8(new Uint8Array([0x61, 0x80]))).toThrow(TypeError);
    expect(() => decodeUtf8(new Uint8Array([0xff]))).toThrow(TypeError);
    expect(decodeUtf8(new Uint8Array([0x6b, 0x31]), 1, 2)).toBe('1');
  });
});
