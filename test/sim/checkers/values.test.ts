import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differenceNote, finalWrites, firstDifferingKey, formatKey, formatValue, valuesEqual } from '../../../sim/checkers/values.ts';
import { bytes, del, put, state } from './helpers.ts';

describe('values', () => {
  it('treats two absent values as equal and an absent and an empty value as different', () => {
    expect(valuesEqual(undefined, undefined)).toBe(true);
    expect(valuesEqual(undefined, new Uint8Array())).toBe(false);
  });

  it('compares values byte by byte', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), fc.uint8Array({ maxLength: 16 }), (a, b) => {
      expect(valuesEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
      expect(valuesEqual(a, a.slice())).toBe(true);
    }));
  });

  it('prints a plain key as is, and an empty key or one with spaces or quotes quoted', () => {
    expect(formatKey('k3')).toBe('k3');
    expect(formatKey('')).toBe('""');
    expect(formatKey('a b')).toBe('"a b"');
    expect(formatKey('say "hi"')).toBe('"say \\"hi\\""');
  });

  it('prints a short value whole with its length', () => {
    expect(formatValue(bytes('ab'))).toBe('"ab" (2 bytes)');
    expect(formatValue(undefined)).toBe('absent');
  });

  it('prints a binary value as an 8-byte hex prefix and its length, after its start quoted when that is text', () => {
    expect(formatValue(new Uint8Array(4096).fill(0xab))).toBe('0xabababababababab… (4096 bytes)');
    expect(formatValue(new Uint8Array([0x61, 0x00, 0x62]))).toBe('"a"+0x0062 (3 bytes)');
    expect(formatValue(new Uint8Array([...new TextEncoder().encode('k1-ключ@3.1:é✓𝄞é✓'), 0xff]))).toBe('"k1-ключ@3.1:é✓𝄞é"…+0xff (31 bytes)');
  });

  it('prints a text value quoted, up to its padding dots or 16 characters, so a generated value names the step that wrote it', () => {
    expect(formatValue(bytes('k3@12.0.........'))).toBe('"k3@12.0"… (16 bytes)');
    expect(formatValue(bytes(''))).toBe('"" (0 bytes)');
    expect(formatValue(bytes('k1-ключ@3.1:é✓𝄞é✓𝄞'))).toBe('"k1-ключ@3.1:é✓𝄞é"… (34 bytes)');
  });

  it('says where two values that print alike differ (a flipped bit past the preview), and nothing for values that print apart', () => {
    const written = bytes('k3@25.0.............................');
    const flipped = written.slice();
    flipped[30] = flipped[30]! ^ 0x04;
    expect(formatValue(flipped)).toBe(formatValue(written));
    expect(differenceNote(written, flipped)).toBe('; the two print alike but differ first at byte 30: 0x2e expected, 0x2a seen');
    expect(differenceNote(written, written.slice())).toBe('');
    expect(differenceNote(bytes('a'), bytes('b'))).toBe('');
    expect(differenceNote(written, undefined)).toBe('');
  });

  it('keeps only the last write of a key within one batch', () => {
    const writes = finalWrites([put('a', '1'), put('b', '1'), del('a'), put('b', '2')]);
    expect(writes.get('a')).toBeUndefined();
    expect(writes.has('a')).toBe(true);
    expect(writes.get('b')).toEqual(bytes('2'));
  });

  it('names the first differing key in sorted order', () => {
    expect(firstDifferingKey(state({ a: '1', c: '1', d: '1' }), state({ a: '1', c: '2', b: '1' }))).toBe('b');
    expect(firstDifferingKey(state({ a: '1' }), state({ a: '1' }))).toBeUndefined();
  });
});
