import { describe, expect, it } from 'vitest';
import { IoError, type FileHandle } from '../../engine/ports/fs.ts';
import type { FsyncFailureMode, ScheduledFault } from '../../sim/world.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';
import { FaultInjector } from '../../sim/disk/faults.ts';
import { Rng } from '../../sim/rng.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import { findScenario } from '../../scenarios/index.ts';

/** The injected IoError a promise rejects with (fails the test if it resolves). */
async function injectedError(promise: Promise<unknown>): Promise<IoError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IoError);
  expect((error as IoError).injected).toBe(true);
  return error as IoError;
}

/** A world whose I/O number `io` (0-based, counting every port call) gets `kind`. */
function worldWith(scheduled: ScheduledFault[], fsyncFailureMode: FsyncFailureMode = 'ext4'): SimWorld {
  return new SimWorld({ seed: 5, faults: noFaults({ scheduled, fsyncFailureMode }) });
}

describe('fsync-error', () => {
  // I/O: 0 open, 1 append A, 2 datasync, 3 append B, 4 datasync (fails), 5 read, 6 datasync
  const failing = (mode: FsyncFailureMode): SimWorld => worldWith([{ io: 4, kind: 'fsync-error' }], mode);

  async function scenario(world: SimWorld): Promise<{ read: Uint8Array; retry: string }> {
    return inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(4, 0xa));
      await h.datasync();
      await h.append(filled(4, 0xb));
      const error = await injectedError(h.datasync());
      expect(error.code).toBe('EIO');
      const read = await h.read(0, 100);
      const retry = await h.datasync().then(() => 'ok', (e: IoError) => e.code);
      return { read, retry };
    });
  }

  /** Opens `f`, appends A (synced) and B, whose fsync fails: B is forgotten (I/O 0 to 4 as above). */
  async function forgetB(world: SimWorld): Promise<FileHandle> {
    const h = await world.fs.open('f', { create: true });
    await h.append(filled(4, 0xa));
    await h.datasync();
    await h.append(filled(4, 0xb));
    await injectedError(h.datasync());
    return h;
  }

  it('ext4: keeps the new data readable, reports success on retry, and never makes it durable', async () => {
    const world = failing('ext4');
    const { read, retry } = await scenario(world);
    expect(read).toEqual(new Uint8Array([...filled(4, 0xa), ...filled(4, 0xb)]));
    expect(retry).toBe('ok');
    world.crashNow('power-loss');
    world.restart({ crashState: 2 }); // keep everything unsynced: still B is gone
    expect(world.inspect().get('f')).toEqual(filled(4, 0xa));
  });

  it('ext4: a later write to a page the failed fsync left unwritten makes the whole page pending again, as writeback writes whole pages', async () => {
    // I/O: 0 open, 1 append A, 2 datasync, 3 append B, 4 datasync (fails), 5 append C (same page), 6 datasync
    const world = failing('ext4');
    await inWorld(world, async () => {
      const h = await forgetB(world);
      await h.append(filled(4, 0xc));
      await h.datasync();
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 3 }); // keeps the names, and no unsynced data
    expect(world.inspect().get('f')).toEqual(new Uint8Array([...filled(4, 0xa), ...filled(4, 0xb), ...filled(4, 0xc)]));
  });

  it('ext4: what becomes pending again is the forgotten bytes of the page written, not the durable bytes beside them (a power loss tears only what was changed)', async () => {
    const world = failing('ext4');
    await inWorld(world, async () => {
      const h = await forgetB(world);
      await h.write(5000, filled(4, 0xd)); // another page: B stays forgotten
      const [state] = [...world.kernel.disk.files()].map(([, file]) => file);
      expect(state!.forgotten).toEqual([[4, 8]]);
      await h.write(8, filled(4, 0xc)); // B's page: B is pending again, A (durable) is not
    });
    const [file] = [...world.kernel.disk.files()].map(([, state]) => state);
    const writes = file!.pending.flatMap((record) => (record.kind === 'write' ? [[record.offset, record.length]] : []));
    expect(writes).toEqual([[5000, 4], [4, 4], [8, 4]]);
    expect(file!.forgotten).toEqual([]);
  });

  it('ext4: the forgotten bytes of a page no later write touches stay lost, even after a later fsync of other pages', async () => {
    // I/O: 0 open, 1 append A, 2 datasync, 3 append B, 4 datasync (fails), 5 write C on the next page, 6 datasync
    const world = failing('ext4');
    await inWorld(world, async () => {
      const h = await forgetB(world);
      await h.write(4096, filled(4, 0xc));
      await h.datasync();
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 2 }); // keeps everything unsynced: B was never pending again
    const after = world.inspect().get('f')!;
    expect(after.subarray(0, 8)).toEqual(new Uint8Array([...filled(4, 0xa), ...filled(4, 0)]));
    expect(after.subarray(4096)).toEqual(filled(4, 0xc));
  });

  it('ext4: keeps a truncation the failed fsync did not write pending, for the next fsync to make durable: no old tail comes back', async () => {
    // I/O: 0 open, 1 append 151 bytes, 2 datasync, 3 syncDir, 4 truncate to 0, 5 datasync (fails), 6 write 32 bytes, 7 datasync
    const world = worldWith([{ io: 5, kind: 'fsync-error' }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(151, 0xa));
      await h.datasync();
      await world.fs.syncDir('.');
      await h.truncate(0);
      await injectedError(h.datasync());
      await h.write(0, filled(32, 0xb));
      await h.datasync();
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 1 }); // keeps nothing unsynced: what the last fsync made durable
    expect(world.inspect().get('f')).toEqual(filled(32, 0xb));
  });

  it('btrfs: reverts the file to its durable state', async () => {
    const { read, retry } = await scenario(failing('btrfs'));
    expect(read).toEqual(filled(4, 0xa));
    expect(retry).toBe('ok');
  });

  it('sticky: fails every later sync of that file', async () => {
    const world = failing('sticky');
    const { read, retry } = await scenario(world);
    expect(read).toEqual(new Uint8Array([...filled(4, 0xa), ...filled(4, 0xb)]));
    expect(retry).toBe('EIO');
    expect(world.faultsFired).toEqual([{ io: 4, kind: 'fsync-error' }]);
  });
});

