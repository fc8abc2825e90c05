/**
 * `statfs` on a simulated path answers with the simulated disk's space, in Node's `StatFs`
 * shape, through every API: a library that checks free space before writing sees the disk it
 * writes to, never the real one.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-statfs';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('statfs on the simulated disk', () => {
  it('reports a bounded disk\'s blocks, and fewer free ones once a file is written', async () => {
    facade = installFacade(new SimWorld({ seed: 1, faults: noFaults({ capacityBytes: 1 << 20 }) }), root);
    const before = fs.statfsSync(root);
    expect(before.constructor.name).toBe('StatFs');
    expect(before).toMatchObject({ bsize: 4096, blocks: 256, bfree: 256, bavail: 256 });
    fs.writeFileSync(`${root}/f`, Buffer.alloc(10_000));
    expect((await fs.promises.statfs(root)).bfree).toBe(256 - 3);
    expect((await promisify(fs.statfs)(`${root}/f`)).bavail).toBe(256 - 3);
    expect(fs.statfsSync(root, { bigint: true }).blocks).toBe(256n);
  });

  it('reports 1 TiB for a disk without a capacity, and ENOENT under statfs for a missing path', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(fs.statfsSync(root).blocks).toBe(2 ** 40 / 4096);
    expect(() => fs.statfsSync(`${root}/missing`)).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'statfs' }));
  });
});
