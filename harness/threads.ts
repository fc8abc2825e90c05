/**
 * The threads that run a campaign's seeds: `--jobs 1` is this thread alone; `--jobs N` is N
 * worker threads, this one only handing out seeds and gathering results. Where a seed runs never
 * changes its result (each run owns a fresh world), so the campaign's result is the same.
 */
import { InProcessExecutor, type SeedExecutor } from './executor.ts';
import { WorkerPool } from './pool.ts';
import type { BasePlan, Subject } from './subject.ts';

/**
 * The executor of `threads` threads running seeds of `subject`: this thread alone, or `threads`
 * workers loading the subject by its spec with `workerScript`.
 */
export function threadsExecutor<P extends BasePlan>(subject: Subject<P>, threads: number, workerScript: URL | undefined): SeedExecutor {
  if (threads <= 1 || workerScript === undefined) return new InProcessExecutor(subject);
  // With more than one thread, seeds run in workers only: a run that spins in a loop nothing can
  // interrupt (a retry of a dead process's calls, an engine's recovery looping over a record it
  // cannot parse) then ends its worker, not the process, and the campaign goes on (pool.ts,
  // seed-run.ts `spunRun`); in this thread it could not. This thread ran seeds too until 7
  // December 2026: swarm, 2,000 seeds, `--jobs 2`, gave the same seeds/s either way (192 and 183
  // with this thread and one worker, 192 and 174 with two workers).
  return new WorkerPool(threads, workerScript, subject.spec);
}
