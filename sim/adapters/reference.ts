/**
 * The reference engine (engine/) as a system under test: a thin mapping of the adapter
 * interface onto `Store`, plus the engine-specific self-check the runner uses for invariant 8
 * (the files on disk, sidecars included, agree with what recovery reported).
 */
import { Store } from '../../engine/store.ts';
import { verify } from '../../engine/inspect.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { decodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { decodeSnapshot, parseSnapshotName } from '../../engine/snapshot.ts';
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
      return report.problems.map((problem) => `${problem.severity}: ${problem.file}@${problem.offset}: ${problem.message}`);
    },
  };
}

/** The reference engine as shipped. */
export const referenceEngine: EngineAdapter = engineAdapter('powercut-reference', { Store, verify });
