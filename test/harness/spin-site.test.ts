/**
 * Where a spinning worker loops (harness/spin-site.ts): paused through the inspector, it names
 * the frames of the code under test; a pause that does not answer in time names none.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { whereWorkerSpins } from '../../harness/spin-site.ts';

/** A worker spinning in test/harness/fixtures/spinner.mjs, once it is ready. */
async function spinner(): Promise<Worker> {
  const worker = new Worker(new URL('./fixtures/spinner.mjs', import.meta.url));
  await once(worker, 'message');
  return worker;
}

describe('whereWorkerSpins', () => {
  it('names the loop a worker spins in, innermost first, with paths relative to the working directory', async () => {
    const worker = await spinner();
    try {
      const frames = await whereWorkerSpins(worker);
      expect(frames?.join(' < ')).toMatch(/^(?:test\/harness\/fixtures\/spinner\.mjs:11:\d+ < )?spinForever \(test\/harness\/fixtures\/spinner\.mjs:5:\d+\)/);
    } finally {
      await worker.terminate();
    }
  });

  it('names nothing when the worker does not pause within the wait, and leaves it where it can be ended', async () => {
    const worker = await spinner();
    try {
      expect(await whereWorkerSpins(worker, 0)).toBeUndefined();
      expect(await worker.terminate()).toBe(1);
    } finally {
      await worker.terminate();
    }
  });
});
