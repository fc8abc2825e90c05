/**
 * The worker-thread side of a campaign: loads the subject named in `workerData.spec` once, then
 * runs the seeds the main thread sends, one message per seed, and posts back each compact
 * result. Holds no state between seeds beyond the loaded subject, so which worker runs a seed
 * cannot change its result; `--check-determinism` relies on that by rerunning seeds in a worker
 * that has never run anything.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { harnessMessage, runSeed, thrownLine, type SeedRun, type SeedTask } from './seed-run.ts';
import type { BasePlan, CandidateCrash, Subject, SubjectSpec } from './subject.ts';
import { joinWatch, onSpin, type WatchSeat } from './watchdog.ts';
import { onNativeAddon } from './addons-seen.ts';
import { onEnvRead } from './env-reads.ts';

/**
 * What the main thread sends: a seed, numbered. An exploration candidate names its base by
 * number, and carries the base itself only the first time this worker sees it (see
 * {@link basesKeptMax}).
 */
export interface WorkerTask extends Omit<SeedTask, 'candidate'> {
  readonly id: number;
  readonly candidate?: { readonly baseId: number; readonly base?: BasePlan; readonly crash: CandidateCrash };
}

/**
 * Exploration bases a worker keeps, oldest dropped first. The pool keeps the same list for each
 * worker, in the order it sent them, so both sides always agree on which bases a worker has.
 */
export const basesKeptMax = 8;

/**
 * Adds `id` to a list of kept bases, dropping the oldest beyond {@link basesKeptMax}, the same
 * way on both sides.
 * @returns the id dropped, if any
 */
export function keepBase(kept: Map<number, BasePlan>, id: number, base: BasePlan): number | undefined {
  kept.set(id, base);
  if (kept.size <= basesKeptMax) return undefined;
  const oldest = kept.keys().next().value!;
  kept.delete(oldest);
  return oldest;
}

/** A worker's answer: the run, an error of that seed, a subject that would not load, or a run that spins. */
export type WorkerReply =
  /** The run under way spins in a loop nothing can interrupt: why; the worker waits to be ended. */
  | { readonly spun: string }
  /** The code under test read this environment variable (env-reads.ts): the main thread's repro lines set it. */
  | { readonly env: string }
  /** The code under test loaded this native addon (addons-seen.ts): the main thread's summary names it. */
  | { readonly addon: string }
  | { readonly id: number; readonly run: SeedRun }
  /** The seed's run threw: its `harnessMessage`. */
  | { readonly id: number; readonly error: string }
  | { readonly id: number; readonly startError: string };

/** What a worker is started with. */
export interface WorkerSetup {
  readonly spec: SubjectSpec;
  /** This worker's seat on the watchdog's board, when one watches the campaign (watchdog.ts). */
  readonly watch?: WatchSeat;
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
  if (setup.watch !== undefined) joinWatch(setup.watch);
  // A planted bug's switch read only while a seed runs here (a library's seeds run in workers only).
  onEnvRead((name) => port.postMessage({ env: name } satisfies WorkerReply));
  onNativeAddon((file) => port.postMessage({ addon: file } satisfies WorkerReply));
  // A run that retries a dead process's calls for ever: the pool ends this thread and goes on.
  onSpin((why) => {
    port.postMessage({ spun: why } satisfies WorkerReply);
    for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
  const subject = load(setup.spec);
  // An unhandled rejection would kill the worker before it could say why.
  subject.catch(() => undefined);
  // The pool sends a worker its next seed before the current one ends (pool.ts), so that the
  // worker never waits for the main thread between seeds; seeds still run one at a time, in
  // the order they came: a run owns its thread's globals while it lasts (a library's timers).
  let previous: Promise<unknown> = subject;
  const bases = new Map<number, BasePlan>();
  port.on('message', (message: WorkerTask) => {
    // Kept as the message arrives, in the order the pool sent it.
    const task = seedTask(message, bases);
    previous = previous.then(() => serve(port, subject, message.id, task), () => serve(port, subject, message.id, task));
  });
}

/** The seed a message asks for, its exploration base looked up (or kept, when it comes with it). */
function seedTask(message: WorkerTask, bases: Map<number, BasePlan>): SeedTask | Error {
  const { id: _id, candidate, ...rest } = message;
  if (candidate === undefined) return rest;
  if (candidate.base !== undefined) keepBase(bases, candidate.baseId, candidate.base);
  const base = bases.get(candidate.baseId);
  if (base === undefined) return new Error(`exploration base ${candidate.baseId} was never sent to this worker`);
  return { ...rest, candidate: { base, crash: candidate.crash } };
}

/** Runs one seed once the subject has loaded, and answers. */
function serve(port: MessagePort, subject: Promise<Subject>, id: number, task: SeedTask | Error): Promise<void> {
  if (task instanceof Error) {
    port.postMessage({ id, error: harnessMessage(task) } satisfies WorkerReply);
    return Promise.resolve();
  }
  return subject.then(
    (loaded) => runSeed(loaded, task).then(
      (run) => port.postMessage({ id, run } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id, error: harnessMessage(error) } satisfies WorkerReply),
    ),
    (error: unknown) => port.postMessage({ id, startError: thrownLine(error) } satisfies WorkerReply),
  );
}
