/**
 * `writeFile` and `appendFile` with `flush: true` (Node 20.10+) fsync the file after the last
 * write and before the close, in every API that takes a path or a descriptor; a FileHandle's
 * `writeFile` (and `fs.promises.writeFile` given one) ignores it, as Node's does. A library that
 * relies on `flush` must not be judged as skipping its fsync.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-flush';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** The I/O calls a body makes on a fresh simulated root, by name. */
async function iosOf(body: (path: string) => Promise<unknown> | unknown): Promise<string[]> {
  const world = new SimWorld({ seed: 1 });
  facade = installFacade(world, root);
  const before = world.trace.length;
  await body(`${root}/f`);
  const events = world.trace.recent.slice(-(world.trace.length - before));
  facade.uninstall();
  facade = undefined;
  return events.filter((event) => event.type === 'io').map((event) => event.name);
}

const synced = ['open', 'write', 'sync', 'close'];
const unsynced = ['open', 'write', 'close'];

describe('writeFile and appendFile with flush: true', () => {
  it('fsync before the close through a path, in the sync, callback and promise APIs', async () => {
    expect(await iosOf((path) => fs.writeFileSync(path, 'x', { flush: true }))).toEqual(synced);
    // An append-mode descriptor's writes are traced as appends.
    expect(await iosOf((path) => fs.appendFileSync(path, 'x', { flush: true }))).toEqual(['open', 'append', 'sync', 'close']);
    expect(await iosOf((path) => promisify(fs.writeFile)(path, 'x', { flush: true }))).toEqual(synced);
    expect(await iosOf((path) => fs.promises.writeFile(path, 'x', { flush: true }))).toEqual(synced);
    expect(await iosOf((path) => fs.promises.appendFile(path, 'x', { flush: true }))).toEqual(['open', 'append', 'sync', 'close']);
  });

  it('do not fsync without it', async () => {
    expect(await iosOf((path) => fs.writeFileSync(path, 'x'))).toEqual(unsynced);
    expect(await iosOf((path) => fs.promises.writeFile(path, 'x', { flush: false }))).toEqual(unsynced);
  });

  it('fsync a descriptor the caller opened, without closing it', async () => {
    const ios = await iosOf((path) => {
      const fd = fs.openSync(path, 'w');
      fs.writeFileSync(fd, 'x', { flush: true });
      fs.closeSync(fd);
    });
    expect(ios).toEqual(synced);
  });

  it('are ignored through a FileHandle, as Node ignores them', async () => {
    const ios = await iosOf(async (path) => {
      const handle = await fs.promises.open(path, 'w');
      await handle.writeFile('x', { flush: true } as fs.ObjectEncodingOptions);
      await fs.promises.writeFile(handle, 'y', { flush: true });
      await handle.close();
    });
    expect(ios).toEqual(['open', 'write', 'write', 'close']);
  });

  it('refuse a flush that is not a boolean, as Node does', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(() => fs.writeFileSync(`${root}/f`, 'x', { flush: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
