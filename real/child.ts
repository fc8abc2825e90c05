/**
 * The child process of the `real` campaign: opens the store (recovering whatever the last kill
 * left), reports the recovered state, then commits each batch the parent sends as soon as it
 * arrives (so commits overlap, and in `group` mode share fsyncs) and acknowledges each one
 * once the store's commit promise resolves. It is meant to die by SIGKILL at any moment.
 *
 * Run by the parent with `fork(child.ts, [JSON ChildArgs], { execArgv: ['--import', 'tsx'] })`.
 */
import { pathToFileURL } from 'node:url';
import type { ChildArgs, ChildMessage, OpenCampaignStore, ParentMessage } from './protocol.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const argument = process.argv[2];
  if (argument === undefined || process.send === undefined) {
    throw new Error('child.ts runs only as a forked child, with its arguments in JSON');
  }
  const { storeModule, ...options } = JSON.parse(argument) as ChildArgs;
  const module = (await import(pathToFileURL(storeModule).href)) as { openStore: OpenCampaignStore };
  const store = await module.openStore(options);
  const stats = store.replayStats;
  send({
    type: 'ready',
    state: Array.from(store.entries(), ([key, value]) => [key, decoder.decode(value)] as const),
    stats: {
      recoveryMs: stats.recoveryMs,
      truncatedBytes: stats.truncatedBytes,
      lastLsn: stats.lastLsn,
      recordsApplied: stats.recordsApplied,
      uncleanShutdown: stats.uncleanShutdown,
    },
  });

  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    if (message.type === 'close') {
      store.close().then(
        () => {
          send({ type: 'closed' });
          process.disconnect();
        },
        (error: unknown) => send({ type: 'error', message: `close failed: ${String(error)}` }),
      );
      return;
    }
    // Commit now, without waiting for earlier commits: the store assigns LSNs in call order,
    // which is the order the batches arrive in.
    const ops = message.ops.map((op) =>
      op.type === 'put' ? { type: 'put' as const, key: op.key, value: encoder.encode(op.value) } : op);
    store.commit(ops).then(
      ({ lsn }) => send({ type: 'ack', seq: message.seq, lsn }),
      (error: unknown) => send({ type: 'error', seq: message.seq, message: String(error) }),
    );
  });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: `child failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  process.exitCode = 1;
  process.disconnect?.();
});
