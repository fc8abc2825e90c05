/**
 * Node's `fs` semantics over the simulated disk, synchronously: descriptors and their positions,
 * open flags, Node's argument forms (`write(fd, string, position, encoding)`,
 * `read(fd, buffer, { offset, length, position })`, ...), whole-file helpers and Node-shaped
 * errors. The callback and promise APIs (api.ts) run these same functions and deliver the
 * result later, as the simulator's asynchronous port does.
 *
 * Paths: a simulated path is an absolute path under the root, used as is on the simulated disk.
 * Directories: a directory opened read-only is a directory descriptor whose `fsync` is the
 * port's `syncDir` (how Node code makes a rename durable). Directories are made, moved and
 * removed as the simulated disk does it (sim/disk/disk.ts): each pending in its parent until the
 * parent is synced.
 *
 * Listings: the simulated disk lists a directory sorted by name, as libuv's `scandir` does
 * (Node's `readdir`); the kind of each entry is looked up without an I/O operation, as
 * `getdents(2)` returns it with the name. `readdir({ recursive: true })` walks the tree in
 * readdir-recursive.ts.
 *
 * Time: stats carry the world's virtual time, so they are the same in every run of a seed.
 */
import { Buffer } from 'node:buffer';
import { constants, Dirent, statSync, Stats } from 'node:fs';
import { IoError } from '../engine/ports/fs.ts';
import type { SimWorld } from '../sim/index.ts';
import { WatchHub } from './watch.ts';
import { fromIoError, nodeError, nodeInternalError, UnsupportedFsCallError } from './errors.ts';
import { FileTimes, utimesArgumentMs, type TimesKey } from './times.ts';
import { direntOf, type ListedEntry } from './dirent.ts';
import { flagsNote, parseFlags, type OpenFlags } from './open-flags.ts';
import { readdirRecursive, type Traversal } from './readdir-recursive.ts';
import { statFsOf } from './statfs.ts';
import { nameTooLong } from './path-limits.ts';
import { endsInSlash, slashVerdict } from './trailing-slash.ts';
import { ProcessCrashedError, SyncFileSystem, type SyncFile, type SyncStat } from '../sim/index.ts';
import { readSyncRequest, writeRequest, type ReadRequest } from './descriptor-args.ts';

/** How many symbolic links one path walk follows before `ELOOP` (Linux's `MAXSYMLINKS`). */
export const symlinksFollowedMax = 40;

/** The first descriptor number handed out: far above any real descriptor of the process. */
export const facadeFdFirst = 1 << 24;

/** What an open descriptor refers to. */
type OpenEntry =
  | { readonly kind: 'file'; readonly file: SyncFile; readonly path: string; position: number; readonly flags: OpenFlags; closed: boolean }
  | { readonly kind: 'dir'; readonly path: string; readonly incarnation: number; closed: boolean };

/** Bytes of `data` as Node would write them (strings in `encoding`, default utf8). */
export function toBytes(data: unknown, encoding: BufferEncoding | undefined): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, encoding ?? 'utf8');
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('powercut facade: data must be a string, Buffer, TypedArray or DataView');
}

/** `readv`'s and `writev`'s position: a safe integer from 0, else at the descriptor's position (libuv's offset -1), as Node 20 passes it on. */
function vectorPosition(position: unknown): number | null {
  return Number.isSafeInteger(position) && (position as number) >= 0 ? (position as number) : null;
}

/** The encoding an `options` argument names (a string, or `{ encoding }`). */
export function encodingOf(options: unknown): BufferEncoding | undefined {
  if (typeof options === 'string') return options as BufferEncoding;
  if (typeof options === 'object' && options !== null && 'encoding' in options) {
    const encoding = (options as { encoding?: unknown }).encoding;
    if (typeof encoding === 'string') return encoding as BufferEncoding;
  }
  return undefined;
}

/** The `flag` of an options argument, or `fallback`. */
export function flagOf(options: unknown, fallback: string): string | number {
  if (typeof options === 'object' && options !== null && 'flag' in options) {
    const flag = (options as { flag?: unknown }).flag;
    if (typeof flag === 'string' || typeof flag === 'number') return flag;
  }
  return fallback;
}

/**
 * Whether an options argument asks `writeFile`/`appendFile` to fsync before closing (`flush`,
 * Node 20.10+). @throws TypeError ERR_INVALID_ARG_TYPE, as Node's, for a value not boolean
 */
