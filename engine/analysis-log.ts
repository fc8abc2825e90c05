/**
 * The log half of the read-only analysis (analysis.ts): read every segment and its sidecar,
 * apply the rules of wal/recovery.ts to them, and replay the live frames on top of the
 * snapshot. It reads segment headers first (rule F5, and which segments the snapshot covers),
 * then each segment whole, one at a time, so that at most one segment is in memory.
 *
 * Nothing here writes: what recovery should do is returned as data, and after a refusal the
 * analysis goes on as far as it can, so that `verify` can report every problem at once.
 */
import { readWholeFile } from './files.ts';
import { framePayloadBytesMax, segmentSizeBytesMax, sidecarBytesMax } from './limits.ts';
import { manifestFileName } from './manifest.ts';
import { joinPath, type FileSystem } from './ports/fs.ts';
import type { Refusal, ReplayResult, SegmentAnalysis, SegmentDamage, SegmentRole, SidecarState } from './recovery-plan.ts';
import { decodeSegmentHeader, segmentHeaderBytes, walFormatVersion } from './wal/format.ts';
import { scanSegment, type SegmentScan } from './wal/reader.ts';
import { isCoveredBySnapshot, judgeContinuity, judgeDamage, judgeLogEnd, judgeSidecar } from './wal/recovery.ts';
import { listSegments, segmentName, sidecarName } from './wal/segments.ts';
import { decodeSidecar, type SidecarIndex } from './wal/sidecar.ts';

/** Largest segment file recovery reads: a segment may pass its size by up to one group of frames. */
export const segmentReadBytesMax = segmentSizeBytesMax + 2 * framePayloadBytesMax;

/** What the log analysis starts from: the directory and what the manifest and snapshot said. */
export interface LogStart {
  readonly fs: FileSystem;
  readonly dir: string;
  /** The directory's names, orphans left out. */
  readonly names: readonly string[];
  readonly snapshotLsn: number;
  readonly cleanShutdown: boolean;
  /** The LSN the manifest records durable (0 without a manifest). */
  readonly manifestDurableLsn: number;
  /** The snapshot's state; the live frames are applied to it. */
  readonly state: Map<string, Uint8Array>;
}

/** What the log analysis found. */
export interface LogAnalysis {
  readonly segments: readonly SegmentAnalysis[];
  readonly replay: ReplayResult;
  /** The torn tail rule R5 cuts off the last segment, if any: its bytes as found. */
  readonly tornTail?: Uint8Array;
}

/** A segment's header, read before anything else. */
interface SegmentHead {
  readonly seq: number;
  readonly name: string;
  readonly file: string;
  readonly size: number;
  readonly baseLsn?: number;
  readonly headerProblem?: string;
}

/** A segment's sidecar as read, before it is compared with the segment. */
type SidecarRead = { readonly state: 'missing' | 'corrupt' } | { readonly state: 'found'; readonly index: SidecarIndex };

/**
 * Analyses the log of a store.
 * @param refusals - receives every refusal found, in the order recovery meets them
 * @throws IoError when a file cannot be read
 */
export async function analyzeLog(start: LogStart, refusals: Refusal[]): Promise<LogAnalysis> {
  return new LogAnalyzer(start, refusals).run();
}

/** The running state of one analysis: the replay so far, and the refusals found. */
class LogAnalyzer {
  private lastLsn: number;
  private recordsApplied = 0;
  private bytesReplayed = 0;
  private tornTail: Uint8Array | undefined;

  constructor(private readonly start: LogStart, private readonly refusals: Refusal[]) {
    this.lastLsn = start.snapshotLsn;
  }

  async run(): Promise<LogAnalysis> {
    const heads: SegmentHead[] = [];
    for (const seq of listSegments(this.start.names)) heads.push(await this.readHead(seq));
    const roles = rolesOf(heads, this.start.snapshotLsn);
    const segments: SegmentAnalysis[] = [];
    let liveIndex = 0;
    for (const [i, head] of heads.entries()) {
      const role = roles[i]!;
      segments.push(await this.analyzeSegment(head, role, role === 'covered' ? undefined : liveIndex++));
    }
    this.checkLogEnd(segments.filter((segment) => segment.role !== 'covered'));
    return {
      segments,
      replay: { state: this.start.state, lastLsn: this.lastLsn, recordsApplied: this.recordsApplied, bytesReplayed: this.bytesReplayed },
      ...(this.tornTail ? { tornTail: this.tornTail } : {}),
    };
  }

