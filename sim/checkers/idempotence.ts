/**
 * Idempotent recovery: recovering the same disk twice gives the same state.
 *
 * Verifies: two states the runner obtained by recovering with no commit in between (recover,
 * crash during or right after recovery, recover again) are equal, key by key.
 *
 * Does not verify: that either state is correct (the model's `checkRecovered` does that, and it
 * also refuses a second recovery that differs from the first, since the first decided every
 * commit in doubt).
 */
import type { ModelViolation } from './violation.ts';
import { differenceNote, firstDifferingKey, formatKey, formatValue } from './values.ts';
import type { KvState } from './values.ts';

/**
 * Compares the states of two consecutive recoveries.
 * @param first - the state after the first recovery
 * @param second - the state after recovering again
 * @returns an `idempotence` violation naming the first differing key, or nothing
 */
export function checkIdempotent(first: KvState, second: KvState): ModelViolation[] {
  const key = firstDifferingKey(first, second);
  if (key === undefined) return [];
  const expected = formatValue(first.get(key));
  const seen = formatValue(second.get(key));
  return [{
    invariant: 'idempotence',
    message: `recovering again changed the state: key ${formatKey(key)} was ${expected} after the first recovery, ${seen} after the second${differenceNote(first.get(key), second.get(key))}`,
    key,
    expected,
    seen,
  }];
}
