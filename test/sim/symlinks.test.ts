/**
 * Symbolic links on the simulated disk (namespace-ops.ts `symlinkOp`, the fs facade's
 * `fs.symlink`): a link is an inode that holds its target, made with its name in one journaled
 * operation, so its name is pending like a new file's until its directory is synced, and a link
 * that survives a power loss survives whole. The switch of a link by renaming a new one over it
 * (deployment tools' `current -> v<N>`) is durable only once the directory is synced.
 */
import { describe, expect, it } from 'vitest';
import type { DiskImage } from '../../sim/disk/image.ts';
import { SyncFileSystem } from '../../sim/disk/sync-port.ts';
import { SimWorld } from '../../sim/world.ts';

/** A world with `/d` durable and a port on it. */
function world(seed: number): { world: SimWorld; port: SyncFileSystem } {
  const made = new SimWorld({ seed });
  made.createDirectory('/d');
  return { world: made, port: new SyncFileSystem(made.kernel) };
}

/** The links under `/d` after a power loss in `crashState`: name → target. */
function linksAfterPowerLoss(sim: SimWorld, crashState: number): Record<string, string | undefined> {
  sim.crashNow('power-loss');
  sim.restart({ crashState });
  const port = new SyncFileSystem(sim.kernel);
  return Object.fromEntries(port.readdir('/d').map((name) => [name, port.stat(`/d/${name}`).kind === 'file' ? sim.linkTargetAt(`/d/${name}`) : undefined]));
}

describe('a symbolic link on the simulated disk', () => {
  it('holds its target, shows it to stat, and refuses a name already taken (EEXIST), a dangling link too', () => {
    const { port } = world(1);
    port.symlink('v1', '/d/current');
    expect(port.stat('/d/current')).toMatchObject({ kind: 'file', size: 0, linkTarget: 'v1' });
    expect(() => port.symlink('v2', '/d/current')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => port.symlink('v2', '/missing/current')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('is pending until its directory is synced: a power loss may drop it, and never keeps it without its target', () => {
    const seen = new Set<string>();
    for (let crashState = 0; crashState < 30; crashState++) {
      const { world: sim, port } = world(crashState);
      port.symlink('v1', '/d/current');
      const links = linksAfterPowerLoss(sim, crashState);
      expect([{}, { current: 'v1' }]).toContainEqual(links);
      seen.add(JSON.stringify(links));
    }
    expect(seen.size).toBe(2);
  });

  it('switched by renaming a new link over it, is either link after a power loss, and the new one once the directory is synced', () => {
    const seen = new Set<string>();
    for (let crashState = 0; crashState < 30; crashState++) {
      for (const synced of [false, true]) {
        const { world: sim, port } = world(crashState);
        port.symlink('v1', '/d/current');
        port.syncDir('/d');
        port.symlink('v2', '/d/current.tmp');
        port.rename('/d/current.tmp', '/d/current');
        if (synced) port.syncDir('/d');
        const links = linksAfterPowerLoss(sim, crashState);
        if (synced) expect(links).toEqual({ current: 'v2' });
        else {
          expect([{ current: 'v1' }, { current: 'v1', 'current.tmp': 'v2' }, { current: 'v2' }]).toContainEqual(links);
          seen.add(JSON.stringify(links));
        }
      }
    }
    expect(seen).toContain(JSON.stringify({ current: 'v1' }));
    expect(seen).toContain(JSON.stringify({ current: 'v2' }));
  });

  it('keeps its target through a disk image, and an image with an empty target is refused', () => {
    const { world: sim, port } = world(1);
    port.symlink('v1', '/d/current');
    const image = JSON.parse(JSON.stringify(sim.exportImage())) as DiskImage;
    const copy = new SimWorld({ seed: 1, image });
    expect(copy.linkTargetAt('/d/current')).toBe('v1');
    expect(copy.exportImage()).toEqual(image);
    const files = image.disk.files.map((file) => ('linkTarget' in file ? { ...file, linkTarget: '' } : file));
    expect(() => new SimWorld({ seed: 1, image: { ...image, disk: { ...image.disk, files } } })).toThrow(/linkTarget.*must be a non-empty string/);
  });

  it('is never taken as another file of the same kind for a misdirected write', () => {
    const { world: sim, port } = world(1);
    port.open('/d/seg1', { create: true }).close();
    port.symlink('seg1', '/d/seg2');
    const disk = sim.kernel.disk;
    const dir = disk.dir('/d')!;
    expect(disk.filesOfKind(dir, 'seg1', dir.cache.get('seg1') as never)).toEqual([]);
  });
});
