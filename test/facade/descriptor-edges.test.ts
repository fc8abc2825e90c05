/**
 * Edge cases of descriptors where the facade follows Linux and Node to the letter, each found by
 * test/facade/differential-streams.test.ts against the real fs, and the moment results arrive
 * (facade/deliver.ts), on which Node's streams depend.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-descriptor-edges';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('descriptor edge cases on the simulated disk', () => {
  it('answers a read of nothing with 0 without looking at the descriptor, as Node does', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const fd = fs.openSync(`${root}/f`, 'w');
    expect(fs.readSync(fd, Buffer.alloc(1), 0, 0, null)).toBe(0);
    expect(() => fs.readSync(fd, Buffer.alloc(1), 0, 1, null)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    fs.closeSync(fd);
  });

  it('refuses a write to a directory descriptor with EBADF and its ftruncate with EINVAL, as Linux does', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const fd = fs.openSync(root, 'r');
    expect(() => fs.writeSync(fd, 'x')).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'write' }));
    expect(() => fs.ftruncateSync(fd, 0)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'ftruncate' }));
    expect(() => fs.readSync(fd, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'EISDIR', syscall: 'read' }));
    fs.closeSync(fd);
  });

  it('appends a positioned write on an O_APPEND descriptor but leaves the descriptor position where it was', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'abc');
    const fd = fs.openSync(`${root}/f`, 'a+');
    fs.writeSync(fd, 'XY', 0);
    const buffer = Buffer.alloc(10);
    expect(fs.readSync(fd, buffer, 0, 10, null)).toBe(5);
    expect(buffer.subarray(0, 5).toString()).toBe('abcXY');
    fs.closeSync(fd);
  });

  it('moves nothing on a write of nothing to an O_APPEND descriptor', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'abc');
    const fd = fs.openSync(`${root}/f`, 'a+');
    expect(fs.writeSync(fd, '')).toBe(0);
    expect(fs.readSync(fd, Buffer.alloc(10), 0, 10, null)).toBe(3);
    fs.closeSync(fd);
  });

  it('resolves FileHandle.write of an empty buffer to 0, even on a read-only handle, as Node does', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'abc');
    const handle = await fs.promises.open(`${root}/f`, 'r');
    const empty = Buffer.alloc(0);
    expect(await handle.write(empty)).toEqual({ bytesWritten: 0, buffer: empty });
    await expect(handle.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'EBADF' });
    await handle.close();
  });
});

describe('when results arrive', () => {
  it('calls back after every microtask already queued, and the ones they queue, as the event loop does', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      fs.writeFile(`${root}/f`, 'x', () => {
        order.push('callback');
        resolve();
      });
      void Promise.resolve().then(() => order.push('microtask')).then(() => order.push('chained microtask'));
    });
    expect(order).toEqual(['microtask', 'chained microtask', 'callback']);
  });

  it('settles a promise after every microtask already queued, as the real fs.promises does', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const order: string[] = [];
    const written = fs.promises.writeFile(`${root}/f`, 'x').then(() => order.push('settled'));
    void Promise.resolve().then(() => order.push('microtask')).then(() => order.push('chained microtask'));
    await written;
    expect(order).toEqual(['microtask', 'chained microtask', 'settled']);
  });
});
