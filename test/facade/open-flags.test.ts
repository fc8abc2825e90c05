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
