/**
 * Reads during a run return the model's value.
 *
 * Verifies: a value returned by `get(key)` is the key's value after some prefix of the session's
 * commits that contains every commit acknowledged before the read began; with nothing in flight
 * that is exactly the state after all acknowledged commits. Commits still in flight (or rejected
 * as `unknown`) may or may not be visible, in issue order.
 *
 * Does not verify: that successive reads move forward (a read may see an in-flight commit that
 * a later read does not), nor reads after a crash (recovery is checked instead).
 */
import type { Op } from '../../engine/types.ts';
import type { ModelViolation } from './violation.ts';
import { differenceNote, formatKey, formatValue, readAsText, readAsTextNote, valuesEqual } from './values.ts';
import type { KvState, Value } from './values.ts';

/** What {@link checkRead} needs. */
export interface ReadCheckInput {
  /** The state before the first candidate commit. */
  readonly base: KvState;
  /** The commits since `base` that may be visible, in issue order. */
  readonly candidates: readonly (readonly Op[])[];
  /** How many leading candidates must be visible (one past the last acknowledged before the read). */
  readonly mustInclude: number;
  readonly key: string;
  /** What the read returned. */
  readonly seen: Value;
}

/**
 * Checks one read.
 * @returns a `reads` violation (expected: the value after every candidate), or nothing
 */
export function checkRead(input: ReadCheckInput): ModelViolation[] {
  const { key, seen } = input;
  let value = input.base.get(key);
  let allowed = input.mustInclude === 0 && valuesEqual(value, seen);
  input.candidates.forEach((ops, index) => {
    for (const op of ops) {
      if (op.key === key) value = op.type === 'put' ? op.value : undefined;
    }
    if (index + 1 >= input.mustInclude && valuesEqual(value, seen)) allowed = true;
  });
  if (allowed) return [];
  const expected = formatValue(value);
  return [{
    invariant: 'reads',
    message: `get(${formatKey(key)}) returned ${formatValue(seen)}; the model holds ${expected}${differenceNote(value, seen)}${readAsText(value, seen) ? readAsTextNote : ''}`,
    key,
    expected,
    seen: formatValue(seen),
  }];
}
