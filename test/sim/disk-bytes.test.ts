/**
 * The simulated disk's bottom layer: buffers carved out of shared chunks must behave exactly as
 * buffers of their own (zeroed, independent, zero-extended on growth).
 */
import { describe, expect, it } from 'vitest';
import { allocateZeroed, ByteBuffer } from '../../sim/disk/bytes.ts';

describe('allocateZeroed', () => {
  it('gives zeroed bytes of the length asked, 8-byte aligned, that no other buffer shares', () => {
    const buffers = [0, 1, 63, 64, 65, 100, 1000, 4096, 8192, 8193, 70_000].map((length) => allocateZeroed(length));
    expect(buffers.map((buffer) => buffer.length)).toEqual([0, 1, 63, 64, 65, 100, 1000, 4096, 8192, 8193, 70_000]);
    for (const buffer of buffers) {
      expect(buffer.every((byte) => byte === 0)).toBe(true);
      expect(buffer.byteOffset % 8).toBe(0);
    }
    for (const [index, buffer] of buffers.entries()) buffer.fill(index + 1);
    for (const [index, buffer] of buffers.entries()) expect(buffer.every((byte) => byte === index + 1)).toBe(true);
  });

  it('hands out fresh zeros after many allocations, across chunks', () => {
    const seen: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const buffer = allocateZeroed(700);
      expect(buffer.every((byte) => byte === 0)).toBe(true);
      buffer.fill(0xff);
      seen.push(buffer);
    }
    expect(seen.every((buffer) => buffer.every((byte) => byte === 0xff))).toBe(true);
  });
});

describe('ByteBuffer', () => {
  it('reads zeros where it grew, after a cut and after a copy made with room', () => {
    const buffer = new ByteBuffer();
    buffer.write(0, new Uint8Array(300).fill(7));
    buffer.resize(100);
    buffer.resize(200);
    expect([...buffer.read(0, 200)]).toEqual([...new Array<number>(100).fill(7), ...new Array<number>(100).fill(0)]);
    const copy = buffer.clone(5000);
    copy.write(4000, new Uint8Array([9]));
    expect(copy.size).toBe(4001);
    expect(copy.read(0, 4001).subarray(200, 4000).every((byte) => byte === 0)).toBe(true);
    expect(buffer.size).toBe(200);
    expect(copy.read(0, 100)).toEqual(new Uint8Array(100).fill(7));
  });
});
