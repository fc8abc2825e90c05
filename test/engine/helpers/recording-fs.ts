/**
 * A FileSystem that records every call that can change what a crash leaves behind (create,
 * write, truncate, fsync, rename, unlink, directory fsync), as `operation name` with the file's
 * name relative to its directory, so a test can state the exact order of a protocol.
 */
import type { FileHandle, FileSystem, OpenOptions } from '../../../engine/ports/fs.ts';

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export class RecordingFileSystem implements FileSystem {
  readonly calls: string[] = [];
  constructor(private readonly inner: FileSystem) {}

  /** The calls recorded since the last `take`, then forgets them. */
  take(): string[] {
    return this.calls.splice(0);
  }

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const inner = await this.inner.open(path, options);
    if (options?.create === true) this.calls.push(`create ${baseName(path)}${options.truncate === true ? ' (truncate)' : ''}`);
    const name = baseName(path);
    const calls = this.calls;
    return {
      path: inner.path,
      read: (position, length) => inner.read(position, length),
      write: async (position, data) => {
        calls.push(`write ${name} @${position} +${data.length}`);
        await inner.write(position, data);
      },
      append: async (data) => {
        calls.push(`append ${name} +${data.length}`);
        return inner.append(data);
      },
      size: () => inner.size(),
      truncate: async (size) => {
        calls.push(`truncate ${name} ${size}`);
        await inner.truncate(size);
      },
      sync: async () => {
        calls.push(`sync ${name}`);
        await inner.sync();
      },
      datasync: async () => {
        calls.push(`datasync ${name}`);
        await inner.datasync();
      },
      close: () => inner.close(),
    };
  }
  async rename(from: string, to: string): Promise<void> {
    this.calls.push(`rename ${baseName(from)} ${baseName(to)}`);
    await this.inner.rename(from, to);
  }
  async unlink(path: string): Promise<void> {
    this.calls.push(`unlink ${baseName(path)}`);
    await this.inner.unlink(path);
  }
  async mkdir(path: string): Promise<void> {
    await this.inner.mkdir(path);
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  async syncDir(path: string): Promise<void> {
    this.calls.push(`syncDir ${baseName(path)}`);
    await this.inner.syncDir(path);
  }
}
