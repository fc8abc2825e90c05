/**
 * `readdir(path, { recursive: true })` as Node 20 returns it: every entry below `path`, files
 * and directories, as paths relative to `path` (`d/e/f`) or, with `withFileTypes`, as Dirents
 * whose `parentPath` is the directory holding them.
 *
 * Node 20 walks the tree in two different orders, and the facade keeps both, because a library
 * may depend on the order it sees (checked on the real fs, Node 20.20):
 * - `readdirSync` and callback `readdir` (which runs the synchronous walk): breadth-first. Each
 *   directory's listing is read when its turn in the queue comes, so all of `path`'s entries come
 *   first, then those of its subdirectories in the order they were listed, and so on.
 * - `fs.promises.readdir`: a stack of listings. A subdirectory is listed as soon as it is met and
 *   pushed; the last pushed is emptied next. With `path` holding `d` and `k`, the order is
 *   `path`'s entries, then `k`'s subtree, then `d`'s.
 *
 * Each listing is sorted by name (as libuv's `scandir` sorts) and is one `readdir` I/O operation
 * on the simulated disk, taken in the same order Node takes them, so fault points fall where
 * they would.
 *
 * Without `withFileTypes`, Node decides whether to go into an entry by `stat`ing it, which
 * follows a symbolic link: a link to a directory is walked into (with them, by the entry's own
 * type, which for a link is not a directory).
 *
 * One difference, on purpose: Node 20's callback `readdir` with `recursive` calls back before it
 * returns, and throws its errors instead of passing them; the facade calls back later with the
 * error first, as for every other callback (api.ts, deliver.ts).
 */
import type { Dirent } from 'node:fs';
import { direntOf, type ListedEntry } from './dirent.ts';

/** The order of a recursive listing: breadth-first (`queue`) or Node's promise walk (`stack`). */
export type Traversal = 'queue' | 'stack';

/**
 * Lists the tree below `base`.
 * @param list - lists one directory (one I/O operation); its errors propagate unchanged
 * @param base - the absolute, normalised directory to walk
 * @param withFileTypes - Dirents instead of relative paths
 * @param traversal - which of Node's two walks to follow (see the module comment)
 * @returns the entries, in Node's order for that walk
 */
export function readdirRecursive(list: (dir: string) => ListedEntry[], base: string, withFileTypes: boolean, traversal: Traversal): string[] | Dirent[] {
  const out: Array<string | Dirent> = [];
  const into = (entry: ListedEntry): boolean => entry.kind === 'dir' || (!withFileTypes && entry.leadsToDir === true);
  const emit = (dir: string, entry: ListedEntry): string => {
    const full = `${dir}/${entry.name}`;
    out.push(withFileTypes ? direntOf(entry.name, entry.kind, dir) : full.slice(base.length + 1));
    return full;
  };
  if (traversal === 'queue') {
    const queue = [base];
    for (let index = 0; index < queue.length; index++) {
      const dir = queue[index]!;
      for (const entry of list(dir)) {
        const full = emit(dir, entry);
        if (into(entry)) queue.push(full);
      }
    }
  } else {
    const stack: Array<readonly [string, ListedEntry[]]> = [[base, list(base)]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [dir, entries] = top;
      for (const entry of entries) {
        const full = emit(dir, entry);
        if (into(entry)) stack.push([full, list(full)]);
      }
    }
  }
  return out as string[] | Dirent[];
}
