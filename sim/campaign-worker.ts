/**
 * The worker thread of a campaign: runs the seeds the main thread sends, one message per seed,
 * against the reference engine, and posts back each run's compact result (see
 * {@link runSeed} in campaign.ts). Holds no state between seeds, so which worker runs a seed
 * cannot change its result; `--check-determinism` relies on that by rerunning seeds in a
 * worker that has never run anything.
 */
import { parentPort } from 'node:worker_threads';
import { referenceEngine } from './adapters/reference.ts';
import { runSeed, type SeedTask, type WorkerReply } from './campaign.ts';

const port = parentPort;
if (port === null) throw new Error('campaign-worker.ts must run in a worker thread');

port.on('message', (task: SeedTask) => {
  runSeed(task, referenceEngine).then(
    (run) => port.postMessage({ id: task.id, run } satisfies WorkerReply),
    (error: unknown) => port.postMessage({ id: task.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies WorkerReply),
  );
});
