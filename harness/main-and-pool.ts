/**
 * This thread and a pool of workers running one campaign's seeds together: `--jobs N` is N
 * threads running seeds, this one included, so a campaign starts N - 1 workers instead of N and
 * this thread, which loaded the subject anyway, does not sit idle while they run. This thread
 * runs one seed at a time; every other seed goes to the pool. Where a seed runs never changes
 * its result (each run owns a fresh world), so the campaign's result is the same.
 */
import { InProcessExecutor, type SeedExecutor } from './executor.ts';
import { WorkerPool } from './pool.ts';
import type { SeedRun, SeedTask } from './seed-run.ts';
import type { BasePlan, Subject } from './subject.ts';

/**
 * The executor of `threads` threads running seeds of `subject`: this thread alone, or this
 * thread and `threads - 1` workers loading the subject by its spec with `workerScript`, or, for
 * a library workload, `threads` workers.
 */
export function threadsExecutor<P extends BasePlan>(subject: Subject<P>, threads: number, workerScript: URL | undefined): SeedExecutor {
  const main = new InProcessExecutor(subject);
  if (threads <= 1 || workerScript === undefined) return main;
  // With more than one thread, a library's seeds run in workers only: a run that spins in a loop
  // nothing can interrupt (a retry of a dead process's calls, a loop in synchronous code) then
  // ends its worker, not the process, and the campaign goes on (pool.ts, seed-run.ts `spunRun`); in
  // this thread it could not. One thread stays this one, as before: a worker may fail to start
  // where this thread runs (a test runner's loader flags), and an engine's seeds (a spin there is
  // rarer, and a seed far shorter) run here too.
  if (subject.spec.kind === 'library') return new WorkerPool(threads, workerScript, subject.spec);
  return new MainThreadAndPool(main, new WorkerPool(threads - 1, workerScript, subject.spec));
}

/** Runs seeds in this thread and in a worker pool. */
export class MainThreadAndPool implements SeedExecutor {
  readonly lanes: number;
  #mainBusy = false;

  /**
   * @param main - runs seeds in this thread, one at a time (an InProcessExecutor)
   * @param pool - runs the others (a WorkerPool)
   */
  constructor(private readonly main: SeedExecutor, private readonly pool: SeedExecutor) {
    this.lanes = main.lanes + pool.lanes;
  }

  async run(task: SeedTask): Promise<SeedRun> {
    if (this.#mainBusy) return this.pool.run(task);
    this.#mainBusy = true;
    try {
      return await this.main.run(task);
    } finally {
      this.#mainBusy = false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.main.close(), this.pool.close()]);
  }
}
