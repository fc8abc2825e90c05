/**
 * A read-only check of the files (an engine's `crashCheck` or `selfCheck`), asked again only
 * when the files changed. Both checks are functions of the files they are shown (the contract
 * says they only read, and the runner shows them a read-only snapshot), so on the very same files
 * the last answer is the answer: a run that crashes again before its recovery wrote anything,
 * or recovers to the same files, gets it without reading anything. Whether the files are the
 * same is told by identity: `SimWorld.snapshot` gives the same array for a file that has not
 * changed, so comparing costs one lookup per file and never reads a byte.
 */
import type { FileSystem } from '../engine/ports/fs.ts';
import { readOnlyFileSystem } from './memory-fs.ts';

/** Whether two snapshots hold the same paths with the very same arrays. */
export function sameFiles(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, bytes] of a) if (b.get(path) !== bytes) return false;
  return true;
}

/** One check of one directory, with its last answer. */
export class FilesCheck {
  readonly #check: (fs: FileSystem, dir: string) => Promise<readonly string[]>;
  readonly #dir: string;
  #files: ReadonlyMap<string, Uint8Array> | undefined;
  #answer: Promise<readonly string[]> | undefined;

  /**
   * @param check - the check, a function of the files only
   * @param dir - the directory it is asked about
   */
  constructor(check: (fs: FileSystem, dir: string) => Promise<readonly string[]>, dir: string) {
    this.#check = check;
    this.#dir = dir;
  }

  /**
   * The check's answer on `files`: its last answer when they are the same files as last time.
   * @param files - a snapshot from `SimWorld.snapshot` (never modified)
   */
  run(files: ReadonlyMap<string, Uint8Array>): Promise<readonly string[]> {
    if (this.#answer !== undefined && this.#files !== undefined && sameFiles(this.#files, files)) return this.#answer;
    this.#files = files;
    this.#answer = this.#check(readOnlyFileSystem(files), this.#dir);
    return this.#answer;
  }
}
