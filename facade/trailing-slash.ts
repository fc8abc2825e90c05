/**
 * Paths that end in a slash. POSIX path resolution holds a path ending in `/` (or `/.`) to name a
 * directory, but Node's path functions drop the slash before the facade sees the path, so these
 * rules are applied first, from the path as the caller wrote it, as Linux applies them (each
 * checked against the real fs by test/facade/trailing-slash.test.ts):
 * - an existing file named with a slash is `ENOTDIR` (`stat('f/')`, `unlink('f/')`,
 *   `rename('f/', …)`), and `exists('f/')` is false;
 * - a file to be created under a name with a slash is `EISDIR` (`open('m/', 'w')`,
 *   `writeFile`, `appendFile`, `copyFile(…, 'm/')`), even where a file of that name exists;
 * - a file renamed onto a name with a slash is `ENOTDIR`, and linked to a free one `ENOENT`;
 * - a directory named with a slash is what it is without one.
 */
import { parseFlags } from './open-flags.ts';

/** What the namespace holds at a path. */
export type EntryKind = 'file' | 'dir' | undefined;

/** How a call named with a slash fails, or, for `exists`, answers. */
export type SlashVerdict = { readonly code: string; readonly syscall: string; readonly path: number } | { readonly answer: false };

/** Whether the caller's path text ends in a slash (or `/.`), so it must name a directory. */
export function endsInSlash(text: string | undefined): boolean {
  return text !== undefined && text.length > 1 && (text.endsWith('/') || text.endsWith('/.'));
}

/** The syscall Linux reports for a call that fails on the file it names. */
const fileSyscalls: Readonly<Record<string, string>> = {
  readFile: 'open', truncate: 'open', stat: 'stat', lstat: 'lstat', access: 'access', utimes: 'utime',
  readdir: 'scandir', opendir: 'opendir', rmdir: 'rmdir', unlink: 'unlink', chmod: 'chmod', readlink: 'readlink',
  // fs.promises.realpath asks the kernel; fs.realpath and realpathSync resolve in JavaScript and take the slash (install.ts).
  realpath: 'realpath',
};

/** Whether the open flags of `flags` create the file (and so want a file, not a directory). */
function creates(flags: unknown): boolean {
  try {
    return parseFlags(flags as string | number | undefined, '').create;
  } catch {
    return false;
  }
}

/**
 * How the call `base` (a facade call's name without `Sync`) fails because of a trailing slash, or
 * `undefined` when the slash changes nothing and the call goes on as usual.
 * @param args - the call's arguments as given
 * @param slashed - which of its path arguments (0, and 1 for two-path calls) end in a slash
 * @param kinds - what the namespace holds at each of them
 * @param parents - what it holds at each one's parent: a name to be created under a missing
 *   parent fails as usual (`ENOENT`), before its slash counts
 * @param face - which face of the call: Node's faces of `rm` fail under different syscalls
 */
export function slashVerdict(
  base: string, args: readonly unknown[], slashed: readonly boolean[], kinds: readonly EntryKind[], parents: readonly EntryKind[], face: 'sync' | 'callback' | 'promise',
): SlashVerdict | undefined {
  const first = slashed[0] === true && parents[0] === 'dir';
  const second = slashed[1] === true && parents[1] === 'dir';
  const fileAt = (index: number): boolean => slashed[index] === true && kinds[index] === 'file';
  switch (base) {
    case 'open':
      if (first && creates(args[1])) return { code: 'EISDIR', syscall: 'open', path: 0 };
      return fileAt(0) ? { code: 'ENOTDIR', syscall: 'open', path: 0 } : undefined;
    case 'writeFile':
    case 'appendFile':
      return first ? { code: 'EISDIR', syscall: 'open', path: 0 } : undefined;
    case 'exists':
      return fileAt(0) ? { answer: false } : undefined;
    case 'mkdir': {
      const recursive = typeof args[1] === 'object' && args[1] !== null && (args[1] as { recursive?: unknown }).recursive === true;
      return fileAt(0) && recursive ? { code: 'ENOTDIR', syscall: 'mkdir', path: 0 } : undefined;
    }
    case 'rename':
      // Both parents are resolved before either last name: a missing target parent is ENOENT first.
      if (fileAt(0) && parents[1] === 'dir') return { code: 'ENOTDIR', syscall: 'rename', path: 0 };
      return second && kinds[0] === 'file' ? { code: 'ENOTDIR', syscall: 'rename', path: 0 } : undefined;
    case 'copyFile':
      if (fileAt(0)) return { code: 'ENOTDIR', syscall: 'copyfile', path: 0 };
      return second && kinds[0] === 'file' ? { code: 'EISDIR', syscall: 'copyfile', path: 0 } : undefined;
    case 'link':
      if (fileAt(0)) return { code: 'ENOTDIR', syscall: 'link', path: 0 };
      // A name that exists is EEXIST, slash or not.
      return second && kinds[0] !== undefined && kinds[1] === undefined ? { code: 'ENOENT', syscall: 'link', path: 0 } : undefined;
    case 'rm': {
      // Node's rmSync, recursive and forced, unlinks first; every other rm looks first.
      const options = typeof args[1] === 'object' && args[1] !== null ? args[1] as { recursive?: unknown; force?: unknown } : {};
      const unlinksFirst = face === 'sync' && options.recursive === true && options.force === true;
      return fileAt(0) ? { code: 'ENOTDIR', syscall: unlinksFirst ? 'unlink' : 'lstat', path: 0 } : undefined;
    }
    default: {
      const syscall = fileSyscalls[base];
      return syscall !== undefined && fileAt(0) ? { code: 'ENOTDIR', syscall, path: 0 } : undefined;
    }
  }
}
