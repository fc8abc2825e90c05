/**
 * A kill -9 at an exact file-system call, on the real disk: the child of `real --target` counts
 * the `fs` calls the library makes (every function of `fs`, `fs.promises` and a promise
 * FileHandle's methods, whatever the path) and sends itself SIGKILL right before the one it was
 * told. A kill from the parent lands wherever the process happens to be, usually after a fast
 * operation has finished; this one lands inside the operation, between two calls, as the
 * simulator's crash points do (but keeping the page cache: it is a real kill -9).
 *
 * The wrappers are put in before the workload module loads, so a library that copies fs
 * functions when it loads copies the counting ones. A call Node makes internally (module
 * loading) does not go through them.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

let remaining: number | undefined;
let beforeEachCall: (() => void) | undefined;

/** Counts one call; at the chosen one, the process dies here (after {@link beforeCalls}' listener ran). */
function count(): void {
  beforeEachCall?.();
  if (remaining === undefined) return;
  remaining--;
  if (remaining <= 0) process.kill(process.pid, 'SIGKILL');
}

function wrapAll(target: Record<string, unknown>, skip: ReadonlySet<string>): void {
  for (const name of Object.getOwnPropertyNames(target)) {
    // Class methods (FileHandle's) are not enumerable; getters (`fd`) are left alone.
    const original = Object.getOwnPropertyDescriptor(target, name)?.value as unknown;
    if (typeof original !== 'function' || skip.has(name) || /^[A-Z]/.test(name)) continue;
    const wrapped = function counted(this: unknown, ...args: unknown[]): unknown {
      count();
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    Object.defineProperty(wrapped, 'name', { value: name });
    target[name] = wrapped;
  }
}

/** Puts the counters into `fs`, `fs.promises` and FileHandle, once. */
export async function installCallCounter(): Promise<void> {
  // Not counted: watchers and pure helpers, which do no I/O a crash could cut.
  const skip = new Set(['watch', 'watchFile', 'unwatchFile', 'Stats', 'Dirent', 'Dir', 'ReadStream', 'WriteStream', 'FileReadStream', 'FileWriteStream', 'constants', 'promises']);
  const handle = await fs.promises.open(process.execPath, 'r');
  const handleProto = Object.getPrototypeOf(handle) as Record<string, unknown>;
  await handle.close();
  wrapAll(fs as unknown as Record<string, unknown>, skip);
  wrapAll(fs.promises as unknown as Record<string, unknown>, skip);
  wrapAll(handleProto, new Set(['constructor', 'getAsyncId', 'fd']));
  syncBuiltinESMExports();
}

/**
 * Arms the kill: the process dies right before its `calls`-th file-system call from now.
 * @param calls - 1 for the next call
 */
export function killBeforeCall(calls: number): void {
  remaining = calls;
}

/**
 * Runs `listener` right before every file-system call from now on (before the armed kill, if it
 * is this call), or no longer with `undefined`: the child reports its model there, so that what
 * an operation changed in it before a call is known to the parent if the process dies at the call.
 */
export function beforeCalls(listener: (() => void) | undefined): void {
  beforeEachCall = listener;
}
