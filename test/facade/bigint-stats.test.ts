/**
 * `stat` with `bigint: true` gives Node's BigIntStats on simulated paths too (every number a
 * bigint, the `*Ns` times added), in every API, as a library comparing sizes or inode numbers
 * as bigints expects; without it, Stats of numbers.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-bigint-stats';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('stat with bigint: true', () => {
  it('gives BigIntStats with the real ones\' fields and prototype, in the sync, promise and FileHandle APIs', async () => {
    const realDir = fs.mkdtempSync(join(tmpdir(), 'powercut-bigint-'));
    fs.writeFileSync(join(realDir, 'f'), 'hello');
    const real = fs.statSync(join(realDir, 'f'), { bigint: true });
    fs.rmSync(realDir, { recursive: true });
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'hello');
    const handle = await fs.promises.open(`${root}/f`);
    const all = [
      fs.statSync(`${root}/f`, { bigint: true }),
      fs.lstatSync(`${root}/f`, { bigint: true }),
      await fs.promises.stat(`${root}/f`, { bigint: true }),
      await handle.stat({ bigint: true }),
    ];
    await handle.close();
    for (const stats of all) {
      expect(Object.getPrototypeOf(stats)).toBe(Object.getPrototypeOf(real));
      expect(Object.keys(stats).sort()).toEqual(Object.keys(real).sort());
      expect(stats.size).toBe(5n);
      expect(stats.isFile()).toBe(true);
      expect(stats.mtimeNs).toBe(stats.mtimeMs * 1_000_000n);
      expect(typeof stats.ino).toBe('bigint');
    }
  });

  it('leaves Stats of numbers without it', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'hello');
    const stats = fs.statSync(`${root}/f`);
    expect(stats).toBeInstanceOf(fs.Stats);
    expect(stats.size).toBe(5);
  });
});
