/**
 * Bad input to the real-disk harnesses, and the data folder they run in. A folder that is not
 * empty, or that cannot be made, is the user's input (exit 2), never a harness failure.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Input the real-disk harnesses refuse: a data folder that is not empty, a durability mode the engine lacks. */
export class RealInputError extends Error {
  override readonly name = 'RealInputError';
  readonly code = 'REAL_INPUT';
}

/**
 * The data folder: a new temporary one, or `dir` checked to be missing or empty (and made).
 * @param dir - the folder the user named, if any
 * @param prefix - the name of a temporary folder starts with this
 * @param purpose - the harness, for the message (`real`, `replay --real`)
 * @throws {@link RealInputError} when `dir` is not empty or cannot be made
 */
export async function prepareDir(dir: string | undefined, prefix: string, purpose: string): Promise<string> {
  if (dir === undefined) return mkdtemp(join(tmpdir(), prefix));
  let names: string[];
  try {
    await mkdir(dir, { recursive: true });
    names = await readdir(dir);
  } catch (error) {
    throw new RealInputError(`${dir}: cannot use as the data folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (names.length > 0) throw new RealInputError(`${dir} is not empty; ${purpose} needs a missing or empty data folder`);
  return dir;
}

/** Removes the data folder. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
