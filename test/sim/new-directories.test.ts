/**
 * A new directory on the simulated disk (sim/disk/disk.ts `mkdir`): its name is pending in its
 * parent like a file's, so a power loss before the parent is synced may lose the directory and
 * everything in it, synced or not (ALICE's persistence model: "directory operations not synced"
 * is the most common crash bug it found). Setting up a root is durable at once.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { SyncFileSystem } from '../../sim/disk/sync-port.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { runPlan } from '../../sim/runner.ts';
import { noFaults, powerLossNote, SimWorld, type DiskImage } from '../../sim/world.ts';
import { filled, inWorld } from './helpers.ts';

/** 30 crash states: the named ones (1 keeps nothing unsynced, 2 everything) and seeded random ones. */
const crashStates = Array.from({ length: 30 }, (_, i) => i);

/** In `world`: `/r/new` created, `/r/new/f` written, fsynced, and its name synced in `/r/new`. */
async function syncedFileInNewDir(world: SimWorld): Promise<void> {
  world.createDirectory('/r');
  await inWorld(world, async () => {
    await world.fs.mkdir('/r/new');
    const handle = await world.fs.open('/r/new/f', { create: true });
    await handle.append(filled(100, 7));
    await handle.sync();
    await handle.close();
    await world.fs.syncDir('/r/new');
  });
}

/** The files on `world`'s disk after a power loss settled on `crashState`, by path, sorted. */
function filesAfterPowerLoss(world: SimWorld, crashState: number): string[] {
  world.crashNow('power-loss');
  world.restart({ crashState });
  return [...world.inspect().keys()].sort();
}

/** The details of `world`'s trace notes named `name`. */
function notes(world: SimWorld, name: string): string[] {
  return world.trace.events.filter((event) => event.type === 'note' && event.name === name).map((event) => event.detail ?? '');
}

