/**
 * The recovery rules: every decision recovery makes, each with its reason, in one place.
 * The analysis (engine/analysis.ts) reads a store directory and applies these rules without
 * writing anything; `recover` carries out what they decided, and `inspect`/`verify` report it.
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
 * The rules for the first bad frame F of a segment (expected LSN L), in the order they apply:
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
 *   the manifest records a clean close (close fsyncs the whole log before recording it); the
 *   manifest's durable LSN ≥ L (a checkpoint, a clean close or a recovery recorded that the log
 *   held L durably: a recovery fsyncs what it replayed and records it before it serves it, so
 *   what one recovery served the next never takes for a torn tail).
 * - R5. Otherwise F is a torn tail: keep the bytes from F's offset to the end in an evidence
 *   file (rule K4), then truncate the segment there, fsync the file and the directory, and
 *   count the bytes cut. Intact frames after F are cut too: with no evidence that they were
 *   durable, they were never acknowledged, and keeping them would leave a hole.
 *
 * The other rules are listed with their reasons in {@link recoveryRules}: C for the shape of the
 * log, F for the files recovery starts from, K for repairs that lose nothing.
 *
 * Every repair is idempotent, so a crash during recovery followed by another recovery gives the
 * same state: the second run finds the same frames intact, or the tail already gone.
 */
import { findIntactFramesAfter, type FrameDamage } from './reader.ts';
import { sidecarIsPrefix, sidecarMatches, type SidecarIndex } from './sidecar.ts';

/** Rules that refuse to open: the store holds damage recovery will not repair on its own. */
export type RefusalRule = 'R1' | 'R2' | 'R3' | 'R4' | 'C1' | 'C2' | 'C3' | 'F1' | 'F2' | 'F3' | 'F4' | 'F5';
/** Rules that repair: each loses nothing that was acknowledged. */
export type RepairRule = 'R5' | 'K1' | 'K2' | 'K3' | 'K4' | 'K5' | 'K6' | 'K7';
/** Every recovery rule. */
export type RecoveryRule = RefusalRule | RepairRule;

/** Each rule with its reason, for reports and for people reading a refusal. */
export const recoveryRules: Readonly<Record<RecoveryRule, string>> = {
  R1: 'damage in a segment that is not the last is corruption: a segment is fsynced before the next one is created',
  R2: 'a checksum-valid frame with impossible contents is corruption: no crash produces one',
  R3: 'a frame one bit away from intact is bit rot: torn writes damage whole sectors',
  R4: 'a damaged frame proven durable (snapshot, sidecar watermark, clean close, the manifest\'s durable LSN, or a later frame) is corruption',
  R5: 'a damaged frame nothing proves durable is a torn tail of unsynced appends: keep its bytes, then cut it off',
  C1: 'the first live segment must start at or before the first LSN after the snapshot, or a segment is missing',
  C2: 'each segment must start right after the last frame of the one before, or a segment is missing or out of order',
  C3: 'the log must reach the snapshot and the LSN the manifest records durable, or a segment is missing (or the next commit would follow a gap)',
  F1: 'a store with segments, snapshots, sidecars or torn-tail evidence has a manifest: it is written before any segment',
  F2: 'the manifest is replaced atomically, so a damaged or oversized one is corruption',
  F3: 'a manifest of a format version this engine does not know refuses to open rather than guess',
  F4: 'the snapshot the manifest names was made durable before the manifest named it: missing or damaged is corruption',
  F5: 'a segment header is fsynced before its name is published: a damaged header or an oversized segment is corruption',
  K1: 'temporary (*.tmp) and dead (*.dead) files were never part of the store: remove them, never adopt them',
  K2: 'segments wholly covered by the snapshot, other snapshots and sidecars of segments that are gone are left by an interrupted prune (or a lost segment): remove them',
  K3: 'a sidecar that does not describe its segment exactly is rebuilt from it: the segment always wins',
  K4: 'the bytes a torn-tail cut removes are kept in an evidence file first, so a wrong verdict never destroys the only copy; the oldest beyond the limit are removed',
  K5: 'the last segment and the directory are fsynced before serving: frames replayed from the page cache after a kill -9, and names an interrupted recovery renamed, may not be durable yet',
  K6: 'an empty directory becomes a store: the manifest first, then the first segment',
  K7: 'the manifest records that the store is open and the LSN this recovery made durable, so the next open can tell a clean close and never cuts what this one served',
};

/** What recovery must do about the first bad frame of a segment. Plain data. */
export type DamageVerdict =
  | { readonly action: 'truncate'; readonly rule: 'R5'; readonly offset: number; readonly reason: string }
  | { readonly action: 'refuse'; readonly rule: 'R1' | 'R2' | 'R3' | 'R4'; readonly offset: number; readonly reason: string };

/** Facts about the segment that the rules need. */
export interface DamageContext {
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
  /** The LSN the manifest records durable (0: none). */
  readonly manifestDurableLsn: number;
}

