/**
 * The real file-system adapter: implements the {@link FileSystem} port over any module shaped
 * like `node:fs` (its `promises` API and `constants`), so the same code runs on the real disk
 * (`node:fs`) and in memory (memfs's `createFsFromVolume(...)`).
 *
 * Choices and their reasons:
 * - Files are opened with numeric flags built from `O_RDWR`, `O_CREAT`, `O_EXCL` and `O_TRUNC`,
 *   never with `O_APPEND`: on Linux `O_APPEND` makes every `pwrite` land at the end of the file,
 *   which would silently break positional writes. `append` therefore writes at the size that
 *   `fstat` reports, and appends on one handle are serialized so two of them cannot both read
 *   the same size.
 * - Reads and writes loop: `read` may return fewer bytes than asked before end of file, and
 *   `write` may write fewer bytes than given (the port promises "all of `data`").
 * - Every Node error is mapped to an {@link IoError} whose code is one of the port's codes
 *   (anything else becomes `EIO`), with the original error kept as `cause`.
 * - `syncDir` opens the directory read-only and fsyncs it, which is how Linux makes new, renamed
 *   and removed names durable. A module that cannot open directories (`EISDIR` on open) has no
 *   durability to offer either, so for an existing directory that is treated as a no-op.
 */
import { IoError, isIoErrorCode } from '../ports/fs.ts';
import type { FileHandle, FileSystem, IoErrorCode, OpenOptions } from '../ports/fs.ts';

/** The subset of a `fs.promises` FileHandle this adapter uses (Node's and memfs's both fit). */
interface NodeFileHandleLike {
  read(
    buffer: Uint8Array, offset: number, length: number, position: number,
  ): Promise<{ bytesRead: number }>;
  write(
    buffer: Uint8Array, offset: number, length: number, position: number,
  ): Promise<{ bytesWritten: number }>;
  stat(): Promise<{ size: number }>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** The subset of an `fs` module this adapter uses: `node:fs` and memfs's `fs` both fit. */
export interface FsModuleLike {
  readonly constants: {
    readonly O_RDONLY: number;
    readonly O_RDWR: number;
    readonly O_CREAT: number;
    readonly O_EXCL: number;
    readonly O_TRUNC: number;
  };
  readonly promises: {
    // `flags` is a number or string; memfs and Node both accept either.
    open(path: string, flags: number | string): Promise<unknown>;
    rename(from: string, to: string): Promise<void>;
    unlink(path: string): Promise<void>;
    mkdir(path: string, options: { recursive: true }): Promise<unknown>;
    rmdir(path: string): Promise<void>;
    readdir(path: string): Promise<unknown[]>;
    stat(path: string): Promise<{ isDirectory(): boolean }>;
  };
}

/**
 * Maps a Node (or memfs) error to an {@link IoError}, keeping the original as `cause`.
 * Errors that are already `IoError`s pass through unchanged.
 */
export function toIoError(error: unknown, syscall: string, path: string): IoError {
  if (error instanceof IoError) return error;
  const nodeCode = (error as { code?: unknown } | null)?.code;
  const code: IoErrorCode = isIoErrorCode(nodeCode) ? nodeCode : 'EIO';
  const detail = error instanceof Error ? error.message : String(error);
  const mapped = new IoError(code, syscall, path, false, `${code}: ${syscall} '${path}' (${detail})`);
  mapped.cause = error;
  return mapped;
}

/** Runs `operation`, turning whatever it throws into an {@link IoError}. */
async function mapErrors<T>(syscall: string, path: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toIoError(error, syscall, path);
  }
}

/** The {@link FileSystem} port over a Node-style `fs` module. */
export class NodeFileSystem implements FileSystem {
  /**
   * @param fsModule - `node:fs` for the real disk, or memfs's `fs` (any object with Node's
   *   `promises` API and `constants`)
   */
  constructor(private readonly fsModule: FsModuleLike) {}

  /** @inheritDoc */
  async open(path: string, options: OpenOptions = {}): Promise<FileHandle> {
    const c = this.fsModule.constants;
    let flags = c.O_RDWR;
    if (options.create === true) flags |= c.O_CREAT;
    if (options.create === true && options.exclusive === true) flags |= c.O_EXCL;
    if (options.truncate === true) flags |= c.O_TRUNC;
    const handle = await mapErrors('open', path, () => this.fsModule.promises.open(path, flags));
    return new NodeFileHandle(path, handle as NodeFileHandleLike);
  }

  /** @inheritDoc */
  async rename(from: string, to: string): Promise<void> {
    await mapErrors('rename', from, () => this.fsModule.promises.rename(from, to));
  }

  /** @inheritDoc */
  async unlink(path: string): Promise<void> {
    try {
      await this.fsModule.promises.unlink(path);
    } catch (error) {
      // POSIX allows EPERM for unlinking a directory (memfs answers so); Linux says EISDIR.
      // Report the Linux code either way so both backends agree.
      if ((error as { code?: unknown } | null)?.code === 'EPERM' && (await this.isDirectory(path))) {
        const mapped = new IoError('EISDIR', 'unlink', path);
        mapped.cause = error;
        throw mapped;
      }
      throw toIoError(error, 'unlink', path);
    }
  }