describe('a new directory', () => {
  it('is lost with its synced files by a power loss before its parent is synced: syncing the directory or its files does not make its name durable', async () => {
    const world = new SimWorld({ seed: 1 });
    await syncedFileInNewDir(world);
    expect(filesAfterPowerLoss(world, 1)).toEqual([]);
    expect(world.entryKind('/r/new')).toBeUndefined();
    expect(world.entryKind('/r')).toBe('dir');
  });

  it('may survive a power loss before its parent is synced (crash state 2 keeps every pending name)', async () => {
    const world = new SimWorld({ seed: 1 });
    await syncedFileInNewDir(world);
    expect(filesAfterPowerLoss(world, 2)).toEqual(['/r/new/f']);
  });

  it('survives every power loss, with its synced files, once its parent is synced', async () => {
    for (const crashState of crashStates) {
      const world = new SimWorld({ seed: crashState });
      await syncedFileInNewDir(world);
      await inWorld(world, () => world.fs.syncDir('/r'));
      expect(filesAfterPowerLoss(world, crashState)).toEqual(['/r/new/f']);
      expect(world.inspect().get('/r/new/f')).toEqual(filled(100, 7));
    }
  });

  it('made with its parents: each new name waits for its own parent, so syncing the top one keeps only the first level', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/r');
    await inWorld(world, async () => {
      await world.fs.mkdir('/r/a/b');
      await world.fs.syncDir('/r');
    });
    filesAfterPowerLoss(world, 1);
    expect([world.entryKind('/r/a'), world.entryKind('/r/a/b')]).toEqual(['dir', undefined]);
  });

  it('keeps journal order: a power loss that loses it loses every directory operation made after it, in any directory', async () => {
    for (const crashState of crashStates) {
      const world = new SimWorld({ seed: crashState });
      world.createDirectory('/r');
      world.createDirectory('/s');
      await inWorld(world, async () => {
        await world.fs.mkdir('/r/new');
        await (await world.fs.open('/s/later', { create: true })).close();
      });
      const left = filesAfterPowerLoss(world, crashState);
      if (world.entryKind('/r/new') === undefined) expect(left).toEqual([]);
    }
  });

  it('is reported and traced when a power loss loses it with synced names in it, and the violation says why', async () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    await syncedFileInNewDir(world);
    filesAfterPowerLoss(world, 1);
    expect(world.lastPowerLoss?.lostDir).toBe('the mkdir of /r/new, with 1 synced name in it');
    expect(notes(world, 'dir-lost')).toEqual(['the mkdir of /r/new, with 1 synced name in it, was lost: no fsync of its parent succeeded after the mkdir']);
    expect(powerLossNote(world.lastPowerLoss)).toContain('a directory\'s name is durable only once its parent directory is fsynced');
  });

  it('is not reported when it held nothing synced: losing an empty or unsynced directory loses no promise', async () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    world.createDirectory('/r');
    await inWorld(world, async () => {
      await world.fs.mkdir('/r/new');
      await (await world.fs.open('/r/new/f', { create: true })).close();
    });
    filesAfterPowerLoss(world, 1);
    expect(world.lastPowerLoss?.lostDir).toBeUndefined();
    expect(notes(world, 'dir-lost')).toEqual([]);
  });

  it('counts as more than a new name for the looks after a promise: what is synced under it rests on it', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/r');
    await inWorld(world, () => world.fs.mkdir('/r/new'));
    expect(world.unsyncedBeyondNewNames).not.toBe('');
    await inWorld(world, () => world.fs.syncDir('/r'));
    expect(world.unsyncedBeyondNewNames).toBe('');
  });

  it('removed by rmdir is pending like its creation: a power loss keeps a prefix of the two, so it may come back (empty), and is gone for good once the parent is synced', async () => {
    const seen = new Set<string>();
    for (let crashState = 0; crashState < 24; crashState++) {
      const world = new SimWorld({ seed: crashState });
      world.createDirectory('/r');
      await inWorld(world, async () => {
        await world.fs.mkdir('/r/new');
        await world.fs.syncDir('/r');
        new SyncFileSystem(world.kernel).rmdir('/r/new');
      });
      filesAfterPowerLoss(world, crashState);
      const left = await inWorld(world, () => world.fs.readdir('/r'));
      seen.add(left.join());
      if (left.length > 0) expect(await inWorld(world, () => world.fs.readdir('/r/new'))).toEqual([]);
      // Crash state 1 keeps no unsynced directory operation, 2 keeps them all.
      if (crashState === 1) expect(left).toEqual(['new']);
      if (crashState === 2) expect(left).toEqual([]);
    }
    expect([...seen].sort()).toEqual(['', 'new']);
    const synced = new SimWorld({ seed: 1 });
    synced.createDirectory('/r');
    await inWorld(synced, async () => {
      await synced.fs.mkdir('/r/new');
      new SyncFileSystem(synced.kernel).rmdir('/r/new');
      await synced.fs.syncDir('/r');
    });
    filesAfterPowerLoss(synced, 1);
    expect(synced.entryKind('/r/new')).toBeUndefined();
  });

  it('removed by rmdir, stays removed only pending in a disk image: a power loss in the next world that keeps nothing unsynced brings it back, one that keeps everything does not', async () => {
    for (const [crashState, back] of [[1, true], [2, false]] as const) {
      const first = new SimWorld({ seed: 3 });
      first.createDirectory('/r');
      await inWorld(first, async () => {
        await first.fs.mkdir('/r/old/inner');
        await first.fs.syncDir('/r');
        await first.fs.syncDir('/r/old');
        const port = new SyncFileSystem(first.kernel);
        port.rmdir('/r/old/inner');
        port.rmdir('/r/old');
        // Another directory takes the removed one's name, pending too.
        await first.fs.mkdir('/r/other');
        await first.fs.rename('/r/other', '/r/old');
      });
      const image = JSON.parse(JSON.stringify(first.exportImage())) as DiskImage;
      const second = new SimWorld({ seed: 3, image });
      expect(second.entryKind('/r/old/inner')).toBeUndefined();
      expect(JSON.stringify(new SimWorld({ seed: 3, image }).exportImage())).toBe(JSON.stringify(image));
      filesAfterPowerLoss(second, crashState);
      expect(second.entryKind('/r/old/inner'), `crash state ${crashState}`).toBe(back ? 'dir' : undefined);
    }
  });

  it('stays pending in a disk image: a power loss in the next world can still lose it', async () => {
    const first = new SimWorld({ seed: 3 });
    await syncedFileInNewDir(first);
    first.restart();
    const second = new SimWorld({ seed: 3, image: first.exportImage() });
    expect(second.inspect().has('/r/new/f')).toBe(true);
    expect(filesAfterPowerLoss(second, 1)).toEqual([]);
  });

  it('set up as a root (createDirectory) is durable at once, with no I/O', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/r/a');
    expect(world.ioCount).toBe(0);
    filesAfterPowerLoss(world, 1);
    expect(world.entryKind('/r/a')).toBe('dir');
  });
});

