/**
 * The file-system port: the only door from the engine to storage.
 *
 * It is POSIX-shaped and asynchronous, and deliberately small, so that the real adapter
 * (`NodeFileSystem`) and the simulator's file system implement exactly the same contract.
 * Paths are POSIX strings (`/`-separated). Every failure is an {@link IoError} with a `code`.
 *
 * Durability contract (what an implementation must honour and what the engine may assume):
 * - `write`/`append` put bytes in the page cache; they are durable only after `sync`/`datasync`
 *   of that file returns successfully.
 * - A created, renamed or unlinked directory entry is durable only after `syncDir` of its parent
 *   returns successfully; syncing the file does not make its name durable.
 * - A `write` that throws may have applied a prefix of its bytes (short write on `ENOSPC`,
 *   or a kill in the middle of it).
 * - After `sync` throws, nothing may be assumed about the file's durable contents, and a later
 *   successful `sync` does not repair that (see FIELD-NOTES: fsyncgate).
 */

/** Error codes the engine distinguishes. Anything else maps to `EIO`. */
export type IoErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOSPC'
  | 'EIO'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'ENOTEMPTY'
  | 'EBADF'
  | 'EINVAL'
  // A file grown past the largest file the file system holds (the simulator's: 1 GiB, as it
  // keeps files in memory; a sparse write at a garbage offset meets it).
  | 'EFBIG'
  // A rename across file systems. The engine renames inside its own directory and never sees
  // it; the simulator injects it only into the fs facade's renames (fault kind `exdev`).
  | 'EXDEV';

const IO_ERROR_CODES: ReadonlySet<string> = new Set<IoErrorCode>([
  'ENOENT', 'EEXIST', 'ENOSPC', 'EIO', 'EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EBADF', 'EINVAL', 'EFBIG', 'EXDEV',
]);

/** Whether `code` is one of the {@link IoErrorCode}s. */
export function isIoErrorCode(code: unknown): code is IoErrorCode {
  return typeof code === 'string' && IO_ERROR_CODES.has(code);
}

/**
 * A failed file-system operation. Both adapters throw only this from port methods.
 *
 * `injected` is set by the simulator for faults it injected on purpose, so a report can tell
 * an injected fault from a bug; the engine never looks at it.
 */
export class IoError extends Error {
  override readonly name = 'IoError';
  /**
   * @param code - the POSIX-style error code
   * @param syscall - the port operation that failed (`open`, `write`, `sync`, ...)
   * @param path - the file or directory concerned
   * @param injected - true when a simulator injected this fault deliberately
   */
  constructor(
    readonly code: IoErrorCode,
    readonly syscall: string,
    readonly path: string,
    readonly injected = false,
    message?: string,
  ) {
    super(message ?? `${code}: ${syscall} '${path}'${injected ? ' (injected)' : ''}`);
  }
}

/**
 * Whether `error` is an {@link IoError}, optionally with a given code. Told by name and code, not
 * by class identity, so an error from another copy of this module (a second install of the
 * package, a planted-bug copy of the engine) is recognised too.
 */
export function isIoError(error: unknown, code?: IoErrorCode): error is IoError {
  if (!(error instanceof Error) || error.name !== 'IoError') return false;
  const found = (error as { code?: unknown }).code;
  return isIoErrorCode(found) && (code === undefined || found === code);
}

/** How to open a file. With neither flag set the file must exist. */
export interface OpenOptions {
  /** Create the file if it does not exist. @defaultValue false */
  readonly create?: boolean;
  /** With `create`: fail with `EEXIST` if the file exists. @defaultValue false */
  readonly exclusive?: boolean;
  /** Truncate the file to zero bytes on open. @defaultValue false */
  readonly truncate?: boolean;
}

/** An open file. Positions and sizes are in bytes. */
export interface FileHandle {
  /** The path the file was opened with. */
  readonly path: string;
  /**
   * Reads up to `length` bytes at `position`. Returns fewer bytes only at end of file.
   * @throws IoError (`EIO` on a read fault)
   */
  read(position: number, length: number): Promise<Uint8Array>;
  /**
   * Writes all of `data` at `position`, extending the file if needed.
   * @throws IoError (`ENOSPC`, `EIO`); a prefix of `data` may have been applied
   */
  write(position: number, data: Uint8Array): Promise<void>;
  /**
   * Writes all of `data` at the current end of the file.
   * @returns the position at which `data` was written
   * @throws IoError (`ENOSPC`, `EIO`); a prefix of `data` may have been applied
   */
  append(data: Uint8Array): Promise<number>;
  /** The current size of the file as reads see it. */
  size(): Promise<number>;
  /** Sets the file's size, cutting or zero-extending it. */
  truncate(size: number): Promise<void>;
  /** fsync: makes the file's data and metadata durable. @throws IoError (`EIO`, `ENOSPC`) */
  sync(): Promise<void>;
  /** fdatasync: makes the file's data (and size) durable. @throws IoError (`EIO`, `ENOSPC`) */
  datasync(): Promise<void>;
  /** Releases the handle. Closing does not sync. */
  close(): Promise<void>;
}

/** A file system: files, directories and directory sync. */
export interface FileSystem {
  /** Opens (and with `create`, creates) a file. @throws IoError (`ENOENT`, `EEXIST`, `ENOSPC`) */
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** Atomically renames `from` to `to`, replacing `to` if it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file. @throws IoError (`ENOENT`) */
  unlink(path: string): Promise<void>;
  /** Creates a directory and any missing parents; succeeds if it exists. */
  mkdir(path: string): Promise<void>;
  /**
   * Removes an empty directory. Like an unlink, the removal is durable only once the parent is
   * synced. @throws IoError (`ENOENT`, `ENOTDIR`, `ENOTEMPTY`)
   */
  rmdir(path: string): Promise<void>;
  /** The names (not paths) in a directory, sorted by UTF-16 code unit. @throws IoError (`ENOENT`) */
  readdir(path: string): Promise<string[]>;
  /** Whether a file or directory exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** fsync of a directory: makes the entries created, renamed or removed in it durable. */
  syncDir(path: string): Promise<void>;
}

/** Joins path segments with `/`, the engine's only path operation. */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The parent directory of a `/`-separated path. */
export function parentDir(path: string): string {
  const cut = path.lastIndexOf('/');
  if (cut < 0) return '.';
  if (cut === 0) return '/';
  return path.slice(0, cut);
}
