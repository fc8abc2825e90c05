/**
 * The three faces of Node's fs over one {@link FacadeCore}: synchronous functions, callback
 * functions and `fs.promises` (with a FileHandle). Streams are in read-stream.ts and
 * write-stream.ts, `opendir` in dir.ts, `mkdtemp` in mkdtemp.ts, `cp` in cp.ts.
 *
 * Ordering: an asynchronous call does its work on the simulated disk after the caller goes on,
 * once the microtask queue is empty, and delivers its result right after (deliver.ts says why);
 * concurrent calls take effect in call order, the same in every run. A whole-file call
 * (`writeFile`, `readFile`, `copyFile`) runs its open, writes and close back to back: other
 * calls never interleave inside it. A crash anywhere (see sync-port.ts) makes every
 * pending and later asynchronous call of the incarnation never settle, and every synchronous
 * call throw {@link ProcessCrashedError}.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { ReadStream, WriteStream } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { encodingOf, flagOf, flushOf, withoutFlush, type FacadeCore, type StatOptions } from './core.ts';
import { callBack, later, settle, type AnyFunction } from './deliver.ts';
import { cpAsync, cpSync } from './cp.ts';
import { UnsupportedFsCallError } from './errors.ts';
import { opendirSync } from './dir.ts';
import { handleStreamFs } from './handle-stream-fs.ts';
import { mkdtempSync, TempNameSource } from './mkdtemp.ts';
import { createReadStreamImpl, readStreamFs } from './read-stream.ts';
import { ProcessCrashedError } from '../sim/index.ts';
import { createWriteStreamImpl, writeStreamFs } from './write-stream.ts';
import { isArgumentError } from './io-ranges.ts';
import { readCallbackRequest, readHandleRequest } from './descriptor-args.ts';

type Impl = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The synchronous implementations, by Node's name without `Sync` (`open`, `writeFile`, ...). */
export function syncImpls(core: FacadeCore): Record<string, Impl> {
  const noOp = (call: string) => (target: string | number) => core.noOpSync(call, target);
  const tempNames = new TempNameSource(core.world.stream('facade-mkdtemp'));
  return {
    open: (path: string, flags?: string | number, mode?: number) => core.openSync(path, flags, mode),
    close: (fd: number) => core.closeSync(fd),
    read: (fd: number, ...args: unknown[]) => core.readSync(fd, ...args),
    write: (fd: number, ...args: unknown[]) => core.writeSync(fd, ...args),
    readv: (fd: number, buffers: readonly ArrayBufferView[], position?: number | null) => core.readvSync(fd, buffers, position),
    writev: (fd: number, buffers: readonly ArrayBufferView[], position?: number | null) => core.writevSync(fd, buffers, position),
    fsync: (fd: number) => core.fsyncSync(fd),
    fdatasync: (fd: number) => core.fdatasyncSync(fd),
    ftruncate: (fd: number, length?: number) => core.ftruncateSync(fd, length),
    fstat: (fd: number, options?: StatOptions) => core.fstatSync(fd, options),
    stat: (path: string, options?: StatOptions & { throwIfNoEntry?: boolean }) => core.statSync(path, options),
    lstat: (path: string, options?: StatOptions & { throwIfNoEntry?: boolean }) => core.lstatSync(path, options),
    statfs: (path: string, options?: { bigint?: boolean }) => core.statfsSync(path, options),
    exists: (path: string) => core.existsSync(path),
    access: (path: string) => core.accessSync(path),
    readdir: (path: string, options?: unknown) => core.readdirSync(path, options),
    opendir: (path: string, options?: unknown) => opendirSync(core, path, options, false),
    mkdtemp: (prefix: string, options?: unknown) => mkdtempSync(core, tempNames, prefix, options),
    mkdir: (path: string, options?: unknown) => core.mkdirSync(path, options),
    rmdir: (path: string, options?: { recursive?: boolean }) => core.rmdirSync(path, options),
    rm: (path: string, options?: { force?: boolean; recursive?: boolean }) => core.rmSync(path, options),
    unlink: (path: string) => core.unlinkSync(path),
    rename: (from: string, to: string) => core.renameSync(from, to),
    link: (existing: string, newPath: string) => core.linkSync(existing, newPath),
    readFile: (path: string | number, options?: unknown) => core.readFileSync(path, options),
    writeFile: (path: string | number, data: unknown, options?: unknown) => core.writeFileSync(path, data, options),
    appendFile: (path: string | number, data: unknown, options?: unknown) => core.appendFileSync(path, data, options),
    truncate: (path: string, length?: number) => core.truncateSync(path, length),
    copyFile: (from: string, to: string, mode?: number) => core.copyFileSync(from, to, mode),
    cp: (src: string, dest: string, options?: unknown) => cpSync(core, src, dest, options),
    realpath: (path: string) => core.realpathSync(path),
    realpathNative: (path: string) => core.realpathSync(path, 'realpath'),
    readlink: (path: string, options?: unknown) => core.readlinkSync(path, options),
    // The link's own path is the simulated one (install.ts routes by it); `type` is Windows'.
    symlink: (target: string, path: string) => core.symlinkSync(target, path),
    chmod: noOp('chmod'),
    lchmod: noOp('lchmod'),
    fchmod: noOp('fchmod'),
    chown: noOp('chown'),
    lchown: noOp('lchown'),
    fchown: noOp('fchown'),
    utimes: (path: string, atime: unknown, mtime: unknown) => core.utimesSync('utimes', path, atime, mtime),
    lutimes: (path: string, atime: unknown, mtime: unknown) => core.utimesSync('lutimes', path, atime, mtime),
    futimes: (fd: number, atime: unknown, mtime: unknown) => core.utimesSync('futimes', fd, atime, mtime),
  };
}

