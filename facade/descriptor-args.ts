/**
 * How Node 20 reads the arguments of a descriptor's `read` and `write`, face by face, before any
 * I/O: which argument is the buffer, the options, the callback; what an absent or odd offset,
 * length or position means; and which it refuses, with which error. The simulated disk then sees
 * only whole, checked requests, so a library that computes an offset badly fails on it exactly as
 * on the real fs (test/facade/differential-arguments.test.ts plays every odd value against it),
 * never with an `EINVAL` Node would not give.
 *
 * Node 20's rules, as measured there:
 * - `fs.readSync` and `fs.read` truncate the length (`length | 0`: 1.5 reads 1 byte, NaN reads
 *   none) and refuse a position that is no integer from -1 (`ERR_OUT_OF_RANGE`; a bigint may be
 *   any 64-bit value; a string is `ERR_INVALID_ARG_TYPE`), thrown at once, callback or not.
 * - `FileHandle.read` takes any position that is no safe integer as "at the descriptor's
 *   position", and a missing length as the rest of the buffer.
 * - Every write refuses a length that is no int32 within the buffer, and takes a position that is
 *   no safe integer from 0 as "at the descriptor's position" (libuv's offset -1).
 * - Every face refuses a buffer offset that is no integer from 0.
 * - A negative position that passes (-1, or a negative bigint, or any negative safe integer for a
 *   FileHandle) reads or writes at the descriptor's position: libuv's rule for negative offsets.
 */
import { Buffer } from 'node:buffer';
import { nodeInternalError, type NodeInternalError } from './errors.ts';
import { checkReadRange, checkWriteRange } from './io-ranges.ts';

/** A read the disk will serve: `length` bytes into `buffer` from `offset`, at `position` (null: at the descriptor's position). */
export interface ReadRequest {
  readonly buffer: ArrayBufferView;
  readonly offset: number;
  /** 0: answered at once, without looking at the descriptor, as Node does. */
  readonly length: number;
  readonly position: number | null;
}

/** A write the disk will take: `bytes` at `position` (null: at the descriptor's position). */
export interface WriteRequest {
  readonly bytes: Uint8Array;
  readonly position: number | null;
}

/** Node's own default buffer for a read that names none. */
const defaultReadBytes = 16 * 1024;
const int32Max = 2 ** 31 - 1;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/**
 * The arguments after the descriptor of `fs.readSync(fd, buffer, offsetOrOptions?, length?,
 * position?)`, as Node 20 reads them (three or fewer arguments, or an object third, are the
 * options form).
 * @throws TypeError or RangeError with Node's code, for what Node refuses
 */
export function readSyncRequest(args: readonly unknown[]): ReadRequest {
  const [buffer, offsetOrOptions] = args;
  checkBuffer(buffer);
  let { offset, length, position } = { offset: offsetOrOptions, length: args[2], position: args[3] };
  if (args.length <= 2 || typeof offsetOrOptions === 'object') {
    if (offsetOrOptions !== undefined) checkOptions(offsetOrOptions);
    ({ offset, length, position } = withReadDefaults(buffer, offsetOrOptions));
  }
  return strictRead(buffer, offset === undefined ? 0 : offset, length, position);
}

/**
 * The arguments after the descriptor of `fs.read`, callback last: `(buffer, offset, length,
 * position, callback)`, `(buffer, options, callback)`, `(options, callback)` or `(callback)`, as
 * Node 20 reads them (a read that names no buffer gets a new 16 KiB one).
 * @returns the request, and the callback (checked to be a function)
 * @throws TypeError or RangeError with Node's code, for what Node refuses
 */
export function readCallbackRequest(args: readonly unknown[]): { request: ReadRequest; callback: (...results: unknown[]) => void } {
  let [buffer, offset, length, position, callback] = args;
  if (args.length <= 3) {
    let params: unknown = null;
    if (args.length === 3) {
      checkOptions(offset);
      params = offset;
      callback = length;
    } else if (args.length === 2) {
      if (!ArrayBuffer.isView(buffer)) {
        params = buffer;
        const named = (buffer as { buffer?: unknown } | null | undefined)?.buffer;
        buffer = named === undefined ? Buffer.alloc(defaultReadBytes) : named;
      }
      callback = offset;
    } else {
      callback = buffer;
      buffer = Buffer.alloc(defaultReadBytes);
    }
    if (params !== undefined) checkOptions(params);
    ({ offset, length, position } = withReadDefaults(buffer, params));
  }
  checkBuffer(buffer);
  if (typeof callback !== 'function') throw invalidType('cb', 'of type function', callback);
  return { request: strictRead(buffer, offset ?? 0, length, position), callback: callback as (...results: unknown[]) => void };
}