  /** @inheritDoc */
  async mkdir(path: string): Promise<void> {
    await mapErrors('mkdir', path, () => this.fsModule.promises.mkdir(path, { recursive: true }));
    // Node answers EEXIST when a file holds the name; memfs reports success. Check, so that
    // "succeeds if it exists" only ever means a directory exists.
    if (!(await this.isDirectory(path))) throw new IoError('EEXIST', 'mkdir', path);
  }

  /** @inheritDoc */
  async rmdir(path: string): Promise<void> {
    await mapErrors('rmdir', path, () => this.fsModule.promises.rmdir(path));
  }

  /** @inheritDoc */
  async readdir(path: string): Promise<string[]> {
    const names = await mapErrors('readdir', path, () => this.fsModule.promises.readdir(path));
    // The default sort compares UTF-16 code units, which is the order the port promises.
    return names.map((name) => String(name)).sort();
  }

  /** @inheritDoc */
  async exists(path: string): Promise<boolean> {
    try {
      await this.fsModule.promises.stat(path);
      return true;
    } catch (error) {
      const code = toIoError(error, 'stat', path).code;
      // A missing entry, or a path through a file, both mean "nothing there".
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw toIoError(error, 'exists', path);
    }
  }

  /** Whether `path` is an existing directory; false when it cannot be examined. */
  private async isDirectory(path: string): Promise<boolean> {
    try {
      return (await this.fsModule.promises.stat(path)).isDirectory();
    } catch {
      return false;
    }
  }

  /** @inheritDoc */
  async syncDir(path: string): Promise<void> {
    let handle: NodeFileHandleLike;
    try {
      handle = (await this.fsModule.promises.open(path, this.fsModule.constants.O_RDONLY)) as NodeFileHandleLike;
    } catch (error) {
      const mapped = toIoError(error, 'syncDir', path);
      if (mapped.code !== 'EISDIR') throw mapped;
      // This module cannot open directories (Linux can, with O_RDONLY). Such a module keeps
      // nothing across a crash, so there is no durability to give; only check the directory is
      // really there so that a wrong path still fails.
      const stats = await mapErrors('syncDir', path, () => this.fsModule.promises.stat(path));
      if (!stats.isDirectory()) throw new IoError('ENOTDIR', 'syncDir', path);
      return;
    }
    try {
      await mapErrors('syncDir', path, () => handle.sync());
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}

/** One open file of {@link NodeFileSystem}. */
class NodeFileHandle implements FileHandle {
  private closed = false;
  /** The tail of the chain that serializes appends on this handle. */
  private appendTail: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string, private readonly handle: NodeFileHandleLike) {}

  async read(position: number, length: number): Promise<Uint8Array> {
    this.checkOpen('read');
    checkRange('read', this.path, position, length);
    const buffer = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await mapErrors('read', this.path, () =>
        this.handle.read(buffer, filled, length - filled, position + filled));
      if (bytesRead === 0) break; // end of file
      filled += bytesRead;
    }
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    this.checkOpen('write');
    checkRange('write', this.path, position, data.length);
    await this.writeAll(position, data);
  }

  append(data: Uint8Array): Promise<number> {
    this.checkOpen('append');
    const result = this.appendTail.then(async () => {
      const { size } = await mapErrors('append', this.path, () => this.handle.stat());
      await this.writeAll(size, data);
      return size;
    });
    // Keep the chain going whether or not this append fails.
    this.appendTail = result.catch(() => undefined);
    return result;
  }

  async size(): Promise<number> {
    this.checkOpen('size');
    const { size } = await mapErrors('size', this.path, () => this.handle.stat());
    return size;
  }

  async truncate(size: number): Promise<void> {
    this.checkOpen('truncate');
    checkRange('truncate', this.path, size, 0);
    await mapErrors('truncate', this.path, () => this.handle.truncate(size));
  }

  async sync(): Promise<void> {
    this.checkOpen('sync');
    await mapErrors('sync', this.path, () => this.handle.sync());
  }

  async datasync(): Promise<void> {
    this.checkOpen('datasync');
    await mapErrors('datasync', this.path, () => this.handle.datasync());
  }

  async close(): Promise<void> {
    this.checkOpen('close');
    this.closed = true;
    await mapErrors('close', this.path, () => this.handle.close());
  }

  /** Writes every byte of `data` at `position`, looping over short writes. */
  private async writeAll(position: number, data: Uint8Array): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await mapErrors('write', this.path, () =>
        this.handle.write(data, written, data.length - written, position + written));
      // A write that makes no progress would loop forever; the OS reports ENOSPC instead.
      if (bytesWritten <= 0) throw new IoError('EIO', 'write', this.path);
      written += bytesWritten;
    }
  }

  /**
   * Node and memfs disagree on what a closed handle throws (memfs even reports a range error
   * for `truncate`), so the adapter answers `EBADF` itself.
   */
  private checkOpen(syscall: string): void {
    if (this.closed) throw new IoError('EBADF', syscall, this.path);
  }
}

/** Refuses negative or non-integer positions and lengths with `EINVAL`, as pread/pwrite would. */
function checkRange(syscall: string, path: string, position: number, length: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new IoError('EINVAL', syscall, path);
  if (!Number.isSafeInteger(length) || length < 0) throw new IoError('EINVAL', syscall, path);
}