describe('power-loss at a write', () => {
  async function powerLossAtWrite(arg: number | undefined): Promise<Uint8Array | undefined> {
    // I/O: 0 open, 1 append A, 2 datasync, 3 syncDir, 4 append B (the power fails)
    const world = worldWith([arg === undefined ? { io: 4, kind: 'power-loss' } : { io: 4, kind: 'power-loss', arg }]);
    const outcome = await world.run(async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(4, 0xa));
      await h.datasync();
      await world.fs.syncDir('.');
      await h.append(filled(4, 0xb));
    });
    expect(outcome).toEqual({ outcome: 'crashed', kind: 'power-loss' });
    world.restart({ crashState: 2 }); // keeps every unsynced write
    return world.inspect().get('f');
  }

  it('strikes after the write reached the page cache, so a crash state that keeps unsynced writes keeps it', async () => {
    expect(await powerLossAtWrite(undefined)).toEqual(new Uint8Array([...filled(4, 0xa), ...filled(4, 0xb)]));
  });

  it('strikes before the write when scheduled with argument 0: none of it reaches the page cache (how a look before an I/O is pinned)', async () => {
    expect(await powerLossAtWrite(0)).toEqual(filled(4, 0xa));
  });
});

describe('disk-full', () => {
  it('stops a write at a block boundary and fails with ENOSPC; the file\'s last block still takes writes, and freeing space lets it grow', async () => {
    // I/O: 0 open a, 1 append (the fault leaves one 4 KiB block: 4096 of 10,000 bytes land), 2 append (full), ...
    const world = worldWith([{ io: 1, kind: 'disk-full', arg: 4096 }]);
    await inWorld(world, async () => {
      const a = await world.fs.open('a', { create: true });
      expect((await injectedError(a.append(filled(10_000, 1)))).code).toBe('ENOSPC');
      expect(await a.size()).toBe(4096);
      expect((await injectedError(a.append(filled(1, 1)))).code).toBe('ENOSPC');
      await a.truncate(100);
      // Inside the block the file already has: no space needed.
      await a.append(filled(3000, 2));
      // Across its end: the bytes up to the block boundary land, then ENOSPC.
      expect((await injectedError(a.append(filled(1000, 3)))).code).toBe('ENOSPC');
      expect(await a.size()).toBe(4096);
      await a.truncate(0);
      await a.append(filled(50, 4));
      expect(await a.size()).toBe(50);
    });
    expect(world.faultCounts['disk-full']).toBe(1);
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'disk-full', arg: 4096 }]);
  });

  it('gives the space back once the write it failed has returned when the fault says spaceReturns: the next write lands whole, and a replay keeps the flag', async () => {
    // I/O: 0 open a, 1 append (fails: what fits in the file's blocks lands), 2 append (lands), 3 append.
    const scheduled: ScheduledFault[] = [{ io: 1, kind: 'disk-full', arg: 0, spaceReturns: true }];
    const world = worldWith(scheduled);
    await inWorld(world, async () => {
      const a = await world.fs.open('a', { create: true });
      expect((await injectedError(a.append(filled(5000, 1)))).code).toBe('ENOSPC');
      expect(await a.size()).toBe(0);
      await a.append(filled(5000, 2));
      await a.append(filled(10_000, 3));
      expect(await a.size()).toBe(15_000);
    });
    expect(world.faultsFired).toEqual(scheduled);
    // Without it the disk stays full.
    const full = worldWith([{ io: 1, kind: 'disk-full', arg: 0 }]);
    await inWorld(full, async () => {
      const a = await full.fs.open('a', { create: true });
      await injectedError(a.append(filled(5000, 1)));
      expect((await injectedError(a.append(filled(5000, 2)))).code).toBe('ENOSPC');
    });
  });

  it('reads spaceReturns from a plan file, and refuses it on another kind of fault or as anything but true', () => {
    const plan = findScenario('disk-full')!.plan(1);
    const withFault = (fault: object): unknown => JSON.parse(JSON.stringify({ ...plan, faults: noFaults({ scheduled: [fault as ScheduledFault] }) }));
    expect(checkPlan(withFault({ io: 3, kind: 'disk-full', spaceReturns: true }), 'p.json').faults.scheduled).toEqual([{ io: 3, kind: 'disk-full', spaceReturns: true }]);
    expect(() => checkPlan(withFault({ io: 3, kind: 'write-error', spaceReturns: true }), 'p.json')).toThrow(/faults\.scheduled\[0\]\.spaceReturns must be true, on a disk-full fault/);
    expect(() => checkPlan(withFault({ io: 3, kind: 'disk-full', spaceReturns: 1 }), 'p.json')).toThrow(/spaceReturns must be true/);
  });

  it('reads the variables a failure was found with from a plan\'s found.env, and refuses a value that is not a string', () => {
    const plan = JSON.parse(JSON.stringify(findScenario('wal-append')!.plan(1))) as Record<string, unknown>;
    const found = { invariant: 'durability', message: 'm' };
    expect(checkPlan({ ...plan, found: { ...found, env: { LSM_BUG: 'delete-wal-early' } } }, 'p.json').found?.env).toEqual({ LSM_BUG: 'delete-wal-early' });
    expect(() => checkPlan({ ...plan, found: { ...found, env: { LSM_BUG: 1 } } }, 'p.json')).toThrow(/found\.env\.LSM_BUG must be a string/);
  });

  it('rounds a scheduled slack down to whole blocks, below what the write needs', async () => {
    const world = worldWith([{ io: 1, kind: 'disk-full', arg: 5000 }]);
    await inWorld(world, async () => {
      const a = await world.fs.open('a', { create: true });
      expect((await injectedError(a.append(filled(9000, 1)))).code).toBe('ENOSPC');
      expect(await a.size()).toBe(4096);
    });
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'disk-full', arg: 4096 }]);
  });

  it('creates an empty file on a full disk (it takes no block, as on ext4), whose first write fails', async () => {
    const world = worldWith([{ io: 1, kind: 'disk-full', arg: 0 }]);
    await inWorld(world, async () => {
      const a = await world.fs.open('a', { create: true });
      expect((await injectedError(a.append(filled(10, 1)))).code).toBe('ENOSPC');
      const b = await world.fs.open('b', { create: true });
      expect((await injectedError(b.append(filled(1, 1)))).code).toBe('ENOSPC');
      expect(await b.size()).toBe(0);
    });
  });

  it('refuses a create that a disk-full fault strikes (a directory that needs a new block, or XFS), and fills the disk', async () => {
    const world = worldWith([{ io: 0, kind: 'disk-full', arg: 0 }]);
    await inWorld(world, async () => {
      expect((await injectedError(world.fs.open('a', { create: true }))).code).toBe('ENOSPC');
      const b = await world.fs.open('b', { create: true });
      expect((await injectedError(b.append(filled(1, 1)))).code).toBe('ENOSPC');
    });
  });

  it('enforces a fixed capacity in whole blocks with short writes', async () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ capacityBytes: 10_000 }) });
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(6000, 1));
      // 10,000 bytes hold two whole blocks.
      expect((await injectedError(h.append(filled(4000, 1)))).code).toBe('ENOSPC');
      expect(await h.size()).toBe(8192);
      await h.write(0, filled(500, 3)); // overwriting needs no space
    });
  });

  it('counts bytes, not blocks, with blockBytes 1 (a file size limit)', async () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ capacityBytes: 10_000, blockBytes: 1 }) });
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(9000, 1));
      expect((await injectedError(h.append(filled(2000, 1)))).code).toBe('ENOSPC');
      expect(await h.size()).toBe(10_000);
    });
  });

  it('fails a sync with ENOSPC and keeps its data unsynced', async () => {
    const world = worldWith([{ io: 2, kind: 'disk-full', arg: 0 }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(10, 1));
      expect((await injectedError(h.sync())).code).toBe('ENOSPC');
    });
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(world.inspect().get('f')).toBeUndefined();
  });

  it('ends with unlimited space once faults are disabled', async () => {
    const world = worldWith([{ io: 1, kind: 'disk-full', arg: 0 }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await injectedError(h.append(filled(10, 1)));
      world.setFaultsEnabled(false);
      await h.append(filled(10, 1));
    });
    expect(world.space.capacityBytes).toBe(Infinity);
  });
});

