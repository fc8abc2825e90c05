/**
 * `opendir` and its `Dir` on the simulated disk: `readSync`, `read` (callback or promise),
 * `close`, `closeSync`, `entries()` and `for await`, with Node 20's errors (`ERR_DIR_CLOSED`).
 *
 * The listing is taken when the directory is opened: one `readdir` I/O operation, named
 * `opendir` in errors. Node reads the directory in batches of `bufferSize` as it goes; POSIX
 * leaves it open whether entries added or removed meanwhile appear, so a snapshot is one of the
 * answers the real fs may give. Entries come in a hashed directory's order, salted by the seed
 * (directory-order.ts), as the real fs hands them out in its own order, which no caller can
 * rely on; `readdir` sorts, as Node's does.
 *
 * `recursive: true` follows Node 20 exactly, including its quirk: when a directory entry is
 * read, that directory is listed (one more `readdir`, when it is read) and its entries join the
 * end of the buffer, but only the first `bufferSize` of them (Node 20 reads one batch of a
 * subdirectory and no more; checked on Node 20.20).
 *
 * Not modelled: `ERR_DIR_CONCURRENT_OPERATION`. Each asynchronous read is done in call order
 * right before it answers (see deliver.ts), so no two ever overlap.
 */
import { Buffer } from 'node:buffer';
import type { Dirent } from 'node:fs';
import type { FacadeCore } from './core.ts';
import { callBack, later, settle, type AnyFunction } from './deliver.ts';
import { inDirectoryOrder } from './directory-order.ts';
import { direntOf, type ListedEntry } from './dirent.ts';
import { nodeError, nodeInternalError, type NodeFsError, type NodeInternalError } from './errors.ts';

/** Node's default `bufferSize`: entries read from the directory per batch. */
export const dirBufferSizeDefault = 32;

/** The options of `opendir`. */
export interface OpendirOptions {
  /** Names as strings in this encoding, or as Buffers (`'buffer'`). @defaultValue `'utf8'` */
  readonly encoding?: BufferEncoding | 'buffer';
  /** Entries per batch (see the module comment). @defaultValue 32 */
  readonly bufferSize?: number;
  /** Also every entry below the directory. @defaultValue false */
  readonly recursive?: boolean;
}

/** The error of any use of a closed Dir. */
function dirClosed(): NodeInternalError {
  return nodeInternalError('ERR_DIR_CLOSED', 'Directory handle was closed');
}

/** A directory opened with `opendir`, over a listing of the simulated disk. */
export class FacadeDir {
  readonly #core: FacadeCore;
  readonly #path: string;
  readonly #incarnation: number;
  readonly #options: Required<OpendirOptions>;
  /** Entries of the opened directory not yet in the buffer. */
  readonly #unread: ListedEntry[];
  /** Entries ready to hand out, each with the directory holding it. */
  readonly #buffered: Array<{ readonly parentPath: string; readonly entry: ListedEntry }> = [];
  #closed = false;

  /**
   * @param core - the facade core (use {@link opendirSync})
   * @param path - the absolute directory path
   * @param listing - its entries, listed when it was opened
   * @param options - validated options
   */
  constructor(core: FacadeCore, path: string, listing: ListedEntry[], options: Required<OpendirOptions>) {
    this.#core = core;
    this.#path = path;
    this.#incarnation = core.world.kernel.incarnation;
    this.#unread = listing;
    this.#options = options;
  }

  /** The path it was opened with. */
  get path(): string {
    return this.#path;
  }

