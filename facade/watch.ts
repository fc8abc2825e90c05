/**
 * Watchers on simulated paths: `fs.watch`, `fs.promises.watch`, `fs.watchFile` and
 * `fs.unwatchFile`, for libraries that reload when their files change (TinyBase's file persister
 * with auto-load, config stores with `watch`).
 *
 * `fs.watch` is told of every change the facade makes ({@link WatchHub.changed}), as inotify is:
 * `rename` when a name appears or goes (create, unlink, rename, mkdir, rmdir, link, symlink),
 * `change` when a file's bytes or times change (write, truncate, utimes, chmod). A watcher on a
 * directory hears of its entries (the file name relative to it; `recursive` for the whole tree),
 * a watcher on a file of that path. Events are delivered as Node's are, later, from the event
 * loop: one virtual timer turn after the change (the run's virtual timers during a run, so the
 * same seed delivers them at the same point); two changes of one name in a row before delivery
 * are one, as inotify merges identical events.
 *
 * `fs.watchFile` polls, as Node's does: every `interval` ms of the run's clock (5007 by default)
 * it stats the path, and calls each listener with `(current, previous)` when size, times, mode or
 * inode changed; a missing file stats as zeros.
 *
 * Unlike inotify, a watcher follows its path, not the file's inode: one watching `a.json` keeps
 * hearing of `a.json` after a rename replaced it (inotify would report `rename` and go quiet,
 * which libraries meet by watching the directory). Watchers belong to the simulated process:
 * after a crash the old ones never fire again, and the reopened library makes its own.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { Stats } from 'node:fs';
import { basename, relative } from 'node:path';

/** What `fs.watch` reports. */
export type WatchEventType = 'rename' | 'change';

/** Node's default `watchFile` interval. */
export const watchFileIntervalDefault = 5007;

/** The facade calls a watcher needs. */
export interface WatchedCore {
  /** The simulated process's incarnation now (a crash starts the next one). */
  incarnation(): number;
  /** Whether `path` names a directory now (following links). */
  isDirectory(path: string): boolean;
  /** Whether something is at `path` now. */
  exists(path: string): boolean;
  /** `stat` of `path`. @throws NodeFsError ENOENT when it is missing */
  stat(path: string): Stats;
  /** `path` with the symbolic links on the way followed, as the facade's calls name what they change. */
  resolve(path: string): string;
}

interface WatchOptions {
  readonly persistent?: boolean;
  readonly recursive?: boolean;
  readonly encoding?: BufferEncoding | 'buffer';
  readonly signal?: AbortSignal;
}

/** The watchers of one facade. */
export class WatchHub {
  readonly #watchers = new Set<FacadeWatcher>();
  readonly #polls = new Map<string, StatPoll>();

  constructor(private readonly core: WatchedCore) {}

