/**
 * The two backends every NodeFileSystem test runs on: a fresh temporary folder on the real disk,
 * and a fresh memfs volume. Each call gives a new, empty root and a cleanup function.
 */
import * as nodeFs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Volume, createFsFromVolume } from 'memfs';
import { NodeFileSystem } from '../../../engine/node/index.ts';
import type { FsModuleLike } from '../../../engine/node/index.ts';

/** A file system with an empty root directory, ready for one test. */
export interface Backend {
  readonly fs: NodeFileSystem;
  /** An existing, empty directory to work in. */
  readonly root: string;
  cleanup(): Promise<void>;
}

/** Opens a backend on a new temporary folder of the real disk. */
export async function realDisk(): Promise<Backend> {
  const root = await mkdtemp(join(tmpdir(), 'powercut-nodefs-'));
  return {
    fs: new NodeFileSystem(nodeFs),
    root,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Opens a backend on a new memfs volume. */
export async function memory(): Promise<Backend> {
  const memfs = createFsFromVolume(new Volume());
  await memfs.promises.mkdir('/root', { recursive: true });
  return {
    fs: new NodeFileSystem(memfs as unknown as FsModuleLike),
    root: '/root',
    cleanup: async () => undefined,
  };
}

/** Both backends, by name, for `describe.each`. */
export const backends: ReadonlyArray<readonly [string, () => Promise<Backend>]> = [
  ['real disk', realDisk],
  ['memfs', memory],
];
