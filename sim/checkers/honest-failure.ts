/**
 * Honest failure: the engine tells the truth about what it could not do.
 *
 * Verifies:
 * - after a failed fsync, no commit, sync or clean close is acknowledged until the store is
 *   reopened (acknowledging then promises durability the disk did not give);
 * - a refusal to open with a `CorruptionError` is *detected damage* when a fault really damaged
 *   durable data (a flipped bit, a damaged sector, a misdirected write that landed, a lost
 *   name), and names the file and offset of the damage;
 * - a `CorruptionError` with no damaging fault is `false-corruption`: a plain power loss or
 *   kill must be recovered from, not refused.
 * (A commit rejected as `absent` that later appears is found by recovery.ts.)
 *
 * Does not verify: that the named file and offset are where the fault struck (the engine may
 * find the damage through another structure), nor open failures other than `CorruptionError`
 * (transient I/O errors are the runner's to retry; liveness.ts bounds the retries).
 */
import { commitFields, describeCommit } from './violation.ts';
import type { CommitLabel, ModelViolation } from './violation.ts';

/**
 * What made the store fail, for a message: the operation that reported it and its error
 * (`checkpoint: StoreFailedError: ...`), or nothing when it is not known.
 */
function failedBecause(cause: string | undefined): string {
  return cause === undefined ? 'after the store failed' : `after the store failed (${cause})`;
}

/** A commit acknowledged by a store that had reported it failed (a failed fsync or write, most often). */
export function ackAfterFailure(commit: CommitLabel, lsn: number | undefined, cause?: string): ModelViolation {
  return {
    invariant: 'honest-failure',
    message: `${describeCommit(commit)} was acknowledged${lsn === undefined ? '' : ` with lsn ${lsn}`} ${failedBecause(cause)} and before it was reopened: a failed store acknowledges nothing until it is opened again`,
    ...commitFields({ id: commit.id, lsn }),
    expected: 'rejected',
    seen: 'acknowledged',
  };
}

/** A `sync()` acknowledged by a store that had reported it failed. */
export function syncAfterFailure(cause?: string): ModelViolation {
  return {
    invariant: 'honest-failure',
    message: `sync() was acknowledged ${failedBecause(cause)} and before it was reopened: a failed store acknowledges nothing until it is opened again`,
    expected: 'rejected',
    seen: 'acknowledged',
  };
}

/** How a refusal to open is judged. */
export type OpenRefusalVerdict =
  | { readonly verdict: 'detected'; readonly file?: string; readonly offset?: number }
  | { readonly verdict: 'violation'; readonly violation: ModelViolation };

/**
 * What an engine's refusal to open said: its message, and where the damage is when the error
 * names it (`file` and `offset` properties, as the reference engine's `CorruptionError` has).
 */
export interface Refusal {
  readonly message: string;
  readonly file?: unknown;
  readonly offset?: unknown;
}

/** The {@link Refusal} an error thrown by `open` carries. */
export function refusalOf(error: unknown): Refusal {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { message, file, offset } = error as { message?: unknown; file?: unknown; offset?: unknown };
  return { message: typeof message === 'string' ? message : String(error), file, offset };
}

/**
 * Judges a refusal to open because of damage (failure code `corruption`), or a refusal of a
 * read that met damage later (an engine that reads values from disk when asked: `what` names it).
 * @param refusal - what the refusal said
 * @param damagingFault - whether a media fault damaged data that had been made durable (the
 *   runner counts every one of the run: damage stays until the engine repairs it)
 * @returns `detected` after a damaging fault; a violation without one (`false-corruption`), or
 *   when the refusal says where the damage is but names no valid place (`honest-failure`)
 * @param what - what refused, for the message (`open`, `get("k1")`)
 */
export function judgeOpenRefusal(refusal: Refusal, damagingFault: boolean, what = 'open'): OpenRefusalVerdict {
  const where = refusal.file === undefined ? 'corruption' : `corruption in ${String(refusal.file)} at ${String(refusal.offset)}`;
  if (!damagingFault) {
    return {
      verdict: 'violation',
      violation: {
        invariant: 'false-corruption',
        message: `${what} refused with "${refusal.message}" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine's own writes left what it refuses (data relied on before it was synced, an overwrite in place a power loss tore sector by sector, or data relied on after a write or fsync failed)`,
        expected: 'recovery',
        seen: where,
      },
    };
  }
  if (refusal.file === undefined) return { verdict: 'detected' };
  const { file, offset } = refusal;
  if (typeof file !== 'string' || file === '' || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    return {
      verdict: 'violation',
      violation: {
        invariant: 'honest-failure',
        message: `${what} refused with a corruption error that does not name the damage (file "${String(file)}", offset ${String(offset)})`,
        expected: 'a file and a byte offset',
        seen: `file "${String(file)}", offset ${String(offset)}`,
      },
    };
  }
  return { verdict: 'detected', file, offset };
}
