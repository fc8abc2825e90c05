/**
 * Directory renames on the simulated disk (sim/disk/disk.ts `renameDir`): a directory moves with
 * everything under it; the move is pending until a parent is synced; a power loss keeps the
 * directory at exactly one of its paths, and keeps directory moves in journal order, so that the
 * tree a crash leaves is one the directories really had.
 */
import { describe, expect, it } from 'vitest';
import { SyncFileSystem } from '../../sim/disk/sync-port.ts';
import { SimWorld } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

/** 40 crash states: the named ones and seeded random ones. */
const crashStates = Array.from({ length: 40 }, (_, i) => i);

/** A world holding the synced file `/p/d/f` (5 bytes) and `/p/d/e/g` (3), `/q` empty, all synced. */
async function populated(seed: number): Promise<SimWorld> {
  const world = new SimWorld({ seed });
  await inWorld(world, async () => {
    await world.fs.mkdir('/p/d/e');
    await world.fs.mkdir('/q');
    for (const [path, size] of [['/p/d/f', 5], ['/p/d/e/g', 3]] as const) {
      const handle = await world.fs.open(path, { create: true });
      await handle.append(filled(size, size));
      await handle.sync();
      await handle.close();
    }
    for (const dir of ['/p/d', '/p/d/e']) await world.fs.syncDir(dir);
  });
  return world;
}

/** The paths of the files on the disk, sorted. */
function paths(world: SimWorld): string[] {
  return [...world.inspect().keys()].sort();
}

/** Runs `main` on a fresh populated world, then a power loss in `crashState`: the files left. */
async function afterPowerLoss(crashState: number, main: (world: SimWorld) => Promise<void>): Promise<string[]> {
  const world = await populated(crashState);
  await inWorld(world, () => main(world));
  world.crashNow('power-loss');
  world.restart({ crashState });
  return paths(world);
}

const atOld = ['/p/d/e/g', '/p/d/f'];
const atNew = ['/q/d2/e/g', '/q/d2/f'];

