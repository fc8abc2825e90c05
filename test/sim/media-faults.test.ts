/**
 * The media faults beyond bit flips, effect by effect: misdirected writes, latent sector damage
 * and lost directory entries. Each test states the bytes or names before and after, what is
 * sticky, what a rewrite clears, and what the trace and the fired-fault record say.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.ts';
import { noFaults, SimWorld, type ScheduledFault } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

/** A world with 512-byte sectors whose I/O number `io` (0-based) gets the scheduled faults. */
function worldWith(scheduled: ScheduledFault[]): SimWorld {
  return new SimWorld({ seed: 5, trace: 'full', faults: noFaults({ scheduled, sectorBytes: 512 }) });
}

/** The trace detail of the one fault event of `kind`. */
function faultDetail(world: SimWorld, kind: string): string | undefined {
  const events = world.trace.events.filter((event) => event.type === 'fault' && event.name === kind);
  expect(events).toHaveLength(1);
  return events[0]!.detail;
}

/** Bytes `parts` concatenated, each `[length, byte]`. */
function bytesOf(...parts: [number, number][]): Uint8Array {
  return new Uint8Array(parts.flatMap(([length, byte]) => new Array<number>(length).fill(byte)));
}

describe('misdirected-write', () => {
  // I/O: 0 open, 1 append 1024 x 0xaa, 2 datasync, 3 syncDir, 4 write 100 x 0xbb at 1024 (misdirected), 5 datasync
  async function misdirectedWithinTheFile(world: SimWorld): Promise<Uint8Array> {
    return inWorld(world, async () => {
      const h = await world.fs.open('/d/f', { create: true });
      await h.append(filled(1024, 0xaa));
      await h.datasync();
      await world.fs.syncDir('/d');
      await h.write(1024, filled(100, 0xbb));
      await h.datasync();
      return h.read(0, 2000);
    });
  }

  it('lands whole sectors away in the same file: the page cache shows it where it was meant to go, the platter does not', async () => {
    // arg 6: same file (bit 0 clear), backwards (bit 1), 1 + (6 >> 2) % 4 = 2 sectors: lands at 0.
    const world = worldWith([{ io: 4, kind: 'misdirected-write', arg: 6 }]);
    world.createDirectory('/d');
    const read = await misdirectedWithinTheFile(world);
    expect(read).toEqual(bytesOf([1024, 0xaa], [100, 0xbb]));
    expect(world.mediaDamage).toBe(1);
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    // The write clobbered sector 0's first 100 bytes; where it was meant to go the file grew
    // (its size is metadata) but reads zeros.
    expect(world.inspect().get('/d/f')).toEqual(bytesOf([100, 0xbb], [924, 0xaa], [100, 0]));
    expect(world.faultsFired).toEqual([{ io: 4, kind: 'misdirected-write', arg: 6 }]);
    expect(faultDetail(world, 'misdirected-write')).toBe('io=4 arg=6 lands at /d/f@0 when written back');
    expect(world.faultCounts['misdirected-write']).toBe(1);
    expect(world.ioCoverage['append']?.['misdirected-write']).toBe(1); // it grew the file
  });

  it('is lost past the end of the file when it lands after it: a lost write', async () => {
    // arg 0: same file, forwards, 1 sector: lands at 1536, past the 1124 bytes the file holds.
    const world = worldWith([{ io: 4, kind: 'misdirected-write', arg: 0 }]);
    world.createDirectory('/d');
    await misdirectedWithinTheFile(world);
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(world.inspect().get('/d/f')).toEqual(bytesOf([1024, 0xaa], [100, 0]));
  });

  it('lands at the same offset of another file of the same kind, within its size; the file it was meant for keeps its old bytes', async () => {
    const world = worldWith([{ io: 6, kind: 'misdirected-write', arg: 1 }]);
    world.createDirectory('/d');
    await inWorld(world, async () => {
      const one = await world.fs.open('/d/00000001.wal', { create: true });
      await one.append(filled(512, 0x01));
      await one.datasync();
      const two = await world.fs.open('/d/00000002.wal', { create: true });
      await two.append(filled(512, 0x02));
      await two.datasync();
      // I/O 6: 20 bytes at 500 of 2.wal land at 500 of 1.wal, whose durable size is 512.
      await two.write(500, filled(20, 0xcc));
      await two.datasync();
      await world.fs.syncDir('/d');
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(world.inspect().get('/d/00000001.wal')).toEqual(bytesOf([500, 0x01], [12, 0xcc]));
    expect(world.inspect().get('/d/00000002.wal')).toEqual(bytesOf([512, 0x02], [8, 0]));
    expect(faultDetail(world, 'misdirected-write')).toBe('io=6 arg=1 lands at /d/00000001.wal@500 when written back');
  });

  it('lands in another file whose page cache holds just its durable bytes (after a power loss) without changing what reads of it see', async () => {
    const world = worldWith([{ io: 8, kind: 'misdirected-write', arg: 1 }]);
    world.createDirectory('/d');
    await inWorld(world, async () => {
      for (const [name, byte] of [['00000001.wal', 0x01], ['00000002.wal', 0x02]] as const) {
        const h = await world.fs.open(`/d/${name}`, { create: true });
        await h.append(filled(512, byte));
        await h.datasync();
      }
      await world.fs.syncDir('/d');
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 0 });
    const seen = await inWorld(world, async () => {
      const two = await world.fs.open('/d/00000002.wal');
      // I/O 8: 20 bytes at 500 of 2.wal land at 500 of 1.wal when the datasync writes them back.
      await two.write(500, filled(20, 0xcc));
      await two.datasync();
      const one = await world.fs.open('/d/00000001.wal');
      return one.read(0, 1000);
    });
    expect(faultDetail(world, 'misdirected-write')).toBe('io=8 arg=1 lands at /d/00000001.wal@500 when written back');
    expect(world.mediaDamage).toBe(1);
    // The platter changed under 1.wal's page cache, which still holds the bytes it had.
    expect(seen).toEqual(bytesOf([512, 0x01]));
    world.crashNow('power-loss');
    world.restart({ crashState: 0 });
    expect(world.inspect().get('/d/00000001.wal')).toEqual(bytesOf([500, 0x01], [12, 0xcc]));
  });

  it('is seen by nothing until the page cache is dropped: a kill -9 keeps the cache', async () => {
    const world = worldWith([{ io: 4, kind: 'misdirected-write', arg: 6 }]);
    world.createDirectory('/d');
    await misdirectedWithinTheFile(world);
    world.crashNow('kill-9');
    world.restart();
    expect(world.inspect().get('/d/f')).toEqual(bytesOf([1024, 0xaa], [100, 0xbb]));
  });

  it('destroys nothing when a power loss takes it before it was written back, and lands misdirected when one keeps it', async () => {
    // I/O: 0 open, 1 append, 2 datasync, 3 write (misdirected), then the power fails unsynced.
    const run = async (crashState: number): Promise<SimWorld> => {
      const world = worldWith([{ io: 3, kind: 'misdirected-write', arg: 6 }]);
      world.createDirectory('/d');
      await inWorld(world, async () => {
        const h = await world.fs.open('/d/f', { create: true });
        await h.append(filled(1024, 0xaa));
        await h.datasync();
        await h.write(1024, filled(100, 0xbb));
      });
      world.crashNow('power-loss');
      world.restart({ crashState });
      return world;
    };
    const lost = await run(1);
    expect(lost.mediaDamage).toBe(0);
    const kept = await run(2);
    expect(kept.mediaDamage).toBe(1);
    // The power loss is a landing (the datasync was the first), and the damage it wrote back names it.
    expect(kept.landings).toBe(2);
    expect(kept.damageDurableBy).toEqual([2]);
  });
});

describe('sector-damage', () => {
  // I/O: 0 open, 1 append 1024 x 0x11, 2 datasync, 3 read (damaged), 4 read
  async function damagedRead(world: SimWorld): Promise<{ first: Uint8Array; second: Uint8Array }> {
    return inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(1024, 0x11));
      await h.datasync();
      const first = await h.read(0, 1024);
      const second = await h.read(0, 1024);
      return { first, second };
    });
  }

  it('reads a whole durable sector back as zeros on every read, across a power loss, until it is rewritten', async () => {
    // arg 2: even, zeros; sector index 2 / 2 = 1 among the durable sectors [0, 1] the read covers.
    const world = worldWith([{ io: 3, kind: 'sector-damage', arg: 2 }]);
    const { first, second } = await damagedRead(world);
    expect(first).toEqual(bytesOf([512, 0x11], [512, 0]));
    expect(second).toEqual(first);
    expect(faultDetail(world, 'sector-damage')).toBe('io=3 arg=2 sector 1 reads as zeros');
    expect(world.mediaDamage).toBe(1);
    expect(world.inspect().get('f')).toEqual(filled(1024, 0x11)); // inspect is fault-free
    world.crashNow('power-loss');
    world.restart();
    const rewritten = await inWorld(world, async () => {
      const h = await world.fs.open('f');
      expect(await h.read(0, 1024)).toEqual(bytesOf([512, 0x11], [512, 0]));
      await h.write(600, filled(1, 0x22));
      return h.read(0, 1024);
    });
    const healed = filled(1024, 0x11);
    healed[600] = 0x22;
    expect(rewritten).toEqual(healed);
  });

  it('reads a sector back as garbage, the same garbage every time', async () => {
    // arg 1: odd, garbage; sector 0. Its garbage is drawn from the I/O index of the fault.
    const world = worldWith([{ io: 3, kind: 'sector-damage', arg: 1 }]);
    const { first, second } = await damagedRead(world);
    const garbage = new Rng(3).fork('sector/0').bytes(512);
    expect(first).toEqual(new Uint8Array([...garbage, ...filled(512, 0x11)]));
    expect(second).toEqual(first);
    expect(faultDetail(world, 'sector-damage')).toBe('io=3 arg=1 sector 0 reads as garbage');
  });

  it('strikes only durable sectors: unsynced data is spared, and a read of none is left alone', async () => {
    // I/O: 0 open, 1 append 512, 2 datasync, 3 append 512 (unsynced), 4 read (damage), 5 open g, 6 append, 7 read (no durable sector)
    const world = worldWith([{ io: 4, kind: 'sector-damage', arg: 2 }, { io: 7, kind: 'sector-damage', arg: 0 }]);
    const reads = await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(512, 0x11));
      await h.datasync();
      await h.append(filled(512, 0x33));
      const f = await h.read(0, 1024);
      const g = await world.fs.open('g', { create: true });
      await g.append(filled(100, 0x44));
      return { f, g: await g.read(0, 100) };
    });
    // Sector 1 holds unsynced data: the argument's sector index 1 wraps to sector 0, the only durable one.
    expect(reads.f).toEqual(bytesOf([512, 0], [512, 0x33]));
    expect(reads.g).toEqual(filled(100, 0x44));
    expect(world.faultsFired).toEqual([{ io: 4, kind: 'sector-damage', arg: 2 }]);
  });
});