/**
 * The arguments of `FileHandle.read(buffer?, offset?, length?, position?)`, or `(options)` or
 * `(buffer, options)`, as Node 20 reads them.
 * @throws TypeError or RangeError with Node's code, for what Node refuses (the promise rejects)
 */
export function readHandleRequest(args: readonly unknown[]): ReadRequest {
  let [buffer, offset, length, position] = args;
  if (!ArrayBuffer.isView(buffer)) {
    if (buffer !== undefined) checkOptions(buffer);
    const params = (buffer ?? {}) as { buffer?: unknown };
    const target = params.buffer === undefined ? Buffer.alloc(defaultReadBytes) : params.buffer;
    ({ offset, length, position } = withReadDefaults(target, params));
    buffer = target;
    checkBuffer(buffer);
  }
  if (offset !== null && typeof offset === 'object') ({ offset, length, position } = withReadDefaults(buffer, offset));
  const start = offset ?? 0;
  checkInteger(start, 'offset', 0);
  const size = length ?? buffer.byteLength - start;
  if (size === 0) return { buffer, offset: start, length: 0, position: null };
  if (buffer.byteLength === 0) throw emptyBuffer(buffer);
  checkReadRange(start, size as number, buffer.byteLength);
  // Node 20 aborts the whole process (a failed IsInt32 assertion) on a length that is no
  // integer; the facade cannot, so it refuses the read as Node refuses a write's.
  if (!Number.isInteger(size)) throw outOfRange('length', 'an integer', size);
  return { buffer, offset: start, length: size as number, position: Number.isSafeInteger(position) && (position as number) >= 0 ? (position as number) : null };
}

/**
 * The arguments after the descriptor of a write, any face (`fs.writeSync`, `fs.write` without its
 * callback, `FileHandle.write`): `(buffer, offset?, length?, position?)`, `(buffer, options)` or
 * `(string, position?, encoding?)`, as Node 20 reads them.
 * @throws TypeError or RangeError with Node's code, for what Node refuses
 */
