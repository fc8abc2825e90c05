/**
 * `fs.cp`, `fs.cpSync` and `fs.promises.cp` on the simulated disk, as Node 20 does them: built
 * from the facade's own calls (`lstat`, `mkdir`, `readdir`, `copyFile`, `unlink`, `utimes`), so
 * every I/O reaches the simulated disk and can be cut by a crash, in the order Node issues them.
 *
 * What that order means for crash testing, kept on purpose: a file that already exists at the
 * destination is unlinked and then copied (Node's `force`), so a crash between the two leaves no
 * file there; and nothing is fsynced.
 *
 * The algorithm is written once, as a generator that yields each `filter` question; the
 * synchronous driver answers them at once (a filter must return a boolean, as Node requires),
 * the asynchronous one awaits them. Modes are not simulated, so Node's `chmod` of each copy is
 * left out; there are no symbolic links, so `dereference` and `verbatimSymlinks` change nothing.
 */
import { posix } from 'node:path';
import { types } from 'node:util';
import type { Stats } from 'node:fs';
import type { FacadeCore } from './core.ts';
import { settle } from './deliver.ts';
import { nodeInternalError } from './errors.ts';

/** The options of `fs.cp` the facade reads. */
interface CpOptions {
  readonly recursive: boolean;
  readonly force: boolean;
  readonly errorOnExist: boolean;
  readonly preserveTimestamps: boolean;
  /** Copy what a symbolic link leads to instead of the link. */
  readonly dereference: boolean;
  /** Copy a link's relative target as it is, not made absolute. */
  readonly verbatimSymlinks: boolean;
  readonly mode: number;
  readonly filter: ((src: string, dest: string) => unknown) | undefined;
}

/** A question for the driver: should `src` be copied to `dest`? */
interface FilterAsk {
  readonly src: string;
  readonly dest: string;
}

type CpSteps = Generator<FilterAsk, void, boolean>;

/** Node's `SystemError` for a refused copy (`ERR_FS_CP_EINVAL`, ...), with its fields. */
function cpError(code: string, errnoCode: string, errno: number, title: string, detail: string, path: string): Error {
  const error = new Error(`${title}: cp returned ${errnoCode} (${detail}) ${path}`) as Error & Record<string, unknown>;
  error.name = 'SystemError';
  error.code = code;
  error.errno = errno;
  error.syscall = 'cp';
  error.path = path;
  error.info = { message: detail, path, syscall: 'cp', errno, code: errnoCode };
  return error;
}

