/**
 * A read-only view of a real `FileSystem`, for the engine's `crashCheck` and `selfCheck` on the
 * real disk: both promise to only read, and this holds them to it, so that a check can never
 * repair the files it is meant to judge. Writes, renames and removals throw `EINVAL`.
 */
import { IoError, type FileHandle, type FileSystem } from '../engine/ports/fs.ts';

function refuse(syscall: string, path: string): never {
  throw new IoError('EINVAL', syscall, path, false, `read-only view: ${syscall} '${path}'`);
}

/** `handle` with every write refused. */
function readOnlyHandle(handle: FileHandle): FileHandle {
  return {
    path: handle.path,
    read: (position, length) => handle.read(position, length),
    write: async () => refuse('write', handle.path),
    append: async () => refuse('append', handle.path),
    size: () => handle.size(),
    truncate: async () => refuse('truncate', handle.path),
    sync: async () => undefined,
    datasync: async () => undefined,
    close: () => handle.close(),
  };
}

/** `fs` with every write refused. */
export function readOnlyView(fs: FileSystem): FileSystem {
  return {
    async open(path, options) {
      if (options?.create || options?.truncate) return refuse('open', path);
      return readOnlyHandle(await fs.open(path));
    },
    rename: async (from) => refuse('rename', from),
    unlink: async (path) => refuse('unlink', path),
    mkdir: async (path) => refuse('mkdir', path),
    rmdir: async (path) => refuse('rmdir', path),
    readdir: (path) => fs.readdir(path),
    exists: (path) => fs.exists(path),
    syncDir: async () => undefined,
  };
}
