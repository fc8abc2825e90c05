/**
 * The file operations of a FileHandle's streams (`FileHandle.createReadStream`,
 * `FileHandle.createWriteStream`, and `fs.create*Stream` given a FileHandle as `fd`).
 *
 * Node's streams over a FileHandle do not call `fs.read` and `fs.write`: they call the handle's
 * own promise methods (Node's internal `FileHandleOperations`) and call back when the promise
 * settles. That is visible: `FileHandle.write` answers an empty buffer without a syscall, so a
 * read-only handle's stream "writes" it where a path's stream fails with `EBADF`. This module
 * does the same over the facade's FileHandle, so those streams behave as Node's do.
 */
import type { Buffer } from 'node:buffer';
import { nodeInternalError } from './errors.ts';
import type { ReadStreamFs } from './read-stream.ts';
import type { WriteStreamFs } from './write-stream.ts';

/** The FileHandle methods a stream uses (the facade's FileHandle has them, as Node's does). */
export interface StreamHandle {
  read(buffer: Buffer, offset: number, length: number, position: number | null | undefined): Promise<{ bytesRead: number; buffer: ArrayBufferView }>;
  write(buffer: Buffer, offset: number, length: number, position: number | null | undefined): Promise<{ bytesWritten: number; buffer: unknown }>;
  writev(buffers: Buffer[], position: number | null | undefined): Promise<{ bytesWritten: number; buffers: ArrayBufferView[] }>;
  sync(): Promise<void>;
  close(): Promise<void>;
  /** Lets go of the reference the stream took when it was made (Node's `kUnref`). */
  unref(): void;
}

/**
 * The stream operations over `handle`, as Node's `FileHandleOperations`: each calls the handle's
 * method and calls back when its promise settles (never, once the process has crashed).
 * @param handle - the FileHandle the stream reads or writes
 * @returns operations for the `fs` option of `fs.ReadStream` and `fs.WriteStream`
 */
export function handleStreamFs(handle: StreamHandle): ReadStreamFs & WriteStreamFs {
  return {
    open: () => {
      // A handle's stream is always given its descriptor, so Node never opens through it.
      throw nodeInternalError('ERR_METHOD_NOT_IMPLEMENTED', 'The open() method is not implemented');
    },
    close: (_fd, callback) => {
      // As Node's: let go of the stream's reference, then close (a no-op once closed).
      handle.unref();
      handle.close().then(() => callback(null), (error: Error) => callback(error));
    },
    fsync: (_fd, callback) => {
      handle.sync().then(() => callback(null), (error: Error) => callback(error));
    },
    read: (_fd, buffer, offset, length, position, callback) => {
      handle.read(buffer, offset, length, position).then(
        (result) => callback(null, result.bytesRead, result.buffer as Buffer),
        (error: Error) => callback(error, 0, buffer),
      );
    },
    write: (_fd, buffer, offset, length, position, callback) => {
      handle.write(buffer, offset, length, position).then(
        (result) => callback(null, result.bytesWritten, result.buffer as Buffer),
        (error: Error) => callback(error, 0, buffer),
      );
    },
    writev: (_fd, buffers, position, callback) => {
      handle.writev(buffers, position).then(
        (result) => callback(null, result.bytesWritten, result.buffers as Buffer[]),
        (error: Error) => callback(error, 0, buffers),
      );
    },
  };
}
