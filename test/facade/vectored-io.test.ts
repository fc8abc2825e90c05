/**
 * `readv` and `writev` on facade descriptors: one I/O operation each, as `preadv(2)` and
 * `pwritev(2)` are one syscall, so a crash or fault never falls between two buffers.
 * test/facade/differential.test.ts compares their results with the real fs.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-vectored';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('readv and writev on a simulated file', () => {
  it('writev gathers its buffers into one write operation at the descriptor position', () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const fd = fs.openSync(`${root}/f`, 'w+');
    const before = world.ioCount;
    expect(fs.writevSync(fd, [Buffer.from('one,'), Buffer.from('two,'), Buffer.from('three')])).toBe(13);
    expect(world.ioCount).toBe(before + 1);
    expect(fs.writevSync(fd, [Buffer.from('!')])).toBe(1);
    fs.closeSync(fd);
    expect(fs.readFileSync(`${root}/f`, 'utf8')).toBe('one,two,three!');
  });

  it('readv scatters one read operation over its buffers in order, short at end of file', () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'abcdefg');
    const fd = fs.openSync(`${root}/f`, 'r');
    const buffers = [Buffer.alloc(2), Buffer.alloc(3), Buffer.alloc(4)];
    const before = world.ioCount;
    expect(fs.readvSync(fd, buffers, 1)).toBe(6);
    expect(world.ioCount).toBe(before + 1);
    expect(buffers.map((buffer) => buffer.toString())).toEqual(['bc', 'def', 'g\0\0\0']);
    fs.closeSync(fd);
  });

  it('gives the callback the byte count and the same buffers, and FileHandle methods Node\'s result shapes', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const fd = fs.openSync(`${root}/f`, 'w+');
    const buffers = [Buffer.from('ab'), Buffer.from('c')];
    const [written, back] = await new Promise<[number, NodeJS.ArrayBufferView[]]>((resolve, reject) => fs.writev(fd, buffers, 0, (error, count, given) => (error ? reject(error) : resolve([count, given]))));
    expect(written).toBe(3);
    expect(back).toBe(buffers);
    fs.closeSync(fd);
    const handle = await fs.promises.open(`${root}/f`, 'r+');
    expect(await handle.writev([Buffer.from('X')], 1)).toMatchObject({ bytesWritten: 1 });
    const into = [Buffer.alloc(1), Buffer.alloc(2)];
    expect(await handle.readv(into, 0)).toEqual({ bytesRead: 3, buffers: into });
    expect(into.map(String)).toEqual(['a', 'Xc']);
    await handle.close();
  });
});
