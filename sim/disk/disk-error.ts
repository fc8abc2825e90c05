/**
 * The errors the simulated disk answers with, built without a stack trace.
 *
 * A swarm seed makes a few dozen of them (a missing file probed during recovery, an injected
 * `EIO` or `ENOSPC`), and capturing a stack costs more than the rest of the error. The stack
 * would only show the simulator's own frames below the port call, and Node's asynchronous `fs`
 * errors carry no JavaScript frames either. Errors that point at a bug in the caller (`EBADF`
 * on a closed handle, `EINVAL` on a bad argument) are built elsewhere and keep their stacks.
 */
import { IoError, type IoErrorCode } from '../../engine/ports/fs.ts';

/**
 * An {@link IoError} without a captured stack.
 * @param code - the POSIX-style error code
 * @param syscall - the port operation that failed
 * @param path - the file or directory concerned
 * @param injected - true for a fault the simulator injected on purpose
 * @returns the error (its `stack` holds only its first line)
 */
export function diskError(code: IoErrorCode, syscall: string, path: string, injected = false): IoError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new IoError(code, syscall, path, injected);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
