/**
 * Read-only tools over a store directory: `inspect` describes what is there, `verify` checks
 * every checksum and structure and says what recovery would do, without changing anything.
 */
import { readWholeFile } from './files.ts';
import { framePayloadBytesMax, manifestBytesMax, segmentSizeBytesMax, sidecarBytesMax, snapshotBytesMax } from './limits.ts';
import { decodeManifest, manifestFileName, type Manifest } from './manifest.ts';
import { joinPath, type FileSystem } from './ports/fs.ts';
import { decodeSnapshot, parseSnapshotName } from './snapshot.ts';
import { scanSegment } from './wal/reader.ts';
import { judgeDamage } from './wal/recovery.ts';
import { listSegments, segmentName, sidecarName } from './wal/segments.ts';
import { decodeSidecar, sidecarMatches, type SidecarIndex } from './wal/sidecar.ts';

/** The state of a segment's sidecar index. */
export type SidecarState = 'ok' | 'missing' | 'corrupt' | 'stale';

/** One segment as found on disk. */
export interface SegmentInfo {
  readonly name: string;
  readonly seq: number;
  readonly bytes: number;
  readonly baseLsn?: number;
  /** LSN of the last intact frame (baseLsn - 1 when empty). */
  readonly lastLsn?: number;
  readonly frames: number;
  readonly sidecar: SidecarState;
  readonly sidecarSyncedLsn?: number;
  /** The first bad frame, if any: where and what. */
  readonly damage?: { readonly offset: number; readonly detail: string };
  readonly headerProblem?: string;
}

/** What `inspect` reports. */
export interface InspectReport {
  readonly dir: string;
  readonly manifest?: Manifest;
  readonly manifestProblem?: string;
  readonly snapshot?: { readonly name: string; readonly lsn: number; readonly entries: number; readonly bytes: number };
  readonly snapshotProblem?: string;
  readonly segments: readonly SegmentInfo[];
  /** Temporary or dead files an interrupted operation left behind (recovery removes them). */
  readonly orphans: readonly string[];
}

/** One finding of `verify`. */
export interface VerifyProblem {
  /** `corruption`: recovery would refuse to open; `recoverable`: recovery would repair it. */
  readonly severity: 'corruption' | 'recoverable';
  readonly file: string;
  readonly offset: number;
  readonly message: string;
}

/** What `verify` reports. `ok` means recovery would open the store without refusing. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
  readonly segmentsChecked: number;
  readonly framesChecked: number;
}

/**
 * Describes a store directory without changing it.
 * @throws IoError if the directory cannot be read
 */
export async function inspect(fs: FileSystem, dir: string): Promise<InspectReport> {
  const names = await fs.readdir(dir);
  const orphans = names.filter((name) => name.endsWith('.tmp') || name.endsWith('.dead'));
  let manifest: Manifest | undefined;
  let manifestProblem: string | undefined;
  if (names.includes(manifestFileName)) {
    const read = await readWholeFile(fs, joinPath(dir, manifestFileName), manifestBytesMax);
    if ('tooLarge' in read) manifestProblem = `manifest is ${read.tooLarge} bytes`;
    else {
      const decoded = decodeManifest(read.bytes);
      if ('manifest' in decoded) manifest = decoded.manifest;
      else manifestProblem = decoded.problem === 'version' ? `unsupported version ${decoded.version}` : decoded.detail;
    }
  } else manifestProblem = 'missing';
  let snapshot: InspectReport['snapshot'];
  let snapshotProblem: string | undefined;
  if (manifest?.snapshot) {
    if (!names.includes(manifest.snapshot)) snapshotProblem = `${manifest.snapshot} is missing`;
    else {
      const read = await readWholeFile(fs, joinPath(dir, manifest.snapshot), snapshotBytesMax);
      if ('tooLarge' in read) snapshotProblem = `snapshot is ${read.tooLarge} bytes`;
      else {
        const decoded = decodeSnapshot(read.bytes);
        if ('problem' in decoded) snapshotProblem = `${decoded.problem} at offset ${decoded.offset}`;
        else snapshot = { name: manifest.snapshot, lsn: decoded.lsn, entries: decoded.state.size, bytes: read.bytes.length };
      }
    }
  }
  const segments: SegmentInfo[] = [];
  const clean = manifest?.clean ?? false;
  const seqs = listSegments(names);
  for (const [i, seq] of seqs.entries()) {
    segments.push(await inspectSegment(fs, dir, names, seq, manifest?.snapshotLsn ?? 0, i === seqs.length - 1, clean));
  }
  return {
    dir, segments, orphans,
    ...(manifest ? { manifest } : {}), ...(manifestProblem ? { manifestProblem } : {}),
    ...(snapshot ? { snapshot } : {}), ...(snapshotProblem ? { snapshotProblem } : {}),
  };
}

