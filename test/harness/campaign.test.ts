import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Aggregator, violatingRunsKeptMax } from '../../harness/aggregate.ts';
import { campaignPairs, CampaignInputError, pairCount, parseShard } from '../../harness/pairs.ts';
import { runCampaign, traceEventsMax, type CampaignOptions } from '../../harness/campaign.ts';
import { seedsInFlightPerWorker } from '../../harness/pool.ts';
import type { SeedRun } from '../../harness/seed-run.ts';
import type { BasePlan, Subject } from '../../harness/subject.ts';
import { coverageCells, mergeResults, missedTargets, unreachableTargets, type CoverageCell } from '../../reports/index.ts';
import type { CampaignResult } from '../../sim/index.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import { zeroCounts } from '../../sim/disk/faults.ts';

const reference = (): Promise<Subject> => loadSubject({ kind: 'engine' });
const engineModule = (name: string): string => `test/fixtures/engines/${name}.ts`;

describe('campaign pairs and shards', () => {
  it('lists seeds scenario by scenario and deals pair k to shard k mod N + 1', () => {
    expect([...campaignPairs(['a', 'b'], 2, 5)]).toEqual([
      { unit: 'a', seed: 5, index: 0 }, { unit: 'a', seed: 6, index: 1 }, { unit: 'b', seed: 5, index: 2 }, { unit: 'b', seed: 6, index: 3 },
    ]);
    expect([...campaignPairs(['a', 'b'], 2, 5, { index: 2, count: 3 })]).toEqual([{ unit: 'a', seed: 6, index: 1 }]);
  });

  it('covers every pair exactly once over the N shards, and counts them without listing them', () => {
    const key = (pair: { unit: string; seed: number }): string => `${pair.unit}/${pair.seed}`;
    const whole = [...campaignPairs(['a', 'b', 'c'], 7, 1)].map(key);
    const shards = [1, 2, 3, 4].flatMap((index) => [...campaignPairs(['a', 'b', 'c'], 7, 1, { index, count: 4 })].map(key));
    expect([...shards].sort()).toEqual([...whole].sort());
    expect([1, 2, 3, 4].map((index) => pairCount(3, 7, { index, count: 4 }))).toEqual([6, 5, 5, 5]);
    expect(pairCount(3, 7)).toBe(21);
  });

  it('generates pairs lazily: a campaign of 10^12 seeds yields its first pair at once', () => {
    const pairs = campaignPairs(['a'], 1e12, 1);
    expect(pairs.next().value).toEqual({ unit: 'a', seed: 1, index: 0 });
    expect(pairCount(1, 1e12)).toBe(1e12);
  });

  it('refuses a malformed shard', () => {
    for (const text of ['3/2', '0/2', 'x', '1/0', '1/2/3', '-1/2']) expect(() => parseShard(text), text).toThrow(CampaignInputError);
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });

  it('refuses an unknown scenario before running anything', async () => {
    await expect(runCampaign({ subject: await reference(), units: ['no-such-scenario'], seeds: 1 })).rejects.toThrow(/unknown scenario "no-such-scenario"/);
  });
});

