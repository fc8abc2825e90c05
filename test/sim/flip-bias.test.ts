/**
 * Where drawn bit flips land (sim/disk/file-ops.ts drawFlipBit): half of them in the first
 * bytes of a page, where formats keep headers and meta records, the rest anywhere; always inside
 * the bytes at stake.
 */
import { describe, expect, it } from 'vitest';
import { drawFlipBit, headerBytes, pageBytes } from '../../sim/disk/file-ops.ts';
import { Rng } from '../../sim/rng.ts';

describe('a drawn bit flip', () => {
  it('lands in a page header about half the time over a whole page, where uniform draws would put 1.6 % of them', () => {
    const rng = new Rng('flip-bias');
    let inHeader = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) {
      const byte = Math.floor(drawFlipBit(rng, 0, pageBytes) / 8);
      expect(byte).toBeGreaterThanOrEqual(0);
      expect(byte).toBeLessThan(pageBytes);
      if (byte < headerBytes) inHeader++;
    }
    expect(inHeader / draws).toBeGreaterThan(0.45);
    expect(inHeader / draws).toBeLessThan(0.6);
  });

  it('stays inside the bytes at stake, reaching a header only where they cover one', () => {
    const rng = new Rng('flip-range');
    for (let i = 0; i < 2000; i++) {
      const from = rng.int(3 * pageBytes);
      const length = 1 + rng.int(2 * pageBytes);
      const byte = Math.floor(drawFlipBit(rng, from, length) / 8);
      expect(byte).toBeGreaterThanOrEqual(from);
      expect(byte).toBeLessThan(from + length);
    }
    // Bytes 100..200 of a page hold no header: every flip is uniform among them.
    for (let i = 0; i < 200; i++) {
      const byte = Math.floor(drawFlipBit(rng, 100, 100) / 8);
      expect(byte).toBeGreaterThanOrEqual(100);
      expect(byte).toBeLessThan(200);
    }
  });

  it('reaches the header of a later page the bytes cover', () => {
    const rng = new Rng('flip-later');
    const bytes = new Set<number>();
    for (let i = 0; i < 400; i++) bytes.add(Math.floor(drawFlipBit(rng, pageBytes - 10, 200) / 8));
    expect([...bytes].filter((byte) => byte >= pageBytes && byte < pageBytes + headerBytes).length).toBeGreaterThan(20);
  });
});
