/**
 * A fixed number of worker threads running seeds of one subject (harness/worker.ts). Each worker
 * is sent its next seed while it runs one ({@link seedsInFlightPerWorker}), so it goes on at once
 * instead of waiting for this thread to read its answer and reply (on a loaded machine that
 * wait is a scheduling delay of the main thread per seed). Tasks queue when every worker has
 * its seeds; a worker that dies fails the seeds sent to it (the campaign reports harness errors)
 * and is replaced. A worker that dies before its first answer, or cannot load the
 * subject, could not start: replacing it would fail the same way for every seed, so the pool
 * fails instead, and every later `run` throws {@link WorkerStartError} at once.
 */
import { Worker } from 'node:worker_threads';
import type { SeedExecutor } from './executor.ts';
import { SeedThrewError, spunRun, type SeedRun, type SeedTask } from './seed-run.ts';
import { whereWorkerSpins } from './spin-site.ts';
import type { BasePlan, SubjectSpec } from './subject.ts';
import { leaveWatchSeat, onHungRun, takeWatchSeat, type SpinWhy, type WatchSeat } from './watchdog.ts';
import { noteNativeAddon } from './addons-seen.ts';
import { noteEnvRead } from './env-reads.ts';
import { keepBase, type WorkerReply, type WorkerSetup, type WorkerTask } from './worker.ts';

interface Pending {
  readonly resolve: (run: SeedRun) => void;
  readonly reject: (error: Error) => void;
  /** The seed sent, for the result of a run that spins ({@link spunRun}). */
  readonly unit: string;
  readonly seed: number;
}

/** A worker thread could not start, or could not load the subject: the pool cannot run seeds. */
export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';
  readonly code = 'WORKER_START';
}

/** A seed sent to a worker that was ended before it began: it runs again on another. */
class NotStartedError extends Error {}

/**
 * Seeds sent to one worker at a time: the one it runs and the next. It runs them one after the
 * other, in order, and which worker runs a seed never changes its result. One ahead, so that the
 * worker never waits for this thread between seeds; no more, since a campaign whose time budget
 * is spent still runs every seed already sent (four each, when this thread ran seeds too, made
 * a budget of 100 s end after 143 with a library's 10-second seeds).
 */
export const seedsInFlightPerWorker = 2;

/** One worker thread and the seeds sent to it. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead = false;
  /** Whether the worker ever answered: one that dies before its first answer could not start. */
  answered = false;
  /** The exploration bases the worker keeps, as it keeps them (worker.ts `keepBase`). */
  readonly bases = new Map<number, BasePlan>();
  /** The worker's seat on the watchdog's board (watchdog.ts), given back when it is gone. */
  readonly seat: WatchSeat | undefined = takeWatchSeat();
  /** Why the run under way spins or never returned: the worker is being ended for it. */
  spun: string | undefined;
  /** The worker is being paused to learn where it spins, before it is ended. */
  #pausing = false;

  constructor(script: URL, setup: WorkerSetup, onIdle: (slot: Slot) => void) {
    const workerData: WorkerSetup = this.seat === undefined ? setup : { ...setup, watch: this.seat };
    this.worker = new Worker(script, { workerData });
    onHungRun(this.seat, (why) => this.#endSpinning(why));
    this.worker.on('message', (reply: WorkerReply) => {
      if ('spun' in reply) return this.#end(reply.spun);
      if ('env' in reply) return noteEnvRead(reply.env);
      if ('addon' in reply) return noteNativeAddon(reply.addon);
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      if ('startError' in reply) {
        pending.reject(new WorkerStartError(`a campaign worker could not load the subject: ${reply.startError}`));
        return;
      }
      this.answered = true;
      if ('run' in reply) pending.resolve(reply.run);
      else pending.reject(new SeedThrewError(reply.error));
      onIdle(this);
    });
    const fail = (error: Error): void => {
      this.dead = true;
      leaveWatchSeat(this.seat);
      const pending = [...this.pending.values()];
      this.pending.clear();
      // A worker ended for a run that spins or never returned (harness/watchdog.ts): that run
      // (the first sent, as it runs them in order) is a liveness violation of its seed
      // (`spunRun`), for every caller alike; the ones queued behind it never began and run again
      // elsewhere.
      if (this.spun !== undefined) {
        const head = pending.shift();
        head?.resolve(spunRun(head.unit, head.seed, this.spun));
        for (const seed of pending) seed.reject(new NotStartedError());
        return;
      }
      for (const seed of pending) seed.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`campaign worker exited with code ${code}`)));
  }

  /**
   * Ends the worker, whose run under way gives the world no turn, for `why`, once it is known
   * where it spins (spin-site.ts): the frames go into the violation's message.
   */
  #endSpinning(why: SpinWhy): void {
    if (this.spun !== undefined || this.#pausing) return;
    this.#pausing = true;
    void whereWorkerSpins(this.worker).then((frames) => this.#end(why(frames)));
  }

  /** Ends the worker, whose run under way spins, for `why`. */
  #end(why: string): void {
    if (this.spun !== undefined) return;
    this.spun = why;
    void this.worker.terminate();
  }
}

