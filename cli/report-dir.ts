/**
 * Checks where a command will write (`--report DIR`, `--out FILE`, `--trace FILE`) before it
 * works, so a bad path fails at once with exit 2, not after a campaign or a shrink.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './errors.ts';

/**
 * Makes sure `dir` is (or can become) a folder.
 * @throws {@link UsageError} when it is a file or cannot be created
 */
export function checkReportDir(dir: string): void {
  let isFile = false;
  try {
    isFile = !statSync(dir).isDirectory();
  } catch {
    // Missing: created below.
  }
  if (isFile) throw new UsageError(`--report ${dir}: is a file, not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`--report ${dir}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * Makes sure the folder of the file `file` (given as `flag`) is there, creating it as `mkdir -p`
 * does: `shrink --out test/regressions/bug.json` in a project without that folder yet.
 * @throws {@link UsageError} when `file` is a folder, or its folder cannot be created
 */
export function checkOutputFile(flag: string, file: string): void {
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    // Missing: written later.
  }
  if (isDir) throw new UsageError(`${flag} ${file}: is a folder, not a file`);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot create its folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
