/**
 * `fs.createReadStream` and `FileHandle.createReadStream` on the simulated disk.
 *
 * The stream is Node's own `fs.ReadStream`, given the facade's `open`, `read` and `close` through
 * its `fs` option (the hook Node provides for exactly this). So everything a caller can see is
 * Node's: option checks (`start`, `end`, `highWaterMark`, `encoding`, `fd`, `autoClose`,
 * `emitClose`, `signal`) and their errors, chunk sizes, `bytesRead`, `pending`, and the events
 * `open`, `ready`, `data`, `end`, `close` and `error` in Node's order; only the bytes come from
 * the simulated disk, one `read` I/O operation per chunk. Each operation is done after the stream
 * asks for it, right before it answers (deliver.ts); after a crash the stream never hears back, like
 * every other call of the dead process.
 */
import type { Buffer } from 'node:buffer';
import { ReadStream } from 'node:fs';
import type { FacadeCore } from './core.ts';
import { callBack, later, type AnyFunction } from './deliver.ts';
import { ProcessCrashedError } from '../sim/index.ts';

/** The file operations `fs.ReadStream` calls, with Node's callback signatures. */
export interface ReadStreamFs {
  open(path: string, flags: string | number, mode: number, callback: (error: Error | null, fd?: number) => void): void;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number | undefined, callback: (error: Error | null, bytesRead?: number, buffer?: Buffer) => void): void;
  close(fd: number, callback: (error: Error | null) => void): void;
}

/**
 * The facade's file operations for a read stream of a path or descriptor (a FileHandle's stream
 * goes through the handle instead, handle-stream-fs.ts).
 */
export function readStreamFs(core: FacadeCore): ReadStreamFs {
  return {
    open: (path, flags, mode, callback) => callBack(callback as AnyFunction, () => core.openSync(path, flags, mode)),
    read: (fd, buffer, offset, length, position, callback) => {
      let bytesRead: number;
      try {
        bytesRead = core.readSync(fd, buffer, offset, length, position);
      } catch (error) {
        if (error instanceof ProcessCrashedError) return;
        later(callback as AnyFunction, error);
        return;
      }
      later(callback as AnyFunction, null, bytesRead, buffer);
    },
    close: (fd, callback) => callBack(callback as AnyFunction, () => core.closeSync(fd)),
  };
}

/** Node's `ReadStream` constructor: `fs.createReadStream` is `new ReadStream(path, options)`. */
const NodeReadStream = ReadStream as unknown as new (path: string | undefined, options: object) => ReadStream;

/**
 * A read stream over the simulated disk.
 * @param path - the absolute path to open, or `undefined` when `options.fd` is given
 * @param options - Node's options (or an encoding); `fd` is a facade descriptor
 * @param fileOps - the operations to read through (see {@link readStreamFs})
 * @returns Node's `fs.ReadStream`
 * @throws TypeError, RangeError for invalid options, as `fs.createReadStream` throws them
 */
export function createReadStreamImpl(fileOps: ReadStreamFs, path: string | undefined, options?: unknown): ReadStream {
  const given = typeof options === 'string' ? { encoding: options } : (options ?? {});
  return new NodeReadStream(path, { ...given, fs: fileOps });
}
