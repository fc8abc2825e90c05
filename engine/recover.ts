/**
 * Opening a store: analyse what is really on disk (analysis.ts, read-only), refuse if a rule
 * says so, otherwise apply the plan's actions in order and hand the recovered state to the
 * store. This file decides nothing: every refusal and every action comes from the analysis,
 * which applies the rules of wal/recovery.ts, so `verify` reports exactly what happens here.
 *
 * Refusing comes first, before any change: a store recovery will not open is left as it was
 * found, for a person (or `inspect`) to examine.
 *
 * The actions run in this order, each safe to interrupt, because each is idempotent and the
 * next recovery plans again whatever is left to do:
 * 1. remove orphans (K1): they were never part of the store, and picking one up would resurrect
 *    a half-written file;
 * 2. in a new directory, create the manifest (K6) before any segment;
 * 3. remove what an interrupted prune left (K2): the manifest already points past it;
 * 4. cut a torn tail (R5), its bytes first kept in an evidence file made durable (K4): a crash
 *    before the evidence is published leaves the tail in the segment, and one after it leaves
 *    the evidence, which the next recovery recognises instead of copying again;
 * 5. remove the oldest evidence beyond the limit (K4), once the newest is durable;
 * 6. fsync the last segment and the directory (K5), because frames replayed from the page
 *    cache after a kill -9, and names an interrupted recovery renamed, may not be durable yet,
 *    and a later power loss must not take back what recovery showed; or create the first
 *    segment of a new store (K6);
 * 7. rebuild every sidecar that does not describe its segment exactly (K3), after step 6 so
 *    that the synced watermark it records is true;
 * 8. record in the manifest that the store is open (K7), so the next open can tell a clean close.
 */
import { analyzeStore } from './analysis.ts';
import { assert } from './assert.ts';
import { CorruptionError, UnsupportedVersionError } from './errors.ts';
import { replaceFileDurably } from './files.ts';
import { encodeManifest, manifestFileName, type Manifest } from './manifest.ts';
import { joinPath, type FileHandle, type FileSystem } from './ports/fs.ts';
import type { CutTornTail, RecoveryAction, RecoveryPlan, Refusal } from './recovery-plan.ts';
import type { EngineProbe } from './probes.ts';
import type { EnginePhase, ReplayStats } from './types.ts';
import { segmentHeaderBytes } from './wal/format.ts';
import { createSegment } from './wal/segments.ts';
import { encodeSidecar } from './wal/sidecar.ts';
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
  /** Told each rare branch recovery takes (probes.ts). */
  readonly onProbe: (probe: EngineProbe) => void;
}

/** What applying the actions needs. */
interface ApplyContext {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly probe: (phase: EnginePhase) => void;
  readonly onProbe: (probe: EngineProbe) => void;
}

/**
 * Opens the store directory (creating it if needed) and recovers its state.
 * @returns the state, the active segment open for appending, and what recovery did
 * @throws CorruptionError when a rule refuses (names the file and the offset)
 * @throws UnsupportedVersionError when the manifest was written by an unknown format version
 * @throws IoError when the file system fails (recovery can be run again)
 */
export async function recover(options: RecoverOptions): Promise<Recovered> {
  const { fs, dir, clock, probe, onProbe } = options;
  const startedMs = clock.now();
  probe('recovery');
  await fs.mkdir(dir);
  const plan = await analyzeStore(fs, dir);
  const refusal = plan.refusals[0];
  if (refusal !== undefined) {
    onProbe(`recovery.refuse.${refusal.rule}`);
    throw refusalError(refusal);
  }
  const context: ApplyContext = { fs, dir, probe, onProbe };
  let handle: FileHandle | undefined;
  for (const action of plan.actions) handle = (await applyAction(context, action)) ?? handle;
  probe('recovery');
  assert(handle !== undefined, 'every recovery plan opens or creates the active segment');
  return recovered(plan, handle, clock.now() - startedMs);
}

/** The typed error of a refusal. */
function refusalError(refusal: Refusal): Error {
  if (refusal.kind === 'version') {
    return new UnsupportedVersionError(refusal.file, refusal.foundVersion ?? Number.NaN, refusal.supportedVersion ?? Number.NaN);
  }
  return new CorruptionError(refusal.file, refusal.offset, refusal.reason);
}

/**
 * Carries out one action of the plan.
 * @returns the active segment's handle, for the action that opens or creates it
 */
