/**
 * The data order of a power loss (`faults.dataOrder`, sim/disk/crash-policy.ts): POSIX (the
 * default) lets a file's size survive without its data, so an unsynced append may read back as
 * zeros or garbage; `ordered` holds the disk to ext4's default `data=ordered`, where an unsynced
 * append survives as a prefix of what was written or not at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataOrder } from '../../sim/disk/crash-policy.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

interface Appends {
  readonly base: number;
  readonly lengths: readonly number[];
  readonly syncEvery: number;
}

const appendsArb: fc.Arbitrary<Appends> = fc.record({
  base: fc.integer({ min: 0, max: 1500 }),
  lengths: fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 8 }),
  syncEvery: fc.integer({ min: 0, max: 4 }),
});

/** Append `i`'s bytes: never 0, and different from its neighbours', so a misplaced byte shows. */
const byteOf = (i: number): number => (i % 250) + 1;

/**
 * Runs `appends` on a fresh world (a synced base, then appends, fsynced every `syncEvery`th),
 * crashes it by power loss, settles crash state `crashState`.
 * @returns what the process wrote (in the page cache before the crash), what was durable before it, and what the disk holds after
 */
async function crashAfter(appends: Appends, dataOrder: DataOrder, seed: number, crashState: number): Promise<{ written: Uint8Array; synced: number; after: Uint8Array; unwrittenTail: string | undefined }> {
  const world = new SimWorld({ seed, faults: noFaults({ sectorBytes: 512, dataOrder }) });
  let synced = appends.base;
  await inWorld(world, async () => {
    const h = await world.fs.open('f', { create: true });
    await h.append(filled(appends.base, 255));
    await h.sync();
    await world.fs.syncDir('.');
    for (const [i, length] of appends.lengths.entries()) {
      await h.append(filled(length, byteOf(i)));
      if (appends.syncEvery > 0 && (i + 1) % appends.syncEvery === 0) {
        await h.sync();
        synced = (await h.size());
      }
    }
  });
  const written = world.inspect().get('f')!;
  world.crashNow('power-loss');
  world.restart({ crashState });
  return { written, synced, after: world.inspect().get('f')!, unwrittenTail: world.lastPowerLoss?.unwrittenTail };
}

/** Whether `after` is what was synced plus a prefix of what was written after it. */
function isSyncedPlusPrefix(written: Uint8Array, synced: number, after: Uint8Array): boolean {
  if (after.length < synced || after.length > written.length) return false;
  return after.every((byte, i) => byte === written[i]);
}

