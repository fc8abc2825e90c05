/**
 * A file system over a simulated world's that crashes the world right after one chosen port
 * call: the call completes (its effect is in the page cache, or on disk if it was a sync), then
 * the process dies and nothing after it runs. Tests use it to stop recovery at a precise point,
 * e.g. right after the truncation of a torn tail, and then cut the power.
 */
import type { FileHandle, FileSystem, OpenOptions } from '../../../engine/ports/fs.ts';
import type { CrashKind, SimWorld } from '../../../sim/world.ts';

/** One completed port call, as the crash hook sees it. */
export interface PortCall {
  /** `open`, `rename`, `unlink`, `syncDir`, `write`, `truncate`, `sync`, `datasync`, ... */
  readonly op: string;
  /** The file or directory (for `rename`, the target). */
  readonly path: string;
  /** Calls completed before this one. */
  readonly index: number;
}

export class CrashingFileSystem implements FileSystem {
  /** Every call completed so far, in order. */
  readonly calls: PortCall[] = [];
  private readonly inner: FileSystem;

  /**
   * @param world - the world to crash; its current file system is the one wrapped
   * @param kind - the crash to cause
   * @param after - returns true for the call after which the world crashes (checked once per call)
   */
  constructor(private readonly world: SimWorld, private readonly kind: CrashKind, private readonly after: (call: PortCall) => boolean) {
    this.inner = world.fs;
  }

  /** Runs a port call, records it, and crashes the world if it is the chosen one. */
  async track<T>(op: string, path: string, run: () => Promise<T>): Promise<T> {
    const value = await run();
    const call = { op, path, index: this.calls.length };
    this.calls.push(call);
    if (this.world.crashed === undefined && this.after(call)) this.world.crashNow(this.kind);
    return value;
  }

  open(path: string, options?: OpenOptions): Promise<FileHandle> {
    return this.track('open', path, async () => new CrashingHandle(await this.inner.open(path, options), this));
  }
  rename(from: string, to: string): Promise<void> {
    return this.track('rename', to, () => this.inner.rename(from, to));
  }
  unlink(path: string): Promise<void> {
    return this.track('unlink', path, () => this.inner.unlink(path));
  }
  mkdir(path: string): Promise<void> {
    return this.track('mkdir', path, () => this.inner.mkdir(path));
  }

  rmdir(path: string): Promise<void> {
    return this.track('rmdir', path, () => this.inner.rmdir(path));
  }
  readdir(path: string): Promise<string[]> {
    return this.track('readdir', path, () => this.inner.readdir(path));
  }
  exists(path: string): Promise<boolean> {
    return this.track('exists', path, () => this.inner.exists(path));
  }
  syncDir(path: string): Promise<void> {
    return this.track('syncDir', path, () => this.inner.syncDir(path));
  }
}

class CrashingHandle implements FileHandle {
  constructor(private readonly inner: FileHandle, private readonly owner: CrashingFileSystem) {}
  get path(): string {
    return this.inner.path;
  }
  read(position: number, length: number): Promise<Uint8Array> {
    return this.owner.track('read', this.path, () => this.inner.read(position, length));
  }
  write(position: number, data: Uint8Array): Promise<void> {
    return this.owner.track('write', this.path, () => this.inner.write(position, data));
  }
  append(data: Uint8Array): Promise<number> {
    return this.owner.track('append', this.path, () => this.inner.append(data));
  }
  size(): Promise<number> {
    return this.owner.track('size', this.path, () => this.inner.size());
  }
  truncate(size: number): Promise<void> {
    return this.owner.track('truncate', this.path, () => this.inner.truncate(size));
  }
  sync(): Promise<void> {
    return this.owner.track('sync', this.path, () => this.inner.sync());
  }
  datasync(): Promise<void> {
    return this.owner.track('datasync', this.path, () => this.inner.datasync());
  }
  close(): Promise<void> {
    return this.owner.track('close', this.path, () => this.inner.close());
  }
}
