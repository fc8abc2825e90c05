/**
 * `dir-sync-error`: fsync of a directory fails with `EIO`. The journal may have committed some of
 * the directory's pending operations before it failed: a prefix, oldest first, as many as the
 * fault's argument says; the rest stay pending, so a power loss may still lose them, and a later
 * directory fsync that succeeds commits them. A kill -9 loses nothing (the names are in the page
 * cache); only directory fsyncs are eligible.
 */
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld, type ScheduledFault } from '../../sim/world.ts';
import { inWorld } from './helpers.ts';

function worldWith(scheduled: ScheduledFault[], rates: Record<string, number> = {}): SimWorld {
  const world = new SimWorld({ seed: 3, trace: 'full', faults: noFaults({ scheduled, rates }) });
  world.createDirectory('/d');
  return world;
}

/** I/O 0-2: creates /d/a, /d/b, /d/c; I/O 3: the directory fsync; then `after`. Returns the error the fsync threw. */
async function threeNamesThenSync(world: SimWorld, after: () => Promise<void> = async () => undefined): Promise<unknown> {
  return inWorld(world, async () => {
    for (const name of ['a', 'b', 'c']) await world.fs.open(`/d/${name}`, { create: true });
    const failed = await world.fs.syncDir('/d').then(() => undefined, (error: unknown) => error);
    await after();
    return failed;
  });
}

/** The names a power loss that keeps nothing unsynced leaves. */
function namesAfterPowerLoss(world: SimWorld): string[] {
  world.crashNow('power-loss');
  world.restart({ crashState: 1 });
  return [...world.inspect().keys()].sort();
}

describe('dir-sync-error', () => {
  it('fails with an injected EIO after committing the first `arg` pending operations: a power loss keeps those and loses the rest', async () => {
    const world = worldWith([{ io: 3, kind: 'dir-sync-error', arg: 2 }]);
    const error = await threeNamesThenSync(world);
    expect(error).toMatchObject({ code: 'EIO', syscall: 'syncDir', path: '/d', injected: true });
    expect(world.faultsFired).toEqual([{ io: 3, kind: 'dir-sync-error', arg: 2 }]);
    expect(world.ioCoverage['dir-sync']?.['dir-sync-error']).toBe(1);
    expect(world.unsyncedCount).toBe(1);
    expect(namesAfterPowerLoss(world)).toEqual(['/d/a', '/d/b']);
    // What the power loss lost of what the failed fsync left pending is reported and traced.
    expect(world.lastPowerLoss?.lostAfterFailedSync).toBe('the create of /d/c');
    expect(world.trace.events.filter((event) => event.type === 'note' && event.name === 'dir-sync-lost').map((event) => event.detail))
      .toEqual(['the create of /d/c, left pending by a failed directory fsync, was lost']);
  });

  it('with argument 0 commits nothing', async () => {
    const world = worldWith([{ io: 3, kind: 'dir-sync-error', arg: 0 }]);
    await threeNamesThenSync(world);
    expect(namesAfterPowerLoss(world)).toEqual([]);
  });

  it('leaves what it did not commit to the next directory fsync that succeeds', async () => {
    const world = worldWith([{ io: 3, kind: 'dir-sync-error', arg: 1 }]);
    await threeNamesThenSync(world, () => world.fs.syncDir('/d'));
    expect(world.unsyncedCount).toBe(0);
    expect(namesAfterPowerLoss(world)).toEqual(['/d/a', '/d/b', '/d/c']);
    expect(world.lastPowerLoss?.lostAfterFailedSync).toBeUndefined();
  });

  it('loses nothing to a kill -9: every name is still in the page cache for the next process', async () => {
    const world = worldWith([{ io: 3, kind: 'dir-sync-error', arg: 0 }]);
    await threeNamesThenSync(world);
    world.crashNow('kill-9');
    world.restart();
    expect([...world.inspect().keys()].sort()).toEqual(['/d/a', '/d/b', '/d/c']);
  });

  it('fires by rate only at directory fsyncs, never committing more than was pending', async () => {
    const world = worldWith([], { 'dir-sync-error': 1 });
    const error = await threeNamesThenSync(world);
    expect(error).toMatchObject({ code: 'EIO', injected: true });
    const fired = world.faultsFired;
    expect(fired.map((fault) => [fault.io, fault.kind])).toEqual([[3, 'dir-sync-error']]);
    expect(fired[0]!.arg).toBeGreaterThanOrEqual(0);
    expect(fired[0]!.arg).toBeLessThanOrEqual(3);
    expect(world.unsyncedCount).toBe(3 - fired[0]!.arg!);
  });
});

describe('dir-sync-error through the fs facade', () => {
  const root = '/powercut-dir-sync-error';
  let facade: InstalledFacade | undefined;
  afterEach(() => {
    facade?.uninstall();
    facade = undefined;
  });

  it('is Node\'s EIO from fsync of a directory descriptor', () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: 2, kind: 'dir-sync-error', arg: 0 }] }) });
    facade = installFacade(world, root);
    fs.closeSync(fs.openSync(`${root}/f`, 'w'));
    const dirFd = fs.openSync(root, 'r');
    expect(() => fs.fsyncSync(dirFd)).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'fsync', injected: true }));
    fs.fsyncSync(dirFd);
    fs.closeSync(dirFd);
    expect(world.unsyncedCount).toBe(0);
  });
});
