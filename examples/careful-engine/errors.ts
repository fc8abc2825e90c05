/**
 * The careful store's errors. Each has a `code` that engine.ts maps to powercut's contract
 * (told by code, not by class, as a caller in another package would have to).
 */

/** The log holds damage that a crash cannot explain: the store refuses to open. */
export class CarefulCorruptionError extends Error {
  override readonly name = 'CarefulCorruptionError';
  readonly code = 'CAREFUL_CORRUPTION';
  /**
   * @param file - the damaged file
   * @param offset - where in it the damaged record starts
   */
  constructor(readonly file: string, readonly offset: number, detail: string) {
    super(`corruption in ${file} at ${offset}: ${detail}`);
  }
}

/**
 * The store saw a write or an fsync fail and stopped: nothing more is acknowledged until it is
 * reopened and has recovered from what the disk holds.
 */
export class CarefulFailedError extends Error {
  override readonly name = 'CarefulFailedError';
  readonly code = 'CAREFUL_FAILED';
  /**
   * @param commitOutcome - for a commit: `unknown` when it was being written when the store
   *   failed, `absent` when the store had failed before it started (nothing of it was written)
   */
  constructor(message: string, readonly commitOutcome: 'absent' | 'unknown', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The disk is full: the commit or checkpoint was undone and the store goes on. */
export class CarefulDiskFullError extends Error {
  override readonly name = 'CarefulDiskFullError';
  readonly code = 'CAREFUL_DISK_FULL';
}

/** A batch larger than the format allows; refused before anything was written. */
export class CarefulLimitError extends Error {
  override readonly name = 'CarefulLimitError';
  readonly code = 'CAREFUL_LIMIT';
}

/** An operation on a closed store. */
export class CarefulClosedError extends Error {
  override readonly name = 'CarefulClosedError';
  readonly code = 'CAREFUL_CLOSED';
}

/** Whether `error` is a file-system error with POSIX code `code` (told by shape). */
export function hasIoCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
