/**
 * Reading the harness's own input files (plan files, the regression corpus) from the real disk.
 * Kept apart from the simulated world: what is read here becomes a plan, and a plan runs the
 * same wherever it came from.
 */
import { readdir, readFile } from 'node:fs/promises';

/** The text of a file, as UTF-8. @throws the `fs` error (ENOENT, EISDIR, ...) */
export function readTextFile(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

/** The names in a directory. @throws the `fs` error (ENOENT, ENOTDIR, ...) */
export function listDirectory(path: string): Promise<string[]> {
  return readdir(path);
}
