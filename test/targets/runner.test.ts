/**
 * The target runner: a careless writer is caught, a careful one passes every seed tried, a seed
 * replays to the same trace, and the two shipped workloads give the findings the README reports.
 */
import { describe, expect, it } from 'vitest';
import lowdbWorkload from '../../targets/lowdb.ts';
import { runTargetCampaign, runTargetSeed, type TargetViolation } from '../../targets/runner.ts';
import type { Workload } from '../../targets/workload.ts';
import writeFileAtomicWorkload from '../../targets/write-file-atomic.ts';
import { carefulWriter, carelessWriter } from './writers.ts';

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;
const kinds = (violations: readonly TargetViolation[]): Set<string> => new Set(violations.map((v) => v.invariant));

describe('target runner', () => {
  it('catches a careless writer (in place, no fsync)', async () => {
    const result = await runTargetCampaign(asAny(carelessWriter), { seeds: 30, seedStart: 1 });
    expect(kinds(result.violations)).toContain('whole');
  });

  it('passes a careful writer (tmp file, fsync, rename, directory fsync) on every seed tried', async () => {
    const result = await runTargetCampaign(asAny(carefulWriter), { seeds: 200, seedStart: 1 });
    expect(result.crashCount).toBeGreaterThan(200);
    expect(result.failedOperationCount).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('replays a seed to the same trace digest', async () => {
    const first = await runTargetSeed(asAny(writeFileAtomicWorkload), 7);
    const second = await runTargetSeed(asAny(writeFileAtomicWorkload), 7);
    expect(second.digest).toBe(first.digest);
    expect(second.violations).toEqual(first.violations);
  });
});

describe('findings on npm libraries', () => {
  it('write-file-atomic: never a torn or missing file, but an acknowledged write is lost without a directory fsync (seed 1)', async () => {
    const result = await runTargetCampaign(asAny(writeFileAtomicWorkload), { seeds: 100, seedStart: 1 });
    expect(kinds(result.violations)).toEqual(new Set(['durable']));
    // Lost only in crash states that drop directory operations (1: nothing unsynced, 4: data
    // without names) or the random one; never when every rename is kept (2) or when only
    // unsynced data is dropped (3): the data was fsynced, the rename was not made durable.
    for (const violation of result.violations) expect([0, 1, 4]).toContain(violation.crash.crashState);
    const seed1 = (await runTargetSeed(asAny(writeFileAtomicWorkload), 1)).violations[0];
    expect(seed1).toMatchObject({ invariant: 'durable', crash: { kind: 'power-loss', crashState: 4 } });
  });

  it('lowdb: after a power loss db.json can be empty and lowdb refuses to open (seed 3: rename kept, data never fsynced)', async () => {
    const seed3 = await runTargetSeed(asAny(lowdbWorkload), 3);
    expect(seed3.violations[0]).toMatchObject({ invariant: 'opens', crash: { kind: 'power-loss', crashState: 3 } });
    expect(seed3.violations[0]?.message).toMatch(/Unexpected end of JSON input/);
  });

  it('lowdb: an acknowledged write is lost without a directory fsync (seed 2)', async () => {
    const seed2 = await runTargetSeed(asAny(lowdbWorkload), 2);
    expect(seed2.violations[0]).toMatchObject({ invariant: 'durable', crash: { kind: 'power-loss', crashState: 4 } });
  });
});
