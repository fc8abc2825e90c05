/**
 * The reference engine (engine/) under the engine contract (sim/engine-contract.ts): a thin
 * mapping onto `Store`, the one place its typed errors are turned into contract codes, and the
 * engine-specific checks of invariant 8 (the files on disk agree with what recovery reported;
 * every file it publishes atomically is whole after any crash).
 *
 * The self-check is the engine's own `verify` plus checks written here, apart from the engine:
 * `verify` reports the same analysis recovery applies (engine/analysis.ts), so a bug in that
 * analysis would blind both. The checks here use only the on-disk formats (the shipped decoders
 * and reader, never a mutant's) and say what the files must look like, not what recovery decides.
 */
import { Store } from '../../engine/store.ts';
import { verify } from '../../engine/inspect.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { decodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { decodeSnapshot, parseSnapshotName } from '../../engine/snapshot.ts';
import { findIntactFramesAfter, scanSegment } from '../../engine/wal/reader.ts';
import { parseEvidenceName } from '../../engine/wal/evidence.ts';
import { parseSidecarName, segmentName } from '../../engine/wal/segments.ts';
import { decodeSidecar } from '../../engine/wal/sidecar.ts';
import { enginePhases, type StoreOptions } from '../../engine/types.ts';
import { batchOpsMax, keyBytesMax, tornEvidenceFilesMax, valueBytesMax } from '../../engine/limits.ts';
import { engineProbes, type EngineProbe } from '../../engine/probes.ts';
import type { StoreErrorCode } from '../../engine/errors.ts';
import type { Engine, EngineFailure, EngineHandle } from '../engine-contract.ts';

/** The whole content of a file, its handle closed again. */
async function readWhole(fs: FileSystem, path: string): Promise<Uint8Array> {
  const handle = await fs.open(path);
  try {
    return await handle.read(0, await handle.size());
  } finally {
    await handle.close();
  }
}

