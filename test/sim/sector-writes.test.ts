/**
 * How a sector a power loss cuts mid-write reads back (`faults.sectorWrites`,
 * sim/disk/crash-policy.ts): `torn` (the default) lets it read as garbage, neither the old bytes nor
 * the new, an overwrite in place of durable bytes too; `atomic` (a device with power-loss
 * protection) lands it whole or not at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SectorWrites } from '../../sim/disk/crash-policy.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject } from '../../subjects/index.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import { findScenario } from '../../scenarios/index.ts';
import { filled, inWorld } from './helpers.ts';

const sector = 512;
const oldByte = 0x11;
const newByte = 0x22;

/**
 * Overwrites, in place, `length` bytes at `offset` of a synced file of `sectors` sectors of
 * `oldByte`, with `newByte`, unsynced; then a power loss settles crash state `crashState`.
 * @returns the file after it
 */
async function overwriteThenPowerLoss(sectorWrites: SectorWrites, seed: number, crashState: number, offset: number, length: number): Promise<Uint8Array> {
  const world = new SimWorld({ seed, faults: noFaults({ sectorBytes: sector, sectorWrites }) });
  await inWorld(world, async () => {
    const h = await world.fs.open('f', { create: true });
    await h.write(0, filled(8 * sector, oldByte));
    await h.sync();
    await world.fs.syncDir('.');
    await h.write(offset, filled(length, newByte));
  });
  world.crashNow('power-loss');
  world.restart({ crashState });
  return world.inspect().get('f')!;
}

/** The part of sector `i` that the write at `offset` of `length` covered, as the bytes after the crash. */
function coveredPart(after: Uint8Array, i: number, offset: number, length: number): Uint8Array {
  const lo = Math.max(i * sector, offset);
  const hi = Math.min((i + 1) * sector, offset + length);
  return after.subarray(lo, hi);
}

const writeArb = fc.record({ offset: fc.integer({ min: 0, max: 6 * sector }), length: fc.integer({ min: 1, max: 2 * sector }) });

describe('sector writes cut by a power loss', () => {
  it('on an atomic device: each sector a write covered reads its old bytes or its new ones, never garbage', async () => {
    await fc.assert(fc.asyncProperty(writeArb, fc.nat(500), fc.integer({ min: 0, max: 40 }), async ({ offset, length }, seed, crashState) => {
      const after = await overwriteThenPowerLoss('atomic', seed, crashState, offset, length);
      expect(after.length).toBe(8 * sector);
      for (let i = Math.floor(offset / sector); i * sector < offset + length; i++) {
        const part = coveredPart(after, i, offset, length);
        expect(part.every((b) => b === oldByte) || part.every((b) => b === newByte), `sector ${i}`).toBe(true);
      }
      // Bytes the write did not cover keep their old value.
      after.forEach((b, at) => {
        if (at < offset || at >= offset + length) expect(b).toBe(oldByte);
      });
    }), { numRuns: 120 });
  });

  it('on a torn device (the default): an overwrite in place can read back as garbage, neither old nor new', async () => {
    let garbled = 0;
    for (let crashState = 5; crashState < 80; crashState++) {
      const after = await overwriteThenPowerLoss('torn', 1, crashState, sector, 2 * sector);
      if (after.some((b) => b !== oldByte && b !== newByte)) garbled++;
    }
    expect(garbled).toBeGreaterThan(0);
  });

  it('keeps the device in a disk image: a world started from it on a torn profile still lands sectors whole or not at all', async () => {
    const atomic = new SimWorld({ seed: 3, faults: noFaults({ sectorBytes: sector, sectorWrites: 'atomic' }) });
    await inWorld(atomic, async () => {
      const h = await atomic.fs.open('f', { create: true });
      await h.write(0, filled(4 * sector, oldByte));
      await h.sync();
      await atomic.fs.syncDir('.');
    });
    const image = atomic.exportImage();
    expect(image.disk.sectorWrites).toBe('atomic');
    for (let crashState = 5; crashState < 80; crashState++) {
      const world = new SimWorld({ seed: 1, faults: noFaults({ sectorBytes: sector }), image });
      await inWorld(world, async () => {
        const h = await world.fs.open('f');
        await h.write(sector, filled(2 * sector, newByte));
      });
      world.crashNow('power-loss');
      world.restart({ crashState });
      expect(world.inspect().get('f')!.every((b) => b === oldByte || b === newByte), `crash state ${crashState}`).toBe(true);
    }
  });
});

describe('a plan file\'s faults.sectorWrites', () => {
  it('reads atomic and torn, and refuses any other value with one line naming the field', () => {
    const plan = JSON.parse(JSON.stringify(findScenario('wal-append')!.plan(1))) as { faults: Record<string, unknown> };
    expect(checkPlan({ ...plan, faults: { ...plan.faults, sectorWrites: 'atomic' } }, 'p.json').faults.sectorWrites).toBe('atomic');
    expect(checkPlan({ ...plan, faults: { ...plan.faults, sectorWrites: 'torn' } }, 'p.json').faults.sectorWrites).toBe('torn');
    expect(() => checkPlan({ ...plan, faults: { ...plan.faults, sectorWrites: 'whole' } }, 'p.json')).toThrow(/faults\.sectorWrites/);
  });
});

describe('an engine that relies on atomic sector writes (etcd\'s rule: a torn record holds an all-zero sector)', () => {
  const campaign = async (module: string) => runCampaign({ subject: await loadSubject({ kind: 'engine', module }), units: ['edge-values'], seeds: 55, seedStart: 86 });

  it('is refused as false-corruption on the default disk, where a cut sector may read as garbage', async () => {
    const result = await campaign('test/fixtures/engines/zero-sector-rule.ts');
    expect(result.violations.length).toBeGreaterThan(0);
    expect(new Set(result.violations.map((v) => v.invariant))).toEqual(new Set(['false-corruption']));
  });

  it('passes the same seeds once it declares sectorWrites: \'atomic\', every plan saying so', async () => {
    const subject = await loadSubject({ kind: 'engine', module: 'test/fixtures/engines/zero-sector-rule-atomic.ts' });
    expect((subject.plan('edge-values', 86) as { faults: { sectorWrites?: string } }).faults.sectorWrites).toBe('atomic');
    const result = await campaign('test/fixtures/engines/zero-sector-rule-atomic.ts');
    expect(result.seeds).toBe(55);
    expect(result.violations).toEqual([]);
  });
});
