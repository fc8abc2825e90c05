/**
 * The order `opendir` hands out a directory's entries in. Node's `readdir` sorts (libuv's
 * scandir sorts by name), but a `Dir` reads the directory as the file system stores it: on
 * ext4's hashed directories, by a hash of each name salted per file system. Here the salt comes
 * from the run's seed, so the same names come in the same order at every listing of a run, an
 * added name lands anywhere among them, and nothing is in name order: a library that takes a
 * `Dir`'s last entry for the newest file is caught as it would be on ext4.
 */
import type { ListedEntry } from './dirent.ts';

/** `entries` in the order of a hashed directory salted with `salt`. */
export function inDirectoryOrder(entries: readonly ListedEntry[], salt: number): ListedEntry[] {
  return entries
    .map((entry) => ({ entry, hash: saltedHash(entry.name, salt) }))
    .sort((a, b) => a.hash - b.hash || (a.entry.name < b.entry.name ? -1 : 1))
    .map(({ entry }) => entry);
}

/** FNV-1a over the name's UTF-16 code units, seeded with `salt`, then mixed: 32 bits. */
function saltedHash(name: string, salt: number): number {
  let hash = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
  return (hash ^ (hash >>> 13)) >>> 0;
}
