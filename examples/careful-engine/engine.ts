/**
 * The careful store (store.ts) under powercut's engine contract. This file is the only one that
 * knows powercut: it maps the store's own errors to the contract's codes. It declares no phases
 * (powercut aims faults at kinds of I/O instead) and has no LSNs.
 *
 * Run it: `npx tsx cli/main.ts run --engine examples/careful-engine/engine.ts --seeds 300`.
 */
import { defineEngine, type EngineFailure } from '../../sim/index.ts';
import { CarefulStore } from './store.ts';

/** The store's errors as contract failures, told by their `code`. */
function classifyError(error: unknown): EngineFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, commitOutcome } = error as { code?: unknown; commitOutcome?: unknown };
  switch (code) {
    case 'CAREFUL_CORRUPTION': return { code: 'corruption' };
    case 'CAREFUL_FAILED': return { code: 'failed', commitOutcome: commitOutcome === 'absent' ? 'absent' : 'unknown' };
    // Both undo what they wrote before rejecting: the commit will never appear.
    case 'CAREFUL_DISK_FULL': return { code: 'rejected', commitOutcome: 'absent' };
    case 'CAREFUL_LIMIT': return { code: 'rejected', commitOutcome: 'absent' };
    case 'CAREFUL_CLOSED': return { code: 'closed' };
    default: return undefined;
  }
}

export default defineEngine({
  name: 'careful-example',
  description: 'an append-only log of checksummed records, fsynced per commit, with torn-tail recovery',
  syncModes: ['strict', 'none'],
  async open(env) {
    const store = await CarefulStore.open({ fs: env.fs, dir: env.dir, sync: env.config.sync === 'none' ? 'none' : 'strict' });
    return {
      commit: (ops) => store.commit(ops),
      get: async (key) => store.get(key),
      state: async () => store.entries(),
      sync: () => store.sync(),
      checkpoint: () => store.checkpoint(),
      close: () => store.close(),
    };
  },
  classifyError,
});
