/**
 * The read-only analysis of a store directory: what recovery would do there, as plain data
 * (recovery-plan.ts), every decision taken by a rule of wal/recovery.ts. One analysis serves
 * repair and inspection (etcd's decoder has a mode "for tools performing inspection of the
 * corrupted WAL logs" for the same reason): `recover` applies the plan, `inspect` and `verify`
 * report it, so what `verify` says recovery would do is what recovery does.
 *
 * It reads every file it needs (manifest, snapshot, segments, sidecars, evidence that may
 * already hold a torn tail) and writes nothing: no port call of it creates, writes, truncates,
 * renames, removes or syncs.
 */
import { readWholeFile } from './files.ts';
import { analyzeLog, type LogAnalysis } from './analysis-log.ts';
import { manifestBytesMax, snapshotBytesMax, tornEvidenceFilesMax } from './limits.ts';
import { decodeManifest, manifestFileName, manifestVersion, type Manifest } from './manifest.ts';
import { joinPath, type FileSystem } from './ports/fs.ts';
import type { CutTornTail, RecoveryAction, RecoveryPlan, Refusal, SegmentAnalysis, SnapshotFound } from './recovery-plan.ts';
import { decodeSnapshot, parseSnapshotName } from './snapshot.ts';
import { evidenceName, listEvidence, type EvidenceName } from './wal/evidence.ts';
import { evidenceBeyondLimit, isOrphanName } from './wal/recovery.ts';
import { listSegments, parseSidecarName, sidecarName } from './wal/segments.ts';

/**
 * Analyses a store directory without changing anything in it.
 * @param fs - the file system (only read: open, read, size, readdir)
 * @param dir - the store directory, which must exist
 * @returns what recovery would do; it refuses to open when `refusals` is not empty
 * @throws IoError when a file cannot be read
 */
export async function analyzeStore(fs: FileSystem, dir: string): Promise<RecoveryPlan> {
  const found = await fs.readdir(dir);
  const orphans = found.filter(isOrphanName);
  const names = found.filter((name) => !isOrphanName(name));
  const refusals: Refusal[] = [];
  const start = await analyzeStart(fs, dir, names, refusals);
  const log = await analyzeLog({
    fs, dir, names, snapshotLsn: start.snapshotLsn, cleanShutdown: start.manifest?.clean ?? false,
    manifestDurableLsn: start.manifest?.durableLsn ?? 0, state: start.state,
  }, refusals);
  const evidence = listEvidence(names);
  const cut = await planCut(fs, dir, evidence, log);
  const actions = planActions({ dir, names, orphans, start, log, cut });
  return {
    dir, manifestFound: start.manifestFound, snapshotLsn: start.snapshotLsn, segments: log.segments, orphans,
    evidence: evidence.map((file) => file.name), refusals, actions, replay: log.replay,
    ...(start.manifest ? { manifest: start.manifest } : {}),
    ...(start.snapshot ? { snapshot: start.snapshot } : {}),
  };
}

/** What the manifest and snapshot say: where the log starts. */
interface StartFound {
  readonly manifestFound: boolean;
  readonly manifest?: Manifest;
  readonly snapshot?: SnapshotFound;
  readonly snapshotLsn: number;
  readonly state: Map<string, Uint8Array>;
}

/** Rules F1–F4: the manifest and the snapshot it names. */
async function analyzeStart(fs: FileSystem, dir: string, names: readonly string[], refusals: Refusal[]): Promise<StartFound> {
  const path = joinPath(dir, manifestFileName);
  if (!names.includes(manifestFileName)) {
    // F1: the manifest is written before any segment, so a directory with segments has one; and
    // sidecars and torn-tail evidence are written only after a segment: with every segment lost
    // too, they are what is left to tell a lost store from a new one.
    const storeFiles = listSegments(names).length > 0 || listEvidence(names).length > 0
      || names.some((name) => parseSnapshotName(name) !== undefined || parseSidecarName(name) !== undefined);
    if (storeFiles) {
      refusals.push({ rule: 'F1', kind: 'corruption', file: path, offset: 0, reason: 'the manifest is missing but WAL segments, snapshots, sidecars or torn-tail evidence exist' });
    }
    return { manifestFound: false, snapshotLsn: 0, state: new Map() };
  }
  const manifest = await readManifest(fs, path, refusals);
  if (manifest === undefined) return { manifestFound: true, snapshotLsn: 0, state: new Map() };
  const base = { manifestFound: true, manifest, snapshotLsn: manifest.snapshotLsn };
  if (manifest.snapshot === null) return { ...base, state: new Map() };
  const snapshot = await readSnapshot(fs, dir, names, manifest, refusals);
  return snapshot === undefined ? { ...base, state: new Map() } : { ...base, snapshot: snapshot.found, state: snapshot.state };
}

