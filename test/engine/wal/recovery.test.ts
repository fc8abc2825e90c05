/**
 * The recovery rules of engine/wal/recovery.ts as pure functions, at their exact boundaries: which
 * rule decides a damaged frame (R1–R5, in that order), what counts as evidence that a frame was
 * durable (R4: equal LSNs count), the continuity rules C1–C3, and the small rules K1–K4.
 */
import { describe, expect, it } from 'vitest';
import type { FrameDamage } from '../../../engine/wal/reader.ts';
import { findIntactFramesAfter } from '../../../engine/wal/reader.ts';
import {
  evidenceBeyondLimit, isCoveredBySnapshot, isOrphanName, judgeContinuity, judgeDamage, judgeLogEnd, judgeSidecar,
  recoveryRules, type DamageContext,
} from '../../../engine/wal/recovery.ts';
import { frameAlignBytes, frameHeaderBytes } from '../../../engine/wal/format.ts';
import type { SidecarIndex } from '../../../engine/wal/sidecar.ts';
import { buildSegment, concatBytes, frameOf, strictFrames } from '../helpers/frames.ts';

/** Frames 1..5 written in strict mode; frame 3 (at offsets[2]) is the damaged one, expected LSN 3. */
const strict = buildSegment(strictFrames(1, 5));
const damagedAt = strict.offsets[2]!;

/** Damage of `kind` at frame 3, whose expected LSN is 3. */
function damage(kind: FrameDamage['kind'], extra: Partial<FrameDamage> = {}): FrameDamage {
  return { kind, offset: damagedAt, expectedLsn: 3, detail: `${kind} detail`, ...extra };
}

/** A last segment with no evidence at all: no sidecar, no snapshot, not closed cleanly, no later frames. */
function context(extra: Partial<DamageContext> = {}): DamageContext {
  return { bytes: strict.bytes.subarray(0, damagedAt), isLastSegment: true, sidecarSyncedLsn: 0, snapshotLsn: 0, cleanShutdown: false, manifestDurableLsn: 0, ...extra };
}

describe('judgeDamage: the first bad frame of a segment', () => {
  it('cuts a torn tail by rule R5 when nothing proves the frame durable, naming its kind and detail', () => {
    expect(judgeDamage(damage('cut-off'), context())).toEqual({
      action: 'truncate', rule: 'R5', offset: damagedAt, reason: 'torn tail (cut-off): cut-off detail',
    });
  });

  it('refuses damage in a sealed segment by rule R1, before any other rule', () => {
    const verdict = judgeDamage(damage('malformed', { singleBit: 3 }), context({ isLastSegment: false }));
    expect(verdict).toEqual({
      action: 'refuse', rule: 'R1', offset: damagedAt,
      reason: 'malformed detail; the segment is not the last, so it had been fsynced',
    });
  });

  it('refuses a checksum-valid frame with impossible contents by rule R2, before R3', () => {
    expect(judgeDamage(damage('malformed', { singleBit: 3 }), context())).toEqual({
      action: 'refuse', rule: 'R2', offset: damagedAt, reason: 'malformed detail; intact checksums over impossible contents',
    });
  });

  it('refuses one flipped bit by rule R3 (bit 0 included), before the evidence of R4', () => {
    expect(judgeDamage(damage('payload-checksum', { singleBit: 0 }), context({ snapshotLsn: 9, cleanShutdown: true }))).toEqual({
      action: 'refuse', rule: 'R3', offset: damagedAt,
      reason: 'payload-checksum detail; exactly one bit differs, which is bit rot, not a torn write',
    });
  });

  it('refuses by rule R4 when the snapshot LSN equals the expected LSN, and cuts when it is one below', () => {
    expect(judgeDamage(damage('zero'), context({ snapshotLsn: 3 }))).toEqual({
      action: 'refuse', rule: 'R4', offset: damagedAt,
      reason: 'zero detail; the snapshot at LSN 3 proves LSN 3 had been fsynced',
    });
    expect(judgeDamage(damage('zero'), context({ snapshotLsn: 2 }))).toMatchObject({ action: 'truncate', rule: 'R5' });
  });

  it('refuses by rule R4 when the sidecar watermark equals the expected LSN, and cuts when it is one below', () => {
    expect(judgeDamage(damage('header-checksum'), context({ sidecarSyncedLsn: 3 }))).toEqual({
      action: 'refuse', rule: 'R4', offset: damagedAt,
      reason: "header-checksum detail; the sidecar's synced watermark 3 proves LSN 3 had been fsynced",
    });
    expect(judgeDamage(damage('header-checksum'), context({ sidecarSyncedLsn: 2 }))).toMatchObject({ action: 'truncate' });
  });

  it('refuses by rule R4 after a clean close', () => {
    expect(judgeDamage(damage('cut-off'), context({ cleanShutdown: true }))).toEqual({
      action: 'refuse', rule: 'R4', offset: damagedAt,
      reason: 'cut-off detail; the store was closed cleanly, so every frame had been fsynced',
    });
  });

  it('refuses by rule R4 when a later intact frame records exactly the expected LSN as durable', () => {
    // Frame 4 (strict mode) carries durable LSN 3: it vouches for the damaged frame 3.
    const verdict = judgeDamage(damage('payload-checksum'), context({ bytes: strict.bytes }));
    expect(verdict).toEqual({
      action: 'refuse', rule: 'R4', offset: damagedAt,
      reason: `payload-checksum detail; the intact frame at offset ${strict.offsets[3]} (LSN 4) records LSN 3 as durable`,
    });
  });

  it('cuts when every later intact frame records only LSNs below the expected one as durable', () => {
    const tail = concatBytes(strict.bytes.subarray(0, damagedAt), frameOf({ lsn: 3, durableLsn: 1 }), frameOf({ lsn: 4, durableLsn: 2 }));
    expect(judgeDamage(damage('payload-checksum'), context({ bytes: tail }))).toMatchObject({ action: 'truncate', rule: 'R5' });
  });

  it('looks for evidence only after the damaged frame, never at it', () => {
    // An intact frame with the wrong LSN (a sequence problem) vouching for itself proves nothing.
    const bytes = concatBytes(strict.bytes.subarray(0, damagedAt), frameOf({ lsn: 7, durableLsn: 6 }));
    expect(judgeDamage(damage('sequence'), context({ bytes }))).toMatchObject({ action: 'truncate', rule: 'R5' });
  });
});

