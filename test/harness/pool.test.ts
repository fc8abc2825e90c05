import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../harness/pool.ts';
import { runSeed } from '../../harness/seed-run.ts';
import { basesKeptMax, keepBase } from '../../harness/worker.ts';
import type { BasePlan, CandidateCrash } from '../../harness/subject.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';

const echoWorker = new URL('../fixtures/workers/echo-worker.mjs', import.meta.url);
const crash: CandidateCrash = { io: 3, kind: 'kill-9', crashState: 0 };
/** A base plan for the pool only: the echo worker never runs it. */
const basePlan = (seed: number): BasePlan => ({ format: 'test', version: 1, seed, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 4096 }, stepsMax: 10 });

describe('a worker pool running exploration candidates', () => {
  it('posts a base to a worker once, then only its number, and again once the worker has dropped it', async () => {
    const pool = new WorkerPool(1, echoWorker, { kind: 'engine' });
    const base = basePlan(1);
    const digest = async (of: BasePlan): Promise<string> => (await pool.run({ unit: 'a', seed: 1, candidate: { base: of, crash } })).digest;
    try {
      expect(await digest(base)).toBe('base 0 sent');
      expect(await digest(base)).toBe('base 0 by number');
      // A copy is another base: bases are told apart by identity, as exploration shares one object.
      expect(await digest({ ...base })).toBe('base 1 sent');
      for (let i = 0; i < basesKeptMax - 1; i++) await digest(basePlan(100 + i));
      expect(await digest(base)).toBe('base 0 sent');
      expect((await pool.run({ unit: 'a', seed: 2 })).digest).toBe('no candidate');
    } finally {
      await pool.close();
    }
  });

  it('keeps the same bases on both sides: at most basesKeptMax, the oldest dropped first', () => {
    const kept = new Map<number, BasePlan>();
    for (let id = 0; id < basesKeptMax; id++) expect(keepBase(kept, id, basePlan(id))).toBeUndefined();
    expect(keepBase(kept, basesKeptMax, basePlan(99))).toBe(0);
    expect([...kept.keys()]).toEqual(Array.from({ length: basesKeptMax }, (_, i) => i + 1));
  });
});

describe('runSeed with an exploration candidate', () => {
  const subject = engineSubject(referenceEngine);
  const base = subject.explore.base(subject.plan('wal-append', 1), 4);

  it('runs the plan the subject makes of the base and the crash', async () => {
    const points = subject.explore.crashPoints((await subject.run(base, { trace: 'full' })).trace);
    const at: CandidateCrash = { io: points[Math.floor(points.length / 2)], kind: 'power-loss', crashState: 1 };
    const run = await runSeed(subject, { unit: 'wal-append', seed: 1, candidate: { base, crash: at } });
    const direct = await subject.run(subject.explore.candidate(base, at)!);
    expect(run.digest).toBe(direct.digest);
    expect(run.crashes).toBeGreaterThan(0);
  });
});
