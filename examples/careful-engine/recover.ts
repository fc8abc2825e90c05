/**
 * Reading the log back: which records count, and what to do about the first one that does not.
 * Pure: it looks at the bytes and decides; store.ts does the cutting and the fsyncs.
 *
 * Two kinds of damage look alike on disk and must be told apart, because one is normal and the
 * other is data loss:
 * - a **torn tail**: the machine died while records were appended and before they were
 *   fsynced. Nothing there was promised (strict mode acknowledges after the fsync; none mode
 *   promises nothing before `sync()`), so it is cut off. After a power loss such a tail can be
 *   cut short, zeros, garbage, or even an intact record behind a torn one (the disk may write
 *   pages out of order).
 * - **corruption**: damage to records that had been fsynced (bit rot, a bug). Cutting there
 *   would silently drop acknowledged commits, so the store refuses to open and says where.
 *
 * The rules, applied to the first record R that is not intact and chained to the one before:
 * 1. R has good checksums but contents no writer produces: corruption.
 * 2. R differs from an intact record in exactly one bit: corruption. Torn writes damage whole
 *    sectors, never one bit (see the magic and trailer in format.ts).
 * 3. An intact record further on says it was written when the file was fsynced past R's start
 *    (`durableBytes`): R had been durable, so this is corruption.
 * 4. R starts below what the last open served (served.ts): it had been read intact and
 *    fsynced, so this is corruption (damage to the disk), however it looks.
 * 5. Otherwise R and everything after it is a torn tail: cut it off. An fsync covers every
 *    earlier write of the file, so nothing after an unsynced record can have been fsynced.
 *
 * Cutting is idempotent: a crash in the middle of recovery leaves the same records intact, or
 * the tail already gone, and the next recovery decides the same.
 */
import { CarefulCorruptionError } from './errors.ts';
import { readRecordAt, startsWithMagic, type CarefulOp, type LogRecord, type RecordRead } from './format.ts';

/** What the log holds. */
export interface LogScan {
  /** Every live key and value after replaying the intact records. */
  readonly state: Map<string, Uint8Array>;
  /** The end of the last intact record: where the log is cut, and the next record goes. */
  readonly end: number;
  /** The checksum of the last intact record (0 for an empty log), for the next record's chain. */
  readonly lastCrc: number;
  /** Why the tail after `end` is cut off, when there is one. */
  readonly cutReason?: string;
}

/** Applies a batch to a state. */
export function applyOps(state: Map<string, Uint8Array>, ops: readonly CarefulOp[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

/**
 * Replays the log in `bytes` and judges its first bad record (see the module comment).
 * @param path - the log's path, for messages
 * @param servedBytes - how much of this log the last open served (rule 4; 0 when unknown)
 * @throws CarefulCorruptionError when the damage is not a torn tail
 */
export function scanLog(bytes: Uint8Array, path: string, servedBytes = 0): LogScan {
  const state = new Map<string, Uint8Array>();
  let offset = 0;
  let lastCrc = 0;
  while (offset < bytes.length) {
    const read = readRecordAt(bytes, offset);
    if (read.kind === 'intact' && read.record.prevCrc === lastCrc) {
      applyOps(state, read.record.ops);
      lastCrc = read.record.crc;
      offset = read.record.end;
      continue;
    }
    return { state, end: offset, lastCrc, cutReason: judge(bytes, offset, path, problemOf(read), servedBytes) };
  }
  return { state, end: offset, lastCrc };
}

function problemOf(read: RecordRead): Exclude<RecordRead, { kind: 'intact' }> {
  if (read.kind !== 'intact') return read;
  // Intact but not chained: left over from before a cut that never reached the disk.
  return { kind: 'garbage', detail: 'an intact record that does not follow the one before it' };
}

/**
 * Applies rules 1 to 5 to the bad record at `offset`.
 * @returns why the tail may be cut off
 * @throws CarefulCorruptionError when it may not
 */
function judge(bytes: Uint8Array, offset: number, path: string, problem: Exclude<RecordRead, { kind: 'intact' }>, servedBytes: number): string {
  if (problem.kind === 'malformed') throw new CarefulCorruptionError(path, offset, `${problem.detail}; checksums pass, so no crash did this`);
  if (problem.kind === 'single-bit') throw new CarefulCorruptionError(path, offset, `${problem.detail}; exactly one bit differs, which is bit rot, not a torn write`);
  const witness = durableWitness(bytes, offset);
  if (witness !== undefined) {
    throw new CarefulCorruptionError(path, offset, `${problem.detail}; the intact record at ${witness.offset} was written when ${witness.durableBytes} bytes were fsynced`);
  }
  if (offset < servedBytes) throw new CarefulCorruptionError(path, offset, `${problem.detail}; the last open served ${servedBytes} bytes of this log intact`);
  return `torn tail (${problem.kind}): ${problem.detail}`;
}

/** An intact record after `offset` that was written once the file was fsynced past `offset`. */
function durableWitness(bytes: Uint8Array, offset: number): LogRecord | undefined {
  for (let at = offset + 1; at < bytes.length; at++) {
    if (!startsWithMagic(bytes, at)) continue;
    const read = readRecordAt(bytes, at);
    if (read.kind === 'intact' && read.record.durableBytes > offset) return read.record;
  }
  return undefined;
}
