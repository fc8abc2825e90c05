/** Checks a `--report DIR` before a campaign runs, so a bad path fails at once with exit 2, not after the work. */
import { mkdirSync, statSync } from 'node:fs';
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
