/**
 * Where a campaign's seeds run: in this thread ({@link InProcessExecutor}, for `--jobs 1` and for
 * tests that pass their own system under test) or in a pool of worker threads
 * ({@link WorkerPool}). Both take one seed at a time and return its compact result; the campaign
 * decides the order results are aggregated in, so the executor never affects a result.
 *
 * Workers run TypeScript through tsx: their entry (campaign-worker-entry.mjs) registers tsx's
 * loader, resolved from this package rather than the current directory, and then imports the
 * TypeScript worker, so the pool works under `npx powercut` from any folder, under `tsx`, and
 * under vitest.
 */
import { Worker } from 'node:worker_threads';
import type { CheckedSystem } from './runner.ts';
import { runSeed, type SeedRun, type SeedTask, type WorkerReply } from './campaign.ts';

/** Runs seeds, one call per seed. */
export interface SeedExecutor {
  run(task: Omit<SeedTask, 'id'>): Promise<SeedRun>;
  /** Stops every thread the executor started. */
  close(): Promise<void>;
}

/** Runs seeds in this thread against any system under test. */
export class InProcessExecutor implements SeedExecutor {
  constructor(private readonly sut: CheckedSystem) {}

  run(task: Omit<SeedTask, 'id'>): Promise<SeedRun> {
    return runSeed({ ...task, id: 0 }, this.sut);
  }

  async close(): Promise<void> {}
}

const workerScript = new URL('./campaign-worker-entry.mjs', import.meta.url);

interface Pending {
  readonly resolve: (run: SeedRun) => void;
  readonly reject: (error: Error) => void;
}

/** One worker thread and the task it is running, if any. */
class Slot {
  readonly worker: Worker;
  pending: Pending | undefined;
  dead = false;
  /** Whether the worker ever answered: one that dies before its first answer could not start. */
  answered = false;

  constructor(onIdle: (slot: Slot) => void) {
    this.worker = new Worker(workerScript);
    this.worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending;
      this.pending = undefined;
      this.answered = true;
      if (pending === undefined) return;
      if ('run' in reply) pending.resolve(reply.run);
      else pending.reject(new Error(reply.error));
      onIdle(this);
    });
    const fail = (error: Error): void => {
      this.dead = true;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`campaign worker exited with code ${code}`)));
  }
}

/** A worker thread died before answering anything: the pool cannot run seeds at all. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
}

/**
 * A fixed number of worker threads running the reference engine. Tasks queue when every worker
 * is busy; a worker that dies fails its task (the campaign reports a harness error) and is
 * replaced. A worker that dies before its first answer could not start (tsx missing, a syntax
 * error): replacing it would fail the same way for every seed, so the pool fails instead, and
 * every later `run` throws {@link WorkerStartError} at once.
 */
export class WorkerPool implements SeedExecutor {
  readonly #slots: Slot[] = [];
  readonly #idle: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #closed = false;
  #startError: WorkerStartError | undefined;

  /** @param threads - worker threads to start (at least 1) */
  constructor(threads: number) {
    for (let i = 0; i < Math.max(1, threads); i++) this.#add();
  }

  #add(): void {
    const slot = new Slot((idle) => this.#release(idle));
    this.#slots.push(slot);
    this.#idle.push(slot);
  }

  #release(slot: Slot): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(slot);
    else this.#idle.push(slot);
  }

  async #acquire(): Promise<Slot> {
    const slot = this.#idle.pop();
    if (slot) return slot;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async run(task: Omit<SeedTask, 'id'>): Promise<SeedRun> {
    if (this.#closed) throw new Error('worker pool is closed');
    if (this.#startError) throw this.#startError;
    const slot = await this.#acquire();
    if (this.#startError) throw this.#startError;
    try {
      return await new Promise<SeedRun>((resolve, reject) => {
        slot.pending = { resolve, reject };
        slot.worker.postMessage({ ...task, id: 0 } satisfies SeedTask);
      });
    } catch (error) {
      if (slot.dead && !slot.answered) {
        this.#startError = new WorkerStartError(`a campaign worker could not start: ${error instanceof Error ? error.message : String(error)}`);
        // Wake every queued run so it fails too instead of waiting for a worker forever.
        for (const waiter of this.#waiting.splice(0)) waiter(slot);
        throw this.#startError;
      }
      throw error;
    } finally {
      if (slot.dead && !this.#closed && !this.#startError) {
        this.#slots.splice(this.#slots.indexOf(slot), 1);
        this.#add();
        this.#release(this.#idle.pop()!);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const slot of slots) slot.worker.removeAllListeners('exit');
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