/** Worker threads running seeds of one subject. */
export class WorkerPool implements SeedExecutor {
  readonly lanes: number;
  readonly #script: URL;
  readonly #setup: WorkerSetup;
  readonly #slots: Slot[] = [];
  readonly #idle: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #closed = false;
  #startError: WorkerStartError | undefined;
  #nextId = 0;
  /** Numbers of the exploration bases posted so far, by identity. */
  readonly #baseIds = new WeakMap<BasePlan, number>();
  #nextBaseId = 0;

  /**
   * @param threads - worker threads to start (at least 1)
   * @param script - the worker's entry module (it calls `serveSeeds` with a subject loader)
   * @param spec - the subject every worker loads
   */
  constructor(threads: number, script: URL, spec: SubjectSpec) {
    const count = Math.max(1, threads);
    this.lanes = count * seedsInFlightPerWorker;
    this.#script = script;
    this.#setup = { spec };
    for (let i = 0; i < count; i++) this.#add();
  }

  /** Starts a worker; `#idle` holds it once per seed it may be sent. */
  #add(): void {
    const slot = this.#start();
    for (let i = 0; i < seedsInFlightPerWorker; i++) this.#idle.push(slot);
  }

  #start(): Slot {
    const slot = new Slot(this.#script, this.#setup, (idle) => this.#release(idle));
    this.#slots.push(slot);
    return slot;
  }

  /** Replaces a dead worker (once, though every seed it had fails). */
  #replace(dead: Slot): void {
    const at = this.#slots.indexOf(dead);
    if (at < 0) return;
    this.#slots.splice(at, 1);
    for (let i = this.#idle.indexOf(dead); i >= 0; i = this.#idle.indexOf(dead)) this.#idle.splice(i, 1);
    const fresh = this.#start();
    for (let i = 0; i < seedsInFlightPerWorker; i++) this.#release(fresh);
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

  async run(task: SeedTask): Promise<SeedRun> {
    for (;;) {
      try {
        return await this.#runOnce(task);
      } catch (error) {
        if (!(error instanceof NotStartedError)) throw error;
      }
    }
  }

  async #runOnce(task: SeedTask): Promise<SeedRun> {
    if (this.#closed) throw new Error('worker pool is closed');
    if (this.#startError) throw this.#startError;
    const slot = await this.#acquire();
    if (this.#startError) throw this.#startError;
    try {
      return await new Promise<SeedRun>((resolve, reject) => {
        const id = this.#nextId++;
        slot.pending.set(id, { resolve, reject, unit: task.unit, seed: task.seed });
        slot.worker.postMessage(this.#message(task, id, slot));
      });
    } catch (error) {
      if (error instanceof WorkerStartError || (slot.dead && !slot.answered && slot.spun === undefined)) {
        this.#startError = error instanceof WorkerStartError ? error
          : new WorkerStartError(`a campaign worker could not start: ${error instanceof Error ? error.message : String(error)}`);
        // Wake every queued run so it fails too instead of waiting for a worker forever.
        for (const waiter of this.#waiting.splice(0)) waiter(slot);
        throw this.#startError;
      }
      throw error;
    } finally {
      if (slot.dead && !this.#closed && !this.#startError) this.#replace(slot);
    }
  }

  /** The message of `task` for `slot`: an exploration base goes only to a worker that lacks it. */
  #message(task: SeedTask, id: number, slot: Slot): WorkerTask {
    const { candidate, ...rest } = task;
    if (candidate === undefined) return { ...rest, id };
    let baseId = this.#baseIds.get(candidate.base);
    if (baseId === undefined) {
      baseId = this.#nextBaseId++;
      this.#baseIds.set(candidate.base, baseId);
    }
    if (slot.bases.has(baseId)) return { ...rest, id, candidate: { baseId, crash: candidate.crash } };
    keepBase(slot.bases, baseId, candidate.base);
    return { ...rest, id, candidate: { baseId, base: candidate.base, crash: candidate.crash } };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const slot of slots) slot.worker.removeAllListeners('exit');
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    for (const slot of slots) leaveWatchSeat(slot.seat);
  }
}
