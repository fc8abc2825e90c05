/**
 * Validation of a batch against the limits, before anything is written: a batch that breaks a
 * limit is refused whole with a typed error and never reaches the log.
 */
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import { batchOpsMax, framePayloadBytesMax, keyBytesMax, valueBytesMax } from './limits.ts';
import type { Op } from './types.ts';

/**
 * The length of `s` in UTF-8, as `TextEncoder` encodes it (a lone surrogate becomes U+FFFD, 3
 * bytes), counted without encoding: validation needs only the length, and the encoding itself
 * is done once, by `encodeBatch`.
 */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Checks a batch and returns its encoded payload size.
 * @throws InvalidArgumentError for an empty or malformed batch
 * @throws LimitExceededError for a batch, key or value above its limit
 */
export function validateBatch(ops: readonly Op[]): number {
  if (!Array.isArray(ops) || ops.length === 0) throw new InvalidArgumentError('a batch needs at least one operation');
  if (ops.length > batchOpsMax) throw new LimitExceededError('batch operation count', ops.length, batchOpsMax);
  let payloadBytes = 4;
  for (const op of ops) {
    if (typeof op?.key !== 'string') throw new InvalidArgumentError('every operation needs a string key');
    const keyBytes = utf8ByteLength(op.key);
    if (keyBytes > keyBytesMax) throw new LimitExceededError('key size in bytes', keyBytes, keyBytesMax);
    payloadBytes += 5 + keyBytes;
    if (op.type === 'put') {
      if (!(op.value instanceof Uint8Array)) throw new InvalidArgumentError(`put '${op.key}' needs a Uint8Array value`);
      if (op.value.length > valueBytesMax) throw new LimitExceededError('value size in bytes', op.value.length, valueBytesMax);
      payloadBytes += 4 + op.value.length;
    } else if (op.type !== 'delete') {
      throw new InvalidArgumentError(`unknown operation type '${String((op as { type: unknown }).type)}'`);
    }
  }
  if (payloadBytes > framePayloadBytesMax) throw new LimitExceededError('batch size in bytes', payloadBytes, framePayloadBytesMax);
  return payloadBytes;
}