export function flushOf(options: unknown): boolean {
  const flush = typeof options === 'object' && options !== null ? (options as { flush?: unknown }).flush : undefined;
  if (flush === undefined || flush === null) return false;
  if (typeof flush !== 'boolean') {
    throw Object.assign(new TypeError(`The "options.flush" property must be of type boolean. Received ${typeof flush}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  return flush;
}

/** `options` without `flush`: where Node ignores it (a FileHandle's `writeFile`). */
export function withoutFlush(options: unknown): unknown {
  if (typeof options !== 'object' || options === null || !('flush' in options)) return options;
  const { flush: _ignored, ...rest } = options as Record<string, unknown>;
  return rest;
}

/** Node's fs, synchronously, on the simulated disk of one world. */
export class FacadeCore {
  /** See {@link directoryOrderSalt}: drawn at the first `opendir`. */
  #directoryOrderSalt: number | undefined;
  readonly world: SimWorld;
  /** The simulated root (absolute, normalised, no trailing slash). */
  readonly root: string;
  readonly port: SyncFileSystem;
  /** What `stat` shows as the times of files and directories (times.ts). */
  readonly times: FileTimes;
  /** The calls this facade refused as not simulated, in order (each also noted in the trace). */
  readonly unsupportedCalls: UnsupportedFsCallError[] = [];
  /** The watchers of `fs.watch` and `fs.watchFile` on simulated paths (watch.ts), told of every change made here. */
  readonly watches: WatchHub;
  readonly #fds = new Map<number, OpenEntry>();
  #nextFd = facadeFdFirst;

  constructor(world: SimWorld, root: string) {
    this.world = world;
    this.root = root;
    this.port = new SyncFileSystem(world.kernel);
    this.times = new FileTimes(() => world.clock.now());
    this.watches = new WatchHub({
      incarnation: () => world.kernel.incarnation,
      isDirectory: (path) => this.entryKindFollowing(path) === 'dir',
      exists: (path) => this.entryKindFollowing(path) !== undefined,
      stat: (path) => this.statSync(path),
      resolve: (path) => this.#resolve(path, true, 'watch'),
    });
  }

  /** Records a call refused as not simulated. */
  refused(error: UnsupportedFsCallError): void {
    this.unsupportedCalls.push(error);
    this.world.record('note', 'unsupported', `${error.call} ${error.target}`);
  }

  /** Whether `fd` is a descriptor this facade handed out. */
  ownsFd(fd: unknown): fd is number {
    return typeof fd === 'number' && this.#fds.has(fd);
  }

  /**
   * Runs `body` and turns port errors into Node's shape, named for `syscall`.
   * @param resolvesFirst - for a call of two paths: what the kernel resolves before the
   * target's parent, the source's parent (rename(2)) or the whole source (link(2))
   * @throws ProcessCrashedError unchanged: the process is dead, not the call failed
   */
  #call<T>(syscall: string, path: string | undefined, body: () => T, dest?: string, resolvesFirst: 'parents' | 'source' = 'parents'): T {
    if (nameTooLong(path) || nameTooLong(dest)) throw nodeError('ENAMETOOLONG', syscall, path, dest);
    try {
      return body();
    } catch (error) {
      // The simulated disk checks only the nearest ancestors; POSIX reports a file anywhere on
      // the way as ENOTDIR. For two paths, Linux resolves the source's parent, then the
      // target's: a source whose parent is missing is ENOENT whatever the target (`source`:
      // link(2) resolves the whole source first, so a missing source is ENOENT too).
      const code = (error as { code?: unknown }).code;
      if (code === 'ENOENT' && path !== undefined && this.#fileOnTheWay(path)) throw nodeError('ENOTDIR', syscall, path, dest);
      const sourceParentFound = path === undefined
        || (resolvesFirst === 'parents' ? this.entryKindFollowing(parentOf(path)) === 'dir' : this.#peekWalked(path) !== undefined);
      if (code === 'ENOENT' && dest !== undefined && sourceParentFound && this.#fileOnTheWay(dest)) {
        throw nodeError('ENOTDIR', syscall, path, dest);
      }
      if (error instanceof IoError) throw fromIoError(error, syscall, path ?? error.path, dest);
      throw error;
    }
  }

  /**
   * The error of an open or mkdir the facade refuses by what the namespace holds, without asking
   * the disk, traced (SimWorld.refused: `open /x flags=wx EEXIST`): a lock file taken or a folder
   * already made shows in the trace where the library's next step came from.
   */
  #refused(code: string, syscall: 'open' | 'mkdir', path: string, note = ''): Error {
    this.world.refused(syscall, path, code, note);
    return nodeError(code, syscall, path);
  }

  /** Whether a proper ancestor of `path` is a file (symbolic links on the way followed). */
  #fileOnTheWay(path: string): boolean {
    const walk = this.#walk(path, false);
    if (!('path' in walk)) return false;
    for (let dir = parentOf(walk.path); dir !== '/'; dir = parentOf(dir)) if (this.#peek(dir) === 'file') return true;
    return false;
  }

  #entry(fd: number, syscall: string): OpenEntry {
    const entry = this.#fds.get(fd);
    if (entry === undefined || entry.closed) throw nodeError('EBADF', syscall);
    return entry;
  }

  /**
   * The open file behind `fd`.
   * @param dirCode - what Linux answers for a directory descriptor (always opened read-only
   * here): `EISDIR` to a read, `EBADF` to a write (not open for writing), `EINVAL` to ftruncate
   */
  #fileEntry(fd: number, syscall: string, dirCode: 'EISDIR' | 'EBADF' | 'EINVAL' = 'EISDIR'): OpenEntry & { kind: 'file' } {
    const entry = this.#entry(fd, syscall);
    if (entry.kind !== 'file') throw nodeError(dirCode, syscall);
    return entry;
  }

  // ---- descriptors ----

  /**
   * Opens `path`. A path that still ends in a slash (a stream's: install.ts passes it on) must
   * name a directory (trailing-slash.ts); the slash is dropped once checked.
   */
  openSync(path: string, flags?: string | number, _mode?: number): number {
    if (endsInSlash(path)) {
      const bare = path.slice(0, -1);
      const verdict = slashVerdict('open', [path, flags], [true], [this.entryKindFollowing(bare)], [this.entryKindFollowing(parentOf(bare))], 'callback');
      if (verdict !== undefined && 'code' in verdict) throw nodeError(verdict.code, verdict.syscall, path);
      return this.openSync(bare, flags, _mode);
    }
    const decoded = parseFlags(flags, path);
    // O_CREAT | O_EXCL never follows a link in the last place (any link there is EEXIST), and
    // O_NOFOLLOW refuses one with ELOOP.
    const noFollow = typeof flags === 'number' && (flags & constants.O_NOFOLLOW) !== 0;
    const at = this.#resolve(path, !(decoded.create && decoded.exclusive) && !noFollow, 'open');
    if (noFollow && !(decoded.create && decoded.exclusive) && this.world.linkTargetAt(at) !== undefined) throw nodeError('ELOOP', 'open', path);
    return this.#call('open', path, () => {
      const stat = this.#peek(at);
      if (stat === 'dir') {
        if (decoded.create && decoded.exclusive) throw this.#refused('EEXIST', 'open', path, flagsNote(flags));
        if (decoded.write || decoded.create) throw this.#refused('EISDIR', 'open', path, flagsNote(flags));
        const fd = this.#nextFd++;
        this.#fds.set(fd, { kind: 'dir', path: at, incarnation: this.world.kernel.incarnation, closed: false });
        return fd;
      }
      if (stat !== undefined && decoded.create && decoded.exclusive) throw this.#refused('EEXIST', 'open', path, flagsNote(flags));
      const options = { create: decoded.create, exclusive: decoded.exclusive, truncate: decoded.truncate && decoded.write };
      const file = this.port.open(at, options, flagsNote(flags));
      if (stat === undefined) {
        this.times.created(file.file.id);
        this.times.modified(this.world.inodeOf(parentOf(at)));
        this.watches.changed('rename', at);
      } else if (options.truncate) {
        this.times.modified(file.file.id, file.file);
        this.watches.changed('change', at);
      }
      const fd = this.#nextFd++;
      this.#fds.set(fd, { kind: 'file', file, path: at, position: 0, flags: decoded, closed: false });
      return fd;
    });
  }

  closeSync(fd: number): void {
    const entry = this.#entry(fd, 'close');
    this.#call('close', entry.path, () => {
      if (entry.kind === 'file') entry.file.close();
      else this.checkAlive(entry.incarnation, 'close');
      entry.closed = true;
    });
  }

  /**
   * `fs.readSync(fd, buffer, offsetOrOptions?, length?, position?)`, its arguments read as Node
   * 20 reads them (descriptor-args.ts).
   */
  readSync(fd: number, ...args: unknown[]): number {
    return this.read(fd, readSyncRequest(args));
  }

  /**
   * One read of `request`, whose arguments were checked for its face (descriptor-args.ts). Node
   * answers a read of nothing (fs.read, fs.readSync, FileHandle.read) before it looks at the
   * descriptor: 0, even on a descriptor not open for reading.
   */
  read(fd: number, request: ReadRequest): number {
    if (request.length === 0) return 0;
    const { buffer } = request;
    return this.#readInto(fd, new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), request.offset, request.length, request.position);
  }

  /** One `read` I/O operation into `target` at `offset`; at the descriptor's position for a null `pos`. */
  #readInto(fd: number, target: Uint8Array, offset: number, len: number, pos: number | null): number {
    const entry = this.#fileEntry(fd, 'read');
    if (!entry.flags.read) throw nodeError('EBADF', 'read');
    const atPosition = pos === null;
    const at = atPosition ? entry.position : pos;
    const bytes = this.#call('read', entry.path, () => entry.file.read(at, len));
    target.set(bytes, offset);
    if (atPosition) entry.position += bytes.length;
    return bytes.length;
  }

  /**
   * `fs.writeSync(fd, buffer, offset?, length?, position?)`, `(fd, buffer, options)` or `(fd,
   * string, position?, encoding?)`, its arguments read as Node 20 reads them (descriptor-args.ts);
   * the callback and promise faces read theirs the same way.
   */
  writeSync(fd: number, ...args: unknown[]): number {
    const entry = this.#fileEntry(fd, 'write', 'EBADF');
    const { bytes, position: pos } = writeRequest(args);
    if (!entry.flags.write) throw nodeError('EBADF', 'write');
    const positioned = pos !== null;
    return this.#call('write', entry.path, () => {
      // O_APPEND: Linux appends whatever position is given (pwrite(2) BUGS); but a write of
      // nothing returns before O_APPEND moves the offset (generic_write_checks), so it
      // appends nowhere and moves nothing.
      const at = entry.flags.append && bytes.length > 0 ? entry.file.file.size : positioned ? pos : entry.position;
      // write(2)'s count: fewer bytes than asked when a short write fires or the disk fills part way.
      const written = entry.file.writeSome(at, bytes, entry.flags.append ? 'append' : 'write');
      if (written > 0) {
        this.times.modified(entry.file.file.id, entry.file.file);
        this.watches.changed('change', entry.path);
      }
      // O_SYNC / O_DSYNC: write(2) returns once the data is durable; a failed writeback is
      // the write's EIO. Traced as the sync it amounts to, right after the write.
      if (entry.flags.syncWrites !== undefined && written > 0) entry.file.sync(entry.flags.syncWrites);
      // pwrite(2) leaves the descriptor's position where it was, O_APPEND or not.
      if (!positioned) entry.position = at + written;
      return written;
    });
  }

  /**
   * `readv`: one read (one I/O operation, as `preadv(2)` is one syscall) scattered over
   * `buffers` in order.
   * @param position - where to read; `null`, absent or negative: at the descriptor's position,
   * which then advances (libuv reads at the current position for any negative offset)
   * @returns the bytes read, fewer than the buffers hold at end of file
   * @throws NodeFsError EINVAL for no buffers (libuv refuses them before anything else), EBADF,
   * EISDIR (syscall `read`)
   */
  readvSync(fd: number, buffers: readonly ArrayBufferView[], position?: number | null): number {
    if (buffers.length === 0) throw nodeError('EINVAL', 'read');
    const views = buffers.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
    const scratch = new Uint8Array(views.reduce((sum, view) => sum + view.length, 0));
    // Not readSync: preadv(2) of buffers holding nothing still checks the descriptor.
    const bytesRead = this.#readInto(fd, scratch, 0, scratch.length, vectorPosition(position));
    let from = 0;
    for (const view of views) {
      if (from >= bytesRead) break;
      const take = Math.min(view.length, bytesRead - from);
      view.set(scratch.subarray(from, from + take));
      from += take;
    }
    return bytesRead;
  }

  /**
   * `writev`: `buffers` gathered into one write (one I/O operation, as `pwritev(2)` is one
   * syscall), so a crash or fault never splits it between buffers.
   * @param position - where to write; `null`, absent or negative: at the descriptor's position
   * @returns the bytes written (fewer than the buffers hold after a short write, as
   * `writeSync`); 0 for no buffers, which Node answers without looking at the descriptor
   * (unlike `readv`)
   * @throws NodeFsError EBADF, EISDIR, ENOSPC, EIO (syscall `write`)
   */
  writevSync(fd: number, buffers: readonly ArrayBufferView[], position?: number | null): number {
    if (buffers.length === 0) return 0;
    const gathered = Buffer.concat(buffers.map((buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)));
    return this.writeSync(fd, gathered, 0, gathered.length, vectorPosition(position));
  }

  fsyncSync(fd: number, syscall: 'fsync' | 'fdatasync' = 'fsync'): void {
    const entry = this.#entry(fd, syscall);
    this.#call(syscall, entry.path, () => {
      if (entry.kind === 'file') entry.file.sync(syscall === 'fsync' ? 'sync' : 'datasync');
      else {
        this.checkAlive(entry.incarnation, syscall);
        this.port.syncDir(entry.path);
      }
    });
  }

  fdatasyncSync(fd: number): void {
    this.fsyncSync(fd, 'fdatasync');
  }

  ftruncateSync(fd: number, lengthAsked = 0): void {
    // Node takes a negative length for 0 (fs.ftruncate: "if len is negative then 0 will be used").
    const length = Math.max(0, lengthAsked);
    const entry = this.#fileEntry(fd, 'ftruncate', 'EINVAL');
    if (!entry.flags.write) throw nodeError('EINVAL', 'ftruncate');
    const before = entry.file.file.size;
    this.#call('ftruncate', entry.path, () => entry.file.truncate(length));
    if (entry.file.file.size !== before) {
      this.times.modified(entry.file.file.id, entry.file.file);
      this.watches.changed('change', entry.path);
    }
  }

  /**
   * `fstat`: the open file itself, whatever its name is now (renamed, unlinked, or its name given
   * to another file), as on Linux; a directory descriptor by the path it was opened by.
   */
  fstatSync(fd: number, options?: StatOptions): Stats {
    const entry = this.#entry(fd, 'fstat');
    if (entry.kind === 'dir') return this.statSync(entry.path, { bigint: options?.bigint });
    const file = entry.file.file;
    const size = this.#call('fstat', entry.path, () => entry.file.size());
    return this.#stats({ kind: 'file', id: file.id, size, links: file.cacheLinks, changes: file }, options?.bigint === true);
  }

  // ---- paths ----

  statSync(path: string, options?: StatOptions & { throwIfNoEntry?: boolean }): Stats {
    return this.#statAs('stat', path, options);
  }

  /** `lstat`: as `stat`, but a symbolic link in the last place is shown itself, not followed. */
  lstatSync(path: string, options?: StatOptions & { throwIfNoEntry?: boolean }): Stats {
    return this.#statAs('lstat', path, options);
  }

  #statAs(syscall: 'stat' | 'lstat', path: string, options?: StatOptions & { throwIfNoEntry?: boolean }): Stats {
    try {
      const at = this.#resolve(path, syscall === 'stat', syscall);
      return this.#stats(this.#call(syscall, path, () => this.port.stat(at, syscall)), options?.bigint === true);
    } catch (error) {
      if (options?.throwIfNoEntry === false && (error as { code?: string }).code === 'ENOENT') return undefined as unknown as Stats;
      throw error;
    }
  }

  /**
   * `statfs`: the simulated disk's space (statfs.ts), for any path that exists on it.
   * @throws NodeFsError ENOENT, ENOTDIR (syscall `statfs`)
   */
  statfsSync(path: string, options?: { bigint?: boolean }): object {
    const at = this.#resolve(path, true, 'statfs');
    this.#call('statfs', path, () => this.port.stat(at, 'statfs'));
    return statFsOf(this.world.space, options?.bigint === true);
  }

  existsSync(path: string): boolean {
    try {
      return this.port.exists(this.#resolve(path, true, 'access'));
    } catch (error) {
      if (error instanceof ProcessCrashedError) throw error;
      return false;
    }
  }

  accessSync(path: string): void {
    const at = this.#resolve(path, true, 'access');
    this.#call('access', path, () => this.port.stat(at, 'access'));
  }

  /**
   * `readdir`: names, Buffers (`encoding: 'buffer'`) or Dirents (`withFileTypes`), and with
   * `recursive` the whole tree below `path`.
   * @param traversal - the order of a recursive listing: Node 20's `readdirSync` and callback
   * `readdir` go breadth-first (`queue`), `fs.promises.readdir` depth-first (`stack`)
   * @throws NodeFsError ENOENT, ENOTDIR (syscall `scandir`)
   */
  readdirSync(path: string, options?: unknown, traversal: Traversal = 'queue'): string[] | Buffer[] | Dirent[] {
    const at = this.#resolve(path, true, 'scandir');
    const withFileTypes = typeof options === 'object' && options !== null && (options as { withFileTypes?: boolean }).withFileTypes === true;
    if (typeof options === 'object' && options !== null && (options as { recursive?: boolean }).recursive === true) {
      if ((encodingOf(options) as string | undefined) === 'buffer') {
        // Node 20 joins the Buffer names to the path and fails the same way.
        const error = new TypeError('The "path" argument must be of type string. Received an instance of Buffer') as TypeError & { code: string };
        error.code = 'ERR_INVALID_ARG_TYPE';
        throw error;
      }
      return readdirRecursive((dir) => this.listSync(dir, 'scandir'), path, withFileTypes, traversal);
    }
    const names = this.#call('scandir', path, () => this.port.readdir(at));
    if (withFileTypes) {
      return names.map((name) => {
        const stat = this.#call('scandir', path, () => this.port.stat(`${at}/${name}`));
        return direntOf(name, stat.kind === 'file' && stat.linkTarget !== undefined ? 'symlink' : stat.kind, path);
      });
    }
    if ((encodingOf(options) as string | undefined) === 'buffer') return names.map((name) => Buffer.from(name));
    return names;
  }

  /**
   * The entries of a directory with their kinds: one `readdir` I/O operation; the kinds are
   * looked up without one (see the module comment).
   * @param syscall - Node's name for the call, for errors (`scandir`, `opendir`)
   * @throws NodeFsError ENOENT, ENOTDIR
   */
  listSync(path: string, syscall: string): ListedEntry[] {
    const at = this.#resolve(path, true, syscall);
    const names = this.#call(syscall, path, () => this.port.readdir(at));
    return names.map((name): ListedEntry => {
      const child = `${at}/${name}`;
      if (this.#peek(child) === 'dir') return { name, kind: 'dir' };
      if (this.world.linkTargetAt(child) === undefined) return { name, kind: 'file' };
      // Stat'ed as Node stats it, by the path the caller walks (its links count toward ELOOP).
      return { name, kind: 'symlink', leadsToDir: this.entryKindFollowing(`${path}/${name}`) === 'dir' };
    });
  }

  /**
   * @param face - Node's synchronous and asynchronous recursive mkdir fail differently on a
   * dangling link on the way: `ENOENT` naming the whole path, or `ENOTDIR` naming the link
   */
  mkdirSync(path: string, options?: unknown, face: 'sync' | 'async' = 'sync'): string | undefined {
    const at = this.#resolve(path, false, 'mkdir');
    const recursive = typeof options === 'object' && options !== null && (options as { recursive?: boolean }).recursive === true;
    return this.#call('mkdir', path, () => {
      // mkdir -p does not make what a dangling link names: the link is there, its target is not.
      const dangling = recursive ? this.#danglingLinkOnTheWay(path) : undefined;
      if (dangling !== undefined) throw face === 'sync' ? nodeError('ENOENT', 'mkdir', path) : nodeError('ENOTDIR', 'mkdir', dangling);
      // mkdir -p of a link itself: done if it leads to a directory, as Node checks with stat.
      if (recursive && this.world.linkTargetAt(at) !== undefined) {
        const led = this.#walk(path, true);
        if ('loop' in led) throw nodeError('ELOOP', 'mkdir', path);
        if (!('path' in led) || this.#peek(led.path) === undefined) throw nodeError('ENOENT', 'mkdir', path);
        if (this.#peek(led.path) === 'file') throw this.#refused('EEXIST', 'mkdir', path);
        this.port.mkdir(led.path);
        return undefined;
      }
      const stat = this.#peek(at);
      if (stat !== undefined) {
        if (!recursive || stat === 'file') throw this.#refused('EEXIST', 'mkdir', path);
        this.port.mkdir(at);
        return undefined;
      }
      const parentStat = this.#peek(parentOf(at));
      if (parentStat === 'file') throw this.#refused('ENOTDIR', 'mkdir', path);
      if (!recursive && parentStat === undefined) throw this.#refused('ENOENT', 'mkdir', path);
      const first = recursive ? this.#firstMissing(at) : at;
      this.port.mkdir(at);
      this.#madeDirectories(first, at);
      this.watches.changed('rename', first);
      // Node answers the first directory it made, as the caller named its way there.
      return recursive ? (at === path ? first : `${path.slice(0, path.length - (at.length - first.length))}`) : undefined;
    });
  }

  /**
   * `rmdir`: removes an empty directory, pending in its parent until it is synced (a power loss
   * may bring it back, sim/disk/disk.ts); with Node's
   * deprecated `recursive`, the whole tree, as `rm` does.
   * @throws NodeFsError ENOENT, ENOTDIR, ENOTEMPTY
   */
  rmdirSync(path: string, options?: { recursive?: boolean }): void {
    const at = this.#resolve(path, false, 'rmdir');
    if (options?.recursive === true) {
      this.#removeTree(at, 'rmdir');
      return;
    }
    this.#call('rmdir', path, () => this.port.rmdir(at));
    this.times.modified(this.world.inodeOf(parentOf(at)));
    this.watches.changed('rename', at);
  }

  /**
   * `rm`: a file, or with `recursive` a directory and everything in it (files unlinked and
   * directories removed depth first, each its own I/O, as Node's own walk makes them).
   * @throws NodeFsError ENOENT (unless `force`); Node's `ERR_FS_EISDIR` for a directory
   * without `recursive`
   */
  rmSync(path: string, options?: { force?: boolean; recursive?: boolean }): void {
    // Node's rm looks the path up with lstat first: a walk that fails, fails as that.
    const at = this.#resolve(path, false, 'lstat');
    const stat = this.#peek(at);
    if (stat === undefined && options?.force === true) return;
    // Node's rm looks the path up first: what is missing fails that `lstat`.
    if (stat === undefined) this.#call('lstat', path, () => this.port.stat(at, 'lstat'));
    if (stat === 'dir') {
      if (options?.recursive !== true) {
        throw Object.assign(nodeInternalError('ERR_FS_EISDIR', `Path is a directory: rm returned EISDIR (is a directory) ${path}`), { errno: 21, syscall: 'rm', path });
      }
      this.#removeTree(at, 'rm');
      return;
    }
    this.#call('rm', path, () => this.port.unlink(at));
    this.times.modified(this.world.inodeOf(parentOf(at)));
    this.watches.changed('rename', at);
  }

  /** Removes the directory `path` and everything in it, depth first. */
  #removeTree(path: string, syscall: string): void {
    const names = this.#call(syscall, path, () => this.port.readdir(path));
    for (const name of names) {
      const child = `${path}/${name}`;
      if (this.#peek(child) === 'dir') this.#removeTree(child, syscall);
      else {
        this.#call(syscall, child, () => this.port.unlink(child));
        this.watches.changed('rename', child);
      }
    }
    this.#call(syscall, path, () => this.port.rmdir(path));
    this.times.modified(this.world.inodeOf(parentOf(path)));
    this.watches.changed('rename', path);
  }

  unlinkSync(path: string): void {
    const at = this.#resolve(path, false, 'unlink');
    this.#call('unlink', path, () => this.port.unlink(at));
    this.times.modified(this.world.inodeOf(parentOf(at)));
    this.watches.changed('rename', at);
  }

  renameSync(from: string, to: string): void {
    const fromAt = this.#resolve(from, false, 'rename');
    // rename(2) finds the source's parent before it walks the target's way.
    const toAt = this.#peek(parentOf(fromAt)) === 'dir' ? this.#resolve(to, false, 'rename') : to;
    this.#call('rename', from, () => {
      // Node reports a missing source before anything about the target.
      // rename(2) onto an ancestor of the source: the target directory is not empty.
      if (this.#peek(toAt) === 'dir' && this.#peek(fromAt) === 'file' && fromAt.startsWith(`${toAt}/`)) throw nodeError('ENOTEMPTY', 'rename', from, to);
      // Eligible for the `exdev` fault: a workload can make renames fail as across file systems.
      this.port.rename(fromAt, toAt, true);
    }, to);
    this.times.modified(this.world.inodeOf(parentOf(fromAt)));
    this.times.modified(this.world.inodeOf(parentOf(toAt)));
    this.times.changed(this.world.inodeOf(toAt));
    this.watches.changed('rename', fromAt);
    this.watches.changed('rename', toAt);
  }

  linkSync(existing: string, newPath: string): void {
    // link(2) on Linux links a symbolic link itself, not what it holds.
    const existingAt = this.#resolve(existing, false, 'link');
    // link(2) finds the whole source before it walks the new name's way.
    const newAt = this.#peek(existingAt) === undefined ? newPath : this.#resolve(newPath, false, 'link');
    this.#call('link', existing, () => {
      try {
        this.port.link(existingAt, newAt);
      } catch (error) {
        // Linux refuses a hard link to a directory with EPERM, which the port has no code for.
        if (error instanceof IoError && error.code === 'EISDIR') throw nodeError('EPERM', 'link', existing, newPath);
        throw error;
      }
      // link(2) looks the source up whole before the new name's parent, unlike rename(2).
    }, newPath, 'source');
    this.times.modified(this.world.inodeOf(parentOf(newAt)));
    this.times.changed(this.world.inodeOf(newAt));
    this.watches.changed('rename', newAt);
  }

  readFileSync(pathOrFd: string | number, options?: unknown): Buffer | string {
    const encoding = encodingOf(options);
    const read = (fd: number): Buffer => {
      const entry = this.#fileEntry(fd, 'read');
      const chunks: Uint8Array[] = [];
      for (;;) {
        const chunk = this.#call('read', entry.path, () => entry.file.read(entry.position, 64 * 1024));
        if (chunk.length === 0) break;
        entry.position += chunk.length;
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    };
    let bytes: Buffer;
    if (typeof pathOrFd === 'number') bytes = read(pathOrFd);
    else {
      const fd = this.openSync(pathOrFd, flagOf(options, 'r'));
      try {
        bytes = read(fd);
      } finally {
        this.#closeQuietly(fd);
      }
    }
    return encoding === undefined || encoding === 'buffer' as BufferEncoding ? bytes : bytes.toString(encoding);
  }

  writeFileSync(pathOrFd: string | number, data: unknown, options?: unknown, defaultFlag = 'w'): void {
    const flush = flushOf(options);
    const bytes = toBytes(data, encodingOf(options));
    if (typeof pathOrFd === 'number') {
      this.#writeAll(pathOrFd, bytes);
      if (flush) this.fsyncSync(pathOrFd);
      return;
    }
    const fd = this.openSync(pathOrFd, flagOf(options, defaultFlag));
    try {
      this.#writeAll(fd, bytes);
      // `flush: true`: fsync after the last write, before the close (as Node does).
      if (flush) this.fsyncSync(fd);
    } finally {
      this.#closeQuietly(fd);
    }
  }

  /**
   * Writes all of `bytes` at the descriptor's position, as Node's `writeFile` and `appendFile`
   * do: `write` again with the rest after a short write, until all landed or a write fails
   * (`ENOSPC` once the disk is full). Empty data is one write of nothing, as Node's callback
   * `writeFile` makes (its `writeFileSync` and `fs.promises.writeFile` make none): kept in every
   * API, so that traces of runs without short writes did not change.
   */
  #writeAll(fd: number, bytes: Uint8Array): void {
    let writtenBytes = this.writeSync(fd, bytes);
    while (writtenBytes < bytes.length) writtenBytes += this.writeSync(fd, bytes.subarray(writtenBytes));
  }

  appendFileSync(pathOrFd: string | number, data: unknown, options?: unknown): void {
    this.writeFileSync(pathOrFd, data, options, 'a');
  }

  truncateSync(path: string, length = 0): void {
    const fd = this.openSync(path, 'r+');
    try {
      this.ftruncateSync(fd, length);
    } finally {
      this.#closeQuietly(fd);
    }
  }

  copyFileSync(from: string, to: string, mode = 0): void {
    const exclusive = (mode & constants.COPYFILE_EXCL) !== 0;
    try {
      if (this.#peek(this.#resolve(from, true, 'copyfile')) === 'dir') this.#copyDirectoryFails(to, exclusive);
      const bytes = this.readFileSync(from) as Buffer;
      this.writeFileSync(to, bytes, { flag: exclusive ? 'wx' : 'w' });
    } catch (error) {
      // libuv does the whole copy in one call and names it `copyfile`, with both paths.
      const code = (error as { code?: unknown }).code;
      if (error instanceof Error && typeof code === 'string' && 'syscall' in error) throw nodeError(code, 'copyfile', from, to, (error as { injected?: boolean }).injected === true);
      throw error;
    }
  }

  /**
   * libuv's copyfile opens the target (creating or truncating it) before it reads the source,
   * and unlinks the target when the copy then fails: a directory source fails with `EISDIR` after
   * the target's own errors (a missing parent is `ENOENT`), and leaves no target behind, not even
   * one that was there before.
   */
  #copyDirectoryFails(to: string, exclusive: boolean): never {
    this.closeSync(this.openSync(to, exclusive ? 'wx' : 'w'));
    this.unlinkSync(to);
    throw nodeError('EISDIR', 'copyfile');
  }

  /**
   * @param syscall - Node's JavaScript realpath (sync and callback) walks the path with `lstat`;
   * `fs.promises.realpath` and `.native` call `realpath(3)` and fail under that name
   */
  realpathSync(path: string, syscall: 'lstat' | 'realpath' = 'lstat'): string {
    if (syscall === 'lstat') this.#statLinksOnTheWay(path);
    const at = this.#resolve(path, true, syscall);
    // Node's JavaScript realpath names in its errors the path as far as it resolved it.
    this.#call(syscall, syscall === 'lstat' ? at : path, () => this.port.stat(at, syscall));
    return normalise(at);
  }

  /**
   * Node's JavaScript realpath `stat`s each symbolic link it meets before it reads it: a link
   * that leads nowhere or into a loop fails as that `stat` (a missing name that is not a link
   * fails its `lstat`, as without links).
   * @throws NodeFsError ENOENT, ELOOP (syscall `stat`)
   */
  #statLinksOnTheWay(path: string): void {
    if (!this.world.kernel.disk.hasSymlinks) return;
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const walk = this.#walk(prefix, false);
      if (!('path' in walk) || this.#peek(walk.path) === undefined) return;
      if (this.world.linkTargetAt(walk.path) === undefined) continue;
      // It stats the link at the place it has resolved so far.
      const followed = this.#walk(prefix, true);
      if ('loop' in followed) throw nodeError('ELOOP', 'stat', walk.path);
      if ('broken' in followed) throw nodeError(followed.broken, 'stat', walk.path);
      if ('path' in followed && this.#peek(followed.path) === undefined) throw nodeError('ENOENT', 'stat', walk.path);
    }
  }

  /** The salt of the order `opendir` lists in (directory-order.ts), drawn once per run from a stream of its own. */
  directoryOrderSalt(): number {
    this.#directoryOrderSalt ??= this.world.stream('directory-order').int(0x7fffffff);
    return this.#directoryOrderSalt;
  }

  /**
   * `readlink`: what the symbolic link at `path` holds (a Buffer under `encoding: 'buffer'`);
   * `EINVAL` for a file or a directory, as Linux answers, and `ENOENT` for nothing.
   */
  readlinkSync(path: string, options?: unknown): string | Buffer {
    const at = this.#resolve(path, false, 'readlink');
    const stat = this.#call('readlink', path, () => this.port.stat(at, 'readlink'));
    if (stat.kind !== 'file' || stat.linkTarget === undefined) throw nodeError('EINVAL', 'readlink', path);
    return encodingOf(options) === 'buffer' as BufferEncoding ? Buffer.from(stat.linkTarget) : stat.linkTarget;
  }

  /**
   * `symlink`: a symbolic link at `path` holding `target`, pending in its directory until the
   * directory is synced, as a new file is (sim/disk/namespace-ops.ts `symlinkOp`). The target is
   * not checked (a link may dangle); `type` is for Windows and ignored, as on Linux.
   * @throws NodeFsError EEXIST (anything at `path`), ENOENT (no parent, or an empty target), ENOTDIR
   */
  symlinkSync(target: string, path: string): void {
    const at = this.#resolve(path, false, 'symlink');
    if (target === '') throw nodeError('ENOENT', 'symlink', target, path);
    this.#call('symlink', target, () => this.port.symlink(target, at), path);
    this.times.created(this.world.inodeOf(at) as number);
    this.times.modified(this.world.inodeOf(parentOf(at)));
    this.watches.changed('rename', at);
  }

  /**
   * chmod, chown and friends: checked for existence, recorded in the trace; they move the
   * entry's ctime and change nothing else (modes and owners are not simulated).
   */
  noOpSync(call: string, pathOrFd: string | number): void {
    const path = typeof pathOrFd === 'number' ? this.#entry(pathOrFd, call).path : this.#resolve(pathOrFd, !call.startsWith('l'), call);
    this.#call(call, path, () => this.port.stat(path, call));
    this.world.record('note', `fs.${call} (no-op)`, path);
    this.times.changed(this.world.inodeOf(path));
    this.watches.changed('change', path);
  }

  /**
   * `utimes`, `futimes`, `lutimes`: checked for existence, recorded in the trace, and the entry's
   * atime and mtime set (times.ts).
   * @param atime - seconds (a number or a numeric string) or a `Date`, as Node takes it
   * @throws TypeError `ERR_INVALID_ARG_TYPE` for another kind of time, as Node does
   */
  utimesSync(call: 'utimes' | 'futimes' | 'lutimes', pathOrFd: string | number, atime: unknown, mtime: unknown): void {
    const nowMs = this.times.nowMs();
    const [atimeMs, mtimeMs] = [['atime', atime], ['mtime', mtime]].map(([name, time]) => {
      const ms = utimesArgumentMs(time, nowMs);
      if (ms === undefined) throw nodeInternalError('ERR_INVALID_ARG_TYPE', `The "${name as string}" argument must be of type number or an instance of Date. Received ${typeof time}`, TypeError);
      return ms;
    }) as [number, number];
    const path = typeof pathOrFd === 'number' ? this.#entry(pathOrFd, call).path : this.#resolve(pathOrFd, call !== 'lutimes', call);
    this.#call(call, path, () => this.port.stat(path, call));
    this.world.record('note', `fs.${call}`, path);
    const key = this.world.inodeOf(path);
    if (key !== undefined) this.times.set(key, atimeMs, mtimeMs);
    this.watches.changed('change', path);
  }

  // ---- helpers ----

  /**
   * `path` with each symbolic link on the way replaced by what it holds, as the kernel's path
   * walk does (`..` after a link goes up from where the link led; more than 40 links is
   * `ELOOP`), the last name too when `followLast` or when `path` ends in a slash (install.ts
   * keeps a slash written after a link's name). Looked up
   * without an I/O operation, as the simulated disk's own lookups are. A path with no link on
   * the way comes back as it was.
   * @throws NodeFsError ELOOP
   * @throws UnsupportedFsCallError when a link leads out of the simulated root: the real disk is
   * never reached through one
   */
  #resolve(path: string, followLast: boolean, syscall: string): string {
    const walk = this.#walk(path, followLast);
    if ('loop' in walk) throw nodeError('ELOOP', syscall, path);
    if ('broken' in walk) throw nodeError(walk.broken, syscall, path);
    if ('outside' in walk) {
      throw new UnsupportedFsCallError(`fs.${syscall}`, path, `a symbolic link on the way leads to ${walk.outside}, out of the simulated root`);
    }
    return walk.path;
  }

  /**
   * What `path` names once every symbolic link on the way is followed, the last one too (as a
   * trailing slash makes the kernel do), without an I/O operation; undefined for nothing, a
   * loop or a way out of the root (the call itself then fails as it must).
   */
  entryKindFollowing(path: string): 'file' | 'dir' | undefined {
    const walk = this.#walk(path, true);
    return 'path' in walk ? this.#peek(walk.path) : undefined;
  }

  /** The first directory on the way to `path` (not `path` itself) that is a symbolic link leading nowhere, as the caller named it. */
  #danglingLinkOnTheWay(path: string): string | undefined {
    if (!this.world.kernel.disk.hasSymlinks) return undefined;
    const parts = path.split('/').filter((part) => part !== '' && part !== '.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      const walk = this.#walk(prefix, false);
      if (!('path' in walk) || this.#peek(walk.path) === undefined) return undefined;
      if (this.world.linkTargetAt(walk.path) !== undefined && this.entryKindFollowing(prefix) === undefined) return prefix;
    }
    return undefined;
  }

  /** What `path` names with the links before its last name followed (not the last), without an I/O operation. */
  #peekWalked(path: string): 'file' | 'dir' | undefined {
    const walk = this.#walk(path, false);
    return 'path' in walk ? this.#peek(walk.path) : undefined;
  }

  /** {@link #resolve}'s walk, failing by value: for the error paths, which must not fail again. */
  #walk(path: string, followLast: boolean): { path: string } | { loop: true } | { outside: string } | { broken: 'ENOENT' | 'ENOTDIR' } {
    if (!this.world.kernel.disk.hasSymlinks) return { path };
    const slash = path.length > 1 && path.endsWith('/');
    const todo = path.split('/').filter((part) => part !== '' && part !== '.').reverse();
    let done: string[] = [];
    let links = 0;
    while (todo.length > 0) {
      const name = todo.pop() as string;
      if (name === '..') {
        // `x/..` needs `x` to be a directory, as the kernel walks it (a link's target may say so).
        const kind = done.length === 0 ? 'dir' : this.#peek(`/${done.join('/')}`);
        if (kind !== 'dir') return { broken: kind === 'file' ? 'ENOTDIR' : 'ENOENT' };
        done.pop();
        continue;
      }
      const here = `/${done.length === 0 ? name : `${done.join('/')}/${name}`}`;
      const target = todo.length > 0 || followLast || slash ? this.world.linkTargetAt(here) : undefined;
      if (target === undefined) {
        // A file on the way is ENOTDIR; where no link was followed yet, the call says so itself.
        if (links > 0 && todo.length > 0 && this.#peek(here) === 'file') return { broken: 'ENOTDIR' };
        done.push(name);
        continue;
      }
      if (++links > symlinksFollowedMax) return { loop: true };
      if (target.startsWith('/')) done = [];
      todo.push(...target.split('/').filter((part) => part !== '' && part !== '.').reverse());
    }
    if (links === 0) return { path };
    const resolved = `/${done.join('/')}`;
    if (resolved !== this.root && !resolved.startsWith(`${this.root}/`)) return { outside: resolved };
    // The slash asked for the link to be followed, and it was: what it named is checked as such
    // before the call comes here (install.ts answerForSlash, with entryKindFollowing).
    return { path: resolved };
  }

  /** The directories from `first` down to `last` were just made: their times, and their parent's. */
  #madeDirectories(first: string, last: string): void {
    this.times.modified(this.world.inodeOf(parentOf(first)));
    for (let dir = last; ; dir = parentOf(dir)) {
      const key = this.world.inodeOf(dir);
      if (key !== undefined) this.times.created(key);
      if (dir === first || dir === '/') break;
    }
  }

  /**
   * Checks that the incarnation that opened something (a directory descriptor, a Dir) is still
   * the running one.
   * @param incarnation - the incarnation that opened it
   * @param syscall - the call being made, for the error
   * @throws ProcessCrashedError when that incarnation is dead (or a crash is pending)
   */
  checkAlive(incarnation: number, syscall: string): void {
    if (incarnation !== this.world.kernel.incarnation || this.world.crashed !== undefined) throw new ProcessCrashedError(syscall);
  }

  /**
   * What is at `path` in the page-cache namespace, looked up without an I/O operation (as the
   * simulator's own `open` decides whether it creates): argument checks that Node makes in the
   * same syscall must not add a fault point of their own.
   */
  #peek(path: string): 'file' | 'dir' | undefined {
    return this.world.entryKind(path);
  }

  #firstMissing(path: string): string {
    let first = path;
    for (let dir = parentOf(path); dir !== '/' && this.#peek(dir) === undefined; dir = parentOf(dir)) first = dir;
    return first;
  }

  #closeQuietly(fd: number): void {
    try {
      this.closeSync(fd);
    } catch (error) {
      if (error instanceof ProcessCrashedError) throw error;
    }
  }

  /** Node's `Stats` of `stat`, or its `BigIntStats` (`bigint: true`: every number a bigint, and the `*Ns` times). */
  #stats(stat: SyncStat, bigint = false): Stats {
    const times = stat.kind === 'file' ? this.times.of(stat.id, stat.changes) : this.times.of(stat.path);
    const isFile = stat.kind === 'file';
    const linkTarget = isFile ? stat.linkTarget : undefined;
    const size = linkTarget !== undefined ? Buffer.byteLength(linkTarget) : isFile ? stat.size : 4096;
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const gid = typeof process.getgid === 'function' ? process.getgid() : 0;
    const fields: Record<string, unknown> = {
      dev: 0x5051,
      mode: linkTarget !== undefined ? constants.S_IFLNK | 0o777 : isFile ? constants.S_IFREG | 0o644 : constants.S_IFDIR | 0o755,
      nlink: stat.links,
      uid,
      gid,
      rdev: 0,
      blksize: 4096,
      ino: isFile ? stat.id : directoryIno(stat.path),
      size,
      blocks: Math.ceil(size / 512),
      ...times,
      atime: new Date(times.atimeMs),
      mtime: new Date(times.mtimeMs),
      ctime: new Date(times.ctimeMs),
      birthtime: new Date(times.birthtimeMs),
    };
    if (bigint) {
      for (const [key, value] of Object.entries(fields)) if (typeof value === 'number') fields[key] = BigInt(Math.trunc(value));
      for (const time of ['atime', 'mtime', 'ctime', 'birthtime'] as const) fields[`${time}Ns`] = BigInt(Math.trunc(times[`${time}Ms`])) * 1_000_000n;
    }
    const stats = Object.create(bigint ? bigIntStatsPrototype() : Stats.prototype) as Stats;
    for (const [key, value] of Object.entries(fields)) {
      Object.defineProperty(stats, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return stats;
  }
}

/** `stat`'s options the facade acts on. */
export interface StatOptions {
  readonly bigint?: boolean | undefined;
}

let bigIntStats: object | undefined;

/**
 * The prototype of Node's `BigIntStats`, which `fs` does not export: taken once from a real
 * `stat` of this process's own executable, a real path outside every simulated root.
 */
function bigIntStatsPrototype(): object {
  bigIntStats ??= Object.getPrototypeOf(statSync(process.execPath, { bigint: true })) as object;
  return bigIntStats;
}

/** A stable inode number for a directory (files use their FileState id, counted from 1). */
function directoryIno(path: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) hash = Math.imul(hash ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return 0x40000000 + (hash & 0x3fffffff);
}

/** The parent of an absolute path. */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** `/a//b/./c/` → `/a/b/c`. */
function normalise(path: string): string {
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return `/${parts.join('/')}`;
}
