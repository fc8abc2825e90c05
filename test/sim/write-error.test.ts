/**
 * Fault `write-error` (sim/disk/file-ops.ts `failWrite`): a write or an append fails with `EIO`.
 * Through the engine's port a prefix of whole pages may land first (a port's write loop that
 * fails on a later chunk); through the fs facade nothing lands, as `write(2)` reports a partial
 * write by its count. Either way the fault is traced, counted, and replays from its argument.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isIoError } from '../../engine/ports/fs.ts';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld, type FaultProfile, type ScheduledFault } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

const root = '/powercut-write-error';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** A world with `/d` set up and the faults `scheduled`, tracing every event. */
function worldWith(scheduled: ScheduledFault[], rates: FaultProfile['rates'] = {}): SimWorld {
  const world = new SimWorld({ seed: 5, trace: 'full', faults: noFaults({ scheduled, rates }) });
  world.createDirectory('/d');
  return world;
}

/** I/O 0 opens `/d/f` (created), I/O 1 appends `length` bytes of 7 at 0; returns the error the append threw. */
async function appendOnce(world: SimWorld, length: number): Promise<unknown> {
  return inWorld(world, async () => {
    const handle = await world.fs.open('/d/f', { create: true });
    return handle.append(filled(length, 7)).then(() => undefined, (error: unknown) => error);
  });
}

describe('a write-error fault', () => {
  it('fails an append of the engine\'s port with EIO, injected, naming the file, and lands nothing when no page boundary lies inside the write', async () => {
    const world = worldWith([{ io: 1, kind: 'write-error' }]);
    const error = await appendOnce(world, 100);
    expect(isIoError(error, 'EIO')).toBe(true);
    expect(error).toMatchObject({ injected: true, path: '/d/f' });
    expect(world.inspect().get('/d/f')).toEqual(new Uint8Array(0));
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'write-error', arg: 0 }]);
    expect(world.ioCoverage['append']?.['write-error']).toBe(1);
  });

  it('lands the scheduled prefix of whole pages first, cut to a page boundary inside the write', async () => {
    const world = worldWith([{ io: 1, kind: 'write-error', arg: 4096 }]);
    const error = await appendOnce(world, 10_000);
    expect(isIoError(error, 'EIO')).toBe(true);
    expect(world.inspect().get('/d/f')).toEqual(filled(4096, 7));
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'write-error', arg: 4096 }]);
  });

  it('draws the prefix from the page boundaries inside the write, seed by seed, and replays it from the argument', async () => {
    const landed = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const world = new SimWorld({ seed, faults: noFaults({ rates: { 'write-error': 1 } }) });
      world.createDirectory('/d');
      await appendOnce(world, 10_000);
      const size = world.inspect().get('/d/f')?.length ?? -1;
      landed.add(size);
      const [fired] = world.faultsFired;
      expect(fired?.kind).toBe('write-error');
      const replay = worldWith([{ io: fired!.io, kind: 'write-error', arg: fired!.arg! }]);
      await appendOnce(replay, 10_000);
      expect(replay.inspect().get('/d/f')?.length).toBe(size);
    }
    expect([...landed].sort((a, b) => a - b)).toEqual([0, 4096, 8192]);
  });

  it('fails a write of the fs facade with Node\'s EIO and lands nothing, whatever the argument', () => {
    const world = new SimWorld({ seed: 5, trace: 'full', faults: noFaults({ scheduled: [{ io: 1, kind: 'write-error', arg: 4096 }] }) });
    facade = installFacade(world, root);
    const fd = fs.openSync(`${root}/f`, 'w');
    expect(() => fs.writeSync(fd, 'x'.repeat(10_000))).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'write' }) as Error);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe('');
    expect(world.faultsFired).toEqual([{ io: 1, kind: 'write-error', arg: 0 }]);
  });

  it('is never drawn where its rate is 0: the runs of profiles without it are what they were', async () => {
    const world = worldWith([], { 'power-loss': 0 });
    expect(await appendOnce(world, 100)).toBeUndefined();
    expect(world.faultCounts['write-error'] ?? 0).toBe(0);
  });
});
