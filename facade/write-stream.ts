/**
 * `fs.createWriteStream` and `FileHandle.createWriteStream` on the simulated disk.
 *
 * As for read streams (read-stream.ts), the stream is Node's own `fs.WriteStream`, given the
 * facade's `open`, `write`, `writev`, `fsync` and `close` through its `fs` option. So everything
 * a caller can see is Node's: option checks (`flags`, `mode`, `start`, `fd`, `autoClose`,
 * `emitClose`, `encoding`, `flush`, `highWaterMark`, `signal`) and their errors, `write`, `end`,
 * `close(cb)`, `destroy(err)`, `destroySoon`, `bytesWritten`, `path`, `pending`, and the events
 * `open`, `ready`, `drain`, `finish`, `close` and `error` in Node's order. Only the bytes go to
 * the simulated disk: one `write` I/O operation per chunk, or one for several chunks buffered
 * while a write was in flight (Node then calls `writev`, which is one `pwritev(2)` and one
 * facade operation, see core.ts). Like Node's stream, it never fsyncs unless `flush: true`,
 * which fsyncs once before the close.
 *
 * Each operation is done after the stream asks for it, right before it answers (deliver.ts); after a
 * crash the stream never hears back, like every other call of the dead process: its pending
 * writes, `finish` and `close` never come.
 */
import type { Buffer } from 'node:buffer';
import { WriteStream } from 'node:fs';
import type { FacadeCore } from './core.ts';
import { callBack, later, type AnyFunction } from './deliver.ts';
import { ProcessCrashedError } from '../sim/index.ts';

/** Node's callback of a write: the byte count and the data written, or an error. */
type WriteCallback<T> = (error: Error | null, bytesWritten?: number, written?: T) => void;

/** The file operations `fs.WriteStream` calls, with Node's callback signatures. */
export interface WriteStreamFs {
  open(path: string, flags: string | number, mode: number, callback: (error: Error | null, fd?: number) => void): void;
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number | undefined, callback: WriteCallback<Buffer>): void;
  writev(fd: number, buffers: Buffer[], position: number | undefined, callback: WriteCallback<Buffer[]>): void;
  fsync(fd: number, callback: (error: Error | null) => void): void;
  close(fd: number, callback: (error: Error | null) => void): void;
}

/**
 * Runs a write now and calls back later with `(null, bytesWritten, written)`, as `fs.write`
 * does; a dead process never calls back.
 */
function writeBack<T>(callback: WriteCallback<T>, written: T, body: () => number): void {
  let bytesWritten: number;
  try {
    bytesWritten = body();
  } catch (error) {
    if (error instanceof ProcessCrashedError) return;
    later(callback as AnyFunction, error);
    return;
  }
  later(callback as AnyFunction, null, bytesWritten, written);
}

/**
 * The facade's file operations for a write stream of a path or descriptor (a FileHandle's
 * stream goes through the handle instead, handle-stream-fs.ts).
 * @param core - the facade's synchronous core
 * @returns the operations, for the `fs` option of `fs.WriteStream`
 */
export function writeStreamFs(core: FacadeCore): WriteStreamFs {
  return {
    open: (path, flags, mode, callback) => callBack(callback as AnyFunction, () => core.openSync(path, flags, mode)),
    // `position` is undefined unless the stream was given `start`: then the descriptor's own
    // position is used and advanced, as `write(2)` does.
    write: (fd, buffer, offset, length, position, callback) =>
      writeBack(callback, buffer, () => core.writeSync(fd, buffer, offset, length, position ?? null)),
    writev: (fd, buffers, position, callback) => writeBack(callback, buffers, () => core.writevSync(fd, buffers, position ?? null)),
    fsync: (fd, callback) => callBack(callback as AnyFunction, () => core.fsyncSync(fd)),
    close: (fd, callback) => callBack(callback as AnyFunction, () => core.closeSync(fd)),
  };
}

/** Node's `WriteStream` constructor: `fs.createWriteStream` is `new WriteStream(path, options)`. */
const NodeWriteStream = WriteStream as unknown as new (path: string | undefined, options: object) => WriteStream;

/**
 * A write stream onto the simulated disk.
 * @param fileOps - the operations to write through (see {@link writeStreamFs})
 * @param path - the absolute path to open, or `undefined` when `options.fd` is given
 * @param options - Node's options (or an encoding); `fd` is a facade descriptor
 * @returns Node's `fs.WriteStream`
 * @throws TypeError, RangeError for invalid options, as `fs.createWriteStream` throws them
 */
export function createWriteStreamImpl(fileOps: WriteStreamFs, path: string | undefined, options?: unknown): WriteStream {
  const given = typeof options === 'string' ? { encoding: options } : (options ?? {});
  return new NodeWriteStream(path, { ...given, fs: fileOps });
}