/** Calls whose callback gets the buffer(s) after the byte count, as Node's does. */
const buffersBack: ReadonlySet<string> = new Set(['read', 'write', 'readv', 'writev']);

/**
 * The callback form of `name`: the work happens now, the callback runs later (deliver.ts).
 * `fs.exists` calls back with a boolean only; `read`, `write`, `readv` and `writev` add the
 * buffer(s); a dead process never calls back.
 */
export function callbackImpl(name: string, impl: Impl): Impl {
  return (...args: unknown[]) => {
    const callback = args.pop();
    if (typeof callback !== 'function') throw new TypeError(`powercut facade: fs.${name} needs a callback`);
    let result: unknown;
    try {
      result = impl(...args);
    } catch (error) {
      if (error instanceof ProcessCrashedError) return;
      // Node checks its arguments before the call and throws, as here, instead of calling back.
      if (isArgumentError(error)) throw error;
      if (name === 'exists') later(callback as AnyFunction, false);
      else later(callback as AnyFunction, error);
      return;
    }
    if (name === 'exists') later(callback as AnyFunction, result);
    else if (buffersBack.has(name)) later(callback as AnyFunction, null, result, args[1]);
    else later(callback as AnyFunction, null, result);
  };
}

/**
 * The callback implementations, by Node's name: {@link callbackImpl} of each synchronous one,
 * except `opendir`, whose callback form names the path in its errors (the synchronous one does
 * not, see dir.ts).
 */
export function callbackImpls(core: FacadeCore, sync: Record<string, Impl>): Record<string, Impl> {
  const out: Record<string, Impl> = {};
  for (const [name, impl] of Object.entries(sync)) out[name] = callbackImpl(name, impl);
  // `fs.read` has forms of its own (`fs.read(fd, callback)`, `fs.read(fd, options, callback)`,
  // a new 16 KiB buffer when it names none) and checks its arguments as `readSync` does not
  // quite (descriptor-args.ts); it calls back with the buffer it read into, which is what
  // `util.promisify(fs.read)` resolves with.
  out.read = (fd: number, ...rest: unknown[]) => {
    const { request, callback } = readCallbackRequest(rest);
    callbackImpl('read', () => core.read(fd, request))(fd, request.buffer, callback);
  };
  out.mkdir = callbackImpl('mkdir', (path: string, options?: unknown) => core.mkdirSync(path, options, 'async'));
  // Watchers answer at once, not through a callback (watch.ts).
  out.watch = (path: string, options?: unknown, listener?: unknown) => core.watches.watch(path, options, listener);
  out.watchFile = (path: string, options?: unknown, listener?: unknown) => core.watches.watchFile(path, options, listener);
  out.unwatchFile = (path: string, listener?: unknown) => core.watches.unwatchFile(path, listener);
  out.opendir = (path: string, ...rest: unknown[]) => {
    const callback = rest.pop();
    if (typeof callback !== 'function') throw new TypeError('powercut facade: fs.opendir needs a callback');
    callBack(callback as AnyFunction, () => opendirSync(core, path, rest[0], true));
  };
  // A filter of `fs.cp` may answer with a promise, which the callback form awaits.
  out.cp = (src: string, dest: string, ...rest: unknown[]) => {
    const callback = rest.pop();
    if (typeof callback !== 'function') throw new TypeError('powercut facade: fs.cp needs a callback');
    cpAsync(core, src, dest, rest[0]).then(() => (callback as AnyFunction as (error: null) => void)(null), callback as (error: unknown) => void);
  };
  return out;
}