describe('runCampaign', () => {
  it('gives the same result and digest with 1 and 2 jobs', async () => {
    const options = { subject: await reference(), units: ['wal-append', 'rotation'], seeds: 4, seedStart: 3, workerScript };
    const one = await runCampaign({ ...options, jobs: 1 });
    const two = await runCampaign({ ...options, jobs: 2 });
    expect(one.seeds).toBe(8);
    expect(one.digest).toMatch(/^[0-9a-f]{16}$/);
    const { elapsedMs: _a, seedsPerSecond: _b, jobs: _c, ...rest1 } = one;
    const { elapsedMs: _d, seedsPerSecond: _e, jobs: _f, ...rest2 } = two;
    expect(rest2).toEqual(rest1);
  });

  it('adds up shards to the unsharded totals, coverage and digest', async () => {
    const options = { subject: await reference(), units: ['wal-append', 'disk-full'], seeds: 5, jobs: 1 };
    const whole = await runCampaign(options);
    const merged = mergeResults([await runCampaign({ ...options, shard: { index: 2, count: 2 } }), await runCampaign({ ...options, shard: { index: 1, count: 2 } })]);
    expect(merged.seeds).toBe(whole.seeds);
    expect(merged.digest).toBe(whole.digest);
    expect(merged.faults).toEqual(whole.faults);
    expect(merged.coverage).toEqual(whole.coverage);
    expect(merged.perScenario).toEqual(whole.perScenario);
  });

  it('targets (phase, kind) cells for the reference engine, and (I/O class, kind) cells for an engine without phases', async () => {
    const result = await runCampaign({ subject: await reference(), units: ['wal-append'], seeds: 1 });
    expect(result.targets['wal.append']).toEqual(['kill-9', 'power-loss']);
    expect(result.targets['wal.sync']).toEqual(['kill-9', 'power-loss']);
    expect(result.targets['prune']).toEqual([]);
    expect(result.sites).toContain('wal.append');
    const plain = await runCampaign({ subject: await loadSubject({ kind: 'engine', module: engineModule('no-phases') }), units: ['wal-append', 'fsync-failure'], seeds: 3 });
    expect(Object.fromEntries(Object.entries(plain.targets).filter(([, kinds]) => kinds.length > 0))).toEqual({ append: ['kill-9', 'power-loss'], fsync: ['kill-9', 'power-loss', 'fsync-error'] });
    expect(plain.sites).toEqual(['create', 'open', 'read', 'append', 'write', 'truncate', 'fsync', 'rename', 'unlink', 'mkdir', 'dir-sync', 'other']);
    expect(plain.coverage['append']!['power-loss']).toBeGreaterThan(0);
    expect(plain.coverage['fsync']!['fsync-error']).toBeGreaterThan(0);
    expect(plain.violations).toEqual([]);
  });

  it('tells a targeted cell no I/O could take (a library that never fsyncs, under fsync-error) from one the seeds missed', async () => {
    const fixture = (name: string): string => fileURLToPath(new URL(`../targets/fixtures/${name}.ts`, import.meta.url));
    const careless = await runCampaign({ subject: await loadSubject({ kind: 'library', module: fixture('careless-writer') }), units: ['careless-writer'], seeds: 4, jobs: 1 });
    expect(careless.targets['fsync']).toContain('fsync-error');
    expect(careless.reachable?.['fsync']).toBeUndefined();
    expect(careless.reachable?.['append']).toContain('power-loss');
    expect(unreachableTargets(careless).map(({ phase, kind }) => `${phase} x ${kind}`)).toEqual(['fsync x fsync-error', 'dir-sync x dir-sync-error']);
    expect(missedTargets(careless).filter((cell) => cell.phase === 'fsync')).toEqual([]);
    const careful = await runCampaign({ subject: await loadSubject({ kind: 'library', module: fixture('careful-writer') }), units: ['careful-writer'], seeds: 4, jobs: 1 });
    expect(careful.reachable?.['fsync']).toContain('fsync-error');
    expect(unreachableTargets(careful)).toEqual([]);
    // A summary written before reach was recorded counts every targeted cell as reachable.
    const { reachable: _, ...legacy } = careless;
    expect(missedTargets(legacy).map(({ phase, kind }) => `${phase} x ${kind}`)).toContain('fsync x fsync-error');
  });

  it('meets a cell aimed at one data write (append, or write in place) with a fault at the other, for an engine without phases', async () => {
    const { reachable: _, ...result } = await runCampaign({ subject: await loadSubject({ kind: 'engine', module: engineModule('no-phases') }), units: ['swarm'], seeds: 2 });
    expect(result.targets['append']).toContain('power-loss');
    expect(result.targets['write']).toContain('power-loss');
    const struck = (append: number, write: number): CampaignResult => ({
      ...result,
      coverage: { ...result.coverage, append: { ...result.coverage['append']!, 'power-loss': append }, write: { ...result.coverage['write']!, 'power-loss': write } },
    });
    const cell = (of: CampaignResult, site: string): CoverageCell => coverageCells(of).find((c) => c.phase === site && c.kind === 'power-loss')!;
    expect(cell(struck(0, 4), 'append')).toMatchObject({ targeted: false, bySibling: true });
    expect(cell(struck(3, 0), 'write')).toMatchObject({ targeted: false, bySibling: true });
    // Met so even where no I/O could take it: an append-only log is told nothing of writes in place.
    expect(cell({ ...struck(3, 0), reachable: { append: ['power-loss'] } }, 'write')).toMatchObject({ targeted: false, bySibling: true, unreachable: false });
    expect(unreachableTargets({ ...struck(3, 0), reachable: { append: ['power-loss'] } }).filter((c) => c.kind === 'power-loss' && (c.phase === 'append' || c.phase === 'write'))).toEqual([]);
    const missedPowerLoss = (of: CampaignResult): string[] => missedTargets(of).filter((c) => c.kind === 'power-loss').map((c) => c.phase);
    expect(missedPowerLoss(struck(0, 4))).not.toContain('append');
    expect(missedPowerLoss(struck(0, 0))).toEqual(expect.arrayContaining(['append', 'write']));
  });

  it('reports a broken engine module\'s violations with repro lines naming it, and traces, in worker threads', async () => {
    const module = engineModule('drops-every-second-commit');
    const result = await runCampaign({ subject: await loadSubject({ kind: 'engine', module }), units: ['wal-append'], seeds: 3, jobs: 2, workerScript, invocation: 'npx powercut' });
    expect(result.failingSeeds).toBeGreaterThan(0);
    expect(result.perScenario['wal-append']!.violations).toBe(result.violations.length);
    expect(result.subject).toEqual({ kind: 'engine', name: 'acknowledges-every-2th-commit-without-writing', module });
    for (const violation of result.violations) {
      expect(violation.repro).toBe(`npx powercut repro --engine ${module} --scenario wal-append --seed ${violation.seed}`);
      expect(violation.trace?.length).toBeGreaterThan(0);
      expect(violation.trace!.length).toBeLessThanOrEqual(traceEventsMax);
    }
    const seeds = result.violations.map((violation) => violation.seed);
    expect(seeds).toEqual([...seeds].sort((a, b) => a - b));
  });

  it('reruns a sample in a fresh worker and finds the same digests for a deterministic engine', async () => {
    const result = await runCampaign({ subject: await reference(), units: ['swarm'], seeds: 51, jobs: 1, workerScript, checkDeterminism: true });
    expect(result.determinism).toEqual({ checked: 2, mismatches: [] });
  });

  it('finds an engine whose runs depend on what ran before them in the same thread (check-determinism)', async () => {
    const subject = await loadSubject({ kind: 'engine', module: engineModule('remembers-runs') });
    const result = await runCampaign({ subject, units: ['wal-append'], seeds: 60, jobs: 1, workerScript, checkDeterminism: true });
    expect(result.determinism!.checked).toBe(2);
    expect(result.determinism!.mismatches).toContainEqual(expect.objectContaining({ scenario: 'wal-append', seed: 51 }));
  });

  it('finds an engine that differs in a thread\'s first run only: the sample is rerun in reverse order, a lone seed twice', async () => {
    const subject = await loadSubject({ kind: 'engine', module: engineModule('first-run-differs') });
    const two = await runCampaign({ subject, units: ['wal-append'], seeds: 60, jobs: 1, workerScript, checkDeterminism: true });
    expect(two.determinism!.mismatches.map((mismatch) => mismatch.seed).sort((a, b) => a - b)).toEqual([1, 51]);
    const lone = await runCampaign({ subject, units: ['wal-append'], seeds: 3, jobs: 1, workerScript, checkDeterminism: true });
    expect(lone.determinism).toMatchObject({ checked: 1, mismatches: [expect.objectContaining({ seed: 1 })] });
  });

  // The budget tests read time from a clock the test moves past the budget once the fifth seed is
  // done: on the real clock a loaded machine (or slow worker start-up) could spend a short budget
  // before the first seed, and a fast one could run every seed within it.
  it('stops issuing seeds when the time budget is spent and reports the seeds it ran', async () => {
    const clock = budgetSpentAfterSeeds(5);
    const result = await runCampaign({ subject: await reference(), units: ['swarm'], seeds: 1e9, timeBudgetSec: 1, ...clock });
    expect(result.stoppedByTimeBudget).toBe(true);
    expect(result.seeds).toBe(5);
    expect(result.seedsPlanned).toBe(1e9);
    expect(result.perScenario['swarm']!.seeds).toBe(result.seeds);
  });

  it('lets the seeds already issued to workers finish and count when the time budget is spent', async () => {
    const clock = budgetSpentAfterSeeds(5);
    const result = await runCampaign({ subject: await reference(), units: ['swarm'], seeds: 100_000, jobs: 2, workerScript, timeBudgetSec: 1, ...clock });
    expect(result.stoppedByTimeBudget).toBe(true);
    // --jobs 2 is two workers, each sent its next seeds ahead: both had been sent theirs before
    // the fifth finished, which was one of them.
    expect(result.seeds).toBe(5 + 2 * seedsInFlightPerWorker - 1);
    expect(result.perScenario['swarm']!.seeds).toBe(result.seeds);
  });

  it('runs no seed when the budget was spent before the campaign began (counted from the command start)', async () => {
    const result = await runCampaign({ subject: await reference(), units: ['swarm'], seeds: 10, timeBudgetSec: 1, startedAtMs: 0, wallClockMs: () => 5000 });
    expect(result.seeds).toBe(0);
    expect(result.stoppedByTimeBudget).toBe(true);
  });

  it('runs every seed when the time budget is not spent', async () => {
    const result = await runCampaign({ subject: await reference(), units: ['swarm'], seeds: 5, timeBudgetSec: 1, wallClockMs: () => 0 });
    expect(result.stoppedByTimeBudget).toBe(false);
    expect(result.seeds).toBe(5);
  });

  it('refuses jobs > 1 without a worker script rather than silently running in one thread', async () => {
    await expect(runCampaign({ subject: await reference(), seeds: 1, jobs: 2 })).rejects.toThrow(/jobs > 1 needs a worker script/);
  });
});

