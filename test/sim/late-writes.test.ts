/**
 * Late writes (sim/disk/kernel.ts): with `reorder` on, a write may take effect after I/O issued
 * after it, an fsync included, as in a thread pool. Exact effects: what a later fsync covers,
 * what reads see, when promises settle, what a crash does to a write not yet in effect, how the
 * decisions are recorded and replayed, and that nothing changes when reorder is off.
 */
import { describe, expect, it } from 'vitest';
import { SyncFileSystem } from '../../sim/disk/sync-port.ts';
import { noFaults, SimWorld, type ReorderProfile } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

/** A world whose file `/f` exists, its name durable (I/O 0 and 1); the next I/O is number 2. */
async function worldWithFile(reorder?: ReorderProfile, faults = noFaults()) {
  const world = new SimWorld({ seed: 1, faults, reorder, trace: 'full' });
  const handle = await inWorld(world, async () => {
    const h = await world.fs.open('/f', { create: true });
    await world.fs.syncDir('/');
    return h;
  });
  expect(world.ioCount).toBe(2);
  return { world, handle };
}

/** A write of 10 bytes (I/O 2) and a datasync issued right after it (I/O 3), both awaited. */
async function writeThenSync(reorder?: ReorderProfile): Promise<{ world: SimWorld; order: string[] }> {
  const { world, handle } = await worldWithFile(reorder);
  const order: string[] = [];
  await inWorld(world, () => Promise.all([
    handle.write(0, filled(10, 7)).then(() => order.push('write')),
    handle.datasync().then(() => order.push('datasync')),
  ]));
  return { world, order };
}

describe('late writes', () => {
  it('a write that takes effect late is not covered by an fsync issued after it: a power loss takes it back', async () => {
    const { world, order } = await writeThenSync({ lateWriteProbability: 0, lateWrites: [2] });
    expect(world.lateWrites).toEqual([2]);
    expect(order).toEqual(['datasync', 'write']);
    expect(world.inspect().get('/f')).toEqual(filled(10, 7));
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(world.inspect().get('/f')).toEqual(new Uint8Array(0));
  });

  it('without reorder the same fsync covers the write: it survives the same power loss', async () => {
    const { world } = await writeThenSync();
    expect(world.lateWrites).toEqual([]);
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(world.inspect().get('/f')).toEqual(filled(10, 7));
  });

  it('a read issued while a late write is pending does not see it; one issued after it resolved does', async () => {
    const { world, handle } = await worldWithFile({ lateWriteProbability: 0, lateWrites: [2] });
    const [before, after] = await inWorld(world, async () => {
      const write = handle.write(0, filled(4, 9));
      const early = await handle.read(0, 4);
      await write;
      return [early, await handle.read(0, 4)];
    });
    expect(before).toEqual(new Uint8Array(0));
    expect(after).toEqual(filled(4, 9));
  });

  it('a crash before a late write takes effect drops it, and its promise never settles', async () => {
    const { world, handle } = await worldWithFile({ lateWriteProbability: 0, lateWrites: [2] });
    let settled = false;
    const outcome = await world.run(async () => {
      void handle.write(0, filled(8, 1)).finally(() => { settled = true; });
      world.crashNow('kill-9');
      await new Promise(() => undefined);
    });
    expect(outcome).toEqual({ outcome: 'crashed', kind: 'kill-9' });
    world.restart();
    expect(world.inspect().get('/f')).toEqual(new Uint8Array(0));
    expect(settled).toBe(false);
  });

  it('a fault at a write wins over lateness: a scheduled disk-full strikes at issue and the write is not late', async () => {
    const faults = noFaults({ scheduled: [{ io: 2, kind: 'disk-full', arg: 0 }] });
    const { world, handle } = await worldWithFile({ lateWriteProbability: 0, lateWrites: [2] }, faults);
    await expect(inWorld(world, () => handle.write(0, filled(8, 1)))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(world.lateWrites).toEqual([]);
  });

  it('is traced as I/O `late` when issued and as a note when it takes effect, so the n-th io event stays I/O n', async () => {
    const { world } = await writeThenSync({ lateWriteProbability: 0, lateWrites: [2] });
    const events = world.trace.events.filter((event) => event.type === 'io' || event.type === 'note');
    expect(events.map((event) => `${event.type} ${event.name} ${event.detail ?? ''}`)).toEqual([
      'io open ok', 'io syncDir ok', 'io write @0 len=10 late', 'io datasync ok', 'note write @0 len=10 late ok',
    ]);
  });

  it('draws from the reorder stream: the same seed defers the same writes, and their list alone replays the run', async () => {
    const workload = async (reorder: ReorderProfile) => {
      const world = new SimWorld({ seed: 7, reorder });
      await inWorld(world, async () => {
        const h = await world.fs.open('/g', { create: true });
        for (let i = 0; i < 40; i++) await Promise.all([h.write(i * 4, filled(4, i)), h.datasync()]);
      });
      return { late: [...world.lateWrites], digest: world.trace.digest() };
    };
    const first = await workload({ lateWriteProbability: 0.5 });
    const again = await workload({ lateWriteProbability: 0.5 });
    expect(first.late.length).toBeGreaterThan(5);
    expect(first.late.length).toBeLessThan(35);
    expect(again).toEqual(first);
    expect(await workload({ lateWriteProbability: 0, lateWrites: first.late })).toEqual(first);
  });

  it('off unless turned on: probability 0 and no list leave the trace exactly as without reorder', async () => {
    const digest = async (reorder?: ReorderProfile): Promise<string> => (await writeThenSync(reorder)).world.trace.digest();
    expect(await digest({ lateWriteProbability: 0 })).toBe(await digest());
    expect(await digest({ lateWriteProbability: 0, lateWrites: [2] })).not.toBe(await digest());
  });

  it('the synchronous port never defers a write (it cannot wait)', () => {
    const world = new SimWorld({ seed: 1, reorder: { lateWriteProbability: 1 } });
    const fs = new SyncFileSystem(world.kernel);
    const file = fs.open('/s', { create: true });
    file.write(0, filled(3, 5));
    expect(world.lateWrites).toEqual([]);
    expect(file.read(0, 3)).toEqual(filled(3, 5));
  });
});
