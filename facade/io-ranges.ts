/**
 * Node's checks of a read's or a write's offset and length against the caller's buffer, made
 * before any I/O (Node's `validateOffsetLengthRead` and `validateOffsetLengthWrite`): the same
 * `RangeError [ERR_OUT_OF_RANGE]` with the same message, so that a library that asks for more
 * than its buffer holds fails on the simulated disk as it would on the real one.
 */
import { nodeInternalError, type NodeInternalError } from './errors.ts';

/** Largest offset Node takes (`Number.MAX_SAFE_INTEGER`). */
const offsetMax = Number.MAX_SAFE_INTEGER;

function outOfRange(name: string, range: string, received: number): NodeInternalError {
  return nodeInternalError('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received}`, RangeError);
}

/** A read of `length` bytes into a buffer of `byteLength` at `offset`. @throws RangeError ERR_OUT_OF_RANGE */
export function checkReadRange(offset: number, length: number, byteLength: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > offsetMax) throw outOfRange('offset', `>= 0 && <= ${offsetMax}`, offset);
  if (length < 0) throw outOfRange('length', '>= 0', length);
  if (offset + length > byteLength) throw outOfRange('length', `<= ${byteLength - offset}`, length);
}

/** A write of `length` bytes from a buffer of `byteLength` at `offset`. @throws RangeError ERR_OUT_OF_RANGE */
export function checkWriteRange(offset: number, length: number, byteLength: number): void {
  if (offset > byteLength) throw outOfRange('offset', `<= ${byteLength}`, offset);
  if (length > byteLength - offset) throw outOfRange('length', `<= ${byteLength - offset}`, length);
  if (length < 0) throw outOfRange('length', '>= 0', length);
}

/**
 * Whether `error` is one of Node's argument errors (`ERR_OUT_OF_RANGE`, `ERR_INVALID_ARG_TYPE`),
 * which its callback functions throw at once instead of passing to the callback.
 */
export function isArgumentError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (error instanceof RangeError || error instanceof TypeError) && typeof code === 'string' && code.startsWith('ERR_');
}