describe('aggregation', () => {
  const run = (seed: number, violations: number): SeedRun => ({
    unit: 'u', seed, detected: 0, crashes: 1, acknowledged: 2, ioCount: 3, digest: '0000000000000001',
    violations: Array.from({ length: violations }, (_, i) => ({ invariant: 'durability', message: `m${i}`, step: 0 })),
    faults: { ...zeroCounts(), 'kill-9': 1 }, coverage: { append: { ...zeroCounts(), 'kill-9': 1 } },
  });

  it('keeps the earliest violating runs in campaign order, whatever order they finish in, and counts the rest', () => {
    const aggregator = new Aggregator(['u'], ['append']);
    const total = violatingRunsKeptMax + 5;
    for (let index = total - 1; index >= 0; index--) aggregator.add(run(index, 2), index);
    expect(aggregator.kept).toHaveLength(violatingRunsKeptMax);
    expect(aggregator.kept.map((kept) => kept.index)).toEqual(Array.from({ length: violatingRunsKeptMax }, (_, i) => i));
    expect(aggregator.violationsOmitted).toBe(10);
    expect(aggregator.failingSeeds).toBe(total);
    expect(aggregator.coverage['append']!['kill-9']).toBe(total);
    expect(aggregator.perScenario['u']!.commitsAcknowledged).toBe(2 * total);
  });

  it('names each unit\'s lowest failing seed, whatever order the runs finish in and whether or not their violations were kept', () => {
    const aggregator = new Aggregator(['u', 'v'], ['append']);
    for (const [index, seed] of [9, 4, 7].entries()) aggregator.add(run(seed, seed === 9 ? 0 : 1), index);
    aggregator.add({ ...run(3, 0), unit: 'v' }, 3);
    expect(aggregator.perScenario['u']!.firstFailingSeed).toBe(4);
    expect(aggregator.perScenario['v']!.firstFailingSeed).toBeUndefined();
  });
});

