/**
 * Hard links on the simulated disk (namespace-ops.ts `linkOp`, the fs facade's `fs.link`): a
 * second name of the same inode, pending like a create until its directory is synced; the file
 * lives while any name does.
 */
import { describe, expect, it } from 'vitest';
import { SyncFileSystem } from '../../sim/disk/sync-port.ts';
import { SimWorld } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

/** A world with the synced file `/d/a` (4 bytes of 1), its name synced, and `/e`. */
async function withFile(seed: number): Promise<{ world: SimWorld; port: SyncFileSystem }> {
  const world = new SimWorld({ seed });
  await inWorld(world, async () => {
    world.createDirectory('/d');
    world.createDirectory('/e');
    const handle = await world.fs.open('/d/a', { create: true });
    await handle.append(filled(4, 1));
    await handle.sync();
    await handle.close();
    await world.fs.syncDir('/d');
  });
  return { world, port: new SyncFileSystem(world.kernel) };
}

describe('a hard link', () => {
  it('names the same file: writes through one name show through the other, and the file lives while a name does', async () => {
    const { world, port } = await withFile(1);
    port.link('/d/a', '/e/b');
    expect(port.stat('/e/b')).toMatchObject({ kind: 'file', size: 4, links: 2 });
    const handle = port.open('/e/b', {});
    handle.write(0, filled(2, 9));
    port.unlink('/d/a');
    expect(port.stat('/e/b')).toMatchObject({ links: 1 });
    expect(world.inspect()).toEqual(new Map([['/e/b', new Uint8Array([9, 9, 1, 1])]]));
  });

  it('refuses an existing new name (EEXIST), a missing source (ENOENT) and a directory (EISDIR, which the facade reports as EPERM)', async () => {
    const { port } = await withFile(1);
    const codeOf = (from: string, to: string): string | undefined => {
      try {
        port.link(from, to);
        return undefined;
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(codeOf('/d/a', '/d/a')).toBe('EEXIST');
    expect(codeOf('/d/missing', '/e/x')).toBe('ENOENT');
    expect(codeOf('/d', '/e/x')).toBe('EISDIR');
    expect(codeOf('/d/a', '/missing/x')).toBe('ENOENT');
  });

  it('is pending until its directory is synced: a power loss may drop the new name, never the old one', async () => {
    const seen = new Set<string>();
    for (let crashState = 0; crashState < 30; crashState++) {
      const { world, port } = await withFile(crashState);
      port.link('/d/a', '/e/b');
      world.crashNow('power-loss');
      world.restart({ crashState });
      const names = [...world.inspect().keys()].sort();
      expect([['/d/a'], ['/d/a', '/e/b']]).toContainEqual(names);
      seen.add(names.join());
    }
    expect(seen.size).toBe(2);
  });

  it('survives every power loss once its directory is synced', async () => {
    for (let crashState = 0; crashState < 30; crashState++) {
      const { world, port } = await withFile(crashState);
      port.link('/d/a', '/e/b');
      port.syncDir('/e');
      world.crashNow('power-loss');
      world.restart({ crashState });
      expect(world.inspect()).toEqual(new Map([['/d/a', filled(4, 1)], ['/e/b', filled(4, 1)]]));
    }
  });
});
