import { afterEach, describe, expect, it } from 'vitest';
import { CorruptionError, UnsupportedVersionError } from '../../engine/errors.ts';
import { verify } from '../../engine/inspect.ts';
import { manifestFileName } from '../../engine/manifest.ts';
import { memory, type Backend } from '../engine/node/backends.ts';
import { frameOffsets } from './helpers/segments.ts';
import { commitPuts, openStore, overwrite, readFile, rejectionOf, segmentPath, sidecarPath, writeFile } from './helpers/store.ts';

let backend: Backend | undefined;
afterEach(async () => backend?.cleanup());

describe('evidence that damaged data had been made durable', () => {
  it('refuses damage in the last frame of a cleanly closed store instead of cutting it as a torn tail', async () => {
    backend = await memory();
    const { fs } = backend;
    const dir = `${backend.root}/store`;
    const store = await openStore(fs, dir);
    await commitPuts(store, 3);
    await store.close();
    await fs.unlink(sidecarPath(dir));
    const offsets = await frameOffsets(fs, segmentPath(dir));
    await overwrite(fs, segmentPath(dir), offsets[2]! + 30, new Uint8Array(8).fill(0xee));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect((error as CorruptionError).message).toContain('closed cleanly');
    expect((error as CorruptionError).offset).toBe(offsets[2]);
  });

  it('reports a damaged version field as corruption, not as an unknown version', async () => {
    backend = await memory();
    const { fs } = backend;
    const dir = `${backend.root}/store`;
    const store = await openStore(fs, dir);
    await store.close();
    const path = `${dir}/${manifestFileName}`;
    const text = new TextDecoder().decode(await readFile(fs, path)).replace('"version":1', '"version":3');
    await writeFile(fs, path, new TextEncoder().encode(text));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).not.toBeInstanceOf(UnsupportedVersionError);
  });

  it('makes a second close wait until the store is really closed', async () => {
    backend = await memory();
    const { fs } = backend;
    const dir = `${backend.root}/store`;
    const store = await openStore(fs, dir);
    await commitPuts(store, 2);
    const first = store.close();
    await store.close();
    // If the second call had returned early, the clean close would not be recorded yet.
    const manifest = new TextDecoder().decode(await readFile(fs, `${dir}/${manifestFileName}`));
    expect(manifest).toContain('"clean":true');
    await first;
  });

  it('has verify report a missing first segment that recovery would refuse', async () => {
    backend = await memory();
    const { fs } = backend;
    const dir = `${backend.root}/store`;
    const store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    await commitPuts(store, 20);
    await store.close();
    await fs.unlink(segmentPath(dir, 1));
    const report = await verify(fs, dir);
    expect(report.ok).toBe(false);
    expect(report.problems.some((problem) => problem.message.includes('a segment is missing'))).toBe(true);
    await expect(openStore(fs, dir)).rejects.toBeInstanceOf(CorruptionError);
  });
});
