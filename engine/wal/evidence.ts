/**
 * Evidence of torn tails. Before recovery cuts a torn tail off the last segment (rule R5), it
 * keeps the bytes it will remove in a file next to the segment, in the spirit of etcd's
 * `repair.go`, which copies a damaged WAL file to `.broken` before truncating it: if a
 * "torn tail" verdict were ever wrong, the cut would not destroy the only copy of those bytes.
 *
 * Name: `<segment>.<n:10 digits>@<offset>.torn`, e.g. `00000000000000000003.wal.0000000002@4096.torn`:
 * the segment the bytes were cut from, an evidence number that grows by one per file kept (so the
 * oldest file is the one with the lowest number), and the segment offset where the cut starts.
 * The file holds exactly the bytes that were cut, from that offset to the old end of the segment
 * and nothing else, so that a person can read it with any hex viewer and the frame format.
 *
 * Recovery writes it as `<name>.tmp`, fsyncs it, renames it into place and fsyncs the directory
 * (files.ts), all before the truncation starts. That order makes every crash inside recovery safe:
 * - a crash while writing leaves a `.tmp` orphan and an uncut segment: the next recovery removes
 *   the orphan (rule K1) and keeps the bytes again;
 * - a crash after the rename but before the cut is durable leaves the evidence and (some of) the
 *   tail: the next recovery finds an evidence file for the same segment and offset holding
 *   exactly the bytes it would cut, writes no second copy, and cuts.
 * If the evidence cannot be written (a full disk), recovery fails with that I/O error and cuts
 * nothing: it will not destroy the only copy to make room. Opening again once there is space
 * completes the recovery.
 *
 * Orphan clean-up never removes evidence (the name ends in `.torn`, not `.tmp` or `.dead`), nor
 * does a checkpoint; only the limit of rule K4 (`tornEvidenceFilesMax`) does, oldest first.
 */
import { assert } from '../assert.ts';
import { segmentName } from './segments.ts';

const EVIDENCE_NAME = /^(\d{20})\.wal\.(\d{10,})@(\d+)\.torn$/;

/** What an evidence file name says. */
export interface EvidenceName {
  /** The file name itself. */
  readonly name: string;
  /** The sequence number of the segment the bytes were cut from. */
  readonly segmentSeq: number;
  /** The evidence number: one more than the highest present when it was kept. */
  readonly evidenceNumber: number;
  /** The offset in the segment where the cut bytes started. */
  readonly offset: number;
}

/** The name of the evidence file numbered `evidenceNumber` for a cut of segment `segmentSeq` at `offset`. */
export function evidenceName(segmentSeq: number, evidenceNumber: number, offset: number): string {
  assert(Number.isSafeInteger(evidenceNumber) && evidenceNumber >= 1, 'evidence numbers start at 1');
  assert(Number.isSafeInteger(offset) && offset >= 0, 'a cut starts at a file offset');
  return `${segmentName(segmentSeq)}.${String(evidenceNumber).padStart(10, '0')}@${offset}.torn`;
}

/** Parses an evidence file name, or returns `undefined` if `name` is not one. */
export function parseEvidenceName(name: string): EvidenceName | undefined {
  const match = EVIDENCE_NAME.exec(name);
  if (!match) return undefined;
  const segmentSeq = Number(match[1]);
  const evidenceNumber = Number(match[2]);
  const offset = Number(match[3]);
  if (![segmentSeq, evidenceNumber, offset].every(Number.isSafeInteger) || segmentSeq < 1 || evidenceNumber < 1) return undefined;
  return { name, segmentSeq, evidenceNumber, offset };
}

/** The evidence files among `names`, oldest (lowest evidence number) first. */
export function listEvidence(names: readonly string[]): EvidenceName[] {
  const found: EvidenceName[] = [];
  for (const name of names) {
    const parsed = parseEvidenceName(name);
    if (parsed !== undefined) found.push(parsed);
  }
  return found.sort((a, b) => a.evidenceNumber - b.evidenceNumber);
}
