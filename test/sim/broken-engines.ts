/**
 * Deliberately broken engines, shared by the harness's tests: wrappers of the reference engine
 * that break one promise, so a test can show the harness catches it.
 */
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine, EngineHandle } from '../../sim/engine-contract.ts';

/** Wraps the reference engine, changing what its handles do. */
export function brokenEngine(name: string, change: (handle: EngineHandle) => Partial<EngineHandle>): Engine {
  return {
    ...referenceEngine,
    name,
    async open(env) {
      const handle = await referenceEngine.open(env);
      return { ...handle, ...change(handle), replayStats: handle.replayStats };
    },
  };
}

/**
 * The reference engine, except that every `every`-th commit is acknowledged with a plausible
 * LSN but never written: it fails without any fault injected.
 */
export function acknowledgesWithoutWriting(every: number): Engine {
  return brokenEngine(`acknowledges-every-${every}th-commit-without-writing`, (handle) => {
    let calls = 0;
    let lastLsn = 0;
    return {
      async commit(ops) {
        if (++calls % every === 0) return lastLsn + 1;
        lastLsn = (await handle.commit(ops)) as number;
        return lastLsn;
      },
    };
  });
}