/** Rules F2 and F3. */
async function readManifest(fs: FileSystem, path: string, refusals: Refusal[]): Promise<Manifest | undefined> {
  const read = await readWholeFile(fs, path, manifestBytesMax);
  if ('tooLarge' in read) {
    refusals.push({ rule: 'F2', kind: 'corruption', file: path, offset: 0, reason: `file is ${read.tooLarge} bytes, above the limit of ${manifestBytesMax}` });
    return undefined;
  }
  const decoded = decodeManifest(read.bytes);
  if ('manifest' in decoded) return decoded.manifest;
  if (decoded.problem === 'version') {
    refusals.push({
      rule: 'F3', kind: 'version', file: path, offset: 0, reason: `format version ${decoded.version}, this engine reads ${manifestVersion}`,
      foundVersion: decoded.version, supportedVersion: manifestVersion,
    });
  } else {
    refusals.push({ rule: 'F2', kind: 'corruption', file: path, offset: decoded.offset, reason: decoded.detail });
  }
  return undefined;
}

/** Rule F4: the snapshot the manifest names is there, whole, and at the manifest's LSN. */
async function readSnapshot(
  fs: FileSystem, dir: string, names: readonly string[], manifest: Manifest, refusals: Refusal[],
): Promise<{ found: SnapshotFound; state: Map<string, Uint8Array> } | undefined> {
  const name = manifest.snapshot!;
  const path = joinPath(dir, name);
  const refuse = (offset: number, reason: string): undefined => {
    refusals.push({ rule: 'F4', kind: 'corruption', file: path, offset, reason });
    return undefined;
  };
  if (!names.includes(name)) return refuse(0, 'the snapshot named by the manifest is missing');
  const read = await readWholeFile(fs, path, snapshotBytesMax);
  if ('tooLarge' in read) return refuse(0, `file is ${read.tooLarge} bytes, above the limit of ${snapshotBytesMax}`);
  const decoded = decodeSnapshot(read.bytes);
  if ('problem' in decoded) return refuse(decoded.offset, decoded.problem);
  if (decoded.lsn !== manifest.snapshotLsn) return refuse(16, `snapshot LSN ${decoded.lsn}, the manifest says ${manifest.snapshotLsn}`);
  return { found: { name, lsn: decoded.lsn, entries: decoded.state.size, bytes: read.bytes.length }, state: decoded.state };
}

/** The torn-tail cut (R5) with its evidence (K4), and the evidence files beyond the limit. */
interface CutPlan {
  readonly cut?: CutTornTail;
  readonly evidenceRemoved: readonly string[];
}

/**
 * Rule K4: names the evidence file for the torn tail, or finds the one an interrupted earlier
 * recovery already wrote with exactly these bytes (so a repeated recovery keeps one copy), and
 * picks the oldest files beyond the limit. The file of this cut is never among them.
 */
async function planCut(fs: FileSystem, dir: string, evidence: readonly EvidenceName[], log: LogAnalysis): Promise<CutPlan> {
  const last = log.segments[log.segments.length - 1];
  const verdict = last?.damage?.verdict;
  if (last === undefined || log.tornTail === undefined || verdict?.action !== 'truncate') {
    const beyond = evidenceBeyondLimit(evidence.map((file) => file.evidenceNumber), 0, tornEvidenceFilesMax);
    return { evidenceRemoved: namesOf(evidence, beyond, dir) };
  }
  const tail = log.tornTail;
  const kept = await findKeptEvidence(fs, dir, evidence, last.seq, verdict.offset, tail);
  const others = evidence.filter((file) => file !== kept);
  const nextNumber = Math.max(0, ...evidence.map((file) => file.evidenceNumber)) + 1;
  const name = kept?.name ?? evidenceName(last.seq, nextNumber, verdict.offset);
  const beyond = evidenceBeyondLimit(others.map((file) => file.evidenceNumber), 1, tornEvidenceFilesMax);
  return {
    cut: {
      kind: 'cut-torn-tail', rule: 'R5', file: last.file, offset: verdict.offset, reason: verdict.reason, tail,
      evidence: joinPath(dir, name), evidenceKept: kept !== undefined,
    },
    evidenceRemoved: namesOf(others, beyond, dir),
  };
}

