/**
 * The times `stat` shows for files and directories on the simulated disk. The simulated disk keeps
 * no times (no engine port asks for them), so the facade keeps them, one record per file (by inode
 * number) and per directory (by path), and moves them as Linux does for the calls it serves:
 * - creating a file or a directory sets all four times to now;
 * - a write of at least one byte, an `O_TRUNC` open of an existing file and a truncation that
 *   changes the size move the file's mtime and ctime;
 * - creating, removing or renaming an entry moves its directory's mtime and ctime, and a rename
 *   moves the renamed file's ctime;
 * - `utimes`, `futimes` and `lutimes` set atime and mtime (and ctime to now); `chmod`, `chown`
 *   and their variants move ctime;
 * - reads leave atime alone, as on a `noatime` mount.
 *
 * Now is the simulated clock from {@link wallClockEpochMs} (2020-01-01), the epoch of the `Date`
 * a library sees during a run, so a library that compares a file's mtime with `Date.now()` (a lock
 * file's staleness, a cache's age) sees the age the simulated clock gives it.
 *
 * A second look at a crash (targets/runner.ts) starts from the run's times, at the run's time.
 *
 * What is not modelled: a power loss does not roll times back (as if inode updates were journaled
 * at once, while the data they describe may be lost), and an entry whose times the facade never
 * set (made before the facade was bound, by the engine's port) shows the epoch.
 */
import { wallClockEpochMs } from '../sim/index.ts';

/** A file's inode number or a directory's normalised path (`SimWorld.inodeOf`). */
export type TimesKey = number | string;

/** The four times of an entry, in milliseconds since 1970. */
export interface EntryTimes {
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

/** The times of the entries of one simulated disk, as `stat` shows them. */
export class FileTimes {
  readonly #times = new Map<TimesKey, EntryTimes>();
  readonly #nowMs: () => number;

  /** @param virtualNowMs - the simulated clock: milliseconds since virtual time 0 */
  constructor(virtualNowMs: () => number) {
    this.#nowMs = () => wallClockEpochMs + virtualNowMs();
  }

  /** Takes the times `other` holds (copies): a second look goes on from the run's files' times. */
  takeFrom(other: FileTimes): void {
    for (const [key, times] of other.#times) this.#times.set(key, { ...times });
  }

  /** The wall-clock time now, in milliseconds since 1970. */
  nowMs(): number {
    return this.#nowMs();
  }

  /** The times of `key` (a copy); the epoch for an entry never seen. */
  of(key: TimesKey): EntryTimes {
    const times = this.#times.get(key);
    if (times !== undefined) return { ...times };
    return { atimeMs: wallClockEpochMs, mtimeMs: wallClockEpochMs, ctimeMs: wallClockEpochMs, birthtimeMs: wallClockEpochMs };
  }

  /** `key` was just created: every time is now (an inode number or path reused starts afresh). */
  created(key: TimesKey): void {
    const now = this.#nowMs();
    this.#times.set(key, { atimeMs: now, mtimeMs: now, ctimeMs: now, birthtimeMs: now });
  }

  /** `key`'s contents changed: mtime and ctime are now. */
  modified(key: TimesKey | undefined): void {
    if (key === undefined) return;
    const times = this.#entry(key);
    times.mtimeMs = times.ctimeMs = this.#nowMs();
  }

  /** `key`'s status changed (a rename, a mode): ctime is now. */
  changed(key: TimesKey | undefined): void {
    if (key === undefined) return;
    this.#entry(key).ctimeMs = this.#nowMs();
  }

  /** `utimes`: sets atime and mtime (milliseconds since 1970); ctime is now. */
  set(key: TimesKey, atimeMs: number, mtimeMs: number): void {
    const times = this.#entry(key);
    times.atimeMs = atimeMs;
    times.mtimeMs = mtimeMs;
    times.ctimeMs = this.#nowMs();
  }

  #entry(key: TimesKey): EntryTimes {
    let times = this.#times.get(key);
    if (times === undefined) {
      times = this.of(key);
      this.#times.set(key, times);
    }
    return times;
  }
}

/**
 * A time argument of `utimes` as Node reads it (`toUnixTimestamp`): seconds as a number or a
 * numeric string, or a `Date`; a negative number means now.
 * @param nowMs - now, in milliseconds since 1970
 * @returns milliseconds since 1970, or undefined for anything else (Node throws `ERR_INVALID_ARG_TYPE`)
 */
export function utimesArgumentMs(time: unknown, nowMs: number): number | undefined {
  // Node's own test: a string that reads as the number it converts to (so '' is 0).
  // eslint-disable-next-line eqeqeq
  if (typeof time === 'string' && (+time as unknown) == time) return +time * 1000;
  if (typeof time === 'number' && Number.isFinite(time)) return time < 0 ? nowMs : time * 1000;
  if (time instanceof Date) return time.getTime();
  return undefined;
}
