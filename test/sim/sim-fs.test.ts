import { describe, expect, it } from 'vitest';
import { IoError, isIoError } from '../../engine/ports/fs.ts';
import { fileBytesMax } from '../../sim/disk/file-ops.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { filled, inWorld, utf8 } from './helpers.ts';

function world(): SimWorld {
  return new SimWorld({ seed: 1, faults: noFaults() });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(IoError);
    expect((error as IoError).injected).toBe(false);
    return (error as IoError).code;
  }
}

describe('simulated file system (POSIX semantics)', () => {
  it('reads back what was written, zero-filling holes and cutting at end of file', async () => {
    const w = world();
    const bytes = await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      const h = await w.fs.open('/d/f', { create: true });
      await h.write(4, utf8('ab'));
      expect(await h.append(utf8('c'))).toBe(6);
      return h.read(0, 100);
    });
    expect([...bytes]).toEqual([0, 0, 0, 0, 97, 98, 99]);
  });

  it('reports the usual errors: ENOENT, EEXIST, EISDIR, ENOTDIR, EBADF', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      expect(await codeOf(w.fs.open('/d/missing'))).toBe('ENOENT');
      expect(await codeOf(w.fs.open('/nodir/f', { create: true }))).toBe('ENOENT');
      const h = await w.fs.open('/d/f', { create: true });
      expect(await codeOf(w.fs.open('/d/f', { create: true, exclusive: true }))).toBe('EEXIST');
      expect(await codeOf(w.fs.open('/d', { create: true }))).toBe('EISDIR');
      expect(await codeOf(w.fs.readdir('/d/f'))).toBe('ENOTDIR');
      expect(await codeOf(w.fs.unlink('/d/missing'))).toBe('ENOENT');
      expect(await codeOf(w.fs.rename('/d/missing', '/d/g'))).toBe('ENOENT');
      await h.close();
      expect(await codeOf(h.read(0, 1))).toBe('EBADF');
    });
  });

  it('refuses to grow a file past the largest it holds (1 GiB) with EFBIG, as a sparse write at a garbage offset would ask, leaving the file as it was', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      const h = await w.fs.open('/d/f', { create: true });
      await h.append(new Uint8Array([1]));
      expect(await codeOf(h.write(3_683_915_918_336, new Uint8Array([1])))).toBe('EFBIG');
      expect(await codeOf(h.write(fileBytesMax, new Uint8Array([1])))).toBe('EFBIG');
      expect(await codeOf(h.truncate(fileBytesMax + 1))).toBe('EFBIG');
      expect(await h.size()).toBe(1);
    });
  });

  it('refuses an offset, length or size that is not a natural number with EINVAL, naming which and its value (read from bytes nobody checked, often)', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      const h = await w.fs.open('/d/f', { create: true });
      const messageOf = async (promise: Promise<unknown>): Promise<string> => promise.then(() => 'ok', (error: unknown) => (error as Error).message);
      expect(await messageOf(h.read(-8, 4))).toBe("EINVAL: read '/d/f': position -8 is not a natural number (an argument the code computed, not an injected fault)");
      expect(await messageOf(h.read(0, 1.5))).toBe("EINVAL: read '/d/f': length 1.5 is not a natural number (an argument the code computed, not an injected fault)");
      expect(await messageOf(h.write(-1, new Uint8Array([1])))).toMatch(/^EINVAL: write '\/d\/f': position -1 is not a natural number/);
      expect(await messageOf(h.truncate(-2))).toMatch(/^EINVAL: truncate '\/d\/f': size -2 is not a natural number/);
      expect(await codeOf(h.read(-8, 4))).toBe('EINVAL');
    });
  });

  it('lists a directory sorted by UTF-16 code unit, files and subdirectories alike', async () => {
    const w = world();
    const names = await inWorld(w, async () => {
      await w.fs.mkdir('/d/sub');
      for (const name of ['b', 'B', 'a10', 'a9']) await (await w.fs.open(`/d/${name}`, { create: true })).close();
      return w.fs.readdir('/d');
    });
    expect(names).toEqual(['B', 'a10', 'a9', 'b', 'sub']);
  });

  it('creates directories recursively and idempotently', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/a/b/c');
      await w.fs.mkdir('/a/b/c');
      expect(await w.fs.exists('/a/b')).toBe(true);
      expect(await w.fs.readdir('/a/b')).toEqual(['c']);
    });
  });

  it('keeps a handle on its file after the file is renamed or unlinked', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      const h = await w.fs.open('/d/f', { create: true });
      await h.append(utf8('x'));
      await w.fs.rename('/d/f', '/d/g');
      await h.append(utf8('y'));
      expect(new TextDecoder().decode(await (await w.fs.open('/d/g')).read(0, 9))).toBe('xy');
      await w.fs.unlink('/d/g');
      await h.append(utf8('z'));
      expect(new TextDecoder().decode(await h.read(0, 9))).toBe('xyz');
      expect(await w.fs.exists('/d/g')).toBe(false);
    });
  });

  it('replaces the target of a rename', async () => {
    const w = world();
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      await (await w.fs.open('/d/a', { create: true })).append(utf8('new'));
      await (await w.fs.open('/d/b', { create: true })).append(utf8('old'));
      await w.fs.rename('/d/a', '/d/b');
      expect(await w.fs.readdir('/d')).toEqual(['b']);
    });
    expect(new TextDecoder().decode(w.inspect().get('/d/b'))).toBe('new');
  });

  it('truncates on open with the truncate flag, and cuts or zero-extends with truncate()', async () => {
    const w = world();
    await inWorld(w, async () => {
      const h = await w.fs.open('f', { create: true });
      await h.append(filled(10, 5));
      await h.truncate(4);
      await h.truncate(6);
      expect([...(await h.read(0, 10))]).toEqual([5, 5, 5, 5, 0, 0]);
      const again = await w.fs.open('f', { truncate: true });
      expect(await again.size()).toBe(0);
    });
    expect(w.inspect().get('f')).toEqual(new Uint8Array(0));
  });

  it('counts every port call as one I/O and labels it with the engine phase', async () => {
    const w = new SimWorld({ seed: 1, trace: 'full' });
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      w.probe('wal.append');
      const h = await w.fs.open('/d/f', { create: true });
      await h.size();
    });
    expect(w.ioCount).toBe(3);
    expect(w.trace.events.map((e) => `${e.name}:${e.phase}`)).toEqual(['mkdir:other', 'open:wal.append', 'size:wal.append']);
  });


  it('names a handle and traces its calls by the path exactly as the caller wrote it, normalised or not', async () => {
    const w = new SimWorld({ seed: 1, trace: 'full' });
    await inWorld(w, async () => {
      await w.fs.mkdir('/d');
      const plain = await w.fs.open('/d/f', { create: true });
      const roundabout = await w.fs.open('/d/../d/./f');
      await plain.size();
      await roundabout.size();
      expect([plain.path, roundabout.path]).toEqual(['/d/f', '/d/../d/./f']);
    });
    expect(w.trace.events.filter((e) => e.name !== 'mkdir').map((e) => `${e.name}:${e.path}`))
      .toEqual(['open:/d/f', 'open:/d/../d/./f', 'size:/d/f', 'size:/d/../d/./f']);
  });
  it('fails only with IoError', async () => {
    const w = world();
    const error = await inWorld(w, () => w.fs.open('/missing').catch((e: unknown) => e));
    expect(isIoError(error, 'ENOENT')).toBe(true);
  });
});

describe('simulated file system outside a run', () => {
  it('can be used directly with latency off, as a differential test would', async () => {
    const w = new SimWorld({ seed: 1, faults: noFaults() });
    await w.fs.mkdir('/d');
    const h = await w.fs.open('/d/f', { create: true });
    await h.append(utf8('abc'));
    expect(await h.read(0, 3)).toEqual(utf8('abc'));
  });

  it('counts what a power loss could lose', async () => {
    const w = new SimWorld({ seed: 1 });
    await w.fs.mkdir('/d');
    expect(w.unsyncedCount).toBe(1); // the new directory's name, until its parent is synced
    await w.fs.syncDir('/');
    expect(w.unsyncedCount).toBe(0);
    const h = await w.fs.open('/d/f', { create: true });
    await h.append(utf8('abc'));
    expect(w.unsyncedCount).toBe(2);
    await h.sync();
    await w.fs.syncDir('/d');
    expect(w.unsyncedCount).toBe(0);
  });
});