/** The names in the store's directory; none when it cannot be listed (no store yet). */
async function namesIn(fs: FileSystem, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/**
 * The reference engine publishes its sidecars, manifest and snapshots by tmp + fsync + rename +
 * directory fsync, so in every crash state each published name holds a whole file (old or new).
 * A torn one means the replacement was not atomic, even if recovery would quietly rebuild it.
 */
async function publishedFilesWhole(fs: FileSystem, dir: string): Promise<string[]> {
  const names = await namesIn(fs, dir);
  const problems: string[] = [];
  const read = (name: string): Promise<Uint8Array> => readWhole(fs, `${dir}/${name}`);
  for (const name of names) {
    if (name.endsWith('.wal.idx') && decodeSidecar(await read(name)) === undefined) problems.push(`published sidecar ${name} is torn`);
    if (name === manifestFileName && 'problem' in decodeManifest(await read(name))) problems.push('the published manifest is torn');
    if (parseSnapshotName(name) !== undefined && 'problem' in decodeSnapshot(await read(name))) problems.push(`published snapshot ${name} is torn`);
  }
  return problems;
}
/**
 * Right after a recovery every sidecar describes its segment exactly (the engine rebuilds any
 * that does not: the segment always wins): same base LSN, the offset of every intact frame, and
 * the end of the last one. Checked on every sidecar whose segment exists; recovery removes the
 * others (sidecars of pruned segments) or the store has no such segment to describe.
 */
async function sidecarsDescribeSegments(fs: FileSystem, dir: string, names: readonly string[]): Promise<string[]> {
  const read = (name: string): Promise<Uint8Array> => readWhole(fs, `${dir}/${name}`);
  const problems: string[] = [];
  for (const name of names) {
    const seq = parseSidecarName(name);
    if (seq === undefined || !names.includes(segmentName(seq))) continue;
    const index = decodeSidecar(await read(name));
    const scan = scanSegment(await read(segmentName(seq)));
    if (index === undefined || 'headerProblem' in scan) {
      problems.push(`${name} or its segment does not decode after recovery`);
      continue;
    }
    const offsets = scan.frames.map((frame) => frame.offset);
    const same = index.seq === seq && index.baseLsn === scan.header.baseLsn && index.endOffset === scan.endOffset &&
      index.offsets.length === offsets.length && index.offsets.every((offset, i) => offset === offsets[i]);
    if (!same) problems.push(`${name} does not describe its segment after recovery`);
  }
  return problems;
}

/**
 * Every torn tail recovery cut off was one the format lets it cut (rule R5): each kept evidence
 * file holds the bytes cut from its segment at its offset, so the segment as recovery found it
 * is the segment's bytes up to that offset followed by the evidence. Read with the shipped
 * reader, its first bad frame must be at the cut, and nothing there may prove it durable: not
 * one flipped bit (torn writes damage whole sectors), not intact checksums over impossible
 * contents, not an intact frame after it that records its LSN as durable (a later append that
 * was only written after it had been fsynced). A cut that breaks one of these silently loses
 * acknowledged commits that media damage struck, which the model excuses when it sees no
 * evidence of its own (sim/model.ts, excusedFloor): the evidence is in the frames, and only the
 * format can read it. A segment cut shorter since, or gone (pruned), is not judged.
 * Exported for its spec; part of the reference engine's `selfCheck`.
 * @param names - the names in `dir`
 * @returns one problem per cut the format forbids
 */
export async function tornTailCutsAllowed(fs: FileSystem, dir: string, names: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  // A segment with several cuts kept is read once.
  const segments = new Map<string, Promise<Uint8Array>>();
  const segmentOf = (segment: string): Promise<Uint8Array> => {
    let bytes = segments.get(segment);
    if (bytes === undefined) segments.set(segment, bytes = readWhole(fs, `${dir}/${segment}`));
    return bytes;
  };
  for (const name of names) {
    const evidence = parseEvidenceName(name);
    if (evidence === undefined || !names.includes(segmentName(evidence.segmentSeq))) continue;
    const segment = await segmentOf(segmentName(evidence.segmentSeq));
    if (segment.length < evidence.offset) continue;
    const cut = await readWhole(fs, `${dir}/${name}`);
    const found = new Uint8Array(evidence.offset + cut.length);
    found.set(segment.subarray(0, evidence.offset));
    found.set(cut, evidence.offset);
    const scan = scanSegment(found);
    if ('headerProblem' in scan) continue;
    const damage = scan.damage;
    if (damage === undefined || damage.offset > evidence.offset) {
      problems.push(`${name} holds intact frames: recovery cut frames that were not damaged`);
      continue;
    }
    if (damage.offset < evidence.offset) continue;
    if (damage.singleBit !== undefined) problems.push(`${name} starts with a frame one bit from intact: bit rot was cut off as a torn tail`);
    else if (damage.kind === 'malformed') problems.push(`${name} starts with a frame whose checksums are intact: it was cut off as a torn tail`);
    const vouching = findIntactFramesAfter(found, damage.offset).find((frame) => frame.durableLsn >= damage.expectedLsn);
    if (vouching !== undefined) {
      problems.push(`${name} was cut off as a torn tail, but its intact frame at offset ${vouching.offset} records LSN ${damage.expectedLsn} as durable`);
    }
  }
  return problems;
}

/**
 * Rule K4 (engine/wal/evidence.ts): a recovery that cut a torn tail kept the bytes first, in an
 * evidence file that holds exactly them, named for the offset of the cut, where its segment ends
 * right after that recovery. Files alone cannot say that a cut happened (the segment is simply
 * shorter); the open's replay statistics can (`truncatedBytes`), which the self-check is shown
 * (`recovery`). An evidence file kept by an interrupted earlier recovery for the same cut counts,
 * as the engine reuses it.
 * Exported for its spec; part of the reference engine's `selfCheck`.
 * @param names - the names in `dir`
 * @param truncatedBytes - what the open just before reported it cut (0: nothing)
 * @returns a problem when a cut was made and no evidence file holds it
 */
export async function tornTailKept(fs: FileSystem, dir: string, names: readonly string[], truncatedBytes: number): Promise<string[]> {
  if (truncatedBytes === 0) return [];
  for (const name of names) {
    const evidence = parseEvidenceName(name);
    const segment = evidence === undefined ? undefined : segmentName(evidence.segmentSeq);
    if (evidence === undefined || segment === undefined || !names.includes(segment)) continue;
    if ((await sizeOf(fs, `${dir}/${name}`)) === truncatedBytes && (await sizeOf(fs, `${dir}/${segment}`)) === evidence.offset) return [];
  }
  return [`recovery cut ${truncatedBytes} bytes of a torn tail, but no evidence file holds them (rule K4)`];
}

/**
 * Rule K4's bound (engine/wal/evidence.ts): after a recovery, at most `tornEvidenceFilesMax`
 * evidence files are kept; the oldest beyond it are removed. A store that crashes often would
 * otherwise fill its disk with them.
 * Exported for its spec; part of the reference engine's `selfCheck`.
 * @param names - the names in the store's directory
 */
export function evidenceWithinLimit(names: readonly string[]): string[] {
  const kept = names.filter((name) => parseEvidenceName(name) !== undefined).length;
  return kept > tornEvidenceFilesMax ? [`${kept} torn-tail evidence files kept, above the limit of ${tornEvidenceFilesMax} (rule K4)`] : [];
}

/** The size of a file, its handle closed again. */
async function sizeOf(fs: FileSystem, path: string): Promise<number> {
  const handle = await fs.open(path);
  try {
    return await handle.size();
  } finally {
    await handle.close();
  }
}

/** What the definition needs of an engine build: the shipped one, or a planted-bug copy of it. */
export interface EngineBuild {
  readonly Store: { open(options: StoreOptions): Promise<Pick<Store, 'commit' | 'get' | 'entries' | 'sync' | 'checkpoint' | 'close' | 'replayStats' | 'metrics'>> };
  readonly verify: typeof verify;
}

/** The contract code of each engine error code (`commitOutcome` comes from the error itself). */
const failureCodes: Record<StoreErrorCode, EngineFailure['code']> = {
  CORRUPTION: 'corruption',
  // A store written by a newer format refuses to open, as damage would: nothing is served.
  UNSUPPORTED_VERSION: 'corruption',
  STORE_FAILED: 'failed',
  DISK_FULL: 'rejected',
  LIMIT_EXCEEDED: 'rejected',
  INVALID_ARGUMENT: 'rejected',
  STORE_CLOSED: 'closed',
};

/**
 * The engine's typed errors as contract failures. Told by `code` and shape, not by class, so a
 * planted-bug copy of the engine (with its own copy of errors.ts) is classified the same way.
 */
export function classifyStoreError(error: unknown): EngineFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, commitOutcome } = error as { code?: unknown; commitOutcome?: unknown };
  if (typeof code !== 'string' || !Object.hasOwn(failureCodes, code)) return undefined;
  return { code: failureCodes[code as StoreErrorCode], commitOutcome: commitOutcome === 'unknown' ? 'unknown' : 'absent' };
}

