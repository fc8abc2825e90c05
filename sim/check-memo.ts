/**
 * A read-only check of the files (an engine's `crashCheck` or `selfCheck`), asked again only
 * when the files changed. Both checks are functions of the files they are shown (the contract
 * says they only read, and the runner shows them a read-only snapshot), and `selfCheck` of the
 * open's report too, so on the very same files and report the last answer is the answer: a run
 * that crashes again before its recovery wrote anything, or recovers to the same files, gets it
 * without reading anything. Whether the files are the same is told by identity:
 * `SimWorld.snapshot` gives the same array for a file that has not changed, so comparing costs
 * one lookup per file and never reads a byte; the report is compared as JSON.
 */
import type { FileSystem } from '../engine/ports/fs.ts';
import type { RecoveryReport } from './engine-contract.ts';
import { readOnlyFileSystem } from './memory-fs.ts';

/** Whether two snapshots hold the same paths with the very same arrays. */
export function sameFiles(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, bytes] of a) if (b.get(path) !== bytes) return false;
  return true;
}

/** A check of the files of one directory, and of what the open before it reported (selfCheck only). */
export type FilesCheckFunction = (fs: FileSystem, dir: string, recovery?: RecoveryReport) => Promise<readonly string[]>;

/** One check of one directory, with its last answer. */
export class FilesCheck {
  readonly #check: FilesCheckFunction;
  readonly #dir: string;
  #files: ReadonlyMap<string, Uint8Array> | undefined;
  #report: string | undefined;
  #answer: Promise<readonly string[]> | undefined;

  /**
   * @param check - the check, a function of the files (and `recovery`) only
   * @param dir - the directory it is asked about
   */
  constructor(check: FilesCheckFunction, dir: string) {
    this.#check = check;
    this.#dir = dir;
  }

  /**
   * The check's answer on `files`: its last answer when they are the same files as last time,
   * and `recovery` the same report.
   * @param files - a snapshot from `SimWorld.snapshot` (never modified)
   * @param recovery - what the open just before reported (selfCheck); absent for crashCheck
   */
  run(files: ReadonlyMap<string, Uint8Array>, recovery?: RecoveryReport): Promise<readonly string[]> {
    const report = recovery === undefined ? undefined : JSON.stringify(recovery);
    if (this.#answer !== undefined && this.#files !== undefined && report === this.#report && sameFiles(this.#files, files)) return this.#answer;
    this.#files = files;
    this.#report = report;
    this.#answer = recovery === undefined ? this.#check(readOnlyFileSystem(files), this.#dir) : this.#check(readOnlyFileSystem(files), this.#dir, recovery);
    return this.#answer;
  }
}