describe('read-error and bit-flip', () => {
  it('fails one read with EIO and leaves the data intact', async () => {
    const world = worldWith([{ io: 2, kind: 'read-error' }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(10, 1));
      expect((await injectedError(h.read(0, 10))).code).toBe('EIO');
      expect(await h.read(0, 10)).toEqual(filled(10, 1));
    });
  });

  it('flips one bit of a sector on every read until the sector is rewritten', async () => {
    const bit = 8 * 4096 + 8 * 5 + 3; // byte 4101, in the second 4 KiB sector
    const world = worldWith([{ io: 3, kind: 'bit-flip', arg: bit }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(8192, 0));
      await h.datasync();
      const expected = filled(8192, 0);
      expected[4101] = 1 << 3;
      expect(await h.read(0, 8192)).toEqual(expected);
      expect(await h.read(4096, 10)).toEqual(expected.subarray(4096, 4106));
      await h.write(4096, filled(1, 0));
      expect(await h.read(0, 8192)).toEqual(filled(8192, 0));
    });
  });

  it('keeps a flipped bit across a power loss: it hits durable data', async () => {
    const world = worldWith([{ io: 3, kind: 'bit-flip', arg: 7 }]);
    await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(16, 0));
      await h.sync();
      await h.read(0, 16);
    });
    world.crashNow('power-loss');
    world.restart();
    const first = await inWorld(world, async () => (await world.fs.open('f')).read(0, 1));
    expect(first).toEqual(new Uint8Array([0x80]));
    expect(world.inspect().get('f')).toEqual(filled(16, 0)); // inspect is fault-free
  });
});

