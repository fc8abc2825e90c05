/**
 * Limits: an engine that declares the largest key, value and batch it accepts
 * (sim/engine-contract.ts, `limits`) is held to them at the edge.
 * - A batch beyond a declared limit is refused. An engine that acknowledges it either checks
 *   nothing (and may write what its own reader refuses) or declared less than it takes.
 * - A batch within every declared limit is acknowledged, unless an injected fault other than a
 *   crash came before it in the run (a full disk, a failed fsync: an engine may refuse for a
 *   while after one). A refusal with no such fault is one of sizes the engine said it takes: a
 *   limit checked with `>=` for `>`, a length field one byte too narrow.
 *
 * Does not verify: limits the engine did not declare, nor why a refusal after a fault came (the
 * model keeps such a commit in doubt, or absent as the engine says).
 */
import type { Op } from '../../engine/types.ts';
import type { SizeLimits } from '../engine-contract.ts';
import type { ModelViolation } from './violation.ts';

const utf8 = new TextEncoder();

/**
 * The first declared limit `ops` goes beyond, as one phrase (`a key of 1025 bytes, above the
 * declared 1024`); `undefined` when the batch is within every declared limit.
 */
export function beyondLimits(ops: readonly Op[], limits: SizeLimits): string | undefined {
  if (limits.batchOps !== undefined && ops.length > limits.batchOps) return `${ops.length} operations, above the declared ${limits.batchOps}`;
  for (const op of ops) {
    if (limits.keyBytes !== undefined && op.key.length * 3 > limits.keyBytes) {
      const keyBytes = utf8.encode(op.key).length;
      if (keyBytes > limits.keyBytes) return `a key of ${keyBytes} bytes, above the declared ${limits.keyBytes}`;
    }
    if (op.type === 'put' && limits.valueBytes !== undefined && op.value.length > limits.valueBytes) return `a value of ${op.value.length} bytes, above the declared ${limits.valueBytes}`;
  }
  return undefined;
}

/** The engine acknowledged a batch beyond its declared limits (`beyond`: which, from {@link beyondLimits}). */
export function acceptedBeyondLimits(beyond: string): ModelViolation {
  return {
    invariant: 'limits',
    message: `the engine acknowledged a batch of ${beyond}: a batch beyond a declared limit must be refused`,
    expected: 'a refusal',
    seen: 'acknowledged',
  };
}

/** The engine refused a batch within its declared limits with no fault before it (`detail`: the error; `largest`: its largest key and value). */
export function refusedWithinLimits(detail: string, largest: string): ModelViolation {
  return {
    invariant: 'limits',
    message: `the engine refused a batch within its declared limits (${largest}) with no fault but crashes injected before it: ${detail}`,
    expected: 'acknowledged',
    seen: 'rejected',
  };
}

/** A batch's size, for a message: its operation count and its largest key and value in bytes. */
export function batchSize(ops: readonly Op[]): string {
  let key = 0;
  let value = 0;
  for (const op of ops) {
    key = Math.max(key, utf8.encode(op.key).length);
    if (op.type === 'put') value = Math.max(value, op.value.length);
  }
  return `${ops.length} operation${ops.length === 1 ? '' : 's'}, largest key ${key} bytes, largest value ${value} bytes`;
}