describe('findIntactFramesAfter: the scan for later frames after damage', () => {
  /** Bytes up to the damaged frame, `gap` bytes of garbage, then frames 4 and 5. */
  function afterGap(gap: number): { bytes: Uint8Array; from: number; later: number } {
    const head = strict.bytes.subarray(0, damagedAt);
    const junk = new Uint8Array(gap).fill(0xa5);
    return { bytes: concatBytes(head, junk, frameOf({ lsn: 4, durableLsn: 3 }), frameOf({ lsn: 5, durableLsn: 4 })), from: damagedAt, later: damagedAt + gap };
  }

  it('finds consecutive intact frames, each at its own offset, the last one ending exactly at the end of the file', () => {
    const { bytes, from, later } = afterGap(8);
    const size = frameOf({ lsn: 4, durableLsn: 3 }).length;
    expect(findIntactFramesAfter(bytes, from)).toEqual([
      { offset: later, lsn: 4, durableLsn: 3 },
      { offset: later + size, lsn: 5, durableLsn: 4 },
    ]);
  });

  it(`tries every ${frameAlignBytes}-byte aligned offset, starting one step after the damaged frame`, () => {
    for (const gap of [8, 16, 24, 40]) {
      const { bytes, from, later } = afterGap(gap);
      expect(findIntactFramesAfter(bytes, from)[0]?.offset).toBe(later);
    }
  });

  it('skips a frame whose header is intact but whose payload is not', () => {
    const { bytes, from, later } = afterGap(8);
    bytes[later + frameHeaderBytes]! ^= 0xff;
    expect(findIntactFramesAfter(bytes, from).map((found) => found.lsn)).toEqual([5]);
  });

  it('skips a frame cut off by the end of the file', () => {
    const { bytes, from } = afterGap(8);
    expect(findIntactFramesAfter(bytes.subarray(0, bytes.length - 1), from).map((found) => found.lsn)).toEqual([4]);
  });

  it('finds nothing when no intact frame follows', () => {
    expect(findIntactFramesAfter(strict.bytes.subarray(0, strict.offsets[4]), strict.offsets[3]!)).toEqual([]);
  });
});