  private refuse(rule: Refusal['rule'], file: string, offset: number, reason: string): void {
    this.refusals.push({ rule, kind: 'corruption', file, offset, reason });
  }

  /** Rule F5 on the header (and size) of one segment. */
  private async readHead(seq: number): Promise<SegmentHead> {
    const name = segmentName(seq);
    const file = joinPath(this.start.dir, name);
    const handle = await this.start.fs.open(file);
    let size: number;
    let headerBytes: Uint8Array;
    try {
      size = await handle.size();
      headerBytes = await handle.read(0, segmentHeaderBytes);
    } finally {
      await handle.close();
    }
    const found = { seq, name, file, size };
    if (size > segmentReadBytesMax) {
      this.refuse('F5', file, 0, `file is ${size} bytes, above the limit of ${segmentReadBytesMax}`);
      return { ...found, headerProblem: 'segment too large' };
    }
    const header = decodeSegmentHeader(headerBytes);
    if ('problem' in header) {
      const detail = header.problem === 'version' ? `segment format version ${header.version}, this engine reads ${walFormatVersion}` : `segment header: ${header.problem}`;
      this.refuse('F5', file, 0, detail);
      return { ...found, headerProblem: detail };
    }
    if (header.seq !== seq) {
      this.refuse('F5', file, 16, `header says segment ${header.seq}`);
      return { ...found, headerProblem: `header says segment ${header.seq}` };
    }
    return { ...found, baseLsn: header.baseLsn };
  }

  /**
   * Reads one segment whole and judges it: continuity (C1, C2) for a live one, then its
   * sidecar (K3) and its first bad frame (R1–R5), then replays its frames.
   * @param liveIndex - position among the live segments; undefined for a covered one
   */
  private async analyzeSegment(head: SegmentHead, role: SegmentRole, liveIndex: number | undefined): Promise<SegmentAnalysis> {
    const { seq, name, file, size } = head;
    const sidecarRead = await this.readSidecar(seq);
    if (head.baseLsn === undefined) {
      const sidecar: SidecarState = sidecarRead.state === 'found' ? 'ok' : sidecarRead.state;
      return { name, file, seq, role, bytes: size, offsets: [], endOffset: size, sidecar, headerProblem: head.headerProblem ?? '' };
    }
    if (liveIndex !== undefined) {
      const problem = judgeContinuity(liveIndex, head.baseLsn, this.lastLsn, this.start.snapshotLsn);
      if (problem) this.refuse(problem.rule, file, 24, problem.reason);
    }
    const read = await readWholeFile(this.start.fs, file, segmentReadBytesMax);
    if ('tooLarge' in read) {
      // The file grew between the two reads: only something outside the engine does that.
      this.refuse('F5', file, 0, `file is ${read.tooLarge} bytes, above the limit of ${segmentReadBytesMax}`);
      return { name, file, seq, role, bytes: read.tooLarge, offsets: [], endOffset: read.tooLarge, sidecar: 'missing', headerProblem: 'segment too large' };
    }
    const bytes = read.bytes;
    const scan = scanSegment(bytes);
    if ('headerProblem' in scan) {
      this.refuse('F5', file, 0, `segment header: ${scan.headerProblem}`);
      return { name, file, seq, role, bytes: bytes.length, offsets: [], endOffset: bytes.length, sidecar: 'missing', headerProblem: scan.headerProblem };
    }
    const isLast = role === 'last';
    const syncedLsn = sidecarRead.state === 'found' ? sidecarRead.index.syncedLsn : undefined;
    const damage = this.judgeFirstBadFrame(scan, bytes, role, file, syncedLsn ?? 0);
    const verdict = damage?.verdict;
    // The store appends after the last intact frame: rule R5 cuts what follows it. A refused
    // segment is left as it is.
    const endOffset = verdict?.action === 'truncate' ? verdict.offset : bytes.length;
    if (verdict?.action === 'truncate') this.tornTail = bytes.slice(verdict.offset);
    const offsets = scan.frames.map((frame) => frame.offset);
    const actual: SidecarIndex = { seq, baseLsn: scan.header.baseLsn, syncedLsn: scan.header.baseLsn + offsets.length - 1, offsets, endOffset };
    const sidecar: SidecarState = sidecarRead.state === 'found' ? judgeSidecar(sidecarRead.index, actual, isLast) : sidecarRead.state;
    if (role !== 'covered') this.replay(scan, bytes.length);
    return {
      name, file, seq, role, bytes: bytes.length, baseLsn: scan.header.baseLsn, offsets, endOffset, sidecar,
      ...(syncedLsn !== undefined ? { sidecarSyncedLsn: syncedLsn } : {}),
      ...(damage ? { damage } : {}),
    };
  }