/** Wraps an engine build under the engine contract. */
export function engineDefinition(name: string, build: EngineBuild): Engine {
  return {
    name,
    description: 'powercut\'s reference WAL key-value store (engine/)',
    phases: enginePhases,
    probes: declaredProbes,
    // Every frame carries the LSN known durable when it was written (rule R4).
    damage: 'detects',
    limits: { keyBytes: keyBytesMax, valueBytes: valueBytesMax, batchOps: batchOpsMax },
    async open(env): Promise<EngineHandle> {
      const store = await build.Store.open({ dir: env.dir, fs: env.fs, clock: env.clock, ...env.config, probe: env.probe, onProbe: env.hit });
      return {
        commit: async (ops) => (await store.commit(ops)).lsn,
        get: async (key) => store.get(key),
        state: async () => new Map(store.entries()),
        sync: () => store.sync(),
        checkpoint: () => store.checkpoint(),
        close: () => store.close(),
        replayStats: store.replayStats,
        metrics: () => store.metrics(),
      };
    },
    classifyError: classifyStoreError,
    crashCheck: (fs, dir) => publishedFilesWhole(fs, dir),
    async selfCheck(fs, dir, recovery) {
      const report = await build.verify(fs, dir);
      const reported = report.problems.map((problem) => `${problem.severity}: ${problem.file}@${problem.offset}: ${problem.message}`);
      const names = await namesIn(fs, dir);
      const cut = recovery?.replayStats?.truncatedBytes ?? 0;
      return [
        ...reported, ...(await sidecarsDescribeSegments(fs, dir, names)), ...(await tornTailCutsAllowed(fs, dir, names)),
        ...(await tornTailKept(fs, dir, names, cut)), ...evidenceWithinLimit(names),
      ];
    },
  };
}

/**
 * Probes the reference engine names (engine/probes.ts) but does not declare, so that `ci` does
 * not promise what the default campaign cannot test. Since media damage (misdirected writes,
 * sector damage, lost names) is simulated, every other probe is reached by `npm start`.
 * - `recovery.refuse.R2`: a frame whose checksums are intact over impossible contents. Only a
 *   writer bug produces one; damage from a disk matches a CRC32C one time in 2^32.
 * - `recovery.refuse.F3`: a manifest of a format version this engine does not know, with a valid
 *   checksum. Only another engine writes one.
 * (`recovery.remove-evidence`, more than `tornEvidenceFilesMax` torn-tail cuts kept in one store,
 * is reached by `crash-loop`, whose seeds cut about ten.)
 */
const unreachableProbes: ReadonlySet<EngineProbe> = new Set<EngineProbe>([
  'recovery.refuse.R2', 'recovery.refuse.F3',
]);

/** The probes the reference engine declares: every probe the fault model can reach. */
const declaredProbes: readonly EngineProbe[] = engineProbes.filter((probe) => !unreachableProbes.has(probe));

/** The reference engine as shipped. */
export const referenceEngine: Engine = engineDefinition('powercut-reference', { Store, verify });

/** The reference engine as a module's default export (`--engine` with no module means this one). */
export default referenceEngine;