/** An evidence file of this segment and offset that holds exactly `tail`, if there is one. */
async function findKeptEvidence(
  fs: FileSystem, dir: string, evidence: readonly EvidenceName[], segmentSeq: number, offset: number, tail: Uint8Array,
): Promise<EvidenceName | undefined> {
  for (const file of evidence) {
    if (file.segmentSeq !== segmentSeq || file.offset !== offset) continue;
    const read = await readWholeFile(fs, joinPath(dir, file.name), tail.length);
    if ('bytes' in read && read.bytes.length === tail.length && read.bytes.every((byte, i) => byte === tail[i])) return file;
  }
  return undefined;
}

function namesOf(evidence: readonly EvidenceName[], numbers: readonly number[], dir: string): string[] {
  return evidence.filter((file) => numbers.includes(file.evidenceNumber)).map((file) => joinPath(dir, file.name));
}

/**
 * Rule K2 for the other files: sidecars of covered segments, sidecars left without their
 * segment (by an interrupted prune, or a segment lost before recovery refused or, when nothing
 * proved it durable, let it go: a stale sidecar would otherwise describe the next segment of
 * that number), and snapshots other than the manifest's.
 */
function deadFiles(dir: string, names: readonly string[], segments: readonly SegmentAnalysis[], manifest: Manifest | undefined): string[] {
  const dead: string[] = [];
  for (const segment of segments) {
    if (segment.role !== 'covered') continue;
    dead.push(segment.file);
    if (names.includes(sidecarName(segment.name))) dead.push(joinPath(dir, sidecarName(segment.name)));
  }
  for (const name of names) {
    const seq = parseSidecarName(name);
    const orphaned = seq !== undefined && !segments.some((segment) => segment.seq === seq);
    const staleSnapshot = manifest !== undefined && parseSnapshotName(name) !== undefined && name !== manifest.snapshot;
    if (orphaned || staleSnapshot) dead.push(joinPath(dir, name));
  }
  return dead;
}

/** Everything the analysis found that the actions are planned from. */
interface PlanInputs {
  readonly dir: string;
  readonly names: readonly string[];
  readonly orphans: readonly string[];
  readonly start: StartFound;
  readonly log: LogAnalysis;
  readonly cut: CutPlan;
}

/** The steps of recovery, in the order each one's crash safety needs (see recover.ts). */
function planActions(inputs: PlanInputs): RecoveryAction[] {
  const { dir, names, orphans, start, log, cut } = inputs;
  const actions: RecoveryAction[] = [];
  if (orphans.length > 0) actions.push({ kind: 'remove-orphans', rule: 'K1', files: orphans.map((name) => joinPath(dir, name)) });
  if (!start.manifestFound) actions.push({ kind: 'create-manifest', rule: 'K6', manifest: { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 0 } });
  const dead = deadFiles(dir, names, log.segments, start.manifest);
  if (dead.length > 0) actions.push({ kind: 'remove-dead', rule: 'K2', files: dead });
  if (cut.cut) actions.push(cut.cut);
  if (cut.evidenceRemoved.length > 0) actions.push({ kind: 'remove-evidence', rule: 'K4', files: cut.evidenceRemoved });
  const live = log.segments.filter((segment) => segment.role !== 'covered');
  const last = live[live.length - 1];
  if (last === undefined) actions.push({ kind: 'create-segment', rule: 'K6', seq: 1, baseLsn: start.snapshotLsn + 1 });
  else actions.push({ kind: 'sync-segment', rule: 'K5', file: last.file });
  for (const segment of live) {
    if (segment.sidecar === 'ok' || segment.baseLsn === undefined) continue;
    // The watermark is the last frame: rule K5 fsyncs the last segment before sidecars are
    // rebuilt, and every sealed segment had been fsynced (R1).
    const index = {
      seq: segment.seq, baseLsn: segment.baseLsn, syncedLsn: segment.baseLsn + segment.offsets.length - 1,
      offsets: segment.offsets, endOffset: segment.endOffset,
    };
    actions.push({ kind: 'rebuild-sidecar', rule: 'K3', file: joinPath(dir, sidecarName(segment.name)), state: segment.sidecar, index });
  }
  // K7 after K5: the LSN recorded durable is what K5 just fsynced (sealed segments were already).
  const manifest = start.manifest;
  if (manifest !== undefined && (manifest.clean || manifest.durableLsn < log.replay.lastLsn)) {
    actions.push({ kind: 'mark-open', rule: 'K7', manifest: { ...manifest, clean: false, durableLsn: Math.max(manifest.durableLsn, log.replay.lastLsn) } });
  }
  return actions;
}