/**
 * The reference engine keeping its store in `store/` under the directory it is given, which it
 * makes on open (the reference engine's own checks, which read the given directory, dropped).
 */
function inSubdirectory(syncParent: boolean): Engine {
  const { crashCheck: _crashCheck, selfCheck: _selfCheck, ...engine } = referenceEngine;
  return {
    ...engine,
    name: syncParent ? 'store-in-synced-subdirectory' : 'store-in-subdirectory-never-synced',
    async open(env) {
      const dir = `${env.dir}/store`;
      await env.fs.mkdir(dir);
      if (syncParent) await env.fs.syncDir(env.dir);
      return referenceEngine.open({ ...env, dir });
    },
  };
}

describe('a directory an engine removes through its port (rmdir)', () => {
  /** In `world`: `/r/old` made and its name synced, then removed; the parent synced after or not. */
  async function removed(world: SimWorld, parentSynced: boolean): Promise<void> {
    world.createDirectory('/r');
    await inWorld(world, async () => {
      await world.fs.mkdir('/r/old');
      await world.fs.syncDir('/r');
      await world.fs.rmdir('/r/old');
      if (parentSynced) await world.fs.syncDir('/r');
    });
  }

  it('is pending in its parent: a power loss before the parent is synced may bring it back, and cannot once it is', async () => {
    const back = new SimWorld({ seed: 1 });
    await removed(back, false);
    expect(back.entryKind('/r/old')).toBeUndefined();
    back.crashNow('power-loss');
    back.restart({ crashState: 1 });
    expect(back.entryKind('/r/old')).toBe('dir');
    for (const crashState of crashStates) {
      const gone = new SimWorld({ seed: crashState });
      await removed(gone, true);
      gone.crashNow('power-loss');
      gone.restart({ crashState });
      expect(gone.entryKind('/r/old')).toBeUndefined();
    }
  });

  it('is refused when not empty (ENOTEMPTY), missing (ENOENT) or a file (ENOTDIR)', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/r/full');
    const codeOf = async (path: string): Promise<string | undefined> => {
      try {
        await inWorld(world, () => world.fs.rmdir(path));
        return undefined;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    await inWorld(world, async () => (await world.fs.open('/r/full/f', { create: true })).close());
    expect(await codeOf('/r/full')).toBe('ENOTEMPTY');
    expect(await codeOf('/r/missing')).toBe('ENOENT');
    expect(await codeOf('/r/full/f')).toBe('ENOTDIR');
  });
});

describe('an engine that makes its own directory', () => {
  const seeds = Array.from({ length: 10 }, (_, seed) => findScenario('wal-append')!.plan(seed));

  it('fails durability when it never fsyncs the parent after the mkdir, and the violation names the lost directory', async () => {
    const messages: string[] = [];
    for (const plan of seeds) messages.push(...(await runPlan(plan, inSubdirectory(false))).violations.map((v) => v.message));
    // A later violation may follow from a store lost at an earlier power loss (LSNs issued again).
    expect(messages.filter((message) => message.includes('a directory\'s name is durable only once its parent directory is fsynced')).length).toBeGreaterThan(5);
  }, 60_000);

  it('passes the same seeds when it fsyncs the parent after the mkdir', async () => {
    for (const plan of seeds) expect((await runPlan(plan, inSubdirectory(true))).violations).toEqual([]);
  }, 60_000);
});

describe('a name lost with its synced data (a file fsynced, its directory not)', () => {
  /** `/r/tmp` written and fsynced, then renamed to `/r/final`; with `syncDir`, the directory synced after. */
  async function syncedThenRenamed(world: SimWorld, syncDir: boolean): Promise<void> {
    world.createDirectory('/r');
    await inWorld(world, async () => {
      const handle = await world.fs.open('/r/tmp', { create: true });
      await handle.append(filled(100, 7));
      await handle.sync();
      await handle.close();
      await world.fs.rename('/r/tmp', '/r/final');
      if (syncDir) await world.fs.syncDir('/r');
    });
  }

  it('is reported, the rename before the create, and the violation says why', async () => {
    const world = new SimWorld({ seed: 1 });
    await syncedThenRenamed(world, false);
    filesAfterPowerLoss(world, 1);
    expect(world.lastPowerLoss?.lostSyncedName).toBe('the rename /r/tmp -> /r/final');
    expect(powerLossNote(world.lastPowerLoss)).toBe('; the power loss before it lost the rename /r/tmp -> /r/final, which named a file whose data was durable (if what failed rests on that file: a new or renamed name is durable only once its directory is fsynced; fsyncing the file is not enough under POSIX)');
  });

  it('is not reported when the power loss struck the fsync of that very directory: nothing relied on the name yet', async () => {
    const lostAt = async (io: number): Promise<string | undefined> => {
      const world = new SimWorld({ seed: 1, faults: { ...noFaults(), scheduled: [{ io, kind: 'power-loss' }] } });
      world.createDirectory('/r');
      // I/O 0 open, 1 append, 2 sync, 3 close, 4 rename, 5 the directory's fsync.
      const outcome = await world.run(async () => {
        const handle = await world.fs.open('/r/tmp', { create: true });
        await handle.append(filled(100, 7));
        await handle.sync();
        await handle.close();
        await world.fs.rename('/r/tmp', '/r/final');
        await world.fs.syncDir('/r');
      });
      expect(outcome.outcome).toBe('crashed');
      world.restart({ crashState: 1 });
      return world.lastPowerLoss?.lostSyncedName;
    };
    expect(await lostAt(5)).toBeUndefined();
    // Struck at the rename's next I/O elsewhere, the same loss is reported.
    expect(await lostAt(4)).toBe('the create of /r/tmp');
  });

  it('is not reported once the directory was fsynced, nor for a file whose data was never fsynced', async () => {
    const synced = new SimWorld({ seed: 1 });
    await syncedThenRenamed(synced, true);
    filesAfterPowerLoss(synced, 1);
    expect(synced.lastPowerLoss?.lostSyncedName).toBeUndefined();
    const unsynced = new SimWorld({ seed: 1 });
    unsynced.createDirectory('/r');
    await inWorld(unsynced, async () => {
      const handle = await unsynced.fs.open('/r/f', { create: true });
      await handle.append(filled(100, 7));
      await handle.close();
    });
    filesAfterPowerLoss(unsynced, 1);
    expect(unsynced.lastPowerLoss?.lostSyncedName).toBeUndefined();
  });
});

describe('names made durable by any fsync (nameSync: journal, as ext4 and XFS commit their metadata journal)', () => {
  /** `/r/new` created, written and fsynced; `/r/later` created after, never fsynced. */
  async function createdAndFsynced(world: SimWorld): Promise<void> {
    world.createDirectory('/r');
    await inWorld(world, async () => {
      const handle = await world.fs.open('/r/new', { create: true });
      await handle.append(filled(100, 7));
      await handle.sync();
      await handle.close();
      await (await world.fs.open('/r/later', { create: true })).close();
    });
  }

  /** The files left by a power loss in each of the first crash states. */
  async function survivors(faults: Partial<ReturnType<typeof noFaults>>): Promise<string[][]> {
    const found: string[][] = [];
    for (let crashState = 0; crashState < 8; crashState++) {
      const world = new SimWorld({ seed: 1, faults: { ...noFaults(), ...faults } });
      await createdAndFsynced(world);
      found.push(filesAfterPowerLoss(world, crashState));
    }
    return found;
  }

  it('keeps a created file whose own fsync came after its create, though its directory was never fsynced', async () => {
    for (const files of await survivors({ nameSync: 'journal' })) expect(files).toContain('/r/new');
  });

  it('still loses a create made after the last fsync', async () => {
    expect((await survivors({ nameSync: 'journal' })).some((files) => !files.includes('/r/later'))).toBe(true);
  });

  it('is not the default: by POSIX the file\'s fsync leaves its name pending, and some power loss loses it', async () => {
    expect((await survivors({})).some((files) => !files.includes('/r/new'))).toBe(true);
  });
});
