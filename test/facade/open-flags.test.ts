/**
 * Open flags in the trace (facade/open-flags.ts): a facade open shows the flags it was given, so
 * a truncating open (`w`) reads differently from a plain one; the engine's own opens, which run
 * the same sim/disk/namespace-ops.ts `openOp`, show none, so their traces and digests are as
 * before.
 */
import { constants } from 'node:fs';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { flagsNote } from '../../facade/open-flags.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-open-flags';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** `name path detail` of every `open` I/O event, in order. */
function opens(world: SimWorld): string[] {
  return world.trace.events.filter((event) => event.type === 'io' && event.name === 'open').map((event) => `${event.path} ${event.detail}`);
}

describe('open flags in the trace', () => {
  it('shows a facade open with the flags it was given, whole-file calls included', () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'x');
    fs.appendFileSync(`${root}/f`, 'y');
    fs.readFileSync(`${root}/f`);
    fs.closeSync(fs.openSync(`${root}/f`, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC));
    expect(() => fs.openSync(`${root}/f`, 'wx')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => (fs.openSync as (path: string) => number)(`${root}/missing`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(opens(world)).toEqual([
      `${root}/f flags=w ok`,
      `${root}/f flags=a ok`,
      `${root}/f flags=r ok`,
      `${root}/f flags=O_RDWR|O_CREAT|O_TRUNC ok`,
      `${root}/missing flags=r ENOENT`,
    ]);
  });

  it('shows opens and mkdirs the namespace refuses as notes, not I/O: the n-th I/O event stays I/O operation n', () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    facade = installFacade(world, root);
    fs.mkdirSync(`${root}/lock`);
    expect(() => fs.mkdirSync(`${root}/lock`)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => fs.mkdirSync(`${root}/a/b`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => fs.openSync(`${root}/lock`, 'w')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    const events = world.trace.events.filter((event) => event.name === 'mkdir' || event.name === 'open');
    expect(events.map((event) => `${event.type} ${event.name} ${event.path} ${event.detail}`)).toEqual([
      `io mkdir ${root}/lock ok`,
      `note mkdir ${root}/lock EEXIST`,
      `note mkdir ${root}/a/b ENOENT`,
      `note open ${root}/lock flags=w EISDIR`,
    ]);
    expect(world.trace.events.filter((event) => event.type === 'io')).toHaveLength(world.ioCount);
  });

  it('shows the engine port\'s opens without flags, as before', async () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    const outcome = await world.run(async () => {
      await world.fs.mkdir('/engine');
      const handle = await world.fs.open('/engine/f', { create: true, truncate: true });
      await handle.close();
    });
    expect(outcome.outcome).toBe('done');
    expect(opens(world)).toEqual(['/engine/f ok']);
  });

  it('names numeric flags by their O_ constants, with unnamed bits in hexadecimal', () => {
    expect(flagsNote(undefined)).toBe('flags=r');
    expect(flagsNote('ax+')).toBe('flags=ax+');
    expect(flagsNote(constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT)).toBe('flags=O_WRONLY|O_CREAT|O_APPEND');
    expect(flagsNote(constants.O_RDONLY | 0x40000000)).toBe('flags=O_RDONLY|0x40000000');
  });
});

describe('synchronous open flags (O_SYNC, O_DSYNC)', () => {
  /** The I/O names a body makes on a fresh simulated root. */
  function iosOf(body: (path: string) => void): string[] {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const before = world.trace.length;
    body(`${root}/log`);
    const ios = world.trace.recent.slice(-(world.trace.length - before)).filter((event) => event.type === 'io').map((event) => event.name);
    facade.uninstall();
    facade = undefined;
    return ios;
  }

  it('make every write durable before it returns: as, as+, rs+ and O_SYNC sync, O_DSYNC datasyncs', () => {
    for (const flags of ['as', 'as+', 'sa']) {
      expect(iosOf((path) => fs.appendFileSync(path, 'rec', { flag: flags }))).toEqual(['open', 'append', 'sync', 'close']);
    }
    expect(iosOf((path) => {
      fs.writeFileSync(path, '');
      const fd = fs.openSync(path, 'rs+');
      fs.writeSync(fd, 'rec', 0);
      fs.closeSync(fd);
    }).slice(-4)).toEqual(['open', 'write', 'sync', 'close']);
    const numeric = (bits: number): string[] => iosOf((path) => {
      const fd = fs.openSync(path, constants.O_WRONLY | constants.O_CREAT | bits);
      fs.writeSync(fd, 'rec');
      fs.closeSync(fd);
    });
    expect(numeric(constants.O_SYNC)).toEqual(['open', 'write', 'sync', 'close']);
    expect(numeric(constants.O_DSYNC)).toEqual(['open', 'write', 'datasync', 'close']);
  });

  it('leave ordinary writes unsynced', () => {
    expect(iosOf((path) => fs.appendFileSync(path, 'rec', { flag: 'a' }))).toEqual(['open', 'append', 'close']);
  });

  it('keep the data of an O_SYNC append through a power loss that keeps nothing unsynced, once the name is synced', () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/log`, '');
    const dir = fs.openSync(root, 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    fs.appendFileSync(`${root}/log`, 'durable', { flag: 'as' });
    facade.uninstall();
    facade = undefined;
    world.crashNow('power-loss');
    world.restart({ crashState: 1 });
    expect(new TextDecoder().decode(world.inspect().get(`${root}/log`))).toBe('durable');
  });
});
