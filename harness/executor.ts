/**
 * Where a campaign's seeds run: in this thread ({@link InProcessExecutor}) or in a pool of
 * worker threads (pool.ts). Both take one seed at a time and return its compact result; the
 * campaign decides how results are aggregated, so the executor never affects a result.
 */
import { runSeed, type SeedRun, type SeedTask } from './seed-run.ts';
import type { BasePlan, Subject } from './subject.ts';

/** Runs seeds, one call per seed. */
export interface SeedExecutor {
  /** Seeds it runs at once. */
  readonly lanes: number;
  run(task: SeedTask): Promise<SeedRun>;
  /** Stops every thread the executor started. */
  close(): Promise<void>;
}

/*
 * The real setImmediate, captured when this module loads: while a library workload runs, the
 * globals are virtual timers on that run's clock (targets/timers.ts), and a yield queued on them
 * by another campaign in this thread (two shards run side by side) would wait on a clock that
 * stops when that run ends, forever.
 */
const realSetImmediate = globalThis.setImmediate;

/** Runs seeds in this thread, one at a time. */
export class InProcessExecutor<P extends BasePlan> implements SeedExecutor {
  readonly lanes = 1;

  constructor(private readonly subject: Subject<P>) {}

  async run(task: SeedTask): Promise<SeedRun> {
    // An engine run never leaves the microtask queue (sim/scheduler.ts, the `tick` barrier): one
    // real event-loop turn per seed lets output, progress and signals through during a campaign.
    await new Promise((resolve) => realSetImmediate(resolve));
    return runSeed(this.subject, task);
  }

  async close(): Promise<void> {}
}
