/**
 * Deliberately broken engines, shared by the harness's tests: wrappers of the reference engine
 * that break one promise, so a test can show the harness catches it.
 */
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine, EngineEnvironment, EngineHandle } from '../../sim/engine-contract.ts';

/** Wraps the reference engine, changing what its handles do. */
export function brokenEngine(name: string, change: (handle: EngineHandle, env: EngineEnvironment) => Partial<EngineHandle>): Engine {
  return {
    ...referenceEngine,
    name,
    async open(env) {
      const handle = await referenceEngine.open(env);
      return { ...handle, ...change(handle, env), replayStats: handle.replayStats };
    },
  };
}

/**
 * The reference engine, except that an open that finds damage (a lost file, a rotted frame)
 * removes the store's files and starts afresh instead of refusing: what was lost is lost silently.
 */
export const startsAfreshOnDamage: Engine = {
  ...referenceEngine,
  name: 'starts-afresh-on-damage',
  async open(env) {
    try {
      return await referenceEngine.open(env);
    } catch (error) {
      if ((error as { code?: string }).code !== 'CORRUPTION') throw error;
      for (const name of await env.fs.readdir(env.dir)) await env.fs.unlink(`${env.dir}/${name}`);
      await env.fs.syncDir(env.dir);
      return referenceEngine.open(env);
    }
  },
};

/**
 * The reference engine, except that every `every`-th commit is acknowledged but never written:
 * it fails without any fault injected. With `lsn`, the acknowledgement carries a plausible LSN
 * (the next one), which the LSN checks catch at once; without, only the data can give it away.
 */
export function acknowledgesWithoutWriting(every: number, lsn = true): Engine {
  return brokenEngine(`acknowledges-every-${every}th-commit-without-writing`, (handle) => {
    let calls = 0;
    let lastLsn = 0;
    return {
      async commit(ops) {
        if (++calls % every === 0) return lsn ? lastLsn + 1 : undefined;
        lastLsn = (await handle.commit(ops)) as number;
        return lsn ? lastLsn : undefined;
      },
    };
  });
}
