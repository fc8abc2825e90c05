/**
 * Validation of a batch against the limits, before anything is written: a batch that breaks a
 * limit is refused whole with a typed error and never reaches the log.
 */
import { InvalidArgumentError, LimitExceededError } from './errors.ts';
import { batchOpsMax, framePayloadBytesMax, keyBytesMax, valueBytesMax } from './limits.ts';
import type { Op } from './types.ts';

const encoder = new TextEncoder();

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
    const keyBytes = encoder.encode(op.key).length;
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
