/**
 * The child process of `replay --real`: opens the store with the plan's engine configuration
 * (recovering whatever the last kill left), reports the recovered state and replay statistics,
 * then runs the plan steps the parent sends, one at a time. For every step it first issues all
 * of the step's calls to the store, reports `started`, then reports each commit's resolution as
 * it happens and `done` at the end. It is meant to die by SIGKILL at any moment, `started`
 * being the parent's cue for a kill inside a step.
 *
 * Run by the parent with `fork(replay-child.ts, [JSON ReplayChildArgs], { execArgv: ['--import', 'tsx'] })`.
 */
import { pathToFileURL } from 'node:url';
import type { WireOp } from './protocol.ts';
import type { OpenPlanStore, PlanStore, ReplayChildArgs, ReplayChildMessage, ReplayParentMessage, WireFailure } from './replay-protocol.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function send(message: ReplayChildMessage): void {
  process.send?.(message);
}

/** The engine's typed errors carry `code` and `commitOutcome`; anything else is only a message. */
function failureOf(error: unknown): WireFailure {
  const fields = error as { code?: unknown; commitOutcome?: unknown };
  return {
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(fields.commitOutcome === 'absent' || fields.commitOutcome === 'unknown' ? { commitOutcome: fields.commitOutcome } : {}),
  };
}

function toOps(batch: readonly WireOp[]): Parameters<PlanStore['commit']>[0] {
  return batch.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: encoder.encode(op.value) } : op));
}

/** Issues every call of the step, then reports `started`; resolves when the step is done. */
async function runStep(store: PlanStore, message: ReplayParentMessage): Promise<void> {
  const { step, run } = message;
  switch (run.op) {
    case 'commit':
    case 'concurrent': {
      const batches = run.op === 'commit' ? [run.batch] : run.batches;
      // Called in order without waiting: the store assigns LSNs in call order, the order in which
      // the parent told its model the commits were issued.
      const commits = batches.map((batch, index) => store.commit(toOps(batch)).then(
        ({ lsn }) => send({ type: 'commit', step, batch: index, lsn }),
        (error: unknown) => send({ type: 'commit-failed', step, batch: index, failure: failureOf(error) }),
      ));
      send({ type: 'started', step });
      await Promise.all(commits);
      send({ type: 'done', step });
      return;
    }
    case 'get':
    case 'sync':
    case 'checkpoint':
    case 'close': {
      const call = run.op === 'get'
        ? Promise.resolve().then(() => store.get(run.key))
        : run.op === 'sync' ? store.sync() : run.op === 'checkpoint' ? store.checkpoint() : store.close();
      send({ type: 'started', step });
      try {
        const value = await call;
        send(run.op === 'get' ? { type: 'done', step, value: value === undefined ? null : decoder.decode(value) } : { type: 'done', step });
      } catch (error) {
        send({ type: 'done', step, failure: failureOf(error) });
      }
      if (run.op === 'close') process.disconnect();
      return;
    }
  }
}

async function main(): Promise<void> {
  const argument = process.argv[2];
  if (argument === undefined || process.send === undefined) {
    throw new Error('replay-child.ts runs only as a forked child, with its arguments in JSON');
  }
  const { storeModule, dir, engine } = JSON.parse(argument) as ReplayChildArgs;
  const module = (await import(pathToFileURL(storeModule).href)) as { openPlanStore: OpenPlanStore };
  const store = await module.openPlanStore({ dir, engine });
  send({
    type: 'ready',
    state: Array.from(store.entries(), ([key, value]) => [key, decoder.decode(value)] as const),
    stats: { ...store.replayStats },
  });
  // Steps run one at a time, in the order they arrive: the parent sends the next one only after
  // `done`, so a chain is enough to keep them in order should two ever overlap.
  let chain = Promise.resolve();
  process.on('message', (raw) => {
    const message = raw as ReplayParentMessage;
    chain = chain.then(() => runStep(store, message)).catch((error: unknown) => {
      send({ type: 'error', message: `step ${message.step} failed: ${String(error)}` });
    });
  });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: `child failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  process.exitCode = 1;
  process.disconnect?.();
});