  /** Rules R1–R5 on the first bad frame of a live segment; a covered one is only described. */
  private judgeFirstBadFrame(scan: SegmentScan, bytes: Uint8Array, role: SegmentRole, file: string, sidecarSyncedLsn: number): SegmentDamage | undefined {
    const damage = scan.damage;
    if (damage === undefined) return undefined;
    const found = { kind: damage.kind, offset: damage.offset, detail: damage.detail };
    if (role === 'covered') return found;
    const verdict = judgeDamage(damage, {
      bytes, isLastSegment: role === 'last', sidecarSyncedLsn, snapshotLsn: this.start.snapshotLsn,
      cleanShutdown: this.start.cleanShutdown, manifestDurableLsn: this.start.manifestDurableLsn,
    });
    if (verdict.action === 'refuse') this.refuse(verdict.rule, file, verdict.offset, verdict.reason);
    return { ...found, verdict };
  }

  /** A segment's sidecar, if it decodes and names this segment (only then is its watermark evidence). */
  private async readSidecar(seq: number): Promise<SidecarRead> {
    const name = sidecarName(segmentName(seq));
    if (!this.start.names.includes(name)) return { state: 'missing' };
    const read = await readWholeFile(this.start.fs, joinPath(this.start.dir, name), sidecarBytesMax);
    if ('tooLarge' in read) return { state: 'corrupt' };
    const index = decodeSidecar(read.bytes);
    return index && index.seq === seq ? { state: 'found', index } : { state: 'corrupt' };
  }

  /** Applies the intact frames of a live segment after the snapshot to the state. */
  private replay(scan: SegmentScan, bytesRead: number): void {
    this.bytesReplayed += bytesRead;
    for (const frame of scan.frames) {
      if (frame.lsn <= this.start.snapshotLsn) continue;
      for (const op of frame.ops) {
        if (op.type === 'put') this.start.state.set(op.key, op.value);
        else this.start.state.delete(op.key);
      }
      this.recordsApplied++;
    }
    const lastFrame = scan.frames[scan.frames.length - 1];
    this.lastLsn = Math.max(this.lastLsn, lastFrame === undefined ? scan.header.baseLsn - 1 : lastFrame.lsn);
  }

  /** Rule C3 on the last live segment, or on the snapshot when no segment is left. */
  private checkLogEnd(live: readonly SegmentAnalysis[]): void {
    const { snapshotLsn, manifestDurableLsn } = this.start;
    const last = live[live.length - 1];
    if (last === undefined) {
      const problem = judgeLogEnd(snapshotLsn, snapshotLsn, manifestDurableLsn);
      if (problem) this.refuse('C3', joinPath(this.start.dir, manifestFileName), 0, problem);
      return;
    }
    // A last segment refused for its damage (or its header) ends where nobody knows: its
    // refusal already says why.
    if (last.baseLsn === undefined || last.damage?.verdict?.action === 'refuse') return;
    const problem = judgeLogEnd(last.baseLsn + last.offsets.length - 1, snapshotLsn, manifestDurableLsn);
    if (problem) this.refuse('C3', last.file, last.endOffset, problem);
  }
}

/**
 * Rule K2 for segments: the leading segments whose successor starts within the snapshot are
 * covered by it; the rest are live, the last of them the one recovery appends to.
 */
function rolesOf(heads: readonly SegmentHead[], snapshotLsn: number): SegmentRole[] {
  let covered = 0;
  while (covered + 1 < heads.length) {
    const next = heads[covered + 1]!.baseLsn;
    if (next === undefined || !isCoveredBySnapshot(next, snapshotLsn)) break;
    covered++;
  }
  return heads.map((_, i) => (i < covered ? 'covered' : i === heads.length - 1 ? 'last' : 'sealed'));
}
