/**
 * This thread and a pool of workers running one campaign's seeds together: `--jobs N` is N
 * threads running seeds, this one included, so a campaign starts N - 1 workers instead of N and
 * this thread, which loaded the subject anyway, does not sit idle while they run. This thread
 * runs one seed at a time; every other seed goes to the pool. Where a seed runs never changes
 * its result (each run owns a fresh world), so the campaign's result is the same.
 */
import type { SeedExecutor } from './executor.ts';
import type { SeedRun, SeedTask } from './seed-run.ts';

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
