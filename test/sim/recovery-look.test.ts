/**
 * Second looks at a power loss inside a recovery (PowerLossWatch.inRecovery, sim/second-look.ts):
 * an open that began on writes a crashed process left unsynced, and wrote over durable data, is
 * looked at with the power lost right before the fsync after it.
 */
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../sim/runner.ts';
import type { Plan } from '../../sim/plan.ts';
import { findScenario } from '../../scenarios/index.ts';
import { explicitLook } from '../../scenarios/engine-shrink.ts';
import { withLooks } from '../../harness/pin-look.ts';
import { secondLooks } from '../../scenarios/scenario.ts';
import { lookPrefix } from '../../sim/second-look.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { rollbackJournal } from '../fixtures/engines/rollback-journal.ts';
import { filled, inWorld } from './helpers.ts';

/**
 * Three strict commits; the second is killed at its journal's fsync, so the journal the next
 * open finds is in the page cache alone, and `db` was never touched.
 */
const killedAtJournalSync = (seed: number): Plan => {
  const base = findScenario('wal-append')!.plan(seed);
  return {
    ...base,
    engine: { ...base.engine, sync: 'strict', sidecarEveryFrames: 0 },
    faults: noFaults({ scheduled: [{ io: 0, kind: 'kill-9', step: 1, ioInStep: 2, at: 'sync /db/journal' }] }),
    crashStates: [],
    steps: [
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
      { op: 'commit', batch: [{ type: 'put', key: 'c', value: '3' }] },
    ],
  };
};

