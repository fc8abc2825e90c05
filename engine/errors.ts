/**
 * Typed errors of the engine: expected failures that callers handle, each with a stable `code`.
 * Bugs in the engine are assertions (assert.ts), never one of these.
 */
import type { IoError } from './ports/fs.ts';

/** Codes of {@link StoreError}. */
export type StoreErrorCode =
  | 'CORRUPTION'
  | 'STORE_FAILED'
  | 'DISK_FULL'
  | 'LIMIT_EXCEEDED'
  | 'UNSUPPORTED_VERSION'
  | 'STORE_CLOSED'
  | 'INVALID_ARGUMENT';

/** Base class of every typed engine error. */
export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
  /**
   * Set when this error rejects a commit: `absent` means nothing of the batch will ever be
   * recovered (it was refused before being written, or its partial write was removed);
   * `unknown` means it may or may not be recovered (its write or fsync failed midway).
   */
  commitOutcome: 'absent' | 'unknown' = 'absent';
}

/**
 * Damage the engine will not repair on its own: a bad checksum or structure in data that had
 * been made durable, or in a segment that is not the last. Opening refuses with this error, and
 * names the file and the byte offset where the damage starts.
 */
export class CorruptionError extends StoreError {
  override readonly name = 'CorruptionError';
  readonly code = 'CORRUPTION';
  /**
   * @param file - path of the damaged file
   * @param offset - byte offset of the first damaged structure in `file`
   * @param reason - what is wrong there
   */
  constructor(readonly file: string, readonly offset: number, readonly reason: string) {
    super(`corruption in ${file} at offset ${offset}: ${reason}`);
  }
}

/**
 * The store hit an error after which its in-memory view may disagree with the disk (a failed
 * fsync, a write error that may have left a partial frame it could not remove). Every later
 * operation rejects with this error until the store is closed and opened again, which recovers
 * from what is really on disk.
 */
export class StoreFailedError extends StoreError {
  override readonly name = 'StoreFailedError';
  readonly code = 'STORE_FAILED';
  constructor(readonly reason: string, override readonly cause?: unknown) {
    super(`store failed: ${reason}; reopen the store to recover from disk`);
  }
}

/** A commit could not be written because the disk is full. Nothing of it will be replayed. */
export class DiskFullError extends StoreError {
  override readonly name = 'DiskFullError';
  readonly code = 'DISK_FULL';
  constructor(readonly file: string, override readonly cause?: IoError) {
    super(`disk full while writing ${file}`);
  }
}

/** An input exceeds one of the limits in limits.ts. */
export class LimitExceededError extends StoreError {
  override readonly name = 'LimitExceededError';
  readonly code = 'LIMIT_EXCEEDED';
  constructor(readonly limit: string, readonly actual: number, readonly maximum: number) {
    super(`${limit} is ${actual}, above the limit of ${maximum}`);
  }
}

/** The manifest (or another file) was written by a format version this engine does not know. */
export class UnsupportedVersionError extends StoreError {
  override readonly name = 'UnsupportedVersionError';
  readonly code = 'UNSUPPORTED_VERSION';
  constructor(readonly file: string, readonly found: number, readonly supported: number) {
    super(`${file} has format version ${found}; this engine reads version ${supported} only`);
  }
}

/** An operation on a store that has been closed. */
export class StoreClosedError extends StoreError {
  override readonly name = 'StoreClosedError';
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the store is closed');
  }
}

/** A malformed argument (an empty batch, a bad option). */
export class InvalidArgumentError extends StoreError {
  override readonly name = 'InvalidArgumentError';
  readonly code = 'INVALID_ARGUMENT';
}

/** Whether `error` is a {@link StoreError}, optionally of a given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
