/**
 * The reference engine's own checks of its files after recovery (sim/adapters/reference.ts),
 * written from the on-disk format rather than from what recovery decides: here, that every torn
 * tail recovery cut off (kept as evidence, rule K4) was one rule R5 lets it cut, and that a cut
 * the open reported was kept at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceEngine, tornTailCutsAllowed, tornTailKept } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';
import { mutants } from '../mutants/catalogue.ts';
import { encodeSegmentHeader, segmentHeaderBytes } from '../../engine/wal/format.ts';
import { evidenceName } from '../../engine/wal/evidence.ts';
import { segmentName } from '../../engine/wal/segments.ts';
import { SimWorld } from '../../sim/world.ts';
import { inWorld } from './helpers.ts';
import { concatBytes, frameOf } from '../engine/helpers/frames.ts';

const frame = (lsn: number, durableLsn: number): Uint8Array => frameOf({ lsn, durableLsn });
const concat = concatBytes;
/** A torn frame: its first 16 bytes gone to garbage, as a sector that did not land. */
const torn = (bytes: Uint8Array): Uint8Array => bytes.map((byte, i) => (i < 16 ? byte ^ 0x5a : byte));

/**
 * The problems the check finds in a store of segment 1 (header, frame 1 with `kept` after it)
 * whose tail was cut at the end of frame 1 and kept as evidence holding `cut`.
 */
async function judge(cut: Uint8Array, options: { readonly withSegment?: boolean } = {}): Promise<string[]> {
  const world = new SimWorld({ seed: 1 });
  world.createDirectory('/db');
  const cutAt = segmentHeaderBytes + frame(1, 0).length;
  const evidence = evidenceName(1, 1, cutAt);
  return inWorld(world, async () => {
    const write = async (name: string, bytes: Uint8Array): Promise<void> => {
      const handle = await world.fs.open(`/db/${name}`, { create: true });
      await handle.append(bytes);
      await handle.close();
    };
    if (options.withSegment !== false) await write(segmentName(1), concat(encodeSegmentHeader({ seq: 1, baseLsn: 1 }), frame(1, 0)));
    await write(evidence, cut);
    return tornTailCutsAllowed(world.fs, '/db', await world.fs.readdir('/db'));
  });
}

describe('torn tails recovery cut off (the reference engine\'s self-check, rule R5)', () => {
  it('are allowed when nothing in them proves the first cut frame durable', async () => {
    // Frame 3 records only LSN 1 durable: frames 2 and 3 may both be unsynced appends.
    expect(await judge(concat(torn(frame(2, 1)), frame(3, 1)))).toEqual([]);
    expect(await judge(torn(frame(2, 1)))).toEqual([]);
  });

  it('are refused when an intact frame after the damage records the cut frame durable (rule R4, a later frame)', async () => {
    const problems = await judge(concat(torn(frame(2, 1)), frame(3, 2)));
    expect(problems).toEqual([expect.stringMatching(/^00000000000000000001\.wal\.0000000001@\d+\.torn was cut off as a torn tail, but its intact frame at offset \d+ records LSN 2 as durable$/)]);
  });

  it('are refused when the first cut frame is one bit from intact (rule R3, bit rot)', async () => {
    const rotten = frame(2, 1);
    rotten[29]! ^= 0x04; // a bit of the batch, which the payload checksum covers
    expect(await judge(rotten)).toEqual([expect.stringContaining('one bit from intact: bit rot was cut off as a torn tail')]);
  });

  it('are refused when the cut bytes hold only intact frames: nothing was damaged', async () => {
    expect(await judge(concat(frame(2, 1), frame(3, 2)))).toEqual([expect.stringContaining('holds intact frames: recovery cut frames that were not damaged')]);
  });

  it('are not judged once their segment is gone (a prune removed it)', async () => {
    expect(await judge(concat(torn(frame(2, 1)), frame(3, 2)), { withSegment: false })).toEqual([]);
  });
});

describe('a torn tail the open reported cutting (the reference engine\'s self-check, rule K4)', () => {
  afterAll(() => removeMutantCopies());

  /** The problems found in segment 1 of `segmentBytes` bytes, with `evidence` files (cut offset → bytes), after an open that reported cutting `truncatedBytes`. */
  async function kept(segmentBytes: number, evidence: ReadonlyMap<number, number>, truncatedBytes: number): Promise<string[]> {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    return inWorld(world, async () => {
      const write = async (name: string, size: number): Promise<void> => {
        const handle = await world.fs.open(`/db/${name}`, { create: true });
        await handle.append(new Uint8Array(size));
        await handle.close();
      };
      await write(segmentName(1), segmentBytes);
      for (const [offset, size] of evidence) await write(evidenceName(1, 1, offset), size);
      return tornTailKept(world.fs, '/db', await world.fs.readdir('/db'), truncatedBytes);
    });
  }

  it('holds when an evidence file has exactly the cut bytes, named for the offset where the segment now ends', async () => {
    expect(await kept(200, new Map([[200, 40]]), 40)).toEqual([]);
  });

  it('is broken when no evidence file holds the cut: the bytes are gone with no copy', async () => {
    expect(await kept(200, new Map(), 40)).toEqual(['recovery cut 40 bytes of a torn tail, but no evidence file holds them (rule K4)']);
    // An older cut's evidence is not this cut's: another offset, or another length.
    expect(await kept(200, new Map([[120, 40]]), 40)).toHaveLength(1);
    expect(await kept(200, new Map([[200, 39]]), 40)).toHaveLength(1);
  });

  it('judges nothing when the open cut nothing', async () => {
    expect(await kept(200, new Map(), 0)).toEqual([]);
  });

  it('takes the cut from the open before it: a recovery that cuts without keeping the bytes fails the self-check', async () => {
    const plan = findScenario('wal-append')!.plan(2);
    const bug = await loadMutant(mutants.find((m) => m.id === 'torn-evidence-not-kept')!);
    const caught = await runPlan(plan, bug);
    expect(caught.violations[0]?.invariant).toBe('self-consistency');
    expect(caught.violations[0]?.message).toMatch(/recovery cut \d+ bytes of a torn tail, but no evidence file holds them \(rule K4\)/);
    // The shipped engine on the same plan: it cut, and kept what it cut.
    const shipped = await runPlan(plan, referenceEngine);
    expect(shipped.probes?.['recovery.cut-torn-tail'] ?? 0).toBeGreaterThan(0);
    expect(shipped.violations).toEqual([]);
  });
});