describe('lost-entry', () => {
  // I/O: 0 open a, 1 append, 2 sync, 3 close, 4 open b, 5 append, 6 sync, 7 close, 8 syncDir,
  // 9 open c (an unsynced name, held open), 10 readdir (loses b)
  async function listed(world: SimWorld, keepOpen?: string): Promise<string[]> {
    return inWorld(world, async () => {
      for (const name of ['a', 'b']) {
        const h = await world.fs.open(`/d/${name}`, { create: true });
        await h.append(filled(100, name.charCodeAt(0)));
        await h.sync();
        if (name !== keepOpen) await h.close();
      }
      await world.fs.syncDir('/d');
      await world.fs.open('/d/c', { create: true });
      return world.fs.readdir('/d');
    });
  }

  it('takes a synced name no handle holds open away when the directory is listed, for good', async () => {
    // arg 1: the second of the losable names [a, b].
    const world = worldWith([{ io: 10, kind: 'lost-entry', arg: 1 }]);
    world.createDirectory('/d');
    expect(await listed(world)).toEqual(['a', 'c']);
    expect(world.space.usedBytes).toBe(4096); // b's block is freed; a's 100 bytes take one
    expect(world.mediaDamage).toBe(1);
    expect(faultDetail(world, 'lost-entry')).toBe('io=10 arg=1');
    expect(world.trace.events.find((event) => event.type === 'fault')?.path).toBe('/d/b');
    world.crashNow('power-loss');
    world.restart({ crashState: 2 });
    expect([...world.inspect().keys()].sort()).toEqual(['/d/a', '/d/c']);
  });

  it('never takes a name the live process holds open (its writes would go to a file nobody can find): the same argument takes another', async () => {
    // I/O as above without b's close: 8 open c, 9 readdir. Losable: [a] only.
    const world = worldWith([{ io: 9, kind: 'lost-entry', arg: 1 }]);
    world.createDirectory('/d');
    expect(await listed(world, 'b')).toEqual(['b', 'c']);
    expect(world.trace.events.find((event) => event.type === 'fault')?.path).toBe('/d/a');
    expect(world.mediaDamage).toBe(1);
  });

  /**
   * A world where a process synced `/d/a` and `/d/b` and their names (closing them, or leaving
   * them open), then was killed and restarted.
   */
  async function restartedWith(scheduled: Parameters<typeof worldWith>[0], close: boolean): Promise<SimWorld> {
    const world = worldWith(scheduled);
    world.createDirectory('/d');
    await inWorld(world, async () => {
      for (const name of ['a', 'b']) {
        const h = await world.fs.open(`/d/${name}`, { create: true });
        await h.append(filled(100, name.charCodeAt(0)));
        await h.sync();
        if (close) await h.close();
      }
      await world.fs.syncDir('/d');
    });
    world.crashNow('kill-9');
    world.restart();
    return world;
  }

  it('takes a name a crashed process held open: its handles died with it', async () => {
    // I/O: 0-2 a, 3-5 b (both left open), 6 syncDir; after the restart, 7 readdir.
    const world = await restartedWith([{ io: 7, kind: 'lost-entry', arg: 1 }], false);
    const names = await inWorld(world, () => world.fs.readdir('/d'));
    expect(names).toEqual(['a']);
    expect(world.trace.events.find((event) => event.type === 'fault')?.path).toBe('/d/b');
  });

  describe('met at an open by name, at a process\'s first look into the directory', () => {
    // I/O: 0-3 a (open, append, sync, close), 4-7 b, 8 syncDir; then a restart, and I/O 9 on.
    const closedAndRestarted = (scheduled: Parameters<typeof worldWith>[0]): Promise<SimWorld> => restartedWith(scheduled, true);

    it('takes the name opened: ENOENT, for good, counted as damage', async () => {
      const world = await closedAndRestarted([{ io: 9, kind: 'lost-entry' }]);
      const error = await inWorld(world, () => world.fs.open('/d/b').then(() => undefined, (caught: unknown) => caught));
      expect(error).toMatchObject({ code: 'ENOENT' });
      expect(world.mediaDamage).toBe(1);
      expect(world.faultsFired).toEqual([{ io: 9, kind: 'lost-entry' }]);
      expect(await inWorld(world, () => world.fs.readdir('/d'))).toEqual(['a']);
    });

    it('gives an open that creates a new empty file in its place', async () => {
      const world = await closedAndRestarted([{ io: 9, kind: 'lost-entry' }]);
      const size = await inWorld(world, async () => (await world.fs.open('/d/b', { create: true })).size());
      expect(size).toBe(0);
      expect(world.mediaDamage).toBe(1);
    });

    it('never strikes after the process listed the directory or opened a file in it: the name is met at the first look only', async () => {
      // 9 readdir (nothing scheduled there), 10 open b; or 9 open a, 10 close a, 11 open b.
      const listedFirst = await closedAndRestarted([{ io: 10, kind: 'lost-entry' }]);
      await inWorld(listedFirst, async () => {
        await listedFirst.fs.readdir('/d');
        await listedFirst.fs.open('/d/b');
      });
      const openedFirst = await closedAndRestarted([{ io: 11, kind: 'lost-entry' }]);
      await inWorld(openedFirst, async () => {
        await (await openedFirst.fs.open('/d/a')).close();
        await openedFirst.fs.open('/d/b');
      });
      for (const world of [listedFirst, openedFirst]) {
        expect(world.faultsFired).toEqual([]);
        expect(world.mediaDamage).toBe(0);
      }
    });
  });

  it('never strikes a directory with fewer than two synced file names', async () => {
    const world = worldWith([{ io: 3, kind: 'lost-entry', arg: 0 }]);
    world.createDirectory('/d');
    const names = await inWorld(world, async () => {
      const h = await world.fs.open('/d/a', { create: true });
      await h.sync();
      await world.fs.syncDir('/d');
      return world.fs.readdir('/d');
    });
    expect(names).toEqual(['a']);
    expect(world.faultsFired).toEqual([]);
    expect(world.mediaDamage).toBe(0);
  });
});

describe('when destroyed bytes had become durable (the landing each damage records, for the damage contract)', () => {
  /**
   * I/O: 0 open, 1 append 512 x 0x11, 2 datasync (landing 1), 3 append 512 x 0x22, 4 datasync
   * (landing 2), 5 a read of both sectors, struck by sector damage with `arg` (0: sector 0, 2: sector 1).
   */
  async function twoSectorsThenDamage(arg: number): Promise<SimWorld> {
    const world = worldWith([{ io: 5, kind: 'sector-damage', arg }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(512, 0x11));
      await h.datasync();
      await h.append(filled(512, 0x22));
      await h.datasync();
      await h.read(0, 1024);
    });
    return world;
  }

  it('stamps a sector with the fsync that last wrote it back: damage to an older sector names the older landing', async () => {
    const world = await twoSectorsThenDamage(0);
    expect(world.landings).toBe(2);
    expect(world.damageDurableBy).toEqual([1]);
  });

  it('names the newer landing for a sector a later write rewrote', async () => {
    expect((await twoSectorsThenDamage(2)).damageDurableBy).toEqual([2]);
  });
});
