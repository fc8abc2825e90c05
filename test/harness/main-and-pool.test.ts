import { describe, expect, it } from 'vitest';
import type { SeedExecutor } from '../../harness/executor.ts';
import { harnessRun, type SeedRun, type SeedTask } from '../../harness/seed-run.ts';
import { MainThreadAndPool } from '../../harness/main-and-pool.ts';

/** An executor that records which seeds it ran and finishes each when told. */
class Recording implements SeedExecutor {
  readonly seeds: number[] = [];
  readonly #finish: (() => void)[] = [];
  closed = false;
  constructor(readonly lanes: number) {}

  run(task: SeedTask): Promise<SeedRun> {
    this.seeds.push(task.seed);
    return new Promise((resolve) => this.#finish.push(() => resolve(harnessRun(task.unit, task.seed, new Error('stub')))));
  }

  finishAll(): void {
    for (const finish of this.#finish.splice(0)) finish();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('MainThreadAndPool (--jobs N: this thread and N - 1 workers)', () => {
  it('has a lane for this thread besides the pool\'s', () => {
    expect(new MainThreadAndPool(new Recording(1), new Recording(4)).lanes).toBe(5);
  });

  it('runs one seed at a time in this thread and sends the others to the pool', async () => {
    const main = new Recording(1);
    const pool = new Recording(4);
    const executor = new MainThreadAndPool(main, pool);
    const first = [1, 2, 3].map((seed) => executor.run({ unit: 'swarm', seed }));
    expect(main.seeds).toEqual([1]);
    expect(pool.seeds).toEqual([2, 3]);
    main.finishAll();
    pool.finishAll();
    expect((await Promise.all(first)).map((run) => run.seed)).toEqual([1, 2, 3]);
    // This thread is free again: the next seed runs here.
    void executor.run({ unit: 'swarm', seed: 4 });
    expect(main.seeds).toEqual([1, 4]);
    expect(pool.seeds).toEqual([2, 3]);
  });

  it('frees this thread\'s lane when its seed fails', async () => {
    const pool = new Recording(2);
    const failing: SeedExecutor = { lanes: 1, run: () => Promise.reject(new Error('boom')), close: async () => {} };
    const executor = new MainThreadAndPool(failing, pool);
    await expect(executor.run({ unit: 'swarm', seed: 1 })).rejects.toThrow('boom');
    void executor.run({ unit: 'swarm', seed: 2 }).catch(() => undefined);
    expect(pool.seeds).toEqual([]);
  });

  it('closes both', async () => {
    const main = new Recording(1);
    const pool = new Recording(2);
    await new MainThreadAndPool(main, pool).close();
    expect([main.closed, pool.closed]).toEqual([true, true]);
  });
});
