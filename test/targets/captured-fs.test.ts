/**
 * One facade per thread, for the thread's life: libraries that take fs functions when they load
 * (a module capturing `openSync`, `promisify(fs.fsync)` and the like; graceful-fs) reach the
 * simulated disk of every run, in one thread and in workers, and nothing of a run ever lands on
 * the real disk under the simulated root.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import { targetRoot } from '../../targets/runner.ts';

const campaign = async (module: string, seeds: number, jobs: number) =>
  runCampaign({ subject: await loadSubject({ kind: 'library', module }), seeds, jobs, workerScript });

describe('fs functions taken at import', () => {
  it('reach each run\'s simulated disk: a careful writer built on them passes, with every fault kind landing', async () => {
    const result = await campaign('test/targets/fixtures/captures-fs.ts', 40, 1);
    expect(result.violations).toEqual([]);
    expect(result.ioCount).toBeGreaterThan(40 * 20);
    expect(result.faults['fsync-error']).toBeGreaterThan(0);
    expect(result.faults['power-loss']).toBeGreaterThan(0);
    expect(result.coverage['fsync']!['fsync-error']).toBeGreaterThan(0);
  });

  it('give the same digest in worker threads', async () => {
    const one = await campaign('test/targets/fixtures/captures-fs.ts', 12, 1);
    const two = await campaign('test/targets/fixtures/captures-fs.ts', 12, 2);
    expect(two.digest).toBe(one.digest);
  });
});

describe('a library call the run cannot simulate', () => {
  it('is the same harness error, saying powercut cannot simulate the call, in one thread and in workers (one root cause, not one per thread)', async () => {
    const one = await campaign('test/targets/fixtures/opens-as-blob.ts', 4, 1);
    const two = await campaign('test/targets/fixtures/opens-as-blob.ts', 4, 2);
    expect(one.violations).toHaveLength(4);
    expect(one.violations[0]!.message).toMatch(/^powercut cannot simulate this run: opens-as-blob seed \d+: the library called fs\.openAsBlob/);
    expect(two.violations.map((v) => [v.seed, v.invariant, v.message])).toEqual(one.violations.map((v) => [v.seed, v.invariant, v.message]));
  });
});

describe('graceful-fs, loaded once', () => {
  it('is caught rewriting in place without fsync, with the same violations in one thread and in workers', async () => {
    const one = await campaign('test/targets/fixtures/graceful-writer.ts', 20, 1);
    const two = await campaign('test/targets/fixtures/graceful-writer.ts', 20, 2);
    expect(one.violations.map((violation) => violation.invariant)).toContain('whole');
    expect(two.digest).toBe(one.digest);
    expect(two.violations.map((v) => [v.seed, v.message])).toEqual(one.violations.map((v) => [v.seed, v.message]));
  });
});

describe('the real disk', () => {
  it('holds nothing under the simulated root after the campaigns', () => {
    expect(readdirSync('/')).not.toContain(targetRoot.slice(1));
  });
});
