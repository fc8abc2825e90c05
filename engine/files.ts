/**
 * Whole-file helpers over the file-system port: read a file, and replace a file durably.
 */
import { assert } from './assert.ts';
import { isIoError, type FileSystem } from './ports/fs.ts';

/**
 * Reads a whole file.
 * @param maxBytes - refuse (return `undefined` with `tooLarge`) files above this size
 */
export async function readWholeFile(
  fs: FileSystem,
  path: string,
  maxBytes: number,
): Promise<{ bytes: Uint8Array } | { tooLarge: number }> {
  const handle = await fs.open(path);
  try {
    const size = await handle.size();
    if (size > maxBytes) return { tooLarge: size };
    const bytes = await handle.read(0, size);
    assert(bytes.length <= size, 'read returns at most the bytes asked for');
    return { bytes };
  } finally {
    await handle.close();
  }
}

/** The size of a file, without reading it. */
export async function fileSize(fs: FileSystem, path: string): Promise<number> {
  const handle = await fs.open(path);
  try {
    return await handle.size();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the file `target` in `dir` with `bytes` so that after a crash the name holds either
 * the old or the new contents (or, for a new file, nothing or the new contents), whole: write
 * `<target>.tmp`, fsync it, rename it over `target`, fsync the directory.
 * The rename is what makes the switch atomic; the file fsync before it is what makes the new
 * contents durable before the name points at them (nedb and LevelDB #195 lost data without it);
 * the directory fsync is what makes the rename itself durable (LevelDB #189).
 *
 * The two halves are exported apart because their failures mean different things to callers:
 * a failure while staging leaves the old file untouched (the temporary is removed), while a
 * failure to publish leaves it unknown which name survives a crash.
 */
export async function replaceFileDurably(fs: FileSystem, dir: string, target: string, bytes: Uint8Array): Promise<void> {
  await stageFile(fs, `${target}.tmp`, bytes);
  await publishFile(fs, dir, `${target}.tmp`, target);
}

/**
 * Writes `bytes` to `temporary` and fsyncs it. On failure removes the temporary (best effort)
 * and rethrows: nothing visible to recovery has changed.
 */
export async function stageFile(fs: FileSystem, temporary: string, bytes: Uint8Array): Promise<void> {
  try {
    const handle = await fs.open(temporary, { create: true, truncate: true });
    try {
      await handle.write(0, bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await removeQuietly(fs, temporary);
    throw error;
  }
}

/** Renames a staged file over its target and fsyncs the directory. */
export async function publishFile(fs: FileSystem, dir: string, temporary: string, target: string): Promise<void> {
  await fs.rename(temporary, target);
  await fs.syncDir(dir);
}

/** Unlinks `path`, ignoring every error: used only for clean-up on a path already failing. */
export async function removeQuietly(fs: FileSystem, path: string): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (!isIoError(error)) throw error;
  }
}