/** The brand of every {@link FacadeFileHandle}, shared by every copy of this module. */
const handleBrand = Symbol.for('powercut.facade.file-handle');

/** Whether `value` is a facade FileHandle of any copy of this module. */
export function isFacadeFileHandle(value: unknown): value is FacadeFileHandle {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[handleBrand] === true;
}

/**
 * A FileHandle over a facade descriptor, as Node's: an EventEmitter that emits `close` when
 * closed, whose streams hold a reference on it. Closing a handle a stream still reads or writes
 * emits `close` at once, which closes the stream, and closes the descriptor once the stream lets
 * go of it (Node's `kRef` and `kUnref`): the stream never reads a closed descriptor (a new npm
 * user's jsonl-db saw `EBADF` where Node gives none).
 */
export class FacadeFileHandle extends EventEmitter {
  readonly [handleBrand] = true;
  readonly #core: FacadeCore;
  /** The descriptor, -1 once closed. */
  #fd: number;
  /** The handle's own reference and its streams'. */
  #refs = 1;
  /** Pending while a close waits for streams to let go. */
  #closing: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(core: FacadeCore, fd: number) {
    super();
    this.#core = core;
    this.#fd = fd;
  }

  /** The descriptor, or -1 once closed (as Node's). */
  get fd(): number {
    return this.#fd;
  }

  /** The facade core (one run's) that opened this handle. */
  get core(): FacadeCore {
    return this.#core;
  }

  /** A stream's reference: the descriptor stays open until it lets go. */
  ref(): void {
    this.#refs++;
  }

  /** A stream lets go; the last reference closes the descriptor a pending close waited for. */
  unref(): void {
    if (--this.#refs > 0 || this.#fd === -1) return;
    const closing = this.#closing;
    this.#closing = undefined;
    const closed = this.#closeNow();
    if (closing !== undefined) closed.then(closing.resolve, closing.reject);
  }

  #closeNow(): Promise<void> {
    const fd = this.#fd;
    this.#fd = -1;
    return settle(() => this.#core.closeSync(fd));
  }

  read(...args: unknown[]): Promise<{ bytesRead: number; buffer: ArrayBufferView }> {
    return settle(() => {
      const request = readHandleRequest(args);
      return { bytesRead: this.#core.read(this.fd, request), buffer: request.buffer };
    });
  }

  write(data: unknown, a?: unknown, b?: unknown, c?: unknown): Promise<{ bytesWritten: number; buffer: unknown }> {
    // Node's FileHandle answers an empty buffer (not an empty string) without a syscall, so
    // even a handle not open for writing "writes" it.
    if ((data as { byteLength?: unknown } | undefined)?.byteLength === 0) return Promise.resolve({ bytesWritten: 0, buffer: data });
    return settle(() => ({ bytesWritten: this.#core.writeSync(this.fd, data, a, b, c), buffer: data }));
  }

  // Node's FileHandle ignores `flush` (only a path's writeFile syncs).
  writeFile(data: unknown, options?: unknown): Promise<void> {
    if (isChunkIterable(data)) return writeChunks(this.#core, this.fd, data, withoutFlush(options), 'w');
    return settle(() => this.#core.writeFileSync(this.fd, data, withoutFlush(options)));
  }

  appendFile(data: unknown, options?: unknown): Promise<void> {
    if (isChunkIterable(data)) return writeChunks(this.#core, this.fd, data, withoutFlush(options), 'a');
    return settle(() => this.#core.appendFileSync(this.fd, data, withoutFlush(options)));
  }

  readFile(options?: unknown): Promise<Buffer | string> {
    return settle(() => this.#core.readFileSync(this.fd, options));
  }

  stat(options?: StatOptions): Promise<unknown> {
    return settle(() => this.#core.fstatSync(this.fd, options));
  }

  sync(): Promise<void> {
    return settle(() => this.#core.fsyncSync(this.fd));
  }

  datasync(): Promise<void> {
    return settle(() => this.#core.fdatasyncSync(this.fd));
  }

  truncate(length?: number): Promise<void> {
    return settle(() => this.#core.ftruncateSync(this.fd, length));
  }

  /** Closes the handle: at once, or once its streams let go (see the class comment); a second close resolves. */
  close(): Promise<void> {
    if (this.#fd === -1) return Promise.resolve();
    if (this.#closing !== undefined) return this.#closing.promise;
    let promise: Promise<void>;
    if (--this.#refs === 0) {
      promise = this.#closeNow();
    } else {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#closing = { promise, resolve, reject };
    }
    this.emit('close');
    return promise;
  }

  /** `readv`: fills `buffers` in order from `position` (or the handle's position). */
  readv(buffers: ArrayBufferView[], position?: number | null): Promise<{ bytesRead: number; buffers: ArrayBufferView[] }> {
    return settle(() => ({ bytesRead: this.#core.readvSync(this.fd, buffers, position), buffers }));
  }

  /** `writev`: writes `buffers` in order, as one write, at `position` (or the handle's position). */
  writev(buffers: ArrayBufferView[], position?: number | null): Promise<{ bytesWritten: number; buffers: ArrayBufferView[] }> {
    return settle(() => ({ bytesWritten: this.#core.writevSync(this.fd, buffers, position), buffers }));
  }

  /**
   * A read stream over this handle (read-stream.ts), reading through its `read` as Node's does
   * (handle-stream-fs.ts); with `autoClose` (the default) it closes the handle when it ends.
   */
  createReadStream(options?: Record<string, unknown>): ReadStream {
    return this.#held(createReadStreamImpl(handleStreamFs(this), undefined, { ...options, fd: this.fd }));
  }

  /** `stream`, holding a reference on this handle and closed when the handle closes (as Node's). */
  #held<T extends ReadStream | WriteStream>(stream: T): T {
    this.ref();
    this.once('close', () => stream.close());
    return stream;
  }

  /** The lines of the file, through {@link createReadStream}, as Node's `readLines` gives them. */
  readLines(options?: Record<string, unknown>): Interface {
    return createInterface({ input: this.createReadStream(options), crlfDelay: Infinity });
  }

  chmod(): Promise<void> {
    return settle(() => this.#core.noOpSync('fchmod', this.fd));
  }

  chown(): Promise<void> {
    return settle(() => this.#core.noOpSync('fchown', this.fd));
  }

  utimes(atime: unknown, mtime: unknown): Promise<void> {
    return settle(() => this.#core.utimesSync('futimes', this.fd, atime, mtime));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Not simulated: a web stream's reads would bypass the facade's own read stream. @throws UnsupportedFsCallError */
  readableWebStream(): never {
    throw new UnsupportedFsCallError('filehandle.readableWebStream', String(this.fd));
  }

  /**
   * A write stream onto this handle (write-stream.ts), writing through its `write` and `writev`
   * as Node's does (handle-stream-fs.ts); with `autoClose` (the default) it closes the handle
   * when it finishes or is destroyed.
   */
  createWriteStream(options?: Record<string, unknown>): WriteStream {
    return this.#held(createWriteStreamImpl(handleStreamFs(this), undefined, { ...options, fd: this.fd }));
  }
}

/**
 * Whether `data` is what `fs.promises.writeFile` takes besides a string or a buffer: an iterable
 * or async iterable of chunks (a Readable stream among them).
 */
function isChunkIterable(data: unknown): data is Iterable<unknown> | AsyncIterable<unknown> {
  return typeof data === 'object' && data !== null && !ArrayBuffer.isView(data) && (Symbol.asyncIterator in data || Symbol.iterator in data);
}

/**
 * `fs.promises.writeFile` of an iterable: each chunk written whole as it comes (a string in the
 * options' encoding), as Node's `writeFileHandle` does, so a crash can land between chunks;
 * through a path the file is opened with the options' flag, synced with `flush` and closed.
 */
async function writeChunks(core: FacadeCore, target: string | number, data: Iterable<unknown> | AsyncIterable<unknown>, options: unknown, defaultFlag: string): Promise<void> {
  const encoding = encodingOf(options);
  const owned = typeof target === 'string';
  const fd = owned ? await settle(() => core.openSync(target, flagOf(options, defaultFlag))) : target;
  try {
    for await (const chunk of data) await settle(() => core.writeFileSync(fd, chunk, encoding === undefined ? undefined : { encoding }));
    if (owned && flushOf(options)) await settle(() => core.fsyncSync(fd));
  } finally {
    if (owned) await settle(() => core.closeSync(fd));
  }
}

/** The `fs.promises` implementations, by name. */
export function promiseImpls(core: FacadeCore, sync: Record<string, Impl>): Record<string, Impl> {
  const out: Record<string, Impl> = {};
  for (const [name, impl] of Object.entries(sync)) {
    // Descriptor calls live on the FileHandle in fs.promises.
    if (name === 'exists' || name.startsWith('f') || name === 'close' || buffersBack.has(name) || name === 'lutimes') continue;
    out[name] = (...args: unknown[]) => settle(() => impl(...args));
  }
  out.open = (path: string, flags?: string | number, mode?: number) =>
    settle(() => new FacadeFileHandle(core, core.openSync(path, flags, mode)));
  out.realpath = (path: string) => settle(() => core.realpathSync(path, 'realpath'));
  // fs.promises.writeFile(handle, ...) ignores `flush` (a handle arrives here as its descriptor);
  // its data may be an iterable or a stream of chunks, written one by one.
  for (const name of ['writeFile', 'appendFile']) {
    out[name] = (target: unknown, data: unknown, options?: unknown) => {
      const effective = typeof target === 'number' ? withoutFlush(options) : options;
      if (isChunkIterable(data)) return writeChunks(core, target as string | number, data, effective, name === 'appendFile' ? 'a' : 'w');
      return settle(() => sync[name]!(target, data, effective));
    };
  }
  out.lutimes = (...args: unknown[]) => settle(() => sync.lutimes!(...args));
  out.mkdir = (path: string, options?: unknown) => settle(() => core.mkdirSync(path, options, 'async'));
  out.readdir = (path: string, options?: unknown) => settle(() => core.readdirSync(path, options, 'stack'));
  out.opendir = (path: string, options?: unknown) => settle(() => opendirSync(core, path, options, true));
  out.cp = (src: string, dest: string, options?: unknown) => cpAsync(core, src, dest, options);
  out.watch = (path: string, options?: unknown) => core.watches.watchAsync(path, options);
  return out;
}

/**
 * `fs.createReadStream` on a simulated path or facade descriptor (read-stream.ts). A facade
 * FileHandle given as `options.fd` is read through and closed like the handle's own stream.
 * @param path - the absolute path, ignored when `options.fd` is given
 * @param options - Node's options, or an encoding
 */
export function fsCreateReadStream(core: FacadeCore, path: string | undefined, options?: unknown): ReadStream {
  const fd = typeof options === 'object' && options !== null ? (options as { fd?: unknown }).fd : undefined;
  if (isFacadeFileHandle(fd)) return fd.createReadStream({ ...(options as Record<string, unknown>) });
  return createReadStreamImpl(readStreamFs(core), path, options);
}

/**
 * `fs.createWriteStream` on a simulated path or facade descriptor (write-stream.ts). A facade
 * FileHandle given as `options.fd` is written through and closed like the handle's own stream.
 * @param path - the absolute path, ignored when `options.fd` is given
 * @param options - Node's options, or an encoding
 */
export function fsCreateWriteStream(core: FacadeCore, path: string | undefined, options?: unknown): WriteStream {
  const fd = typeof options === 'object' && options !== null ? (options as { fd?: unknown }).fd : undefined;
  if (isFacadeFileHandle(fd)) return fd.createWriteStream({ ...(options as Record<string, unknown>) });
  return createWriteStreamImpl(writeStreamFs(core), path, options);
}
