/**
 * Linux's limits on path names, which the simulated disk does not know: a name longer than
 * `NAME_MAX` (255 bytes), or a path longer than `PATH_MAX` (4,096 bytes with its NUL), fails
 * every call with `ENAMETOOLONG` before any I/O. A library that derives file names from keys
 * meets them on a real disk, and must meet them here.
 */
import { Buffer } from 'node:buffer';

/** The longest path Linux takes, in bytes (`PATH_MAX` less its NUL). */
export const pathBytesMax = 4095;
/** The longest name Linux takes, in bytes (`NAME_MAX`). */
export const nameBytesMax = 255;

/** Whether Linux refuses `path` with `ENAMETOOLONG`: a name in it longer than 255 bytes, or the whole longer than 4,095. */
export function nameTooLong(path: string | undefined): boolean {
  // A UTF-16 unit takes at most 3 bytes in UTF-8: a string of at most 85 units fits both limits.
  if (path === undefined || path.length * 3 <= nameBytesMax) return false;
  if (Buffer.byteLength(path) > pathBytesMax) return true;
  return path.split('/').some((name) => name.length * 3 > nameBytesMax && Buffer.byteLength(name) > nameBytesMax);
}
