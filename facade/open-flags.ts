/**
 * Node's open flags: the strings (`r`, `w`, `wx`, `a+`, ...) and numbers (`O_WRONLY | O_CREAT`)
 * `fs.open` takes, decoded into what the simulated disk acts on, and named for the trace.
 *
 * The trace shows a facade open with the flags as the caller gave them (`open /db/x flags=w`):
 * a truncating open and a plain one are the same `open` operation to the disk, but they are
 * where a library loses data, so a reader of a timeline needs to tell them apart.
 */
import { constants } from 'node:fs';
import { nodeError } from './errors.ts';

/** Decoded open flags. */
export interface OpenFlags {
  readonly read: boolean;
  readonly write: boolean;
  readonly create: boolean;
  readonly exclusive: boolean;
  readonly truncate: boolean;
  readonly append: boolean;
  /**
   * `O_SYNC` (`sync`: the `s` of `rs+`, `as`, `as+`) or `O_DSYNC` (`datasync`): each write
   * returns only once its data (and with `O_SYNC` the file's size and times) is durable, as if
   * an fsync or fdatasync followed it; the file's name still needs a directory fsync.
   */
  readonly syncWrites?: 'sync' | 'datasync';
}

const stringFlags: Readonly<Record<string, OpenFlags>> = (() => {
  const f = (read: boolean, write: boolean, create: boolean, exclusive: boolean, truncate: boolean, append: boolean): OpenFlags =>
    ({ read, write, create, exclusive, truncate, append });
  const table: Record<string, OpenFlags> = {
    r: f(true, false, false, false, false, false),
    'r+': f(true, true, false, false, false, false),
    w: f(false, true, true, false, true, false),
    wx: f(false, true, true, true, true, false),
    'w+': f(true, true, true, false, true, false),
    'wx+': f(true, true, true, true, true, false),
    a: f(false, true, true, false, false, true),
    ax: f(false, true, true, true, false, true),
    'a+': f(true, true, true, false, false, true),
    'ax+': f(true, true, true, true, false, true),
  };
  // Synonyms: x may come first. s is O_SYNC: synchronous writes (Node's stringToFlags).
  table.xw = table.wx!;
  table['xw+'] = table['wx+']!;
  table.xa = table.ax!;
  table['xa+'] = table['ax+']!;
  const synchronous = (flags: OpenFlags): OpenFlags => ({ ...flags, syncWrites: 'sync' });
  table.rs = table.sr = synchronous(table.r!);
  table['rs+'] = table['sr+'] = synchronous(table['r+']!);
  table.as = table.sa = synchronous(table.a!);
  table['as+'] = table['sa+'] = synchronous(table['a+']!);
  return table;
})();

/**
 * Decodes Node's open flags.
 * @param flags - a string (`w`, `ax+`, ...), a number (`O_*` bits) or undefined (`r`)
 * @param path - the path being opened, for the error
 * @returns what the open does
 * @throws NodeFsError EINVAL on an unknown string
 */
export function parseFlags(flags: string | number | undefined, path: string): OpenFlags {
  if (flags === undefined || flags === null) return stringFlags.r!;
  if (typeof flags === 'string') {
    const decoded = stringFlags[flags];
    if (decoded === undefined) throw nodeError('EINVAL', 'open', path);
    return decoded;
  }
  const access = flags & 3;
  return {
    read: access === constants.O_RDONLY || access === constants.O_RDWR,
    write: access === constants.O_WRONLY || access === constants.O_RDWR,
    create: (flags & constants.O_CREAT) !== 0,
    exclusive: (flags & constants.O_EXCL) !== 0,
    truncate: (flags & constants.O_TRUNC) !== 0,
    append: (flags & constants.O_APPEND) !== 0,
    ...syncWritesOf(flags),
  };
}

/** `O_SYNC` (which includes `O_DSYNC`'s bit on Linux) or `O_DSYNC` of numeric flags. */
function syncWritesOf(flags: number): { syncWrites?: 'sync' | 'datasync' } {
  const sync = constants.O_SYNC ?? 0;
  const dsync = constants.O_DSYNC ?? 0;
  if (sync !== 0 && (flags & sync) === sync) return { syncWrites: 'sync' };
  if (dsync !== 0 && (flags & dsync) === dsync) return { syncWrites: 'datasync' };
  return {};
}

/** The bits {@link flagsNote} names, after the access mode. */
const namedBits: ReadonlyArray<readonly [string, number | undefined]> = [
  ['O_CREAT', constants.O_CREAT],
  ['O_EXCL', constants.O_EXCL],
  ['O_TRUNC', constants.O_TRUNC],
  ['O_APPEND', constants.O_APPEND],
  ['O_SYNC', constants.O_SYNC],
  ['O_DSYNC', constants.O_DSYNC],
  ['O_DIRECT', constants.O_DIRECT],
  ['O_NOFOLLOW', constants.O_NOFOLLOW],
  ['O_NOATIME', constants.O_NOATIME],
  ['O_NONBLOCK', constants.O_NONBLOCK],
];

/**
 * The flags of an open as the trace shows them: `flags=w` for a string, as given;
 * `flags=O_WRONLY|O_CREAT|O_TRUNC` for a number (any bit without a name in hexadecimal);
 * `flags=r` when none were given, which is Node's default.
 * @param flags - the flags `fs.open` was given
 * @returns the trace note
 */
export function flagsNote(flags: string | number | undefined): string {
  if (flags === undefined || flags === null) return 'flags=r';
  if (typeof flags === 'string') return `flags=${flags}`;
  const access = flags & 3;
  const parts = [access === constants.O_RDWR ? 'O_RDWR' : access === constants.O_WRONLY ? 'O_WRONLY' : 'O_RDONLY'];
  let rest = flags & ~3;
  for (const [name, bit] of namedBits) {
    if (bit === undefined || bit === 0 || (rest & bit) !== bit) continue;
    parts.push(name);
    rest &= ~bit;
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return `flags=${parts.join('|')}`;
}
