import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IoError, isIoError, joinPath } from '../../../engine/ports/fs.ts';
import type { IoErrorCode } from '../../../engine/ports/fs.ts';
import type { NodeFileSystem } from '../../../engine/node/index.ts';
import { toIoError } from '../../../engine/node/index.ts';
import { backends } from './backends.ts';
import type { Backend } from './backends.ts';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

async function expectIoError(promise: Promise<unknown>, code: IoErrorCode): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IoError);
  expect((error as IoError).code).toBe(code);
}

describe.each(backends)('NodeFileSystem on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: NodeFileSystem;
  let path: (name: string) => string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    path = (name) => joinPath(backend.root, name);
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  describe('open', () => {
    it('fails with ENOENT when the file is missing and create is not set', async () => {
      await expectIoError(fs.open(path('missing')), 'ENOENT');
    });

    it('creates an empty file with create', async () => {
      const file = await fs.open(path('a'), { create: true });
      expect(await file.size()).toBe(0);
      expect(file.path).toBe(path('a'));
      await file.close();
      expect(await fs.exists(path('a'))).toBe(true);
    });

    it('fails with EEXIST on an exclusive create of an existing file', async () => {
      await (await fs.open(path('a'), { create: true })).close();
      await expectIoError(fs.open(path('a'), { create: true, exclusive: true }), 'EEXIST');
    });

    it('keeps existing contents with create but without truncate', async () => {
      const first = await fs.open(path('a'), { create: true });
      await first.write(0, bytes(1, 2, 3));
      await first.close();
      const second = await fs.open(path('a'), { create: true });
      expect(await second.read(0, 10)).toEqual(bytes(1, 2, 3));
      await second.close();
    });

    it('empties an existing file with truncate', async () => {
      const first = await fs.open(path('a'), { create: true });
      await first.write(0, bytes(1, 2, 3));
      await first.close();
      const second = await fs.open(path('a'), { truncate: true });
      expect(await second.size()).toBe(0);
      await second.close();
    });

    it('fails with ENOENT when the parent directory is missing', async () => {
      await expectIoError(fs.open(path('no/such/file'), { create: true }), 'ENOENT');
    });
  });

  describe('read and write', () => {
    it('reads back what was written at an offset', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.write(0, bytes(1, 2, 3, 4, 5));
      await file.write(1, bytes(9, 9));
      expect(await file.read(0, 5)).toEqual(bytes(1, 9, 9, 4, 5));
      expect(await file.read(3, 2)).toEqual(bytes(4, 5));
      await file.close();
    });

    it('returns a short read at end of file, and an empty one past it', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.write(0, bytes(1, 2, 3));
      expect(await file.read(1, 100)).toEqual(bytes(2, 3));
      expect(await file.read(3, 10)).toEqual(bytes());
      expect(await file.read(50, 10)).toEqual(bytes());
      await file.close();
    });

    it('zero-fills the gap when writing past end of file', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.write(0, bytes(7));
      await file.write(4, bytes(8));
      expect(await file.size()).toBe(5);
      expect(await file.read(0, 5)).toEqual(bytes(7, 0, 0, 0, 8));
      await file.close();
    });

    it('writes and reads a multi-megabyte buffer whole', async () => {
      const file = await fs.open(path('big'), { create: true });
      const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
      await file.write(0, data);
      const back = await file.read(0, data.length);
      // Buffer.equals, because a deep toEqual over megabytes takes seconds.
      expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);
      await file.close();
    });

    it('refuses a negative position with EINVAL', async () => {
      const file = await fs.open(path('a'), { create: true });
      await expectIoError(file.read(-1, 1), 'EINVAL');
      await expectIoError(file.write(-1, bytes(1)), 'EINVAL');
      await file.close();
    });
  });

  describe('append', () => {
    it('writes at the end of the file and returns where', async () => {
      const file = await fs.open(path('a'), { create: true });
      expect(await file.append(bytes(1, 2))).toBe(0);
      expect(await file.append(bytes(3))).toBe(2);
      await file.write(5, bytes(6));
      expect(await file.append(bytes(7))).toBe(6);
      expect(await file.read(0, 10)).toEqual(bytes(1, 2, 3, 0, 0, 6, 7));
      await file.close();
    });

    it('serializes concurrent appends on one handle so none overlap', async () => {
      const file = await fs.open(path('a'), { create: true });
      const positions = await Promise.all(
        Array.from({ length: 20 }, (_, i) => file.append(bytes(i, i))),
      );
      expect(positions).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
      expect(await file.size()).toBe(40);
      await file.close();
    });

    it('leaves positional writes working after an append', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.append(bytes(1, 2, 3));
      await file.write(0, bytes(9));
      expect(await file.read(0, 3)).toEqual(bytes(9, 2, 3));
      await file.close();
    });
  });

  describe('size, truncate, sync and close', () => {
    it('cuts a file with truncate and zero-extends it', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.write(0, bytes(1, 2, 3, 4));
      await file.truncate(2);
      expect(await file.read(0, 10)).toEqual(bytes(1, 2));
      await file.truncate(4);
      expect(await file.read(0, 10)).toEqual(bytes(1, 2, 0, 0));
      await file.close();
    });

    it('syncs and datasyncs an open file', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.write(0, bytes(1));
      await file.sync();
      await file.datasync();
      await file.close();
    });

    it('answers EBADF for every operation on a closed handle', async () => {
      const file = await fs.open(path('a'), { create: true });
      await file.close();
      await expectIoError(file.read(0, 1), 'EBADF');
      await expectIoError(file.write(0, bytes(1)), 'EBADF');
      await expectIoError(Promise.resolve().then(() => file.append(bytes(1))), 'EBADF');
      await expectIoError(file.size(), 'EBADF');
      await expectIoError(file.truncate(0), 'EBADF');
      await expectIoError(file.sync(), 'EBADF');
      await expectIoError(file.datasync(), 'EBADF');
      await expectIoError(file.close(), 'EBADF');
    });
  });

  describe('directory operations', () => {
    it('renames a file, replacing the target', async () => {
      const a = await fs.open(path('a'), { create: true });
      await a.write(0, bytes(1));
      await a.close();
      await (await fs.open(path('b'), { create: true })).close();
      await fs.rename(path('a'), path('b'));
      expect(await fs.exists(path('a'))).toBe(false);
      const b = await fs.open(path('b'));
      expect(await b.read(0, 10)).toEqual(bytes(1));
      await b.close();
    });

    it('fails with ENOENT when renaming a missing file', async () => {
      await expectIoError(fs.rename(path('missing'), path('b')), 'ENOENT');
    });

    it('removes a file with unlink, and fails with ENOENT the second time', async () => {
      await (await fs.open(path('a'), { create: true })).close();
      await fs.unlink(path('a'));
      expect(await fs.exists(path('a'))).toBe(false);
      await expectIoError(fs.unlink(path('a')), 'ENOENT');
    });

    it('creates nested directories with mkdir and succeeds when they exist', async () => {
      await fs.mkdir(path('x/y/z'));
      await fs.mkdir(path('x/y/z'));
      expect(await fs.exists(path('x/y/z'))).toBe(true);
      expect(await fs.readdir(path('x'))).toEqual(['y']);
    });

    it('fails with EEXIST when mkdir meets a file', async () => {
      await (await fs.open(path('f'), { create: true })).close();
      await expectIoError(fs.mkdir(path('f')), 'EEXIST');
    });

    it('fails with EISDIR when unlinking a directory', async () => {
      await fs.mkdir(path('d'));
      await expectIoError(fs.unlink(path('d')), 'EISDIR');
    });

    it('lists names sorted by UTF-16 code unit', async () => {
      const names = ['b', 'B', 'a10', 'a2', '_', 'é', 'Z', '000'];
      for (const name of names) await (await fs.open(path(name), { create: true })).close();
      expect(await fs.readdir(backend.root)).toEqual(['000', 'B', 'Z', '_', 'a10', 'a2', 'b', 'é']);
    });

    it('fails with ENOENT listing a missing directory, and ENOTDIR listing a file', async () => {
      await expectIoError(fs.readdir(path('missing')), 'ENOENT');
      await (await fs.open(path('f'), { create: true })).close();
      await expectIoError(fs.readdir(path('f')), 'ENOTDIR');
    });

    it('reports existence of files and directories, and absence through a file', async () => {
      await fs.mkdir(path('d'));
      await (await fs.open(path('f'), { create: true })).close();
      expect(await fs.exists(path('d'))).toBe(true);
      expect(await fs.exists(path('f'))).toBe(true);
      expect(await fs.exists(path('nope'))).toBe(false);
      expect(await fs.exists(path('f/below'))).toBe(false);
    });

    it('syncs an existing directory, and fails with ENOENT on a missing one', async () => {
      await (await fs.open(path('f'), { create: true })).close();
      await fs.syncDir(backend.root);
      await expectIoError(fs.syncDir(path('missing')), 'ENOENT');
    });
  });
});

describe('toIoError', () => {
  it('keeps a known Node code and the original error as cause', () => {
    const original = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const mapped = toIoError(original, 'write', '/x');
    expect(isIoError(mapped, 'ENOSPC')).toBe(true);
    expect(mapped.syscall).toBe('write');
    expect(mapped.path).toBe('/x');
    expect(mapped.injected).toBe(false);
    expect(mapped.cause).toBe(original);
  });

  it('maps an unknown code to EIO', () => {
    const original = Object.assign(new Error('denied'), { code: 'EACCES' });
    expect(toIoError(original, 'open', '/x').code).toBe('EIO');
    expect(toIoError('not even an error', 'open', '/x').code).toBe('EIO');
  });

  it('passes an IoError through unchanged', () => {
    const error = new IoError('EEXIST', 'open', '/x');
    expect(toIoError(error, 'other', '/y')).toBe(error);
  });
});
