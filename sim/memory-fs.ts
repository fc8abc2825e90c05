/**
 * A read-only `FileSystem` over a snapshot of file contents (`SimWorld.inspect()`), so that
 * checkers can run read-only engine tools on the simulated disk without doing simulated I/O:
 * no trace events, no faults, no effect on the run.
 */
import { IoError, type FileHandle, type FileSystem } from '../engine/ports/fs.ts';
import { diskError } from './disk/disk-error.ts';

/** The sorted names in directory `dir` of `files`. */
function listing(files: ReadonlyMap<string, Uint8Array>, dir: string): string[] {
  const prefix = `${dir}/`;
  const names = new Set<string>();
  for (const file of files.keys()) if (file.startsWith(prefix)) names.add(file.slice(prefix.length).split('/')[0]!);
  return [...names].sort();
}

/** Builds a read-only file system over `files` (absolute paths → bytes). */
export function readOnlyFileSystem(files: ReadonlyMap<string, Uint8Array>): FileSystem {
  const refuse = (syscall: string, path: string): never => {
    throw new IoError('EINVAL', syscall, path, false, `read-only snapshot: ${syscall} '${path}'`);
  };
  const dirs = new Set<string>();
  /** Each directory's sorted names, listed once: the files never change. */
  const listings = new Map<string, string[]>();
  for (const path of files.keys()) {
    let cut = path.lastIndexOf('/');
    while (cut > 0) {
      dirs.add(path.slice(0, cut));
      cut = path.lastIndexOf('/', cut - 1);
    }
  }
  return {
    async open(path, options) {
      if (options?.create || options?.truncate) return refuse('open', path);
      const bytes = files.get(path);
      if (!bytes) throw diskError('ENOENT', 'open', path);
      const handle: FileHandle = {
        path,
        async read(position, length) {
          return bytes.slice(position, Math.min(bytes.length, position + length));
        },
        write: async () => refuse('write', path),
        append: async () => refuse('append', path),
        size: async () => bytes.length,
        truncate: async () => refuse('truncate', path),
        sync: async () => undefined,
        datasync: async () => undefined,
        close: async () => undefined,
      };
      return handle;
    },
    rename: async (from) => refuse('rename', from),
    unlink: async (path) => refuse('unlink', path),
    mkdir: async (path) => refuse('mkdir', path),
    rmdir: async (path) => refuse('rmdir', path),
    async readdir(path) {
      if (!dirs.has(path)) throw diskError('ENOENT', 'readdir', path);
      let names = listings.get(path);
      if (names === undefined) {
        names = listing(files, path);
        listings.set(path, names);
      }
      // A copy: the caller may sort or change what it gets.
      return names.slice();
    },
    async exists(path) {
      return files.has(path) || dirs.has(path);
    },
    syncDir: async () => undefined,
  };
}
