/**
 * The reference engine (engine/) as a system under test: a thin mapping of the adapter
 * interface onto `Store`, plus the engine-specific self-check the runner uses for invariant 8
 * (the files on disk, sidecars included, agree with what recovery reported).
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
import { scanSegment } from '../../engine/wal/reader.ts';
import { parseSidecarName, segmentName } from '../../engine/wal/segments.ts';
import { decodeSidecar } from '../../engine/wal/sidecar.ts';

/**
 * The reference engine publishes its sidecars, manifest and snapshots by tmp + fsync + rename +
 * directory fsync, so in every crash state each published name holds a whole file (old or new).
 * A torn one means the replacement was not atomic, even if recovery would quietly rebuild it.
 */
async function publishedFilesWhole(fs: FileSystem, dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const problems: string[] = [];
  const read = async (name: string): Promise<Uint8Array> => {
    const handle = await fs.open(`${dir}/${name}`);
    return handle.read(0, await handle.size());
  };
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
async function sidecarsDescribeSegments(fs: FileSystem, dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const read = async (name: string): Promise<Uint8Array> => {
    const handle = await fs.open(`${dir}/${name}`);
    return handle.read(0, await handle.size());
  };
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

import type { SutHandle, SutEnvironment, SystemUnderTest } from '../adapter.ts';
import type { StoreOptions } from '../../engine/types.ts';

/** What the adapter needs of an engine build: the shipped one, or a planted-bug copy of it. */
export interface EngineBuild {
  readonly Store: { open(options: StoreOptions): Promise<Pick<Store, 'commit' | 'get' | 'entries' | 'sync' | 'checkpoint' | 'close' | 'replayStats'>> };
  readonly verify: typeof verify;
}

/** An engine adapter with the engine's self-checks (invariant 8). */
export type EngineAdapter = SystemUnderTest & {
  /** Verifies a store directory read-only; one line per problem (none after a good recovery). */
  selfCheck(fs: FileSystem, dir: string): Promise<string[]>;
  /** Checks a crash state before recovery: every published file is whole. */
  crashCheck(fs: FileSystem, dir: string): Promise<string[]>;
};

/** Wraps an engine build as a system under test. */
export function engineAdapter(name: string, build: EngineBuild): EngineAdapter {
  return {
    name,
    async open(env: SutEnvironment): Promise<SutHandle> {
      const store = await build.Store.open({
        dir: env.dir, fs: env.fs, clock: env.clock, ...env.config, ...(env.probe ? { probe: env.probe } : {}),
      });
      return {
        async commit(ops) {
          return (await store.commit(ops)).lsn;
        },
        async get(key) {
          return store.get(key);
        },
        async state() {
          return new Map(store.entries());
        },
        sync: () => store.sync(),
        checkpoint: () => store.checkpoint(),
        close: () => store.close(),
        replayStats: store.replayStats,
      };
    },
    async crashCheck(fs, dir) {
      return publishedFilesWhole(fs, dir);
    },
    async selfCheck(fs, dir) {
      const report = await build.verify(fs, dir);
      const reported = report.problems.map((problem) => `${problem.severity}: ${problem.file}@${problem.offset}: ${problem.message}`);
      return [...reported, ...(await sidecarsDescribeSegments(fs, dir))];
    },
  };
}

/** The reference engine as shipped. */
export const referenceEngine: EngineAdapter = engineAdapter('powercut-reference', { Store, verify });
