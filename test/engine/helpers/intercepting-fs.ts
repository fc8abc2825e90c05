/**
 * A FileSystem that passes every call to another and lets a test see or change each one on the
 * way: the one forwarding layer the engine's spec tests build their recording, failing and
 * lying file systems on (files-spec, store-faults-spec, analysis-limits-spec).
 */
import type { FileHandle, FileSystem, OpenOptions } from '../../../engine/ports/fs.ts';

/** The port calls that name a path (a handle's calls name its file's). */
export type PortCall = 'open' | 'read' | 'write' | 'append' | 'size' | 'truncate' | 'sync' | 'datasync' | 'close' | 'rename' | 'unlink' | 'syncDir';

/** A call's arguments beyond its path, for the calls that have them. */
export interface CallArgs {
  /** A rename's target. */
  readonly to?: string;
  /** A write's position. */
  readonly position?: number;
  /** The bytes a write or append carries. */
  readonly length?: number;
  /** A truncate's new size. */
  readonly size?: number;
}

/** What a test does with the calls; every member is optional. */
export interface Interceptor {
  /** Called before the call reaches the wrapped file system; throw to fail it instead. */
  before?(call: PortCall, path: string, args: CallArgs): void;
  /** Called after an open succeeded, with its options. */
  opened?(path: string, options: OpenOptions | undefined): void;
  /** How many bytes to ask the wrapped file system for when a read asks for `length`. */
  readLength?(path: string, length: number): number;
  /**
   * Writes in place of the plain forwarding, after `before`: `write` forwards (the whole data, or
   * a part of it, before the hook throws, as a short write on a full disk does).
   */
  aroundWrite?(path: string, position: number, data: Uint8Array, write: (position: number, data: Uint8Array) => Promise<void>): Promise<void>;
  /** What a read returns, given what the wrapped file system read. */
  afterRead?(path: string, position: number, length: number, bytes: Uint8Array): Uint8Array;
  /** What `size()` returns, given the real size. */
  afterSize?(path: string, size: number): number;
}

/** Forwards to `inner`, through `interceptor` (a subclass may set it after `super`). */
export class InterceptingFileSystem implements FileSystem {
  constructor(private readonly inner: FileSystem, protected interceptor: Interceptor = {}) {}

  async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    this.interceptor.before?.('open', path, {});
    const handle = await this.inner.open(path, options);
    this.interceptor.opened?.(path, options);
    return this.#handle(handle);
  }

  #handle(inner: FileHandle): FileHandle {
    const path = inner.path;
    const before = (call: PortCall, args: CallArgs = {}): void => this.interceptor.before?.(call, path, args);
    return {
      path,
      read: async (position, length) => {
        before('read');
        const bytes = await inner.read(position, this.interceptor.readLength ? this.interceptor.readLength(path, length) : length);
        return this.interceptor.afterRead ? this.interceptor.afterRead(path, position, length, bytes) : bytes;
      },
      write: async (position, data) => {
        before('write', { position, length: data.length });
        const around = this.interceptor.aroundWrite;
        if (around === undefined) await inner.write(position, data);
        else await around(path, position, data, (at, bytes) => inner.write(at, bytes));
      },
      append: async (data) => {
        before('append', { length: data.length });
        return inner.append(data);
      },
      size: async () => {
        before('size');
        const size = await inner.size();
        return this.interceptor.afterSize ? this.interceptor.afterSize(path, size) : size;
      },
      truncate: async (size) => {
        before('truncate', { size });
        await inner.truncate(size);
      },
      sync: async () => {
        before('sync');
        await inner.sync();
      },
      datasync: async () => {
        before('datasync');
        await inner.datasync();
      },
      close: async () => {
        before('close');
        await inner.close();
      },
    };
  }

  async rename(from: string, to: string): Promise<void> {
    this.interceptor.before?.('rename', from, { to });
    await this.inner.rename(from, to);
  }

  async unlink(path: string): Promise<void> {
    this.interceptor.before?.('unlink', path, {});
    await this.inner.unlink(path);
  }

  mkdir(path: string): Promise<void> {
    return this.inner.mkdir(path);
  }

  rmdir(path: string): Promise<void> {
    return this.inner.rmdir(path);
  }

  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  async syncDir(path: string): Promise<void> {
    this.interceptor.before?.('syncDir', path, {});
    await this.inner.syncDir(path);
  }
}
