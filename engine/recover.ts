/**
 * Opening a store: find out what is really on disk and rebuild the state from it.
 *
 * Steps, each safe to repeat if a crash interrupts recovery itself:
 * 1. remove orphans (`*.tmp` from an interrupted replace or segment creation, `*.dead` from an
 *    interrupted prune): they were never part of the store, and picking one up would resurrect
 *    a half-written file;
 * 2. read the manifest (refuse an unknown version or a damaged one) and its snapshot;
 * 3. delete segments wholly covered by the snapshot (an interrupted prune) and stale snapshots;
 * 4. read every remaining segment in order, checking the header, LSN continuity across
 *    segments, and every frame; apply the rules of wal/recovery.ts to the first bad frame;
 * 5. fsync the last segment, because frames replayed from the page cache after a kill -9 may
 *    not be durable yet, and a later power loss must not take back what this recovery showed;
 * 6. rebuild every sidecar that does not describe its segment exactly;
 * 7. record in the manifest that the store is open (so the next open can tell a clean close).
 */
import { CorruptionError, UnsupportedVersionError } from './errors.ts';
import { readWholeFile, removeQuietly, replaceFileDurably } from './files.ts';
import { decodeManifest, encodeManifest, manifestFileName, manifestVersion, type Manifest } from './manifest.ts';
import { framePayloadBytesMax, segmentSizeBytesMax, sidecarBytesMax, snapshotBytesMax, manifestBytesMax } from './limits.ts';
import { joinPath, type FileHandle, type FileSystem } from './ports/fs.ts';
import { decodeSnapshot, parseSnapshotName } from './snapshot.ts';
import type { EnginePhase, Op, ReplayStats } from './types.ts';
import { decodeSegmentHeader, segmentHeaderBytes, walFormatVersion } from './wal/format.ts';
import { scanSegment } from './wal/reader.ts';
import { judgeDamage } from './wal/recovery.ts';
import { createSegment, listSegments, segmentName, sidecarName } from './wal/segments.ts';
import { decodeSidecar, encodeSidecar, sidecarMatches, type SidecarIndex } from './wal/sidecar.ts';
import type { Clock } from './ports/clock.ts';

/** The active segment, open for appending. */
export interface ActiveSegment {
  readonly handle: FileHandle;
  readonly seq: number;
  readonly baseLsn: number;
  /** Bytes in the segment (header and intact frames). */
  size: number;
  /** Offsets of the frames in the segment, in LSN order. */
  readonly offsets: number[];
}

/** What recovery hands to the store. */
export interface Recovered {
  readonly state: Map<string, Uint8Array>;
  readonly manifest: Manifest;
  readonly lastLsn: number;
  readonly active: ActiveSegment;
  /** Sizes of the live segments before the active one, by sequence number. */
  readonly sealedBytes: Map<number, number>;
  readonly stats: ReplayStats;
}

/** Inputs of {@link recover}. */
export interface RecoverOptions {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly clock: Clock;
  readonly probe: (phase: EnginePhase) => void;
}

const segmentReadBytesMax = segmentSizeBytesMax + 2 * framePayloadBytesMax;