/** Whether a sidecar indexes a prefix of a segment's frames (as the active one's may). */
function sidecarIsPrefix(index: SidecarIndex, offsets: readonly number[], baseLsn: number): boolean {
  if (index.baseLsn !== baseLsn || index.offsets.length > offsets.length) return false;
  if (!index.offsets.every((offset, i) => offset === offsets[i])) return false;
  const next = offsets[index.offsets.length];
  return next === undefined ? true : index.endOffset === next;
}

interface SegmentDetail extends SegmentInfo {
  readonly verdict?: 'truncate' | 'refuse';
}

async function inspectSegment(
  fs: FileSystem, dir: string, names: readonly string[], seq: number, snapshotLsn: number, isLast: boolean, clean: boolean,
): Promise<SegmentDetail> {
  const name = segmentName(seq);
  const path = joinPath(dir, name);
  const read = await readWholeFile(fs, path, segmentSizeBytesMax + 2 * framePayloadBytesMax);
  if ('tooLarge' in read) return { name, seq, bytes: read.tooLarge, frames: 0, sidecar: 'missing', headerProblem: 'segment too large' };
  const bytes = read.bytes;
  const scan = scanSegment(bytes);
  const sidecarFile = sidecarName(name);
  let sidecarState: SidecarState = 'missing';
  let sidecarSyncedLsn: number | undefined;
  let sidecarIndex;
  if (names.includes(sidecarFile)) {
    const sidecarRead = await readWholeFile(fs, joinPath(dir, sidecarFile), sidecarBytesMax);
    sidecarIndex = 'bytes' in sidecarRead ? decodeSidecar(sidecarRead.bytes) : undefined;
    sidecarState = sidecarIndex && sidecarIndex.seq === seq ? 'ok' : 'corrupt';
    sidecarSyncedLsn = sidecarIndex?.syncedLsn;
  }
  if ('headerProblem' in scan) return { name, seq, bytes: bytes.length, frames: 0, sidecar: sidecarState, headerProblem: scan.headerProblem };
  if (sidecarIndex && sidecarState === 'ok') {
    const offsets = scan.frames.map((frame) => frame.offset);
    const actual = { seq, baseLsn: scan.header.baseLsn, syncedLsn: 0, offsets, endOffset: scan.endOffset };
    // The active segment's sidecar is rewritten only now and then, so it may describe a prefix
    // of the segment; a sealed segment's must describe all of it.
    if (!sidecarMatches(sidecarIndex, actual) && !(isLast && sidecarIsPrefix(sidecarIndex, offsets, scan.header.baseLsn))) {
      sidecarState = 'stale';
    }
  }
  const lastLsn = scan.header.baseLsn + scan.frames.length - 1;
  let verdict: SegmentDetail['verdict'];
  if (scan.damage) {
    verdict = judgeDamage(scan.damage, {
      path, bytes, isLastSegment: isLast, sidecarSyncedLsn: sidecarSyncedLsn ?? 0, snapshotLsn, cleanShutdown: clean,
    }).action;
  }
  return {
    name, seq, bytes: bytes.length, baseLsn: scan.header.baseLsn, lastLsn, frames: scan.frames.length,
    sidecar: sidecarState,
    ...(sidecarSyncedLsn !== undefined ? { sidecarSyncedLsn } : {}),
    ...(scan.damage ? { damage: { offset: scan.damage.offset, detail: scan.damage.detail } } : {}),
    ...(verdict ? { verdict } : {}),
  };
}

