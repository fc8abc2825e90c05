/**
 * Batch validation on its own, before any store: which batches are refused with which typed
 * error, the exact limits, and the encoded payload size it returns (which must be what the
 * encoder writes, since the frame limit is checked on it).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8ByteLength, validateBatch } from '../../engine/batch.ts';
import { batchOpsMax, framePayloadBytesMax, keyBytesMax, valueBytesMax } from '../../engine/limits.ts';
import type { Op } from '../../engine/types.ts';
import { encodeBatch } from '../../engine/wal/format.ts';

const put = (key: string, bytes: number): Op => ({ type: 'put', key, value: new Uint8Array(bytes) });
const del = (key: string): Op => ({ type: 'delete', key });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('validateBatch', () => {
  it('returns 4 bytes of count, 5 + key bytes per operation and 4 + value bytes per put', () => {
    expect(validateBatch([del('ab')])).toBe(4 + 5 + 2);
    expect(validateBatch([put('ab', 3)])).toBe(4 + 5 + 2 + 4 + 3);
    expect(validateBatch([put('é', 0), del('x')])).toBe(4 + (5 + 2 + 4) + (5 + 1));
  });

  it('returns exactly the size the encoder writes', () => {
    const ops = [put('k1', 10), del('k2'), put('ключ', 0)];
    expect(validateBatch(ops)).toBe(encodeBatch(ops).length);
  });

  it('refuses an empty batch and a non-array with InvalidArgumentError', () => {
    expect(thrown(() => validateBatch([]))).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'a batch needs at least one operation' });
    expect(thrown(() => validateBatch(undefined as unknown as Op[]))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(thrown(() => validateBatch({ length: 1 } as unknown as Op[]))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('accepts batchOpsMax operations and refuses one more', () => {
    const ops = Array.from({ length: batchOpsMax }, () => del('k'));
    expect(validateBatch(ops)).toBe(4 + batchOpsMax * 6);
    expect(thrown(() => validateBatch([...ops, del('k')]))).toMatchObject({
      code: 'LIMIT_EXCEEDED', limit: 'batch operation count', actual: batchOpsMax + 1, maximum: batchOpsMax,
    });
  });

  it('refuses an operation without a string key', () => {
    expect(thrown(() => validateBatch([{ type: 'delete', key: 3 } as unknown as Op]))).toMatchObject({
      code: 'INVALID_ARGUMENT', message: 'every operation needs a string key',
    });
    expect(thrown(() => validateBatch([null as unknown as Op]))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a key one byte above keyBytesMax, naming the limit', () => {
    expect(validateBatch([del('k'.repeat(keyBytesMax))])).toBe(4 + 5 + keyBytesMax);
    expect(thrown(() => validateBatch([del('k'.repeat(keyBytesMax + 1))]))).toMatchObject({
      code: 'LIMIT_EXCEEDED', limit: 'key size in bytes', actual: keyBytesMax + 1, maximum: keyBytesMax,
    });
  });

  it('refuses a put whose value is not a Uint8Array, naming the key', () => {
    expect(thrown(() => validateBatch([{ type: 'put', key: 'k', value: 'v' } as unknown as Op]))).toMatchObject({
      code: 'INVALID_ARGUMENT', message: "put 'k' needs a Uint8Array value",
    });
  });

  it('refuses a value one byte above valueBytesMax, naming the limit', () => {
    expect(validateBatch([put('k', valueBytesMax)])).toBe(4 + 5 + 1 + 4 + valueBytesMax);
    expect(thrown(() => validateBatch([put('k', valueBytesMax + 1)]))).toMatchObject({
      code: 'LIMIT_EXCEEDED', limit: 'value size in bytes', actual: valueBytesMax + 1, maximum: valueBytesMax,
    });
  });

  it('refuses an unknown operation type, naming it', () => {
    expect(thrown(() => validateBatch([{ type: 'merge', key: 'k' } as unknown as Op]))).toMatchObject({
      code: 'INVALID_ARGUMENT', message: "unknown operation type 'merge'",
    });
  });

  it('accepts a batch of exactly framePayloadBytesMax encoded bytes and refuses one byte more', () => {
    // 16 puts of 1 MiB values with 1-byte keys, then one put that fills the rest exactly.
    const big = Array.from({ length: 15 }, (_, i) => put(String.fromCharCode(97 + i), valueBytesMax));
    const used = 4 + 15 * (5 + 1 + 4 + valueBytesMax);
    const rest = framePayloadBytesMax - used - (5 + 1 + 4);
    expect(rest).toBeGreaterThan(0);
    expect(rest).toBeLessThanOrEqual(valueBytesMax);
    expect(validateBatch([...big, put('z', rest)])).toBe(framePayloadBytesMax);
    expect(thrown(() => validateBatch([...big, put('z', rest + 1)]))).toMatchObject({
      code: 'LIMIT_EXCEEDED', limit: 'batch size in bytes', actual: framePayloadBytesMax + 1, maximum: framePayloadBytesMax,
    });
  });
});

describe('utf8ByteLength', () => {
  const encoder = new TextEncoder();

  it('counts 1, 2, 3 and 4 bytes per code point, and 3 for a lone surrogate, as TextEncoder encodes them', () => {
    // U+10000 and U+10FFFF: the first and the last pair of surrogates.
    for (const s of ['', 'a', 'é', '€', '😀', '\ud800\udc00', '\udbff\udfff', '\ud83d', '\ude00', 'a\ud83d', '\ude00\ud83d', '\ud83d\ud83d\ude00', 'k\u07ff\u0800\uffff']) {
      expect({ s, bytes: utf8ByteLength(s) }).toEqual({ s, bytes: encoder.encode(s).length });
    }
  });

  it('agrees with TextEncoder on any string of UTF-16 code units', () => {
    const unit = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0x7ff }), fc.integer({ min: 0x800, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
      const s = String.fromCharCode(...units);
      return utf8ByteLength(s) === encoder.encode(s).length;
    }), { numRuns: 2000, seed: 16 });
  });
});