function applyOps(state: Map<string, Uint8Array>, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

async function readOrRefuse(fs: FileSystem, path: string, maxBytes: number): Promise<Uint8Array> {
  const read = await readWholeFile(fs, path, maxBytes);
  if ('tooLarge' in read) throw new CorruptionError(path, 0, `file is ${read.tooLarge} bytes, above the limit of ${maxBytes}`);
  return read.bytes;
}

async function readManifest(fs: FileSystem, dir: string): Promise<Manifest> {
  const path = joinPath(dir, manifestFileName);
  const decoded = decodeManifest(await readOrRefuse(fs, path, manifestBytesMax));
  if ('manifest' in decoded) return decoded.manifest;
  if (decoded.problem === 'version') throw new UnsupportedVersionError(path, decoded.version, manifestVersion);
  throw new CorruptionError(path, decoded.offset, decoded.detail);
}

async function readSidecar(fs: FileSystem, path: string, seq: number): Promise<SidecarIndex | undefined> {
  const read = await readWholeFile(fs, path, sidecarBytesMax);
  if ('tooLarge' in read) return undefined;
  const index = decodeSidecar(read.bytes);
  return index && index.seq === seq ? index : undefined;
}

/** Opens the store directory and recovers its state. @throws CorruptionError, UnsupportedVersionError, IoError */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const { fs, dir, clock, probe } = options;
  const startedMs = clock.now();
  probe('recovery');
  await fs.mkdir(dir);
  let names = await fs.readdir(dir);

  // Step 1: orphans.
  let orphansRemoved = 0;
  for (const name of names) {
    if (name.endsWith('.tmp') || name.endsWith('.dead')) {
      await fs.unlink(joinPath(dir, name));
      orphansRemoved++;
    }
  }
  if (orphansRemoved > 0) {
    await fs.syncDir(dir);
    names = await fs.readdir(dir);
  }

  // Step 2: manifest and snapshot.
  let seqs = listSegments(names);
  const fresh = !names.includes(manifestFileName);
  let manifest: Manifest;
  if (fresh) {
    if (seqs.length > 0 || names.some((name) => parseSnapshotName(name) !== undefined)) {
      throw new CorruptionError(joinPath(dir, manifestFileName), 0, 'the manifest is missing but WAL segments or snapshots exist');
    }
    // The manifest exists before any segment, so a directory with segments always has one.
    manifest = { snapshot: null, snapshotLsn: 0, clean: false };
    probe('manifest');
    await replaceFileDurably(fs, dir, manifestFileName, encodeManifest(manifest));
    probe('recovery');
  } else {
    manifest = await readManifest(fs, dir);
  }
  const snapshotLsn = manifest.snapshotLsn;
  let state = new Map<string, Uint8Array>();
  if (manifest.snapshot !== null) {
    const path = joinPath(dir, manifest.snapshot);
    if (!names.includes(manifest.snapshot)) throw new CorruptionError(path, 0, 'the snapshot named by the manifest is missing');
    const decoded = decodeSnapshot(await readOrRefuse(fs, path, snapshotBytesMax));
    if ('problem' in decoded) throw new CorruptionError(path, decoded.offset, decoded.problem);
    if (decoded.lsn !== snapshotLsn) throw new CorruptionError(path, 16, `snapshot LSN ${decoded.lsn}, the manifest says ${snapshotLsn}`);
    state = decoded.state;
  }

  // Step 3: leftovers of an interrupted prune. Segment k is wholly covered by the snapshot when
  // segment k+1 starts at or below snapshotLsn + 1; its frames are in the snapshot.
  const baseLsns = new Map<number, number>();
  for (const seq of seqs) {
    const path = joinPath(dir, segmentName(seq));
    const handle = await fs.open(path);
    let headerBytes: Uint8Array;
    try {
      headerBytes = await handle.read(0, segmentHeaderBytes);
    } finally {
      await handle.close();
    }
    const header = decodeSegmentHeader(headerBytes);
    if ('problem' in header) {
      const detail = header.problem === 'version' ? `segment format version ${header.version}, this engine reads ${walFormatVersion}` : `segment header: ${header.problem}`;
      throw new CorruptionError(path, 0, detail);
    }
    if (header.seq !== seq) throw new CorruptionError(path, 16, `header says segment ${header.seq}`);
    baseLsns.set(seq, header.baseLsn);
  }
  let pruned = 0;
  while (seqs.length >= 2 && baseLsns.get(seqs[1]!)! <= snapshotLsn + 1) {
    const seq = seqs.shift()!;
    probe('prune');
    await fs.unlink(joinPath(dir, segmentName(seq)));
    await removeQuietly(fs, joinPath(dir, sidecarName(segmentName(seq))));
    pruned++;
  }
  for (const name of names) {
    const lsn = parseSnapshotName(name);
    if (lsn !== undefined && name !== manifest.snapshot) {
      probe('prune');
      await fs.unlink(joinPath(dir, name));
      pruned++;
    }
  }
  if (pruned > 0) await fs.syncDir(dir);
  probe('recovery');

  // Step 4: replay.
  let lastLsn = snapshotLsn;
  let recordsApplied = 0;
  let truncatedBytes = 0;
  let bytesReplayed = 0;
  let sidecarsRebuilt = 0;
  const sealedBytes = new Map<number, number>();
  const scanned: { seq: number; baseLsn: number; offsets: number[]; endOffset: number; sidecar?: SidecarIndex }[] = [];
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    const isLast = i === seqs.length - 1;
    const path = joinPath(dir, segmentName(seq));
    const baseLsn = baseLsns.get(seq)!;
    // Continuity: the first live segment must start at or before the first LSN after the
    // snapshot, and each next one exactly after the previous one's last frame.
    const expectedBase = i === 0 ? undefined : lastLsn + 1;
    if (i === 0 && baseLsn > snapshotLsn + 1) {
      throw new CorruptionError(path, 24, `segment starts at LSN ${baseLsn} but the snapshot ends at ${snapshotLsn}: a segment is missing`);
    }
    if (expectedBase !== undefined && baseLsn !== expectedBase) {
      throw new CorruptionError(path, 24, `segment starts at LSN ${baseLsn}, expected ${expectedBase}: a segment is missing or out of order`);
    }
    const bytes = await readOrRefuse(fs, path, segmentReadBytesMax);
    bytesReplayed += bytes.length;
    const scan = scanSegment(bytes);
    if ('headerProblem' in scan) throw new CorruptionError(path, 0, `segment header: ${scan.headerProblem}`);
    const sidecarFile = sidecarName(segmentName(seq));
    const sidecar = names.includes(sidecarFile) ? await readSidecar(fs, joinPath(dir, sidecarFile), seq) : undefined;
    let endOffset = bytes.length;
    if (scan.damage) {
      const verdict = judgeDamage(scan.damage, {
        path, bytes, isLastSegment: isLast, sidecarSyncedLsn: sidecar?.syncedLsn ?? 0, snapshotLsn,
        cleanShutdown: manifest.clean,
      });
      if (verdict.action === 'refuse') throw verdict.error;
      const handle = await fs.open(path);
      try {
        await handle.truncate(verdict.offset);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await fs.syncDir(dir);
      truncatedBytes += bytes.length - verdict.offset;
      endOffset = verdict.offset;
    }
    for (const frame of scan.frames) {
      if (frame.lsn <= snapshotLsn) continue;
      applyOps(state, frame.ops);
      recordsApplied++;
    }
    if (scan.frames.length > 0) lastLsn = Math.max(lastLsn, scan.frames[scan.frames.length - 1]!.lsn);
    else lastLsn = Math.max(lastLsn, baseLsn - 1);
    if (!isLast) sealedBytes.set(seq, endOffset);
    scanned.push({ seq, baseLsn, offsets: scan.frames.map((frame) => frame.offset), endOffset, ...(sidecar ? { sidecar } : {}) });
  }
  // The log must reach the snapshot, or the next commit would be appended after a gap and the
  // store would refuse to open once it had been acknowledged. `lastLsn` starts at the snapshot
  // LSN and never drops below it, so compare the end of the log itself: the last frame of the
  // last segment (the LSN before its base when it is empty; its frames are consecutive).
  const lastSegment = scanned[scanned.length - 1];
  if (lastSegment !== undefined) {
    const logEndLsn = lastSegment.baseLsn + lastSegment.offsets.length - 1;
    if (logEndLsn < snapshotLsn) {
      throw new CorruptionError(
        joinPath(dir, segmentName(lastSegment.seq)), lastSegment.endOffset,
        `the log ends at LSN ${logEndLsn}, before the snapshot at ${snapshotLsn}: a segment is missing`,
      );
    }
  }

  // Step 5: the active segment, made durable as recovered (or created for a new store).
  let active: ActiveSegment;
  const lastScanned = scanned[scanned.length - 1];
  if (lastScanned === undefined) {
    probe('segment.rotate');
    const handle = await createSegment(fs, dir, 1, snapshotLsn + 1);
    active = { handle, seq: 1, baseLsn: snapshotLsn + 1, size: segmentHeaderBytes, offsets: [] };
    probe('recovery');
  } else {
    const handle = await fs.open(joinPath(dir, segmentName(lastScanned.seq)));
    await handle.datasync();
    active = { handle, seq: lastScanned.seq, baseLsn: lastScanned.baseLsn, size: lastScanned.endOffset, offsets: lastScanned.offsets };
  }

  // Step 6: sidecars. The segment always wins; the synced watermark is exact after step 5.
  for (const segment of scanned) {
    const actual: SidecarIndex = {
      seq: segment.seq, baseLsn: segment.baseLsn, syncedLsn: segment.baseLsn + segment.offsets.length - 1,
      offsets: segment.offsets, endOffset: segment.endOffset,
    };
    if (segment.sidecar && sidecarMatches(segment.sidecar, actual)) continue;
    probe('sidecar.rewrite');
    await replaceFileDurably(fs, dir, sidecarName(segmentName(segment.seq)), encodeSidecar(actual));
    sidecarsRebuilt++;
  }

  // Step 7: mark the store open; a crash from here on is an unclean shutdown.
  const uncleanShutdown = !fresh && !manifest.clean;
  if (manifest.clean) {
    manifest = { ...manifest, clean: false };
    probe('manifest');
    await replaceFileDurably(fs, dir, manifestFileName, encodeManifest(manifest));
  }
  probe('recovery');
  return {
    state, manifest, lastLsn, active, sealedBytes,
    stats: {
      recordsApplied, lastLsn, truncatedBytes, segmentsScanned: scanned.length, sidecarsRebuilt, uncleanShutdown,
      snapshotLsn, orphansRemoved, recoveryMs: clock.now() - startedMs, bytesReplayed,
    },
  };
}
