/**
 * An open file of the simulated file system: the {@link FileHandle} port over one inode. The
 * operations and their faults are in file-ops.ts, shared with the synchronous port; this class
 * runs them through {@link perform}.
 */
import type { FileHandle } from '../../engine/ports/fs.ts';
import type { FileState } from './file-state.ts';
import { closeOp, OpenFile, readOp, sizeOp, syncOp, truncateOp, writeOp } from './file-ops.ts';
import type { IoKernel } from './kernel.ts';
import { perform } from './perform.ts';

/** A handle on a file of one incarnation of the simulated file system. */
export class SimFileHandle implements FileHandle {
  readonly path: string;
  readonly #kernel: IoKernel;
  readonly #incarnation: number;
  readonly #open: OpenFile;

  constructor(kernel: IoKernel, incarnation: number, path: string, file: FileState) {
    this.#kernel = kernel;
    this.#incarnation = incarnation;
    this.path = path;
    this.#open = new OpenFile(kernel, path, file);
  }

  read(position: number, length: number): Promise<Uint8Array> {
    return perform(this.#kernel, this.#incarnation, readOp(this.#open, position, length));
  }

  write(position: number, data: Uint8Array): Promise<void> {
    return perform(this.#kernel, this.#incarnation, writeOp(this.#open, 'write', position, data)).then(() => undefined);
  }

  append(data: Uint8Array): Promise<number> {
    return perform(this.#kernel, this.#incarnation, writeOp(this.#open, 'append', this.#open.file.size, data));
  }

  size(): Promise<number> {
    return perform(this.#kernel, this.#incarnation, sizeOp(this.#open));
  }

  truncate(size: number): Promise<void> {
    return perform(this.#kernel, this.#incarnation, truncateOp(this.#open, size));
  }

  sync(): Promise<void> {
    return perform(this.#kernel, this.#incarnation, syncOp(this.#open, 'sync'));
  }

  datasync(): Promise<void> {
    return perform(this.#kernel, this.#incarnation, syncOp(this.#open, 'datasync'));
  }

  close(): Promise<void> {
    return perform(this.#kernel, this.#incarnation, closeOp(this.#open));
  }
}
