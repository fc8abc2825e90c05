/**
 * Directory entries as the facade lists them, and as Node hands them out (`Dirent`).
 */
import type { Buffer } from 'node:buffer';
import { constants, Dirent } from 'node:fs';

/** One entry of a directory listing: a file, a directory or a symbolic link. */
export interface ListedEntry {
  readonly name: string;
  readonly kind: EntryKindListed;
  /** For a symbolic link: whether it leads to a directory (what `stat` of it says). */
  readonly leadsToDir?: boolean;
}

/** What a listed entry is. */
export type EntryKindListed = 'file' | 'dir' | 'symlink';

/**
 * A Node `Dirent` for `name` in `parentPath`, with Node 20's `parentPath` and `path` fields.
 * @param name - the entry's name (a Buffer under `encoding: 'buffer'`)
 * @param kind - what the entry is
 * @param parentPath - the directory holding it
 */
export function direntOf(name: string | Buffer, kind: EntryKindListed, parentPath: string): Dirent {
  // Node's Dirent constructor is not in @types/node; its arguments are (name, type, path).
  const DirentOf = Dirent as unknown as new (name: string | Buffer, type: number, path: string) => Dirent;
  const types = constants as unknown as { UV_DIRENT_DIR: number; UV_DIRENT_FILE: number; UV_DIRENT_LINK: number };
  const type = kind === 'dir' ? types.UV_DIRENT_DIR : kind === 'symlink' ? types.UV_DIRENT_LINK : types.UV_DIRENT_FILE;
  return new DirentOf(name, type, parentPath);
}