/** Node's options, checked as Node checks them. */
function cpOptionsOf(options: unknown): CpOptions {
  const given = (typeof options === 'object' && options !== null ? options : {}) as Record<string, unknown>;
  const flag = (name: string, fallback: boolean): boolean => {
    const value = given[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw nodeInternalError('ERR_INVALID_ARG_TYPE', `The "options.${name}" property must be of type boolean. Received ${typeof value}`, TypeError);
    return value;
  };
  const filter = given.filter;
  if (filter !== undefined && typeof filter !== 'function') {
    throw nodeInternalError('ERR_INVALID_ARG_TYPE', `The "options.filter" property must be of type function. Received ${typeof filter}`, TypeError);
  }
  return {
    recursive: flag('recursive', false),
    force: flag('force', true),
    errorOnExist: flag('errorOnExist', false),
    preserveTimestamps: flag('preserveTimestamps', false),
    dereference: flag('dereference', false),
    verbatimSymlinks: flag('verbatimSymlinks', false),
    mode: typeof given.mode === 'number' ? given.mode : 0,
    filter: filter as CpOptions['filter'],
  };
}

/** Whether `dest` lies below `src`. */
function isBelow(src: string, dest: string): boolean {
  return dest.startsWith(`${src.replace(/\/+$/, '')}/`);
}

/** The steps of a copy of `src` to `dest` (the top call: Node's checks, then the copy). */
function* cpSteps(core: FacadeCore, src: string, dest: string, options: CpOptions): CpSteps {
  if (options.filter !== undefined && !(yield { src, dest })) return;
  const destStat = checkPaths(core, src, dest);
  const parent = posix.dirname(dest);
  if (!core.existsSync(parent)) core.mkdirSync(parent, { recursive: true });
  yield* copyEntry(core, src, dest, destStat, options);
}

/**
 * Node's checks of a pair: the source exists (`lstat` fails with ENOENT), the two are not the
 * same file, a directory does not meet a file, and a directory is not copied into itself.
 * @returns the destination's stats, undefined when it does not exist
 */
function checkPaths(core: FacadeCore, src: string, dest: string): Stats | undefined {
  const srcStat = core.lstatSync(src);
  const destStat = core.lstatSync(dest, { throwIfNoEntry: false }) as Stats | undefined;
  if (destStat !== undefined) {
    if (destStat.ino === srcStat.ino && destStat.dev === srcStat.dev) {
      throw cpError('ERR_FS_CP_EINVAL', 'EINVAL', 22, 'Invalid src or dest', 'src and dest cannot be the same', dest);
    }
    if (srcStat.isDirectory() && !destStat.isDirectory()) {
      throw cpError('ERR_FS_CP_DIR_TO_NON_DIR', 'EISDIR', 21, 'Cannot overwrite non-directory with directory', `cannot overwrite non-directory ${dest} with directory ${src}`, dest);
    }
    if (!srcStat.isDirectory() && destStat.isDirectory()) {
      throw cpError('ERR_FS_CP_NON_DIR_TO_DIR', 'ENOTDIR', 20, 'Cannot overwrite directory with non-directory', `cannot overwrite directory ${dest} with non-directory ${src}`, dest);
    }
  }
  if (srcStat.isDirectory() && isBelow(src, dest)) {
    throw cpError('ERR_FS_CP_EINVAL', 'EINVAL', 22, 'Invalid src or dest', `cannot copy ${src} to a subdirectory of self ${dest}`, dest);
  }
  return destStat;
}

/** Copies one entry whose paths were checked: a directory (with `recursive`) or a file. */
function* copyEntry(core: FacadeCore, src: string, dest: string, destStat: Stats | undefined, options: CpOptions): CpSteps {
  const srcStat = options.dereference ? core.statSync(src) : core.lstatSync(src);
  if (srcStat.isSymbolicLink()) {
    copyLink(core, src, dest, destStat, options);
    return;
  }
  if (srcStat.isDirectory()) {
    if (!options.recursive) throw cpError('ERR_FS_EISDIR', 'EISDIR', 21, 'Path is a directory', `${src} is a directory (not copied)`, src);
    if (destStat === undefined) core.mkdirSync(dest);
    for (const name of core.readdirSync(src) as string[]) {
      const [from, to] = [posix.join(src, name), posix.join(dest, name)];
      if (options.filter !== undefined && !(yield { src: from, dest: to })) continue;
      yield* copyEntry(core, from, to, checkPaths(core, from, to), options);
    }
    return;
  }
  if (destStat !== undefined) {
    if (options.errorOnExist && !options.force) throw cpError('ERR_FS_CP_EEXIST', 'EEXIST', 17, 'Target already exists', `${dest} already exists`, dest);
    if (!options.force) return;
    core.unlinkSync(dest);
  }
  core.copyFileSync(src, dest, options.mode);
  if (options.preserveTimestamps) core.utimesSync('utimes', dest, srcStat.atime, srcStat.mtime);
}

/**
 * A symbolic link is copied as a link, as Node's `cp` does without `dereference`: holding the
 * same target, made absolute against the source's directory unless `verbatimSymlinks`, in place
 * of whatever `dest` was (a directory `dest` is refused by the path checks before).
 */
function copyLink(core: FacadeCore, src: string, dest: string, destStat: Stats | undefined, options: CpOptions): void {
  const held = core.readlinkSync(src) as string;
  const target = options.verbatimSymlinks || posix.isAbsolute(held) ? held : posix.resolve(posix.dirname(src), held);
  if (destStat !== undefined) core.unlinkSync(dest);
  core.symlinkSync(target, dest);
}

/** The error Node's `cpSync` gives a filter that answered with a promise (anything else counts by its truth). */
function promiseAnswer(): Error {
  return nodeInternalError('ERR_INVALID_RETURN_VALUE', 'Expected boolean to be returned from the "filter" function but got an instance of Promise.', TypeError);
}

/**
 * `fs.cpSync(src, dest, options)`.
 * @throws NodeFsError ENOENT and the like; SystemError `ERR_FS_CP_*` and `ERR_FS_EISDIR` as Node
 */
export function cpSync(core: FacadeCore, src: string, dest: string, options?: unknown): void {
  const opts = cpOptionsOf(options);
  const steps = cpSteps(core, src, dest, opts);
  let next = steps.next();
  while (next.done !== true) {
    const answer = opts.filter!(next.value.src, next.value.dest);
    if (types.isPromise(answer)) throw promiseAnswer();
    next = steps.next(Boolean(answer));
  }
}

/**
 * `fs.promises.cp(src, dest, options)` and the callback `fs.cp`: the same steps, each stretch
 * between two filter questions done at once and delivered as the facade's other calls are
 * (deliver.ts: a dead process's copy never settles), each filter's answer awaited.
 */
export async function cpAsync(core: FacadeCore, src: string, dest: string, options?: unknown): Promise<void> {
  const opts = await settle(() => cpOptionsOf(options));
  const steps = cpSteps(core, src, dest, opts);
  let next = await settle(() => steps.next());
  while (next.done !== true) {
    const answer = Boolean(await opts.filter!(next.value.src, next.value.dest));
    next = await settle(() => steps.next(answer));
  }
}
