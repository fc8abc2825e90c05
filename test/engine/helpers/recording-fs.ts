/**
 * A FileSystem that records every call that can change what a crash leaves behind (create,
 * write, truncate, fsync, rename, unlink, directory fsync), as `operation name` with the file's
 * name relative to its directory, so a test can state the exact order of a protocol.
 */
import type { FileSystem } from '../../../engine/ports/fs.ts';
import { InterceptingFileSystem, type CallArgs, type PortCall } from './intercepting-fs.ts';

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** How each recorded call is written; calls not listed are not recorded. */
const written: Partial<Record<PortCall, (name: string, args: CallArgs) => string>> = {
  write: (name, { position, length }) => `write ${name} @${position} +${length}`,
  append: (name, { length }) => `append ${name} +${length}`,
  truncate: (name, { size }) => `truncate ${name} ${size}`,
  sync: (name) => `sync ${name}`,
  datasync: (name) => `datasync ${name}`,
  rename: (name, { to }) => `rename ${name} ${baseName(to!)}`,
  unlink: (name) => `unlink ${name}`,
  syncDir: (name) => `syncDir ${name}`,
};

export class RecordingFileSystem extends InterceptingFileSystem {
  readonly calls: string[] = [];

  constructor(inner: FileSystem) {
    super(inner);
    this.interceptor = {
      before: (call, path, args) => {
        const write = written[call];
        if (write !== undefined) this.calls.push(write(baseName(path), args));
      },
      // A create is recorded once it succeeded.
      opened: (path, options) => {
        if (options?.create === true) this.calls.push(`create ${baseName(path)}${options.truncate === true ? ' (truncate)' : ''}`);
      },
    };
  }

  /** The calls recorded since the last `take`, then forgets them. */
  take(): string[] {
    return this.calls.splice(0);
  }
}