describe('faults off but for those scheduled (setFaultsEnabled(\'scheduled\'))', () => {
  it('fires a fault scheduled at its exact I/O, and none that the rates draw', async () => {
    // I/O: 0 open, 1 append, 2 datasync, 3 read (a bit flip scheduled: bit 9), 4 read.
    const world = new SimWorld({ seed: 5, faults: noFaults({ rates: { 'read-error': 1 }, scheduled: [{ io: 3, kind: 'bit-flip', arg: 9 }] }) });
    world.setFaultsEnabled('scheduled');
    const [first, second] = await inWorld(world, async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(4, 0));
      await h.datasync();
      return [await h.read(0, 4), await h.read(0, 4)] as const;
    });
    expect(first).toEqual(new Uint8Array([0, 2, 0, 0]));
    expect(second).toEqual(new Uint8Array([0, 2, 0, 0]));
    expect(world.faultCounts['bit-flip']).toBe(1);
    expect(world.faultCounts['read-error']).toBe(0);
    // Wholly off, the same schedule fires nothing.
    const off = new SimWorld({ seed: 5, faults: noFaults({ scheduled: [{ io: 3, kind: 'bit-flip', arg: 9 }] }) });
    off.setFaultsEnabled(false);
    const read = await inWorld(off, async () => {
      const h = await off.fs.open('f', { create: true });
      await h.append(filled(4, 0));
      await h.datasync();
      return h.read(0, 4);
    });
    expect(read).toEqual(filled(4, 0));
  });

  it('never fires a scheduled fault but rot: a full disk a shrunk plan moved into the final reopen fails nothing', async () => {
    const world = new SimWorld({ seed: 5, faults: noFaults({ scheduled: [{ io: 1, kind: 'disk-full' }, { io: 2, kind: 'fsync-error' }] }) });
    world.setFaultsEnabled('scheduled');
    const outcome = await world.run(async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(4, 0));
      await h.datasync();
      return h.read(0, 4);
    });
    expect(outcome).toEqual({ outcome: 'done', value: filled(4, 0) });
    expect(world.faultCounts['disk-full'] + world.faultCounts['fsync-error']).toBe(0);
  });

  it('never fires a scheduled crash: code running with faults off has none to recover from', async () => {
    for (const kind of ['kill-9', 'power-loss'] as const) {
      const world = new SimWorld({ seed: 5, faults: noFaults({ scheduled: [{ io: 1, kind }] }) });
      world.setFaultsEnabled('scheduled');
      const outcome = await world.run(async () => {
        const h = await world.fs.open('f', { create: true });
        await h.append(filled(4, 0));
        return h.read(0, 4);
      });
      expect(outcome, kind).toEqual({ outcome: 'done', value: filled(4, 0) });
      expect(world.faultCounts[kind]).toBe(0);
    }
  });
});