/** A clock at 0 ms that jumps past a 1 s budget when the `seeds`-th seed is done. */
function budgetSpentAfterSeeds(seeds: number): Pick<CampaignOptions<BasePlan>, 'wallClockMs' | 'onProgress'> {
  let nowMs = 0;
  return {
    wallClockMs: () => nowMs,
    onProgress: ({ done }) => {
      if (done === seeds) nowMs = 1001;
    },
  };
}

describe('rare-branch probes', () => {
  it('counts the hits of every probe the engine declares, 0 for one never reached, the same with workers', async () => {
    const subject = await loadSubject({ kind: 'engine', module: engineModule('probes') });
    const one = await runCampaign({ subject, units: ['wal-append'], seeds: 6, jobs: 1 });
    const two = await runCampaign({ subject, units: ['wal-append'], seeds: 6, jobs: 2, workerScript });
    expect(one.probes!['commit.multi-op']).toBeGreaterThan(0);
    expect(one.probes!['never.taken']).toBe(0);
    expect(two.probes).toEqual(one.probes);
  });

  it('adds probe hits over shards', async () => {
    const subject = await loadSubject({ kind: 'engine', module: engineModule('probes') });
    const whole = await runCampaign({ subject, units: ['wal-append'], seeds: 6 });
    const shards = await Promise.all([1, 2].map((index) => runCampaign({ subject, units: ['wal-append'], seeds: 6, shard: { index, count: 2 } })));
    expect(mergeResults(shards).probes).toEqual(whole.probes);
  });
});