describe('judgeContinuity: rules C1 and C2', () => {
  it('accepts a first live segment that starts at the first LSN after the snapshot, or before it', () => {
    expect(judgeContinuity(0, 11, 10, 10)).toBeUndefined();
    expect(judgeContinuity(0, 5, 10, 10)).toBeUndefined();
  });

  it('refuses a first live segment that starts after the first LSN after the snapshot (C1)', () => {
    expect(judgeContinuity(0, 12, 10, 10)).toEqual({
      rule: 'C1', reason: 'segment starts at LSN 12 but the snapshot ends at 10: a segment is missing',
    });
  });

  it('accepts a later segment that starts right after the last LSN of the one before, wherever the snapshot is', () => {
    expect(judgeContinuity(1, 21, 20, 0)).toBeUndefined();
  });

  it('refuses a later segment that leaves a gap or overlaps (C2)', () => {
    expect(judgeContinuity(1, 22, 20, 0)).toEqual({
      rule: 'C2', reason: 'segment starts at LSN 22, expected 21: a segment is missing or out of order',
    });
    expect(judgeContinuity(2, 20, 20, 0)).toMatchObject({ rule: 'C2' });
  });
});

describe('judgeLogEnd: rule C3', () => {
  it('accepts a log that ends exactly at the snapshot or after it', () => {
    expect(judgeLogEnd(10, 10, 0)).toBeUndefined();
    expect(judgeLogEnd(11, 10, 0)).toBeUndefined();
  });

  it('refuses a log that ends one LSN before the snapshot', () => {
    expect(judgeLogEnd(9, 10, 0)).toBe('the log ends at LSN 9, before the snapshot at 10: a segment is missing');
  });
});

describe('the small rules', () => {
  it('K1: only names ending in .tmp or .dead are orphans', () => {
    expect(['a.tmp', 'MANIFEST.tmp', '00000000000000000001.wal.dead'].map(isOrphanName)).toEqual([true, true, true]);
    expect(['MANIFEST', 'a.tmpx', 'a.deadx', 'tmp', '00000000000000000001.wal'].map(isOrphanName)).toEqual([false, false, false, false, false]);
  });

  it('K2: a segment is covered when the next one starts at or below the first LSN after the snapshot', () => {
    expect(isCoveredBySnapshot(11, 10)).toBe(true);
    expect(isCoveredBySnapshot(3, 10)).toBe(true);
    expect(isCoveredBySnapshot(12, 10)).toBe(false);
  });

  it('K3: a sidecar is ok, behind (last segment only) or stale', () => {
    const actual: SidecarIndex = { seq: 1, baseLsn: 1, syncedLsn: 3, offsets: [32, 64, 96], endOffset: 128 };
    const prefix: SidecarIndex = { ...actual, syncedLsn: 2, offsets: [32, 64], endOffset: 96 };
    expect(judgeSidecar(actual, actual, false)).toBe('ok');
    expect(judgeSidecar(prefix, actual, true)).toBe('behind');
    expect(judgeSidecar(prefix, actual, false)).toBe('stale');
    expect(judgeSidecar({ ...prefix, endOffset: 90 }, actual, true)).toBe('stale');
  });

  it('K4: removes the oldest evidence numbers beyond the limit, counting the incoming file, in numeric order', () => {
    expect(evidenceBeyondLimit([10, 9, 2, 11], 1, 3)).toEqual([2, 9]);
    expect(evidenceBeyondLimit([3, 1, 2], 0, 3)).toEqual([]);
    expect(evidenceBeyondLimit([3, 1, 2], 1, 3)).toEqual([1]);
    expect(evidenceBeyondLimit([], 1, 1)).toEqual([]);
    const numbers = [5, 4];
    evidenceBeyondLimit(numbers, 1, 1);
    expect(numbers).toEqual([5, 4]);
  });

  it('every rule carries its reason, in a sentence', () => {
    expect(Object.keys(recoveryRules).sort()).toEqual([
      'C1', 'C2', 'C3', 'F1', 'F2', 'F3', 'F4', 'F5', 'K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'R1', 'R2', 'R3', 'R4', 'R5',
    ]);
    for (const reason of Object.values(recoveryRules)) expect(reason).toMatch(/^[a-z].{40,}[a-z)]$/);
  });
});