async function applyAction(context: ApplyContext, action: RecoveryAction): Promise<FileHandle | undefined> {
  const { fs, dir, probe, onProbe } = context;
  switch (action.kind) {
    case 'remove-orphans':
    case 'remove-evidence':
      onProbe(action.kind === 'remove-orphans' ? 'recovery.remove-orphans' : 'recovery.remove-evidence');
      await removeFiles(fs, dir, action.files);
      return undefined;
    case 'create-manifest':
    case 'mark-open':
      probe('manifest');
      await replaceFileDurably(fs, dir, joinPath(dir, manifestFileName), encodeManifest(action.manifest));
      probe('recovery');
      return undefined;
    case 'remove-dead':
      onProbe('recovery.remove-dead');
      probe('prune');
      await removeFiles(fs, dir, action.files);
      probe('recovery');
      return undefined;
    case 'cut-torn-tail':
      onProbe(action.evidenceKept ? 'recovery.evidence-reused' : 'recovery.cut-torn-tail');
      await cutTornTail(fs, dir, action);
      return undefined;
    case 'create-segment': {
      probe('segment.rotate');
      const handle = await createSegment(fs, dir, action.seq, action.baseLsn);
      probe('recovery');
      return handle;
    }
    case 'sync-segment':
      return openLastSegment(fs, dir, action.file);
    case 'rebuild-sidecar':
      onProbe(`recovery.rebuild-sidecar.${action.state}`);
      probe('sidecar.rewrite');
      await replaceFileDurably(fs, dir, action.file, encodeSidecar(action.index));
      return undefined;
  }
}

/** Unlinks files, then fsyncs the directory once, so that the removals are durable together. */
async function removeFiles(fs: FileSystem, dir: string, files: readonly string[]): Promise<void> {
  for (const file of files) await fs.unlink(file);
  await fs.syncDir(dir);
}

/**
 * R5 with K4: makes the evidence durable (file fsync, rename, directory fsync), and only then
 * cuts the tail and fsyncs the cut, so that no crash can leave the bytes neither in the segment
 * nor in the evidence file.
 */
async function cutTornTail(fs: FileSystem, dir: string, action: CutTornTail): Promise<void> {
  if (!action.evidenceKept) await replaceFileDurably(fs, dir, action.evidence, action.tail);
  const handle = await fs.open(action.file);
  try {
    await handle.truncate(action.offset);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await fs.syncDir(dir);
}

/**
 * K5: the last segment, fsynced as recovered and kept open for appending; then the directory,
 * because an interrupted earlier recovery may have renamed a file into place without its
 * directory fsync. The manifest marked open is such a file: this recovery reads it as open and
 * does not rewrite it, and if a power loss later brought back the clean close it replaced,
 * rule R4 would refuse the unsynced frames appended since as corruption.
 */
async function openLastSegment(fs: FileSystem, dir: string, file: string): Promise<FileHandle> {
  const handle = await fs.open(file);
  await handle.datasync();
  await fs.syncDir(dir);
  return handle;
}

/**
 * The recovered state with a copy of each value. Decoding leaves values as views into the
 * buffers of the snapshot and segment files (cheap: analysis, verify and the checks discard most
 * of them); the store keeps the survivors for its whole life, and a view would keep a whole file
 * buffer alive for one small value. Each copy has a buffer of its own, as a committed value has.
 */
function ownedValues(state: Map<string, Uint8Array>): Map<string, Uint8Array> {
  for (const [key, value] of state) state.set(key, value.slice());
  return state;
}

/** What the store gets: the replayed state, the active segment, and the statistics. */
function recovered(plan: RecoveryPlan, handle: FileHandle, recoveryMs: number): Recovered {
  const live = plan.segments.filter((segment) => segment.role !== 'covered');
  const last = live[live.length - 1];
  const active: ActiveSegment = last === undefined
    ? { handle, seq: 1, baseLsn: plan.snapshotLsn + 1, size: segmentHeaderBytes, offsets: [] }
    : { handle, seq: last.seq, baseLsn: last.baseLsn!, size: last.endOffset, offsets: [...last.offsets] };
  const sealedBytes = new Map(live.slice(0, -1).map((segment) => [segment.seq, segment.endOffset] as const));
  let manifest = plan.manifest;
  let cutBytes = 0;
  let keptBytes = 0;
  let sidecarsRebuilt = 0;
  for (const action of plan.actions) {
    if (action.kind === 'create-manifest' || action.kind === 'mark-open') manifest = action.manifest;
    if (action.kind === 'cut-torn-tail') cutBytes += action.tail.length;
    if (action.kind === 'cut-torn-tail' && !action.evidenceKept) keptBytes += action.tail.length;
    if (action.kind === 'rebuild-sidecar') sidecarsRebuilt++;
  }
  assert(manifest !== undefined, 'a recovery plan that opens has a manifest');
  const { replay } = plan;
  return {
    state: ownedValues(replay.state), manifest, lastLsn: replay.lastLsn, active, sealedBytes,
    stats: {
      recordsApplied: replay.recordsApplied, lastLsn: replay.lastLsn, truncatedBytes: cutBytes, segmentsScanned: live.length,
      sidecarsRebuilt, uncleanShutdown: plan.manifestFound && plan.manifest?.clean !== true, snapshotLsn: plan.snapshotLsn,
      orphansRemoved: plan.orphans.length, recoveryMs, bytesReplayed: replay.bytesReplayed, tornBytesKept: keptBytes,
    },
  };
}