/** Applies rules R1–R5 to the first bad frame of a segment. */
export function judgeDamage(damage: FrameDamage, context: DamageContext): DamageVerdict {
  const refuse = (rule: 'R1' | 'R2' | 'R3' | 'R4', reason: string): DamageVerdict => ({
    action: 'refuse', rule, offset: damage.offset, reason: `${damage.detail}; ${reason}`,
  });
  // R1: sealed segments were fsynced before the next segment existed.
  if (!context.isLastSegment) return refuse('R1', 'the segment is not the last, so it had been fsynced');
  // R2: a valid checksum over impossible contents is never the work of a crash.
  if (damage.kind === 'malformed') return refuse('R2', 'intact checksums over impossible contents');
  // R3: one flipped bit is bit rot; torn writes damage whole sectors.
  if (damage.singleBit !== undefined) return refuse('R3', 'exactly one bit differs, which is bit rot, not a torn write');
  // R4: evidence that the frame had been made durable.
  if (context.snapshotLsn >= damage.expectedLsn) {
    return refuse('R4', `the snapshot at LSN ${context.snapshotLsn} proves LSN ${damage.expectedLsn} had been fsynced`);
  }
  if (context.sidecarSyncedLsn >= damage.expectedLsn) {
    return refuse('R4', `the sidecar's synced watermark ${context.sidecarSyncedLsn} proves LSN ${damage.expectedLsn} had been fsynced`);
  }
  if (context.cleanShutdown) return refuse('R4', 'the store was closed cleanly, so every frame had been fsynced');
  if (context.manifestDurableLsn >= damage.expectedLsn) {
    return refuse('R4', `the manifest records LSN ${context.manifestDurableLsn} durable, which proves LSN ${damage.expectedLsn} had been fsynced`);
  }
  for (const later of findIntactFramesAfter(context.bytes, damage.offset)) {
    if (later.durableLsn >= damage.expectedLsn) {
      return refuse('R4', `the intact frame at offset ${later.offset} (LSN ${later.lsn}) records LSN ${later.durableLsn} as durable`);
    }
  }
  // R5: nothing proves the frame was ever durable: it is a torn tail of unsynced appends.
  return { action: 'truncate', rule: 'R5', offset: damage.offset, reason: `torn tail (${damage.kind}): ${damage.detail}` };
}

/** A continuity problem: which rule refuses, and why. */
export interface ContinuityProblem {
  readonly rule: 'C1' | 'C2';
  readonly reason: string;
}

/**
 * Rules C1 and C2 for one live segment.
 * @param index - position among the live segments (0: the first)
 * @param baseLsn - the LSN the segment's first frame carries
 * @param logLastLsn - the last LSN recovered so far (the snapshot LSN before the first segment)
 * @param snapshotLsn - the LSN of the snapshot recovery starts from
 */
export function judgeContinuity(index: number, baseLsn: number, logLastLsn: number, snapshotLsn: number): ContinuityProblem | undefined {
  // C1: frames after the snapshot must start in the first live segment, or some were lost.
  if (index === 0 && baseLsn > snapshotLsn + 1) {
    return { rule: 'C1', reason: `segment starts at LSN ${baseLsn} but the snapshot ends at ${snapshotLsn}: a segment is missing` };
  }
  // C2: LSNs grow by one per commit across segments too.
  if (index > 0 && baseLsn !== logLastLsn + 1) {
    return { rule: 'C2', reason: `segment starts at LSN ${baseLsn}, expected ${logLastLsn + 1}: a segment is missing or out of order` };
  }
  return undefined;
}

/**
 * Rule C3: the log must reach the snapshot, and the LSN the manifest records durable. Compared
 * on the end of the log itself (the last frame of the last segment, the LSN before its base when
 * it is empty, the snapshot's LSN when no segment is left), because the LSN recovered never
 * drops below the snapshot's. The last segment is named nowhere else, so losing it leaves no gap
 * between segments (C1, C2) to see: only the manifest's durable LSN shows it gone.
 */
export function judgeLogEnd(logEndLsn: number, snapshotLsn: number, manifestDurableLsn: number): string | undefined {
  if (logEndLsn < snapshotLsn) return `the log ends at LSN ${logEndLsn}, before the snapshot at ${snapshotLsn}: a segment is missing`;
  if (logEndLsn < manifestDurableLsn) {
    return `the log ends at LSN ${logEndLsn}, before LSN ${manifestDurableLsn}, which the manifest records durable: a segment is missing`;
  }
  return undefined;
}

/** Rule K1: whether a file name is a leftover of an interrupted replace, creation or prune. */
export function isOrphanName(name: string): boolean {
  return name.endsWith('.tmp') || name.endsWith('.dead');
}

/**
 * Rule K2 for segments: segment k is wholly covered by the snapshot when segment k+1 starts at
 * or below the first LSN after it; its frames are all in the snapshot.
 */
export function isCoveredBySnapshot(nextBaseLsn: number, snapshotLsn: number): boolean {
  return nextBaseLsn <= snapshotLsn + 1;
}

/**
 * Rule K3: how a sidecar that decodes compares with what a scan of its segment found. Only `ok`
 * is kept as it is; recovery rebuilds the others. `behind` is the routine state of the last
 * segment, whose sidecar is rewritten only now and then, so it may index a prefix of its frames;
 * a sealed segment's sidecar must index all of them.
 */
export function judgeSidecar(found: SidecarIndex, actual: SidecarIndex, isLastSegment: boolean): 'ok' | 'behind' | 'stale' {
  if (sidecarMatches(found, actual)) return 'ok';
  if (isLastSegment && sidecarIsPrefix(found, actual)) return 'behind';
  return 'stale';
}

/**
 * Rule K4's limit: which evidence files to remove once `incoming` new ones are added, oldest
 * (lowest evidence number) first, so that at most `kept` remain.
 * @param numbers - evidence numbers of the files present, any order
 */
export function evidenceBeyondLimit(numbers: readonly number[], incoming: number, kept: number): number[] {
  const excess = numbers.length + incoming - kept;
  if (excess <= 0) return [];
  return [...numbers].sort((a, b) => a - b).slice(0, excess);
}
