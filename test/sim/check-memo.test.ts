import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { FilesCheck, sameFiles } from '../../sim/check-memo.ts';
import { SimWorld } from '../../sim/world.ts';

/** A check that counts its calls and reports the size of `/db/a`. */
function countingCheck(): { check: (fs: FileSystem, dir: string) => Promise<string[]>; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    check: async (fs, dir) => {
      calls++;
      const handle = await fs.open(`${dir}/a`);
      const size = await handle.size();
      await handle.close();
      return [`size ${size}`];
    },
  };
}

async function write(world: SimWorld, bytes: number[]): Promise<void> {
  const outcome = await world.run(async () => {
    const handle = await world.fs.open('/db/a', { create: true });
    await handle.append(new Uint8Array(bytes));
    await handle.close();
  });
  expect(outcome.outcome).toBe('done');
}

describe('snapshot and FilesCheck', () => {
  it('gives the same array for a file that has not changed, a new one once it has', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    await write(world, [1, 2]);
    const first = world.snapshot();
    expect(world.snapshot().get('/db/a')).toBe(first.get('/db/a'));
    expect(sameFiles(first, world.snapshot())).toBe(true);
    await write(world, [3]);
    const second = world.snapshot();
    expect(second.get('/db/a')).not.toBe(first.get('/db/a'));
    expect([...second.get('/db/a')!]).toEqual([1, 2, 3]);
    expect([...first.get('/db/a')!]).toEqual([1, 2]);
    expect(sameFiles(first, second)).toBe(false);
  });

  it('sees a power loss that drops unsynced data as a change', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    await write(world, [1, 2]);
    const before = world.snapshot();
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(sameFiles(before, world.snapshot())).toBe(false);
  });

  it('asks the check again only when the files changed, and answers the same', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    await write(world, [1, 2]);
    const { check, calls } = countingCheck();
    const memo = new FilesCheck(check, '/db');
    expect(await memo.run(world.snapshot())).toEqual(['size 2']);
    expect(await memo.run(world.snapshot())).toEqual(['size 2']);
    expect(calls()).toBe(1);
    await write(world, [3]);
    expect(await memo.run(world.snapshot())).toEqual(['size 3']);
    expect(calls()).toBe(2);
  });

  it('asks again on the same files when the open before it reported something else (a selfCheck is a function of both), and passes the report on', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    await write(world, [1, 2]);
    const seen: unknown[] = [];
    const memo = new FilesCheck(async (_fs, _dir, recovery) => {
      seen.push(recovery);
      return [];
    }, '/db');
    const files = world.snapshot();
    await memo.run(files, { replayStats: { truncatedBytes: 0 } });
    await memo.run(files, { replayStats: { truncatedBytes: 0 } });
    expect(seen).toEqual([{ replayStats: { truncatedBytes: 0 } }]);
    await memo.run(files, { replayStats: { truncatedBytes: 40 } });
    expect(seen).toEqual([{ replayStats: { truncatedBytes: 0 } }, { replayStats: { truncatedBytes: 40 } }]);
  });
});