  /**
   * The next entry, or `null` after the last.
   * @throws NodeInternalError ERR_DIR_CLOSED after close
   * @throws NodeFsError when a recursive listing fails (syscall `opendir`)
   */
  readSync(): Dirent | null {
    if (this.#closed) throw dirClosed();
    return this.#next();
  }

  /**
   * The next entry, or `null` after the last, later: through `callback`, or as a promise.
   * @throws NodeInternalError ERR_DIR_CLOSED after close, at once (as Node throws it)
   */
  read(): Promise<Dirent | null>;
  read(callback: (error: Error | null, dirent?: Dirent | null) => void): void;
  read(callback?: (error: Error | null, dirent?: Dirent | null) => void): Promise<Dirent | null> | void {
    if (this.#closed) throw dirClosed();
    if (callback === undefined) return settle(() => this.#next());
    callBack(callback as AnyFunction, () => this.#next());
  }

  /**
   * Closes the Dir (no I/O on the simulated disk).
   * @throws NodeInternalError ERR_DIR_CLOSED when already closed
   */
  closeSync(): void {
    if (this.#closed) throw dirClosed();
    this.#core.checkAlive(this.#incarnation, 'closedir');
    this.#closed = true;
  }

  /** Closes the Dir later: through `callback`, or as a promise; a second close fails with ERR_DIR_CLOSED. */
  close(): Promise<void>;
  close(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): Promise<void> | void {
    if (callback === undefined) return this.#closed ? Promise.reject(dirClosed()) : settle(() => this.closeSync());
    if (this.#closed) later(callback as AnyFunction, dirClosed());
    else callBack(callback as AnyFunction, () => this.closeSync());
  }

  /** Every remaining entry, then closes the Dir (also when the loop stops early). */
  async *entries(): AsyncGenerator<Dirent, void, undefined> {
    try {
      for (;;) {
        const dirent = await this.read();
        if (dirent === null) break;
        yield dirent;
      }
    } finally {
      await this.close();
    }
  }

  /** `for await (const dirent of dir)`: {@link entries}. */
  [Symbol.asyncIterator](): AsyncGenerator<Dirent, void, undefined> {
    return this.entries();
  }

  #next(): Dirent | null {
    this.#core.checkAlive(this.#incarnation, 'readdir');
    if (this.#buffered.length === 0) {
      for (const entry of this.#unread.splice(0, this.#options.bufferSize)) this.#buffered.push({ parentPath: this.#path, entry });
    }
    const next = this.#buffered.shift();
    if (next === undefined) return null;
    const { parentPath, entry } = next;
    if (this.#options.recursive && entry.kind === 'dir') {
      const dir = `${parentPath}/${entry.name}`;
      for (const child of listForOpendir(this.#core, dir, true).slice(0, this.#options.bufferSize)) this.#buffered.push({ parentPath: dir, entry: child });
    }
    return direntOf(this.#options.encoding === 'buffer' ? Buffer.from(entry.name) : entry.name, entry.kind, parentPath);
  }
}

/**
 * Lists `path` for `opendir`.
 * @param withPath - whether errors name the path: Node 20's `opendirSync` leaves it out
 * (`ENOENT: no such file or directory, opendir`), the callback and promise forms put it in
 */
function listForOpendir(core: FacadeCore, path: string, withPath: boolean): ListedEntry[] {
  try {
    return inDirectoryOrder(core.listSync(path, 'opendir'), core.directoryOrderSalt());
  } catch (error) {
    const e = error as Partial<NodeFsError>;
    if (withPath || e.syscall !== 'opendir' || typeof e.code !== 'string') throw error;
    throw nodeError(e.code, 'opendir', undefined, undefined, e.injected === true);
  }
}

/** Node's checks of `opendir`'s options, with its error codes. */
function validOptions(options: unknown): Required<OpendirOptions> {
  const given = (typeof options === 'string' ? { encoding: options } : options ?? {}) as OpendirOptions;
  const bufferSize = given.bufferSize ?? dirBufferSizeDefault;
  if (typeof bufferSize !== 'number') {
    throw nodeInternalError('ERR_INVALID_ARG_TYPE', `The "options.bufferSize" property must be of type number. Received ${typeof bufferSize}`, TypeError);
  }
  if (!Number.isInteger(bufferSize) || bufferSize < 1 || bufferSize > 0xffffffff) {
    throw nodeInternalError('ERR_OUT_OF_RANGE', `The value of "options.bufferSize" is out of range. It must be >= 1 && <= 4294967295. Received ${bufferSize}`, RangeError);
  }
  return { encoding: given.encoding ?? 'utf8', bufferSize, recursive: given.recursive === true };
}

/**
 * Opens a directory for reading entry by entry.
 * @param core - the facade core
 * @param path - the absolute directory path
 * @param options - see {@link OpendirOptions}
 * @param errorsWithPath - false for `opendirSync` (see {@link listForOpendir})
 * @returns the Dir
 * @throws NodeFsError ENOENT, ENOTDIR (syscall `opendir`)
 */
export function opendirSync(core: FacadeCore, path: string, options: unknown, errorsWithPath: boolean): FacadeDir {
  const valid = validOptions(options);
  return new FacadeDir(core, path, listForOpendir(core, path, errorsWithPath), valid);
}
