/**
 * The naive store (store.ts) under powercut's engine contract. This file is the only one that
 * knows powercut: it maps the store's own errors to the contract's codes.
 *
 * Run it: `npx tsx cli/main.ts run --engine examples/naive-engine/engine.ts --seeds 50`.
 */
import { defineEngine, type EngineFailure } from '../../sim/index.ts';
import { NaiveStore } from './store.ts';

/** The store's errors as contract failures, told by their `code`. */
function classifyError(error: unknown): EngineFailure | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'NAIVE_CORRUPT') return { code: 'corruption' };
  if (code === 'NAIVE_CLOSED') return { code: 'closed' };
  return undefined;
}

export default defineEngine({
  name: 'naive-example',
  description: 'appends to a log and rewrites an index in place, without fsync (a bad example on purpose)',
  async open(env) {
    const store = await NaiveStore.open(env.fs, env.dir);
    return {
      commit: (ops) => store.commit(ops),
      get: async (key) => store.get(key),
      state: async () => store.entries(),
      sync: () => store.sync(),
      close: () => store.close(),
    };
  },
  classifyError,
});
