/**
 * The watchdog's board (harness/watchdog.ts): a run marks its thread's slot busy while it lasts
 * and idle when it returns or throws; a worker's slot is given back idle when the worker is gone,
 * even one stopped in the middle of a run that spins forever. The limit here is an hour: these
 * tests watch the board, never the watchdog's ending of the process (test/cli/watchdog.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../harness/pool.ts';
import { busySlots, startWatchdog, stopWatchdog, takeWatchSeat, leaveWatchSeat, watchedRun } from '../../harness/watchdog.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';

beforeAll(() => startWatchdog(3600, 'npx powercut'));
afterAll(() => stopWatchdog());

/** Waits until `ready` holds, looking every 20 ms. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('a run on the watchdog board', () => {
  it('marks this thread busy while it lasts and idle once it returns', async () => {
    const during = await watchedRun(() => 'a run', async () => busySlots());
    expect(during).toEqual([0]);
    expect(busySlots()).toEqual([]);
  });

  it('marks this thread idle when the run throws', async () => {
    await expect(watchedRun(() => 'a run', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(busySlots()).toEqual([]);
  });

  it('gives each worker its own seat, and a seat given back is free again', () => {
    const first = takeWatchSeat()!;
    const second = takeWatchSeat()!;
    expect([first.slot, second.slot]).toEqual([1, 2]);
    leaveWatchSeat(first);
    expect(takeWatchSeat()!.slot).toBe(1);
    leaveWatchSeat(second);
    leaveWatchSeat({ ...first });
  });
});

describe('a worker on the watchdog board', () => {
  it('is busy while its run spins in synchronous code, and its seat is idle and free once the pool stops it', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/spins-after-error.ts' });
    const pool = new WorkerPool(1, workerScript, subject.spec);
    // Seed 2 fails a write, and the library then spins forever.
    const run = pool.run({ unit: subject.units[0]!, seed: 2 });
    run.catch(() => undefined);
    await until(() => busySlots().includes(1));
    await pool.close();
    expect(busySlots()).toEqual([]);
    const seat = takeWatchSeat()!;
    expect(seat.slot).toBe(1);
    leaveWatchSeat(seat);
  });

  it('runs seeds of the watched subject in the worker with the worker marked busy only while they run', async () => {
    const subject = await loadSubject({ kind: 'engine' });
    const pool = new WorkerPool(2, workerScript, subject.spec);
    try {
      const runs = await Promise.all([1, 2, 3, 4].map((seed) => pool.run({ unit: 'wal-append', seed })));
      expect(runs.every((run) => run.violations.length === 0)).toBe(true);
      expect(busySlots()).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
