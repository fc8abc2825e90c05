/**
 * Calls that only look a path up (stat, lstat, access, statfs, readlink, chmod, utimes) are each
 * traced under their own name: a trace reads as the library's calls, not as a run of `stat`s.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-lookup-names';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('lookups in the trace', () => {
  it('traces each lookup under the name of the call that made it, its outcome included', () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'x');
    const before = world.trace.events.length;
    fs.statSync(`${root}/f`);
    fs.lstatSync(`${root}/f`);
    fs.accessSync(`${root}/f`);
    fs.statfsSync(`${root}/f`);
    expect(() => fs.readlinkSync(`${root}/f`)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    fs.chmodSync(`${root}/f`, 0o600);
    fs.utimesSync(`${root}/f`, 1, 1);
    expect(() => fs.accessSync(`${root}/missing`)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const lookups = world.trace.events.slice(before).filter((event) => event.type === 'io').map((event) => `${event.name} ${event.path} ${event.detail}`);
    expect(lookups).toEqual([
      `stat ${root}/f ok`,
      `lstat ${root}/f ok`,
      `access ${root}/f ok`,
      `statfs ${root}/f ok`,
      `readlink ${root}/f ok`,
      `chmod ${root}/f ok`,
      `utimes ${root}/f ok`,
      `access ${root}/missing ENOENT`,
    ]);
  });
});