  /** Tells every watcher that hears of `path` that it changed. */
  changed(type: WatchEventType, path: string): void {
    if (this.#watchers.size === 0) return;
    const incarnation = this.core.incarnation();
    for (const watcher of this.#watchers) {
      if (watcher.incarnation !== incarnation) {
        this.#watchers.delete(watcher);
        continue;
      }
      const name = watcher.nameOf(path);
      if (name !== undefined) watcher.queue(type, name);
    }
  }

  /**
   * `fs.watch(path, [options], [listener])`.
   * @throws NodeFsError ENOENT (syscall `watch`) when nothing is at `path`
   */
  watch(path: string, optionsOrListener?: unknown, maybeListener?: unknown): FacadeWatcher {
    const options = watchOptions(optionsOrListener);
    const listener = typeof optionsOrListener === 'function' ? optionsOrListener : maybeListener;
    if (!this.core.exists(path)) throw missing(path);
    const at = this.core.resolve(path);
    const watcher = new FacadeWatcher(at, this.core.isDirectory(at), options, this.core.incarnation(), (closed) => this.#watchers.delete(closed));
    if (typeof listener === 'function') watcher.on('change', listener as (...args: unknown[]) => void);
    this.#watchers.add(watcher);
    return watcher;
  }

  /** `fs.promises.watch(path, [options])`: the events as an async iterator. */
  watchAsync(path: string, options?: unknown): AsyncIterableIterator<{ eventType: WatchEventType; filename: string | Buffer }> {
    const signal = (typeof options === 'object' && options !== null ? (options as WatchOptions).signal : undefined);
    const watcher = this.watch(path, options);
    return eventsOf(watcher, signal);
  }

  /** `fs.watchFile(path, [options], listener)`. */
  watchFile(path: string, optionsOrListener?: unknown, maybeListener?: unknown): EventEmitter {
    const listener = (typeof optionsOrListener === 'function' ? optionsOrListener : maybeListener) as ((current: Stats, previous: Stats) => void) | undefined;
    if (typeof listener !== 'function') throw Object.assign(new TypeError('The "listener" argument must be of type function'), { code: 'ERR_INVALID_ARG_TYPE' });
    const interval = typeof optionsOrListener === 'object' && optionsOrListener !== null ? (optionsOrListener as { interval?: number }).interval ?? watchFileIntervalDefault : watchFileIntervalDefault;
    let poll = this.#polls.get(path);
    if (poll === undefined || poll.incarnation !== this.core.incarnation()) {
      poll?.stop();
      poll = new StatPoll(path, interval, this.core);
      this.#polls.set(path, poll);
    }
    poll.on('change', listener);
    return poll;
  }

  /** `fs.unwatchFile(path, [listener])`: one listener, or all of them. */
  unwatchFile(path: string, listener?: unknown): void {
    const poll = this.#polls.get(path);
    if (poll === undefined) return;
    if (typeof listener === 'function') poll.off('change', listener as (...args: unknown[]) => void);
    else poll.removeAllListeners('change');
    if (poll.listenerCount('change') === 0) {
      poll.stop();
      this.#polls.delete(path);
    }
  }
}

/** The options of `fs.watch`: an object, or an encoding's name. */
function watchOptions(given: unknown): WatchOptions {
  if (typeof given === 'string') return { encoding: given as BufferEncoding };
  return typeof given === 'object' && given !== null ? given as WatchOptions : {};
}

/** The error of watching a missing path, as Node's. */
function missing(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, watch '${path}'`), { errno: -2, code: 'ENOENT', syscall: 'watch', path, filename: path });
}

/** A watcher `fs.watch` returns: an EventEmitter with Node's FSWatcher methods. */
export class FacadeWatcher extends EventEmitter {
  #closed = false;
  #pending: { type: WatchEventType; name: string }[] = [];

  constructor(
    private readonly path: string,
    private readonly directory: boolean,
    private readonly options: WatchOptions,
    readonly incarnation: number,
    private readonly onClose: (watcher: FacadeWatcher) => void,
  ) {
    super();
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted === true) queueMicrotask(() => this.close());
  }

  /** The file name this watcher reports a change of `changed` by, or undefined when it does not hear of it. */
  nameOf(changed: string): string | undefined {
    if (this.#closed) return undefined;
    if (changed === this.path) return basename(changed);
    if (!this.directory || !changed.startsWith(`${this.path}/`)) return undefined;
    const name = relative(this.path, changed);
    return this.options.recursive === true || !name.includes('/') ? name : undefined;
  }

  /** Queues an event, delivered one virtual timer turn later (two changes of one name in a row are one). */
  queue(type: WatchEventType, name: string): void {
    const last = this.#pending.at(-1);
    // inotify merges identical events only: a create and a delete are two, though both are `rename`.
    if (type === 'change' && last !== undefined && last.type === type && last.name === name) return;
    this.#pending.push({ type, name });
    if (this.#pending.length === 1) setTimeout(() => this.#deliver(), 0);
  }

  #deliver(): void {
    const events = this.#pending;
    this.#pending = [];
    for (const { type, name } of events) {
      if (this.#closed) return;
      const filename = this.options.encoding === 'buffer' ? Buffer.from(name) : name;
      this.emit('change', type, filename);
    }
  }

  /** Stops the watcher; it emits `close` once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.onClose(this);
    queueMicrotask(() => this.emit('close'));
  }

  /** Nothing to keep alive in the simulator: the run's own clock decides when it ends. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/** The events of `watcher` as an async iterator, ended by `return()` or `signal`. */
function eventsOf(watcher: FacadeWatcher, signal: AbortSignal | undefined): AsyncIterableIterator<{ eventType: WatchEventType; filename: string | Buffer }> {
  const queued: { eventType: WatchEventType; filename: string | Buffer }[] = [];
  let waiting: ((result: IteratorResult<{ eventType: WatchEventType; filename: string | Buffer }>) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  let done = false;
  const abortError = (): Error => Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
  watcher.on('change', (eventType: WatchEventType, filename: string | Buffer) => {
    if (waiting === undefined) return void queued.push({ eventType, filename });
    const wake = waiting;
    waiting = undefined;
    wake({ value: { eventType, filename }, done: false });
  });
  signal?.addEventListener('abort', () => {
    done = true;
    failed?.(abortError());
  }, { once: true });
  const iterator: AsyncIterableIterator<{ eventType: WatchEventType; filename: string | Buffer }> = {
    next() {
      if (signal?.aborted === true) return Promise.reject(abortError());
      const value = queued.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        failed = reject;
      });
    },
    return() {
      done = true;
      watcher.close();
      waiting?.({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** `fs.watchFile`'s poller of one path: an EventEmitter of `change (current, previous)`. */
class StatPoll extends EventEmitter {
  readonly incarnation: number;
  #previous: Stats;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(private readonly path: string, interval: number, private readonly core: WatchedCore) {
    super();
    this.incarnation = core.incarnation();
    this.#previous = this.#stat();
    this.#timer = setInterval(() => this.#poll(), interval);
  }

  #stat(): Stats {
    try {
      return this.core.stat(this.path);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      return zeroStats();
    }
  }

  #poll(): void {
    if (this.core.incarnation() !== this.incarnation) return this.stop();
    const current = this.#stat();
    if (sameStat(current, this.#previous)) return;
    const previous = this.#previous;
    this.#previous = current;
    this.emit('change', current, previous);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/** What libuv's poll compares (uv_fs_poll: ctime, mtime, size, mode, inode, owner). */
function sameStat(a: Stats, b: Stats): boolean {
  return a.ctimeMs === b.ctimeMs && a.mtimeMs === b.mtimeMs && a.size === b.size && a.mode === b.mode && a.ino === b.ino && a.uid === b.uid && a.gid === b.gid;
}

/** The stats of a missing file, as Node's watchFile gives them: every field zero. */
function zeroStats(): Stats {
  const zero = Object.create(Stats.prototype as object) as Record<string, unknown>;
  for (const key of ['dev', 'mode', 'nlink', 'uid', 'gid', 'rdev', 'blksize', 'ino', 'size', 'blocks', 'atimeMs', 'mtimeMs', 'ctimeMs', 'birthtimeMs']) zero[key] = 0;
  for (const key of ['atime', 'mtime', 'ctime', 'birthtime']) zero[key] = new Date(0);
  return zero as unknown as Stats;
}
