/**
 * Honest failure: the engine tells the truth about what it could not do.
 *
 * Verifies:
 * - after a failed fsync, no commit, sync or clean close is acknowledged until the store is
 *   reopened (acknowledging then promises durability the disk did not give);
 * - a refusal to open with a `CorruptionError` is *detected damage* when a fault really damaged
 *   durable data (bit flip, read error), and names the file and offset of the damage;
 * - a `CorruptionError` with no damaging fault is `false-corruption`: a plain power loss or
 *   kill must be recovered from, not refused.
 * (A commit rejected as `absent` that later appears is found by recovery.ts.)
 *
 * Does not verify: that the named file and offset are where the fault struck (the engine may
 * find the damage through another structure), nor open failures other than `CorruptionError`
 * (transient I/O errors are the runner's to retry; liveness.ts bounds the retries).
 */
import { CorruptionError } from '../../engine/errors.ts';
import { commitFields, describeCommit } from './violation.ts';
import type { CommitLabel, ModelViolation } from './violation.ts';

/** A commit acknowledged by a store that had seen its fsync fail. */
export function ackAfterFailure(commit: CommitLabel, lsn: number): ModelViolation {
  return {
    invariant: 'honest-failure',
    message: `${describeCommit(commit)} was acknowledged with lsn ${lsn} after an fsync failed and before the store was reopened`,
    ...commitFields(commit),
    lsn,
    expected: 'rejected',
    seen: 'acknowledged',
  };
}

/** A `sync()` acknowledged by a store that had seen an fsync fail. */
export function syncAfterFailure(): ModelViolation {
  return {
    invariant: 'honest-failure',
    message: 'sync() was acknowledged after an fsync failed and before the store was reopened',
    expected: 'rejected',
    seen: 'acknowledged',
  };
}

/** How a refusal to open is judged. */
export type OpenRefusalVerdict =
  | { readonly verdict: 'detected'; readonly file: string; readonly offset: number }
  | { readonly verdict: 'violation'; readonly violation: ModelViolation }
  | { readonly verdict: 'not-judged' };

/**
 * Judges an error thrown by `open`.
 * @param error - what `open` threw
 * @param damagingFault - whether a fault damaged data that had been made durable (bit flip,
 *   read error on durable data) since the store was last opened successfully
 * @returns `detected` for a `CorruptionError` naming its damage after a damaging fault;
 *   a violation for a `CorruptionError` without one, or one that names nothing;
 *   `not-judged` for any other error
 */
export function judgeOpenRefusal(error: unknown, damagingFault: boolean): OpenRefusalVerdict {
  if (!(error instanceof CorruptionError)) return { verdict: 'not-judged' };
  if (!damagingFault) {
    return {
      verdict: 'violation',
      violation: {
        invariant: 'false-corruption',
        message: `open refused with "${error.message}" although no fault damaged durable data`,
        expected: 'recovery',
        seen: `CorruptionError in ${error.file} at ${error.offset}`,
      },
    };
  }
  if (error.file === '' || !Number.isInteger(error.offset) || error.offset < 0) {
    return {
      verdict: 'violation',
      violation: {
        invariant: 'honest-failure',
        message: `open refused with a CorruptionError that does not name the damage (file "${error.file}", offset ${error.offset})`,
        expected: 'a file and a byte offset',
        seen: `file "${error.file}", offset ${error.offset}`,
      },
    };
  }
  return { verdict: 'detected', file: error.file, offset: error.offset };
}
