/**
 * Errors of the fs facade, in Node's shape: `code`, `errno` (negative, as libuv reports it),
 * `syscall` (Node's name: `open`, `fsync`, `scandir`, ...), `path` and, for two-path calls,
 * `dest`; the message reads like Node's (`ENOENT: no such file or directory, open '/x'`).
 * An error the simulator injected keeps `injected: true`, so a report can tell it from a bug.
 */
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { IoError } from '../engine/ports/fs.ts';

/** A Node-shaped file-system error. */
export interface NodeFsError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
  dest?: string;
  /** Set when the simulator injected the fault on purpose. */
  injected?: boolean;
}

const errnoByCode = constants.errno as Readonly<Record<string, number>>;
const systemErrors = getSystemErrorMap();

/**
 * A Node-shaped error.
 * @param code - a POSIX code (`ENOENT`, `EXDEV`, ...)
 * @param syscall - Node's syscall name
 * @param path - the path concerned, if any
 * @param dest - the second path of `rename`, `copyFile`, `link`
 */
export function nodeError(code: string, syscall: string, path?: string, dest?: string, injected = false): NodeFsError {
  const errnoAbs = errnoByCode[code] ?? 0;
  const errno = errnoAbs === 0 ? 0 : -errnoAbs;
  const description = systemErrors.get(errno)?.[1] ?? code.toLowerCase();
  const where = path === undefined ? '' : dest === undefined ? ` '${path}'` : ` '${path}' -> '${dest}'`;
  const error = new Error(`${code}: ${description}, ${syscall}${where}${injected ? ' (injected by powercut)' : ''}`) as NodeFsError;
  error.errno = errno;
  error.code = code;
  error.syscall = syscall;
  if (path !== undefined) error.path = path;
  if (dest !== undefined) error.dest = dest;
  if (injected) error.injected = true;
  return error;
}

/** The Node-shaped twin of a port {@link IoError}, named for the Node call that failed. */
export function fromIoError(error: IoError, syscall: string, path?: string, dest?: string): NodeFsError {
  return nodeError(error.code, syscall, path ?? error.path, dest, error.injected);
}

/**
 * A call the facade does not simulate, on a simulated path or descriptor. It is thrown, never
 * passed to the real disk: a silent fall-through would write outside the simulation.
 */
export class UnsupportedFsCallError extends Error {
  override readonly name = 'UnsupportedFsCallError';
  readonly code = 'POWERCUT_UNSUPPORTED';
  /**
   * @param call - the fs function (`fs.watch`, `fs.promises.opendir`, ...)
   * @param target - the simulated path or descriptor it was called on
   * @param why - what is missing, when there is more to say than that the call is unsupported
   */
  constructor(readonly call: string, readonly target: string, why = 'not simulated by powercut\'s fs facade') {
    super(`powercut: ${call} on simulated '${target}' is not supported (${why}); see README "Testing any Node library"`);
    // Told even when the code under test catches the error: the run then went another way than
    // on a real disk, which its result must say (targets/runner.ts).
    unsupportedListener?.(this);
  }
}

let unsupportedListener: ((error: UnsupportedFsCallError) => void) | undefined;

/**
 * Tells `listener` of every {@link UnsupportedFsCallError} made from now on in this thread
 * (the bound facade's run), or no one with `undefined`.
 */
export function listenForUnsupportedCalls(listener: ((error: UnsupportedFsCallError) => void) | undefined): void {
  unsupportedListener = listener;
}

/**
 * A call on a simulated path, descriptor or FileHandle while no run of this thread is using the
 * facade: work a finished (or abandoned) run left behind, a timer of a library that outlived its
 * run, a descriptor kept across runs. Thrown, never passed to the real disk.
 */
export class NoActiveRunError extends Error {
  override readonly name = 'NoActiveRunError';
  readonly code = 'POWERCUT_NO_RUN';
  /**
   * @param call - the fs function
   * @param target - the simulated path or descriptor
   */
  constructor(readonly call: string, readonly target: string) {
    super(`powercut: ${call} on simulated '${target}' while no run is active (left over from a finished run); it never reaches the real disk`);
  }
}

/** One of Node's own (not system) errors: `code` like `ERR_DIR_CLOSED`, message as Node words it. */
export interface NodeInternalError extends Error {
  code: string;
}

/**
 * A Node-internal error, shaped as Node throws it: an `Error` (`TypeError`, `RangeError`) whose `code` is
 * Node's (`ERR_DIR_CLOSED`) and whose `toString()` reads `Error [ERR_DIR_CLOSED]: ...`.
 * @param code - Node's error code
 * @param message - Node's message for it
 * @param kind - the constructor Node uses for this code
 */
export function nodeInternalError(code: string, message: string, kind: new (message?: string) => Error = Error): NodeInternalError {
  const error = new kind(message) as NodeInternalError;
  const head = `${kind.name} [${code}]: ${message}`;
  error.code = code;
  // Node keeps `name` plain and shows the code in the stack's first line and in toString().
  if (error.stack !== undefined) error.stack = error.stack.replace(/^[^\n]*/, head);
  Object.defineProperty(error, 'toString', { value: () => head, configurable: true, writable: true });
  return error;
}
