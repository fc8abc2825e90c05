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
 * A power loss takes a file's times back with the changes it loses: a file's mtime and ctime are
 * the inode's, which ext4 and XFS journal with the size changes and the block allocations that
 * came with them, so a file that lost its last `O_TRUNC` and the writes after it shows the times of
 * the last change it kept, not of the ones it lost. Each change a file's times followed is noted
 * with the file's modification number (sim/disk/file-state.ts `modifications`); once the disk has
 * decided a modification (a power loss, or btrfs reverting after a failed fsync) and it did not
 * reach the durable bytes, the times it set go back. A write that lands in part counts as kept.
 * `utimes` sets times that stand whatever happens to the data.
 *
 * What is not modelled: directories' times are not rolled back with the entries a power loss
 * loses, and an entry whose times the facade never set (made before the facade was bound, by the
 * engine's port) shows the epoch.
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

/** Where a file's modifications stand (sim/disk/file-state.ts: a `FileState` is one). */
export interface ModificationState {
  readonly modifications: number;
  readonly durableModification: number;
  readonly decidedModification: number;
}

/** The times one modification of a file set (`seq`: its number, {@link ModificationState.modifications} then). */
interface TimesChange {
  readonly seq: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/** The times of the entries of one simulated disk, as `stat` shows them. */
export class FileTimes {
  readonly #times = new Map<TimesKey, EntryTimes>();
  /**
   * By file: the changes its times followed that may still be lost, oldest first, after the last
   * one known durable (which stays as the floor to go back to).
   */
  readonly #changes = new Map<TimesKey, TimesChange[]>();
  readonly #nowMs: () => number;

  /** @param virtualNowMs - the simulated clock: milliseconds since virtual time 0 */
  constructor(virtualNowMs: () => number) {
    this.#nowMs = () => wallClockEpochMs + virtualNowMs();
  }

  /** Takes the times `other` holds (copies): a second look goes on from the run's files' times. */
  takeFrom(other: FileTimes): void {
    for (const [key, times] of other.#times) this.#times.set(key, { ...times });
    for (const [key, changes] of other.#changes) this.#changes.set(key, [...changes]);
  }

  /** The wall-clock time now, in milliseconds since 1970. */
  nowMs(): number {
    return this.#nowMs();
  }

  /**
   * The times of `key` (a copy); the epoch for an entry never seen.
   * @param state - for a file, where its modifications stand: times set by a change the disk
   *   has lost go back to the last change it kept
   */
  of(key: TimesKey, state?: ModificationState): EntryTimes {
    if (state !== undefined) this.#rollBack(key, state);
    const times = this.#times.get(key);
    if (times !== undefined) return { ...times };
    return { atimeMs: wallClockEpochMs, mtimeMs: wallClockEpochMs, ctimeMs: wallClockEpochMs, birthtimeMs: wallClockEpochMs };
  }

  /** `key` was just created: every time is now (an inode number or path reused starts afresh). */
  created(key: TimesKey): void {
    const now = this.#nowMs();
    this.#times.set(key, { atimeMs: now, mtimeMs: now, ctimeMs: now, birthtimeMs: now });
    this.#changes.delete(key);
  }

  /**
   * `key`'s contents changed: mtime and ctime are now.
   * @param state - for a file, where its modifications stand right after the change
   */
  modified(key: TimesKey | undefined, state?: ModificationState): void {
    if (key === undefined) return;
    if (state !== undefined) this.#rollBack(key, state);
    const times = this.#entry(key);
    // The times before the first change followed stand whatever is lost (number 0).
    const changes = this.#changes.get(key) ?? [{ seq: 0, mtimeMs: times.mtimeMs, ctimeMs: times.ctimeMs }];
    times.mtimeMs = times.ctimeMs = this.#nowMs();
    if (state === undefined) return;
    changes.push({ seq: state.modifications, mtimeMs: times.mtimeMs, ctimeMs: times.ctimeMs });
    // Only the last change known durable is needed below the ones that may still be lost.
    let floor = 0;
    for (let i = 0; i < changes.length; i++) if (changes[i]!.seq <= state.durableModification) floor = i;
    this.#changes.set(key, floor === 0 ? changes : changes.slice(floor));
  }

  /** Forgets the changes of `key` the disk decided and lost, and takes the times of the last one it kept. */
  #rollBack(key: TimesKey, state: ModificationState): void {
    const changes = this.#changes.get(key);
    if (changes === undefined) return;
    const lost = (change: TimesChange): boolean => change.seq > state.durableModification && change.seq <= state.decidedModification;
    if (!changes.some(lost)) return;
    const kept = changes.filter((change) => !lost(change));
    this.#changes.set(key, kept);
    const last = kept.at(-1);
    const times = this.#times.get(key);
    if (last === undefined || times === undefined) return;
    times.mtimeMs = last.mtimeMs;
    times.ctimeMs = last.ctimeMs;
  }

  /** `key`'s status changed (a rename, a mode): ctime is now. */
  changed(key: TimesKey | undefined): void {
    if (key === undefined) return;
    this.#entry(key).ctimeMs = this.#nowMs();
  }

  /** `utimes`: sets atime and mtime (milliseconds since 1970); ctime is now. */
  set(key: TimesKey, atimeMs: number, mtimeMs: number): void {
    this.#changes.delete(key);
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
