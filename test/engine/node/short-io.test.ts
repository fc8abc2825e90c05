import { describe, expect, it } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { IoError } from '../../../engine/ports/fs.ts';
import { NodeFileSystem } from '../../../engine/node/index.ts';
import type { FsModuleLike } from '../../../engine/node/index.ts';

/**
 * A memfs whose file handles move at most `chunkBytes` per read or write call, as a real
 * pread/pwrite may, so the adapter's loops are exercised rather than assumed.
 */
function stingyFs(chunkBytes: number): { fs: NodeFileSystem; calls: { reads: number; writes: number } } {
  const memfs = createFsFromVolume(new Volume()) as unknown as FsModuleLike;
  const calls = { reads: 0, writes: 0 };
  const promises = Object.create(memfs.promises) as FsModuleLike['promises'];
  const wrapped: FsModuleLike = {
    constants: memfs.constants,
    promises: Object.assign(promises, {
      open: async (path: string, flags: number | string) => {
        const handle = (await memfs.promises.open(path, flags)) as {
          read(b: Uint8Array, o: number, l: number, p: number): Promise<{ bytesRead: number }>;
          write(b: Uint8Array, o: number, l: number, p: number): Promise<{ bytesWritten: number }>;
        };
        return new Proxy(handle, {
          get(target, name, receiver) {
            if (name === 'read') {
              return (b: Uint8Array, o: number, l: number, p: number) => {
                calls.reads++;
                return target.read(b, o, Math.min(l, chunkBytes), p);
              };
            }
            if (name === 'write') {
              return (b: Uint8Array, o: number, l: number, p: number) => {
                calls.writes++;
                return target.write(b, o, Math.min(l, chunkBytes), p);
              };
            }
            const value: unknown = Reflect.get(target, name, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    }),
  };
  return { fs: new NodeFileSystem(wrapped), calls };
}

describe('NodeFileSystem over short reads and writes', () => {
  it('loops over short writes until every byte is written', async () => {
    const { fs, calls } = stingyFs(3);
    const file = await fs.open('/a', { create: true });
    await file.write(0, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(calls.writes).toBe(4);
    expect(await file.size()).toBe(10);
    await file.close();
  });

  it('loops over short reads until the length or end of file', async () => {
    const { fs, calls } = stingyFs(3);
    const file = await fs.open('/a', { create: true });
    await file.append(Uint8Array.from([1, 2, 3, 4, 5, 6, 7]));
    calls.reads = 0;
    expect(await file.read(1, 100)).toEqual(Uint8Array.from([2, 3, 4, 5, 6, 7]));
    // Two full chunks, then the read that finds end of file.
    expect(calls.reads).toBe(3);
    await file.close();
  });

  it('turns a write that makes no progress into EIO instead of spinning', async () => {
    const { fs } = stingyFs(0);
    const file = await fs.open('/a', { create: true });
    const error = await file.write(0, Uint8Array.from([1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IoError);
    expect((error as IoError).code).toBe('EIO');
  });
});