export function writeRequest(args: readonly unknown[]): WriteRequest {
  const [data, offsetOrOptions] = args;
  if (typeof data === 'string') {
    // An encoding Node does not know is UTF-8, as its binding takes it; only odd hex is refused.
    const named = args[2];
    const encoding: BufferEncoding = typeof named === 'string' && Buffer.isEncoding(named) ? named : 'utf8';
    if (encoding.toLowerCase() === 'hex' && data.length % 2 !== 0) {
      throw nodeInternalError('ERR_INVALID_ARG_VALUE', `The argument 'encoding' is invalid for data of length ${data.length}. Received ${received(named)}`, TypeError);
    }
    return { bytes: Buffer.from(data, encoding), position: writePosition(offsetOrOptions) };
  }
  if (!ArrayBuffer.isView(data)) throw invalidType('buffer', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
  let { offset, length, position } = { offset: offsetOrOptions, length: args[2], position: args[3] };
  if (typeof offsetOrOptions === 'object') {
    const options = (offsetOrOptions ?? {}) as { offset?: unknown; length?: unknown; position?: unknown };
    offset = options.offset ?? 0;
    length = options.length ?? data.byteLength - (offset as number);
    position = options.position;
  }
  const start = offset ?? 0;
  checkInteger(start, 'offset', 0);
  const size = typeof length === 'number' ? length : data.byteLength - start;
  checkWriteRange(start, size, data.byteLength);
  checkInteger(size, 'length', 0, int32Max);
  return { bytes: new Uint8Array(data.buffer, data.byteOffset + start, size), position: writePosition(position) };
}

/** A write's position: a safe integer from 0, else at the descriptor's position (libuv's offset -1). */
function writePosition(position: unknown): number | null {
  return Number.isSafeInteger(position) && (position as number) >= 0 ? (position as number) : null;
}

/** `fs.read` and `fs.readSync` after the options form filled in: Node's strict checks. */
function strictRead(buffer: ArrayBufferView, offset: unknown, length: unknown, position: unknown): ReadRequest {
  checkInteger(offset, 'offset', 0);
  const size = (length as number) | 0;
  if (size === 0) return { buffer, offset, length: 0, position: null };
  if (buffer.byteLength === 0) throw emptyBuffer(buffer);
  checkReadRange(offset, size, buffer.byteLength);
  return { buffer, offset, length: size, position: strictPosition(position ?? -1) };
}

/** A read's position as `fs.read` and `fs.readSync` take it: an integer from -1, or a 64-bit bigint; negative: at the descriptor's position. */
function strictPosition(position: unknown): number | null {
  if (typeof position === 'number') {
    checkInteger(position, 'position', -1);
    return position < 0 ? null : position;
  }
  if (typeof position === 'bigint') {
    if (position < int64Min || position > int64Max) throw outOfRange('position', `>= ${int64Min} && <= ${int64Max}`, position);
    return position < 0n ? null : Number(position);
  }
  throw invalidType('position', 'of type bigint or integer', position);
}

/** The options form's defaults, for what it leaves undefined (not null): offset 0, the rest of the buffer, at the descriptor's position. */
function withReadDefaults(buffer: unknown, options: unknown): { offset: unknown; length: unknown; position: unknown } {
  const given = (options ?? {}) as { offset?: unknown; length?: unknown; position?: unknown };
  const offset = given.offset === undefined ? 0 : given.offset;
  const byteLength = (buffer as { byteLength?: number } | null | undefined)?.byteLength;
  const length = given.length !== undefined ? given.length : byteLength === undefined ? undefined : byteLength - (offset as number);
  return { offset, length, position: given.position === undefined ? null : given.position };
}

function checkBuffer(buffer: unknown): asserts buffer is ArrayBufferView {
  if (!ArrayBuffer.isView(buffer)) throw invalidType('buffer', 'an instance of Buffer, TypedArray, or DataView', buffer);
}

/** Node's `validateObject` allowing null: an object that is no array. */
function checkOptions(options: unknown): void {
  if (options !== null && (typeof options !== 'object' || Array.isArray(options))) throw invalidType('options', 'of type object', options);
}

/** Node's `validateInteger`. */
function checkInteger(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number') throw invalidType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

function emptyBuffer(buffer: ArrayBufferView): NodeInternalError {
  return nodeInternalError('ERR_INVALID_ARG_VALUE', `The argument 'buffer' is empty and cannot be written. Received ${received(buffer)}`, TypeError);
}

function outOfRange(name: string, range: string, value: unknown): NodeInternalError {
  return nodeInternalError('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be ${range}. Received ${received(value)}`, RangeError);
}

function invalidType(name: string, expected: string, value: unknown): NodeInternalError {
  const what = name.includes('.') ? `"${name}" property` : `"${name}" argument`;
  return nodeInternalError('ERR_INVALID_ARG_TYPE', `The ${what} must be ${expected}. Received ${receivedType(value)}`, TypeError);
}

/** A value as Node's range errors print it (`9_007_199_254_740_992`, `5n`). */
function received(value: unknown): string {
  if (typeof value === 'number') return Math.abs(value) > 2 ** 32 ? separated(String(value)) : String(value);
  if (typeof value === 'bigint') return `${value > 2n ** 32n || value < -(2n ** 32n) ? separated(String(value)) : String(value)}n`;
  if (typeof value === 'string') return `'${value}'`;
  if (ArrayBuffer.isView(value)) return `<${value.constructor.name} >`;
  return String(value);
}

/** A value as Node's type errors print it (`type string ('1')`, `null`). */
function receivedType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${(value as { name?: string }).name ?? ''}`;
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  return `type ${typeof value} (${typeof value === 'string' ? `'${value}'` : received(value)})`;
}

/** Digits grouped by three with underscores, as Node prints large numbers. */
function separated(digits: string): string {
  const sign = digits.startsWith('-') ? '-' : '';
  const body = sign === '' ? digits : digits.slice(1);
  if (!/^\d+$/.test(body)) return digits;
  return sign + body.replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}
