/**
 * Deliberately broken systems under test, shared by the harness's tests: wrappers of the
 * reference engine that break one promise, so a test can show the harness catches it.
 */
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { SystemUnderTest } from '../../sim/adapter.ts';

/**
 * The reference engine, except that every `every`-th commit is acknowledged with a plausible
 * LSN but never written: it fails without any fault injected.
 */
export function acknowledgesWithoutWriting(every: number): SystemUnderTest {
  return {
    name: `acknowledges-every-${every}th-commit-without-writing`,
    async open(env) {
      const handle = await referenceEngine.open(env);
      let calls = 0;
      let lastLsn = 0;
      return {
        ...handle,
        async commit(ops) {
          if (++calls % every === 0) return lastLsn + 1;
          lastLsn = await handle.commit(ops);
          return lastLsn;
        },
        replayStats: handle.replayStats,
      };
    },
  };
}