/**
 * Checks every checksum and structure of a store directory, read-only, and says for each
 * problem whether recovery would repair it (a torn tail, a stale sidecar, an orphan) or refuse
 * to open (corruption). Never repairs anything.
 * @throws IoError if the directory cannot be read
 */
export async function verify(fs: FileSystem, dir: string): Promise<VerifyReport> {
  const report = await inspect(fs, dir);
  const problems: VerifyProblem[] = [];
  const manifestPath = joinPath(dir, manifestFileName);
  if (report.manifestProblem && !(report.manifestProblem === 'missing' && report.segments.length === 0)) {
    problems.push({ severity: 'corruption', file: manifestPath, offset: 0, message: `manifest: ${report.manifestProblem}` });
  }
  if (report.snapshotProblem) {
    problems.push({ severity: 'corruption', file: joinPath(dir, report.manifest?.snapshot ?? ''), offset: 0, message: `snapshot: ${report.snapshotProblem}` });
  }
  for (const orphan of report.orphans) {
    problems.push({ severity: 'recoverable', file: joinPath(dir, orphan), offset: 0, message: 'orphan file left by an interrupted operation' });
  }
  const snapshotLsn = report.manifest?.snapshotLsn ?? 0;
  let framesChecked = 0;
  let previousLast: number | undefined;
  const live = report.segments.filter((segment, i) => {
    const next = report.segments[i + 1];
    return !(next?.baseLsn !== undefined && next.baseLsn <= snapshotLsn + 1);
  });
  for (const segment of live as SegmentDetail[]) {
    const path = joinPath(dir, segment.name);
    framesChecked += segment.frames;
    if (segment.headerProblem) {
      problems.push({ severity: 'corruption', file: path, offset: 0, message: `segment header: ${segment.headerProblem}` });
      continue;
    }
    if (previousLast === undefined && segment.baseLsn !== undefined && segment.baseLsn > snapshotLsn + 1) {
      problems.push({ severity: 'corruption', file: path, offset: 24, message: `segment starts at LSN ${segment.baseLsn} but the snapshot ends at ${snapshotLsn}: a segment is missing` });
    }
    if (previousLast !== undefined && segment.baseLsn !== previousLast + 1) {
      problems.push({ severity: 'corruption', file: path, offset: 24, message: `segment starts at LSN ${segment.baseLsn}, expected ${previousLast + 1}` });
    }
    previousLast = segment.lastLsn;
    if (segment.damage) {
      problems.push({
        severity: segment.verdict === 'truncate' ? 'recoverable' : 'corruption',
        file: path, offset: segment.damage.offset,
        message: segment.verdict === 'truncate' ? `torn tail: ${segment.damage.detail}` : segment.damage.detail,
      });
    }
    const isActive = segment === live[live.length - 1];
    if (segment.sidecar !== 'ok' && !(isActive && segment.sidecar === 'missing')) {
      problems.push({ severity: 'recoverable', file: joinPath(dir, sidecarName(segment.name)), offset: 0, message: `sidecar ${segment.sidecar}` });
    }
  }
  const lastLive = live[live.length - 1];
  if (lastLive?.lastLsn !== undefined && lastLive.lastLsn < snapshotLsn) {
    problems.push({
      severity: 'corruption', file: joinPath(dir, lastLive.name), offset: 0,
      message: `the log ends at LSN ${lastLive.lastLsn}, before the snapshot at ${snapshotLsn}`,
    });
  }
  return { ok: !problems.some((problem) => problem.severity === 'corruption'), problems, segmentsChecked: live.length, framesChecked };
}