describe('a directory rename', () => {
  it('moves the directory with everything under it, and lookups follow it at once', async () => {
    const world = await populated(1);
    await inWorld(world, async () => {
      await world.fs.rename('/p/d', '/q/d2');
      const handle = await world.fs.open('/q/d2/e/g', {});
      expect(await handle.read(0, 10)).toEqual(filled(3, 3));
      await world.fs.mkdir('/q/d2/e/h');
      expect(await world.fs.readdir('/q/d2/e')).toEqual(['g', 'h']);
      expect(await world.fs.exists('/p/d')).toBe(false);
      expect(await world.fs.readdir('/p')).toEqual([]);
    });
    expect(paths(world)).toEqual(atNew);
  });

  it('keeps the directory at exactly one of its two paths, with its synced files, in every crash state, while no parent is synced', async () => {
    const seen = new Set<string>();
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, (world) => world.fs.rename('/p/d', '/q/d2'));
      expect([atOld, atNew]).toContainEqual(left);
      seen.add(left.join());
    }
    // Both outcomes occur: the move is really pending.
    expect(seen.size).toBe(2);
  });

  it('survives every crash state once either parent is synced', async () => {
    for (const synced of ['/p', '/q']) {
      for (const crashState of crashStates) {
        const left = await afterPowerLoss(crashState, async (world) => {
          await world.fs.rename('/p/d', '/q/d2');
          await world.fs.syncDir(synced);
        });
        expect(left).toEqual(atNew);
      }
    }
  });

  it('commits in journal order: syncing the parent of a second move commits the first move too (never two places)', async () => {
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, async (world) => {
        await world.fs.mkdir('/r');
        await world.fs.rename('/p/d', '/q/d');
        await world.fs.rename('/q/d', '/r/d');
        await world.fs.syncDir('/r');
      });
      expect(left).toEqual(['/r/d/e/g', '/r/d/f']);
    }
  });

  it('keeps a prefix of the directory moves in a power loss, and nothing made after the first move it drops', async () => {
    const seen = new Set<string>();
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, async (world) => {
        await world.fs.rename('/p/d', '/q/d');
        await world.fs.rename('/q/d/e', '/p/e');
        // Made after both moves; its data is synced, its name is not.
        const handle = await world.fs.open('/q/x', { create: true });
        await handle.append(filled(1, 9));
        await handle.sync();
      });
      seen.add(left.join());
      // The first move alone, both, or neither; the new name only where both survived.
      expect([
        ['/p/d/e/g', '/p/d/f'],
        ['/q/d/e/g', '/q/d/f'],
        ['/p/e/g', '/q/d/f'],
        ['/p/e/g', '/q/d/f', '/q/x'],
      ]).toContainEqual(left);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
  });

  it('is committed by a mkdir or rmdir of the name it changed', async () => {
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, async (world) => {
        await world.fs.rename('/p/d', '/q/d2');
        // The name the move freed: without committing the move first, this mkdir, once
        // committed, would replace the moved directory's old durable entry, and a crash that
        // undid the move would lose the directory.
        await world.fs.mkdir('/p/d/new');
      });
      expect(left).toEqual(atNew);
      // rmdir is pending too, in journal order with the creation and the move before it: a crash
      // keeps a prefix of the three, so the directory is at its old name, at its new one, or
      // gone, never in two places.
      const world = await populated(crashState);
      await inWorld(world, async () => {
        await world.fs.mkdir('/p/x');
        await world.fs.rename('/p/x', '/q/x');
        new SyncFileSystem(world.kernel).rmdir('/q/x');
      });
      world.crashNow('power-loss');
      world.restart({ crashState });
      const inP = world.entryKind('/p/x') !== undefined;
      const inQ = world.entryKind('/q/x') !== undefined;
      expect(inP && inQ).toBe(false);
      if (crashState === 2) expect([inP, inQ]).toEqual([false, false]);
    }
  });

  it('stays pending through commits of other names, and is committed by a commit of a name it changed', async () => {
    const seen = new Set<string>();
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, async (world) => {
        await world.fs.rename('/p/d', '/q/d2');
        const handle = await world.fs.open('/q/other', { create: true });
        await handle.sync();
        await world.fs.syncDir('/q');
      });
      // Syncing /q commits the move too: it is in /q's log.
      expect(left).toEqual([...atNew, '/q/other']);
      const unrelated = await afterPowerLoss(crashState, async (world) => {
        await world.fs.rename('/p/d', '/q/d2');
        await world.fs.mkdir('/r');
        await (await world.fs.open('/r/x', { create: true })).close();
        await world.fs.syncDir('/r');
      });
      seen.add(unrelated.filter((path) => !path.startsWith('/r')).join());
      // A file moved onto the name the directory left commits the move first.
      const sameName = await afterPowerLoss(crashState, async (world) => {
        await world.fs.rename('/p/d', '/q/d2');
        await world.fs.mkdir('/r');
        await (await world.fs.open('/r/x', { create: true })).close();
        await world.fs.rename('/r/x', '/p/d');
        await world.fs.syncDir('/r');
      });
      expect(sameName).toEqual(['/p/d', ...atNew]);
    }
    expect(seen.size).toBe(2);
  });

  it('stays pending through a mkdir or rmdir of another name', async () => {
    const seen = new Set<string>();
    for (const crashState of crashStates) {
      const left = await afterPowerLoss(crashState, async (world) => {
        await world.fs.mkdir('/q/old');
        await world.fs.rename('/p/d', '/q/d2');
        await world.fs.mkdir('/q/other');
        new SyncFileSystem(world.kernel).rmdir('/q/old');
      });
      expect([atOld, atNew]).toContainEqual(left);
      seen.add(left.join());
    }
    expect(seen.size).toBe(2);
  });

  it('refuses what rename(2) refuses, and replaces an empty directory', async () => {
    const world = await populated(1);
    await inWorld(world, async () => {
      const codeOf = (from: string, to: string): Promise<unknown> => world.fs.rename(from, to).then(() => 'ok', (error: { code: string }) => error.code);
      expect(await codeOf('/p/d', '/p/d/e/inside')).toBe('EINVAL');
      expect(await codeOf('/p/d', '/p/d/f')).toBe('EINVAL');
      await (await world.fs.open('/q/file', { create: true })).close();
      expect(await codeOf('/p/d', '/q/file')).toBe('ENOTDIR');
      await world.fs.mkdir('/q/full/x');
      expect(await codeOf('/p/d', '/q/full')).toBe('ENOTEMPTY');
      expect(await codeOf('/p/missing', '/q/m')).toBe('ENOENT');
      expect(await codeOf('/', '/q/root')).toBe('EINVAL');
      expect(await codeOf('/p/d', '/p/d')).toBe('ok');
      expect(await codeOf('/p/d', '/q/full/x')).toBe('ok');
      expect(await world.fs.readdir('/q/full/x')).toEqual(['e', 'f']);
    });
  });
});

describe('a mkdir', () => {
  /**
   * A populated world in which the file `/p/d/f` is unlinked and `/p/d/f/sub` made in its place
   * with the synced file `n` in it, `/p/d/f/sub` synced, then the directories of `parentsSynced`,
   * then a power loss settled on `crashState`.
   */
  async function newDirOverUnlinkedFile(crashState: number, parentsSynced: readonly string[]): Promise<SimWorld> {
    const world = await populated(crashState);
    await inWorld(world, async () => {
      await world.fs.unlink('/p/d/f');
      await world.fs.mkdir('/p/d/f/sub');
      const handle = await world.fs.open('/p/d/f/sub/n', { create: true });
      await handle.sync();
      for (const dir of ['/p/d/f/sub', ...parentsSynced]) await world.fs.syncDir(dir);
    });
    world.crashNow('power-loss');
    world.restart({ crashState });
    return world;
  }

  it('commits a pending unlink of the same name first, so a power loss cannot bring the old file back over the new directory', async () => {
    const seen = new Set<string>();
    for (const crashState of crashStates) {
      const world = await newDirOverUnlinkedFile(crashState, []);
      // The new directories' names are pending in /p/d and /p/d/f: either kept, or lost with n.
      seen.add(paths(world).join());
      expect(world.entryKind('/p/d/f')).not.toBe('file');
    }
    expect([...seen].sort()).toEqual(['/p/d/e/g', '/p/d/e/g,/p/d/f/sub/n']);
  });

  it('keeps the new directory through every power loss once its parents are synced', async () => {
    for (const crashState of crashStates) {
      const world = await newDirOverUnlinkedFile(crashState, ['/p/d/f', '/p/d']);
      expect(paths(world)).toEqual(['/p/d/e/g', '/p/d/f/sub/n']);
      expect(await inWorld(world, () => world.fs.readdir('/p/d'))).toEqual(['e', 'f']);
    }
  });
});