describe('second looks at a power loss inside a recovery that began on unsynced writes (PowerLossWatch.inRecovery)', () => {
  it('catch a rollback that writes over the store from a journal only the page cache holds, which the run alone misses, naming the fsync it struck before', async () => {
    const engine = rollbackJournal(true);
    const plan = killedAtJournalSync(9);
    const plain = await runPlan(withLooks(plan, 0), engine);
    expect(plain.violations).toEqual([]);
    expect(plain.crashes).toBe(1);
    const looked = await runPlan(withLooks(plan, secondLooks), engine);
    const [violation] = looked.violations;
    // The power loss takes the journal and tears the rollback's write over db: nothing can
    // restore it, and the next open refuses a store no fault damaged.
    expect(violation?.invariant).toBe('false-corruption');
    expect(violation?.look).toMatchObject({ crash: 1, crashState: 0, beforeStep: 2, why: 'recovery-unsynced' });
    expect(violation?.message).toMatch(/^crash 2 \(a power loss\) before step 2, right before an fsync of an open that began on unsynced writes, after it wrote over durable data: open refused with "\/db\/db: the record at offset 0 fails its checksum"/);
    expect(violation?.message.replace(lookPrefix, '')).toMatch(/^open refused/);
  });

  it('look at other crash states of that power loss too, and pin the one that fails onto the run\'s own path as a power loss at that fsync\'s I/O, where the run itself fails the same way', async () => {
    const engine = rollbackJournal(true);
    const plan = withLooks(killedAtJournalSync(4), secondLooks);
    const looked = await runPlan(plan, engine);
    const look = looked.violations[0]!.look!;
    expect(look).toMatchObject({ crash: 1, crashState: 13, why: 'recovery-unsynced' });
    expect(looked.violations[0]?.message).toMatch(/^crash 2 \(a power loss\) before step 2, right before an fsync of an open that began on unsynced writes, after it wrote over durable data, settled on crash state 13 \(a seeded random share of unsynced writes and names kept\): open refused/);
    const pinned = explicitLook(plan, looked);
    expect(pinned.faults.scheduled).toContainEqual({ io: look.io, kind: 'power-loss', arg: 0 });
    expect(pinned.crashStates?.[1]).toBe(look.crashState);
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe('false-corruption');
    expect(own.violations[0]?.look).toBeUndefined();
    expect(own.crashKinds).toEqual(['kill-9', 'power-loss']);
    expect(own.crashStates[1]).toBe(13);
  });

  it('take none in a recovery that makes the journal durable before it writes over the store: nothing it began on is unsynced by then', async () => {
    const engine = rollbackJournal(false);
    for (const seed of [4, 9]) {
      const [plain, looked] = [await runPlan(withLooks(killedAtJournalSync(seed), 0), engine), await runPlan(withLooks(killedAtJournalSync(seed), secondLooks), engine)];
      expect(looked.violations).toEqual([]);
      expect(looked.crashes).toBe(1);
      expect(looked.looks ?? 0).toBe(0);
      expect(looked.digest).toBe(plain.digest);
    }
  });

  it('take none in an open that began with nothing unsynced (the first open, after a power loss)', async () => {
    const engine = rollbackJournal(true);
    // No look at the power loss's other crash states either: only looks inside the recovery could be taken.
    const powerLoss = { ...killedAtJournalSync(9), faults: noFaults({ scheduled: [{ io: 0, kind: 'power-loss' as const, step: 1, ioInStep: 2, at: 'sync /db/journal' }] }), looksAtOtherStates: false };
    const looked = await runPlan(withLooks(powerLoss, secondLooks), engine);
    expect(looked.crashes).toBe(1);
    expect(looked.violations).toEqual([]);
    expect(looked.looks ?? 0).toBe(0);
  });

  it('count what goes over durable data in place: a write inside a file\'s durable size, a truncation below it; not an append, a write over unsynced bytes, a rename or a removal', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/d');
    const counts: number[] = [];
    await inWorld(world, async () => {
      const count = (): void => void counts.push(world.durableOverwrites);
      const file = await world.fs.open('/d/a', { create: true });
      await file.append(filled(100, 0xaa));
      await file.write(10, filled(10, 0xbb));
      count(); // nothing durable yet
      await file.sync();
      await file.append(filled(10, 0xcc));
      await file.write(105, filled(2, 0xdd));
      count(); // past the durable size: still none
      await file.write(0, filled(4, 0xee));
      count(); // inside it
      await file.truncate(50);
      count(); // below it
      const other = await world.fs.open('/d/b', { create: true });
      await other.append(filled(10, 0x11));
      await other.close();
      await world.fs.rename('/d/b', '/d/c');
      await world.fs.unlink('/d/c');
      count(); // an unsynced file renamed and removed
      await file.close();
      await world.fs.rename('/d/a', '/d/a2');
      count(); // a file moved, nothing replaced
      const fresh = await world.fs.open('/d/b', { create: true });
      await fresh.append(filled(10, 0x22));
      await fresh.close();
      await world.fs.rename('/d/b', '/d/a2');
      count(); // replaced a file with durable data
      await world.fs.syncDir('/d');
      await world.fs.unlink('/d/a2');
      count(); // removed a file with durable data
    });
    expect(counts).toEqual([0, 0, 1, 2, 2, 2, 2, 2]);
  });

  it('hold an open to what was unsynced when it began: a write or directory operation synced since, then written again, no longer counts, nor a file replaced since', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/d');
    const still: boolean[] = [];
    await inWorld(world, async () => {
      const file = await world.fs.open('/d/a', { create: true });
      await file.append(filled(10, 0xaa));
      const began = world.unsyncedRecords();
      still.push(world.stillUnsynced(began)); // the write and the create, unsynced
      await file.sync();
      still.push(world.stillUnsynced(began)); // the create is still pending in /d
      await world.fs.syncDir('/d');
      still.push(world.stillUnsynced(began)); // both durable
      await file.append(filled(10, 0xbb));
      await (await world.fs.open('/d/b', { create: true })).close();
      still.push(world.stillUnsynced(began)); // written since: not what it began on
      const other = await world.fs.open('/d/c', { create: true });
      await other.append(filled(10, 0xcc));
      await file.sync();
      await world.fs.syncDir('/d');
      const second = world.unsyncedRecords(); // c's write alone
      const fresh = await world.fs.open('/d/c.tmp', { create: true });
      await fresh.append(filled(10, 0xdd));
      await fresh.sync();
      await world.fs.rename('/d/c.tmp', '/d/c');
      await world.fs.syncDir('/d');
      still.push(world.stillUnsynced(second)); // c's unsynced write is under no name now
    });
    expect(still).toEqual([true, true, false, false, false]);
  });

  it('are told at each fsync of a file or a directory, before it, with its I/O index', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/d');
    const told: number[] = [];
    world.onSync = (io) => told.push(io);
    await inWorld(world, async () => {
      const file = await world.fs.open('/d/a', { create: true });
      await file.append(filled(10, 0xaa));
      await file.sync();
      await file.datasync();
      await world.fs.syncDir('/d');
    });
    expect(told).toEqual([2, 3, 4]);
  });
});
