/**
 * The simulated disk's bottom layer: buffers carved out of shared chunks, and copies that share
 * storage until they change, must behave exactly as buffers of their own (zeroed, independent,
 * zero-extended on growth); sealed storage never changes again.
 */
import { describe, expect, it } from 'vitest';
import { allocateZeroed, ByteBuffer } from '../../sim/disk/bytes.ts';

/** `prefix`, then `fill` up to `filled`, then zeros up to `length`. */
function copyOf(prefix: Uint8Array, filled: number, fill: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.fill(fill, prefix.length, filled);
  out.set(prefix);
  return out;
}

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

  it('is independent of a copy that shares its storage, whichever side changes first', () => {
    const original = new ByteBuffer();
    original.write(0, new Uint8Array(100).fill(1));
    const copy = original.clone();
    expect(copy.sealedStorage()).toBe(original.sealedStorage());
    copy.write(10, new Uint8Array([2]));
    original.resize(50);
    const again = original.clone();
    again.resize(80);
    original.write(0, new Uint8Array([3]));
    expect(copy.size).toBe(100);
    expect([...copy.read(9, 3)]).toEqual([1, 2, 1]);
    expect([...copy.read(0, 1)]).toEqual([1]);
    expect(original.size).toBe(50);
    expect([...original.read(0, 2)]).toEqual([3, 1]);
    expect(again.size).toBe(80);
    expect([...again.read(0, 80)]).toEqual([...new Array<number>(50).fill(1), ...new Array<number>(30).fill(0)]);
    const cut = again.clone();
    again.resize(20);
    expect(cut.read(0, 80)).toEqual(copyOf(again.read(0, 20), 50, 1, 80));
  });

  it('never changes a sealed view or sealed storage: the next change takes storage of its own', () => {
    const buffer = new ByteBuffer();
    buffer.write(0, new Uint8Array(40).fill(5));
    const view = buffer.sealedView();
    const storage = buffer.sealedStorage();
    buffer.write(0, new Uint8Array([6]));
    buffer.resize(10);
    buffer.resize(40);
    expect(view.every((byte) => byte === 5)).toBe(true);
    expect(storage.subarray(0, 40).every((byte) => byte === 5)).toBe(true);
    expect(buffer.sealedStorage()).not.toBe(storage);
    expect([...buffer.read(0, 12)]).toEqual([6, ...new Array<number>(9).fill(5), 0, 0]);
  });
});