describe('power loss by data order', () => {
  it('in ordered data order keeps unsynced appends as a prefix of what was written: never zeros, garbage or a size without its data', async () => {
    await fc.assert(fc.asyncProperty(appendsArb, fc.nat(500), fc.integer({ min: 0, max: 40 }), async (appends, seed, crashState) => {
      const { written, synced, after, unwrittenTail } = await crashAfter(appends, 'ordered', seed, crashState);
      expect(isSyncedPlusPrefix(written, synced, after)).toBe(true);
      expect(unwrittenTail).toBeUndefined();
      // Cut where the file's size once was: the end of a write, or a page boundary a write grew it past.
      const ends = appends.lengths.map((_, i) => appends.base + appends.lengths.slice(0, i + 1).reduce((a, b) => a + b, 0));
      expect(after.length === synced || ends.includes(after.length) || after.length % 4096 === 0, `size ${after.length}`).toBe(true);
    }), { numRuns: 300 });
  });

  it('in ordered data order never keeps part of one append inside a page: one 656-byte append lands whole or not at all', async () => {
    const sizes = new Set<number>();
    for (let crashState = 0; crashState < 60; crashState++) sizes.add((await crashAfter({ base: 0, lengths: [656], syncEvery: 0 }, 'ordered', 1, crashState)).after.length);
    expect([...sizes].sort((a, b) => a - b)).toEqual([0, 656]);
  });

  it('traces what a power loss garbled: a garbage note at each range, with its file, offset and length, and the file whose size outran its data', async () => {
    for (let crashState = 5; crashState < 400; crashState++) {
      const world = new SimWorld({ seed: 3, faults: noFaults({ sectorBytes: 512 }), trace: 'full' });
      await inWorld(world, async () => {
        const h = await world.fs.open('f', { create: true });
        await world.fs.syncDir('.');
        for (const length of [700, 300, 900]) await h.append(filled(length, 7));
      });
      world.crashNow('power-loss');
      world.restart({ crashState });
      const garbage = [...(world.lastPowerLoss?.garbage ?? new Map<string, readonly (readonly [number, number])[]>())].flatMap(([path, ranges]) => ranges.map(([start, end]) => [path, `@${start} len=${end - start}`]));
      if (garbage.length === 0) continue;
      const notes = world.trace.events.filter((event) => event.type === 'note' && event.name === 'garbage').map((event) => [event.path, event.detail]);
      expect(notes).toEqual(garbage);
      expect(world.trace.events.some((event) => event.name === 'unwritten-tail')).toBe(world.lastPowerLoss?.unwrittenTail !== undefined);
      return;
    }
    expect.unreachable('no crash state garbled a sector');
  });

  it('in POSIX data order (the default) reaches the states ordered forbids, and names the file whose tail nothing wrote', async () => {
    const kinds = new Set<string>();
    const appends: Appends = { base: 100, lengths: [700, 300, 900], syncEvery: 0 };
    for (let crashState = 5; crashState < 400 && kinds.size < 2; crashState++) {
      const { written, synced, after, unwrittenTail } = await crashAfter(appends, 'posix', 3, crashState);
      if (isSyncedPlusPrefix(written, synced, after)) continue;
      expect(unwrittenTail).toBe('f');
      const tail = after.subarray(synced).findIndex((byte, i) => byte !== written[synced + i]);
      kinds.add(after[synced + tail] === 0 ? 'zeros' : 'garbage');
    }
    expect([...kinds].sort()).toEqual(['garbage', 'zeros']);
  });

  it('in ordered data order still tears a write inside the file sector by sector, and lands a hole the process made itself', async () => {
    const seen = new Set<string>();
    for (let crashState = 5; crashState < 200; crashState++) {
      const world = new SimWorld({ seed: 9, faults: noFaults({ sectorBytes: 512, dataOrder: 'ordered' }) });
      await inWorld(world, async () => {
        const h = await world.fs.open('f', { create: true });
        await h.append(filled(2048, 1));
        await h.sync();
        await world.fs.syncDir('.');
        await h.write(0, filled(2048, 2));
        await h.write(8192, filled(10, 3));
      });
      world.crashNow('power-loss');
      world.restart({ crashState });
      const bytes = world.inspect().get('f')!;
      const inside = [0, 1, 2, 3].map((sector) => bytes[sector * 512]);
      if (inside.includes(1) && inside.includes(2)) seen.add('torn inside');
      if (inside.some((byte) => byte !== 1 && byte !== 2)) seen.add('garbage inside');
      if (bytes.length === 8202) {
        expect(bytes.subarray(2048, 8192).every((byte) => byte === 0)).toBe(true);
        expect(bytes.subarray(8192).every((byte) => byte === 3)).toBe(true);
        seen.add('hole');
      } else {
        expect(bytes.length).toBe(2048);
      }
    }
    expect([...seen].sort()).toEqual(['garbage inside', 'hole', 'torn inside']);
  });

  it('keeps the disk\'s data order in an image and a copy', async () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ dataOrder: 'ordered' }) });
    expect(world.exportImage().disk.dataOrder).toBe('ordered');
    expect(new SimWorld({ seed: 1, image: world.exportImage() }).exportImage().disk.dataOrder).toBe('ordered');
    expect(new SimWorld({ seed: 1 }).exportImage().disk.dataOrder).toBeUndefined();
  });
});
