/**
 * The worker-thread side of a campaign: loads the subject named in `workerData.spec` once, then
 * runs the seeds the main thread sends, one message per seed, and posts back each compact
 * result. Holds no state between seeds beyond the loaded subject, so which worker runs a seed
 * cannot change its result; `--check-determinism` relies on that by rerunning seeds in a worker
 * that has never run anything.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runSeed, type SeedRun, type SeedTask } from './seed-run.ts';
import type { Subject, SubjectSpec } from './subject.ts';

/** What the main thread sends: a seed, numbered. */
export interface WorkerTask extends SeedTask {
  readonly id: number;
}

/** A worker's answer: the run, an error of that seed, or a subject that would not load. */
export type WorkerReply =
  | { readonly id: number; readonly run: SeedRun }
  | { readonly id: number; readonly error: string }
  | { readonly id: number; readonly startError: string };

/** What a worker is started with. */
export interface WorkerSetup {
  readonly spec: SubjectSpec;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Serves seeds in this worker thread.
 * @param load - loads a subject from its spec (the caller's layer knows every kind of subject)
 * @throws Error when not in a worker thread
 */
export function serveSeeds(load: (spec: SubjectSpec) => Promise<Subject>): void {
  const port = parentPort;
  if (port === null) throw new Error('serveSeeds must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const subject = load(setup.spec);
  // An unhandled rejection would kill the worker before it could say why.
  subject.catch(() => undefined);
  // The pool sends a worker its next seed before the current one ends (pool.ts), so that the
  // worker never waits for the main thread between seeds; seeds still run one at a time, in
  // the order they came: a run owns its thread's globals while it lasts (a library's timers).
  let previous: Promise<unknown> = subject;
  port.on('message', (task: WorkerTask) => {
    previous = previous.then(() => serve(port, subject, task), () => serve(port, subject, task));
  });
}

/** Runs one seed once the subject has loaded, and answers. */
function serve(port: MessagePort, subject: Promise<Subject>, task: WorkerTask): Promise<void> {
  return subject.then(
    (loaded) => runSeed(loaded, task).then(
      (run) => port.postMessage({ id: task.id, run } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id: task.id, error: errorText(error) } satisfies WorkerReply),
    ),
    (error: unknown) => port.postMessage({ id: task.id, startError: errorText(error) } satisfies WorkerReply),
  );
}
