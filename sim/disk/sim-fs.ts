/**
 * The simulated {@link FileSystem} port of one process incarnation. The namespace operations,
 * their POSIX errors and faults are in namespace-ops.ts, shared with the synchronous port; this
 * class runs them through {@link perform}. After a crash the world builds a new one; the old
 * one's calls never settle.
 */
import type { FileHandle, FileSystem, OpenOptions } from '../../engine/ports/fs.ts';
import { canonicalPath } from './disk.ts';
import type { FileState } from './file-state.ts';
import type { IoKernel } from './kernel.ts';
import { existsOp, mkdirOp, openOp, readdirOp, renameOp, rmdirOp, syncDirOp, unlinkOp } from './namespace-ops.ts';
import { perform } from './perform.ts';
import { SimFileHandle } from './sim-handle.ts';

/** The simulated file system, as one process incarnation sees it. */
export class SimFileSystem implements FileSystem {
  readonly #kernel: IoKernel;
  readonly #incarnation: number;

  /** @param kernel - the world's shared I/O state; the incarnation is the kernel's current one */
  constructor(kernel: IoKernel) {
    this.#kernel = kernel;
    this.#incarnation = kernel.incarnation;
  }

  open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const k = this.#kernel;
    const canonical = canonicalPath(path);
    const makeHandle = (file: FileState): FileHandle => new SimFileHandle(k, this.#incarnation, canonical, file);
    return perform(k, this.#incarnation, openOp(k, canonical, options, makeHandle));
  }

  rename(from: string, to: string): Promise<void> {
    return perform(this.#kernel, this.#incarnation, renameOp(this.#kernel, from, to));
  }

  unlink(path: string): Promise<void> {
    return perform(this.#kernel, this.#incarnation, unlinkOp(this.#kernel, path));
  }

  mkdir(path: string): Promise<void> {
    return perform(this.#kernel, this.#incarnation, mkdirOp(this.#kernel, path));
  }

  rmdir(path: string): Promise<void> {
    return perform(this.#kernel, this.#incarnation, rmdirOp(this.#kernel, path));
  }

  readdir(path: string): Promise<string[]> {
    return perform(this.#kernel, this.#incarnation, readdirOp(this.#kernel, path));
  }

  exists(path: string): Promise<boolean> {
    return perform(this.#kernel, this.#incarnation, existsOp(this.#kernel, path));
  }

  syncDir(path: string): Promise<void> {
    return perform(this.#kernel, this.#incarnation, syncDirOp(this.#kernel, path));
  }
}
