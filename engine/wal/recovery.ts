/**
 * The recovery rules: what a bad frame means, and what recovery may do about it.
 *
 * Two kinds of damage look alike on disk and must be told apart, because one is normal and the
 * other is data loss:
 *
 * 1. A **torn tail**: the process or the machine died while frames were being appended and
 *    before they were fsynced. The frames were never acknowledged (an acknowledgement waits
 *    for the fsync, except in `none` mode, whose contract says unsynced commits may be lost),
 *    so cutting them off loses nothing that was promised. After a power loss the unsynced tail
 *    can be cut off, zero-filled (the size survived, the data did not), garbage, or even
 *    reordered: a torn frame followed by an intact later one (FIELD-NOTES: ALICE).
 * 2. **Corruption**: damage to frames that had been made durable (bit rot, a latent sector
 *    error, a bug). Cutting there would silently drop acknowledged commits and everything
 *    after them (LevelDB with paranoid_checks off leaves such holes). Recovery refuses to open
 *    and names the file and offset, as RocksDB's point-in-time and etcd's modes do for
 *    anything but a torn tail.
 *
 * The rules, in the order they are applied to the first bad frame F (expected LSN L):
 *
 * - R1. F is in a segment that is not the last: corruption. A segment is fsynced before the
 *   next one is created (rotation), so every frame of a sealed segment had been made durable.
 * - R2. F has intact checksums but impossible contents (`malformed`): corruption. No crash
 *   produces a checksum-valid frame with wrong contents; only a bug or tampering does.
 * - R3. F differs from an intact frame in exactly one bit: corruption (bit rot). A torn write
 *   damages whole sectors (zeros, old contents, or garbage), never one bit; CRC-32C locates a
 *   single-bit error uniquely, so this costs no false alarms in practice.
 * - R4. Some evidence proves L had been fsynced: corruption. Evidence is any of:
 *   an intact later frame whose durable-LSN field is ≥ L (each frame carries the LSN known
 *   durable when it was written, so a later frame vouches for earlier ones); the segment's
 *   sidecar synced watermark ≥ L; the snapshot LSN ≥ L (a checkpoint syncs the WAL first);
 *   the manifest records a clean close (close fsyncs the whole log before recording it).
 * - R5. Otherwise F is a torn tail: truncate the segment at F's offset, fsync the file and the
 *   directory, and count the bytes cut. Intact frames after F are cut too: with no evidence
 *   that they were durable, they were never acknowledged, and keeping them would leave a hole.
 *
 * Truncating is idempotent, so a crash during recovery followed by another recovery gives the
 * same state: the second run finds the same frames intact, or the tail already gone.
 */
import { CorruptionError } from '../errors.ts';
import { findIntactFramesAfter, type FrameDamage } from './reader.ts';

/** What recovery must do about the first bad frame of a segment. */
export type DamageVerdict =
  | { readonly action: 'truncate'; readonly offset: number; readonly reason: string }
  | { readonly action: 'refuse'; readonly error: CorruptionError };

/** Facts about the segment that the rules need. */
export interface DamageContext {
  /** Path of the segment, for the error message. */
  readonly path: string;
  /** The whole segment file. */
  readonly bytes: Uint8Array;
  /** Whether this is the last segment of the log. */
  readonly isLastSegment: boolean;
  /** The synced watermark of the segment's sidecar, if a valid sidecar was found (else 0). */
  readonly sidecarSyncedLsn: number;
  /** The LSN of the snapshot recovery starts from (0: none). */
  readonly snapshotLsn: number;
  /** Whether the manifest records a clean close: then every frame had been fsynced. */
  readonly cleanShutdown: boolean;
}

/** Applies rules R1–R5 to the first bad frame of a segment. */
export function judgeDamage(damage: FrameDamage, context: DamageContext): DamageVerdict {
  const refuse = (reason: string): DamageVerdict => ({
    action: 'refuse',
    error: new CorruptionError(context.path, damage.offset, `${damage.detail}; ${reason}`),
  });
  // R1: sealed segments were fsynced before the next segment existed.
  if (!context.isLastSegment) return refuse('the segment is not the last, so it had been fsynced');
  // R2: a valid checksum over impossible contents is never the work of a crash.
  if (damage.kind === 'malformed') return refuse('intact checksums over impossible contents');
  // R3: one flipped bit is bit rot; torn writes damage whole sectors.
  if (damage.singleBit !== undefined) return refuse('exactly one bit differs, which is bit rot, not a torn write');
  // R4: evidence that the frame had been made durable.
  if (context.snapshotLsn >= damage.expectedLsn) {
    return refuse(`the snapshot at LSN ${context.snapshotLsn} proves LSN ${damage.expectedLsn} had been fsynced`);
  }
  if (context.sidecarSyncedLsn >= damage.expectedLsn) {
    return refuse(`the sidecar's synced watermark ${context.sidecarSyncedLsn} proves LSN ${damage.expectedLsn} had been fsynced`);
  }
  if (context.cleanShutdown) return refuse('the store was closed cleanly, so every frame had been fsynced');
  for (const later of findIntactFramesAfter(context.bytes, damage.offset)) {
    if (later.durableLsn >= damage.expectedLsn) {
      return refuse(`the intact frame at offset ${later.offset} (LSN ${later.lsn}) records LSN ${later.durableLsn} as durable`);
    }
  }
  // R5: nothing proves the frame was ever durable: it is a torn tail of unsynced appends.
  return { action: 'truncate', offset: damage.offset, reason: `torn tail (${damage.kind}): ${damage.detail}` };
}
