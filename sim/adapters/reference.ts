/**
 * The reference engine (engine/) as a system under test: a thin mapping of the adapter
 * interface onto `Store`, plus the engine-specific self-check the runner uses for invariant 8
 * (the files on disk, sidecars included, agree with what recovery reported).
 */
import { Store } from '../../engine/store.ts';
import { verify } from '../../engine/inspect.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import type { SutHandle, SutEnvironment, SystemUnderTest } from '../adapter.ts';

/** The reference engine adapter. */
export const referenceEngine: SystemUnderTest & {
  /** Verifies a store directory read-only; returns one line per problem (none after a good recovery). */
  selfCheck(fs: FileSystem, dir: string): Promise<string[]>;
} = {
  name: 'powercut-reference',
  async open(env: SutEnvironment): Promise<SutHandle> {
    const store = await Store.open({
      dir: env.dir,
      fs: env.fs,
      clock: env.clock,
      ...env.config,
      ...(env.probe ? { probe: env.probe } : {}),
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
  async selfCheck(fs, dir) {
    const report = await verify(fs, dir);
    return report.problems.map((problem) => `${problem.severity}: ${problem.file}@${problem.offset}: ${problem.message}`);
  },
};