describe('kill-9', () => {
  it('loses nothing written, synced or not, names included', async () => {
    const world = worldWith([{ io: 5, kind: 'kill-9' }]);
    const outcome = await world.run(async () => {
      await world.fs.mkdir('/d');
      const h = await world.fs.open('/d/f', { create: true });
      await h.append(filled(100, 1));
      await world.fs.rename('/d/f', '/d/g');
      await h.append(filled(100, 2));
      await h.append(filled(100, 3)); // killed here
    });
    expect(outcome).toEqual({ outcome: 'crashed', kind: 'kill-9' });
    world.restart();
    expect(world.inspect()).toEqual(new Map([['/d/g', new Uint8Array([...filled(100, 1), ...filled(100, 2)])]]));
  });

  it('leaves a page-aligned prefix of a large write it lands in', async () => {
    const world = worldWith([{ io: 2, kind: 'kill-9', arg: 4096 - 100 }]);
    const outcome = await world.run(async () => {
      const h = await world.fs.open('f', { create: true });
      await h.append(filled(100, 1));
      await h.append(filled(20_000, 2));
    });
    expect(outcome.outcome).toBe('crashed');
    world.restart();
    expect(world.inspect().get('f')?.length).toBe(4096);
  });

  it('draws the prefix at a page boundary when the rates fire it', async () => {
    for (let seed = 0; seed < 30; seed++) {
      const world = new SimWorld({ seed, faults: noFaults({ rates: { 'kill-9': 0.5 } }) });
      await world.run(async () => {
        const h = await world.fs.open('f', { create: true });
        await h.append(filled(50_000, 2));
      });
      world.restart();
      const size = world.inspect().get('f')?.length ?? 0;
      expect(size % 4096 === 0 || size === 50_000).toBe(true);
    }
  });
});

describe('fault accounting', () => {
  it('counts every fault by kind and by the engine phase it hit', async () => {
    const world = new SimWorld({ seed: 3, faults: noFaults({ scheduled: [{ io: 1, kind: 'power-loss' }] }) });
    await world.run(async () => {
      await world.fs.mkdir('/d');
      world.probe('wal.sync');
      await world.fs.syncDir('/d');
    });
    expect(world.faultCounts['power-loss']).toBe(1);
    expect(world.coverage['wal.sync']!['power-loss']).toBe(1);
    expect(world.ioCoverage['dir-sync']!['power-loss']).toBe(1);
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'power-loss' }]);
  });
});

describe('FaultInjector.mayFire', () => {
  it('says which kinds can fire at all: a rate above zero, or an entry scheduled', () => {
    const injector = new FaultInjector(noFaults({ rates: { 'bit-flip': 0.01, 'read-error': 0 }, scheduled: [{ io: 7, kind: 'lost-entry' }] }), new Rng(1));
    expect(injector.mayFire('bit-flip')).toBe(true);
    expect(injector.mayFire('lost-entry')).toBe(true);
    expect(injector.mayFire('read-error')).toBe(false);
    expect(injector.mayFire('power-loss')).toBe(false);
  });

  it('leaves a listing losable wherever a lost entry is scheduled, with no rate for it', async () => {
    const world = new SimWorld({ seed: 3, faults: noFaults({ scheduled: [{ io: 14, kind: 'lost-entry' }] }) });
    let listed: string[] = [];
    const outcome = await world.run(async () => {
      await world.fs.mkdir('/d');
      for (const name of ['a', 'b', 'c']) {
        const handle = await world.fs.open(`/d/${name}`, { create: true });
        await handle.write(0, filled(10, 1));
        await handle.sync();
        await handle.close();
      }
      await world.fs.syncDir('/d');
      listed = await world.fs.readdir('/d');
    });
    expect(outcome.outcome).toBe('done');
    expect(listed).toHaveLength(2);
    expect(world.faultsFired).toEqual([{ io: 14, kind: 'lost-entry', arg: expect.any(Number) }]);
  });
});
