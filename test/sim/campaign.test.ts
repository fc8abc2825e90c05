import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../reports/index.ts';
import { acknowledgesWithoutWriting } from './broken-engines.ts';
import { campaignPairs, CampaignInputError, parseShard, runCampaign, traceEventsMax } from '../../sim/campaign.ts';
import type { CampaignOptions } from '../../sim/campaign.ts';

/** The reference engine, except that every second commit is acknowledged without being written. */
const dropsEverySecondCommit = acknowledgesWithoutWriting(2);

describe('campaign pairs and shards', () => {
  it('lists seeds scenario by scenario and deals pair k to shard k mod N + 1', () => {
    expect(campaignPairs(['a', 'b'], 2, 5)).toEqual([
      { scenario: 'a', seed: 5 }, { scenario: 'a', seed: 6 }, { scenario: 'b', seed: 5 }, { scenario: 'b', seed: 6 },
    ]);
    expect(campaignPairs(['a', 'b'], 2, 5, { index: 2, count: 3 })).toEqual([{ scenario: 'a', seed: 6 }]);
  });

  it('covers every pair exactly once over the N shards', () => {
    const whole = campaignPairs(['a', 'b', 'c'], 7, 1).map((pair) => `${pair.scenario}/${pair.seed}`);
    const shards = [1, 2, 3, 4].flatMap((index) => campaignPairs(['a', 'b', 'c'], 7, 1, { index, count: 4 }).map((pair) => `${pair.scenario}/${pair.seed}`));
    expect([...shards].sort()).toEqual([...whole].sort());
  });

  it('refuses a malformed shard', () => {
    for (const text of ['3/2', '0/2', 'x', '1/0', '1/2/3', '-1/2']) expect(() => parseShard(text), text).toThrow(CampaignInputError);
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });

  it('refuses an unknown scenario before running anything', async () => {
    await expect(runCampaign({ scenarios: ['no-such-scenario'], seeds: 1 })).rejects.toThrow(CampaignInputError);
  });
});

describe('runCampaign', () => {
  it('gives the same result and digest with 1 and 2 jobs', async () => {
    const options = { scenarios: ['wal-append', 'rotation'], seeds: 4, seedStart: 3 };
    const one = await runCampaign({ ...options, jobs: 1 });
    const two = await runCampaign({ ...options, jobs: 2 });
    expect(one.seeds).toBe(8);
    expect(one.digest).toMatch(/^[0-9a-f]{16}$/);
    const { elapsedMs: _a, seedsPerSecond: _b, jobs: _c, ...rest1 } = one;
    const { elapsedMs: _d, seedsPerSecond: _e, jobs: _f, ...rest2 } = two;
    expect(rest2).toEqual(rest1);
  });

  it('adds up shards to the unsharded totals, coverage and digest', async () => {
    const options = { scenarios: ['wal-append', 'disk-full'], seeds: 5, jobs: 1 };
    const whole = await runCampaign(options);
    const merged = mergeResults([await runCampaign({ ...options, shard: { index: 2, count: 2 } }), await runCampaign({ ...options, shard: { index: 1, count: 2 } })]);
    expect(merged.seeds).toBe(whole.seeds);
    expect(merged.digest).toBe(whole.digest);
    expect(merged.faults).toEqual(whole.faults);
    expect(merged.coverage).toEqual(whole.coverage);
    expect(merged.perScenario).toEqual(whole.perScenario);
  });

  it('targets every (phase, kind) cell some scenario of the campaign targets', async () => {
    const result = await runCampaign({ scenarios: ['wal-append'], seeds: 1 });
    expect([...result.targets['wal.append']].sort()).toEqual(['kill-9', 'power-loss']);
    expect(result.targets['prune']).toEqual([]);
  });

  it('reports the violations of a broken engine with repro commands and traces, sorted', async () => {
    const result = await runCampaign({ scenarios: ['wal-append'], seeds: 3, sut: dropsEverySecondCommit });
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.perScenario['wal-append']!.violations).toBe(result.violations.length);
    for (const violation of result.violations) {
      expect(violation.repro).toBe(`npm run -s powercut -- repro --scenario wal-append --seed ${violation.seed}`);
      expect(violation.trace?.length).toBeGreaterThan(0);
      expect(violation.trace!.length).toBeLessThanOrEqual(traceEventsMax);
    }
    const seeds = result.violations.map((violation) => violation.seed);
    expect(seeds).toEqual([...seeds].sort((a, b) => a - b));
  });

  it('reruns a sample in a fresh worker and finds the same digests', async () => {
    const result = await runCampaign({ scenarios: ['swarm'], seeds: 3, jobs: 2, checkDeterminism: true });
    expect(result.determinism).toEqual({ checked: 1, mismatches: [] });
  });

  // The budget tests read time from a clock the test moves past the budget once the fifth seed is
  // done: on the real clock a loaded machine (or slow worker start-up) could spend a short budget
  // before the first seed, and a fast one could run every seed within it.
  it('stops issuing seeds when the time budget is spent and reports the seeds it ran', async () => {
    const clock = budgetSpentAfterSeeds(5);
    const result = await runCampaign({ scenarios: ['swarm'], seeds: 100_000, timeBudgetSec: 1, ...clock });
    expect(result.stoppedByTimeBudget).toBe(true);
    expect(result.seeds).toBe(5);
    expect(result.seedsPlanned).toBe(100_000);
    expect(result.perScenario['swarm']!.seeds).toBe(result.seeds);
  });

  it('lets the seeds already issued to workers finish and count when the time budget is spent', async () => {
    const clock = budgetSpentAfterSeeds(5);
    const result = await runCampaign({ scenarios: ['swarm'], seeds: 100_000, jobs: 2, timeBudgetSec: 1, ...clock });
    expect(result.stoppedByTimeBudget).toBe(true);
    // The other lane had issued its sixth seed before the fifth finished.
    expect(result.seeds).toBe(6);
    expect(result.perScenario['swarm']!.seeds).toBe(result.seeds);
  });

  it('runs every seed when the time budget is not spent', async () => {
    const result = await runCampaign({ scenarios: ['swarm'], seeds: 5, timeBudgetSec: 1, wallClockMs: () => 0 });
    expect(result.stoppedByTimeBudget).toBe(false);
    expect(result.seeds).toBe(5);
  });
});

/** A clock at 0 ms that jumps past a 1 s budget when the `seeds`-th seed is done. */
function budgetSpentAfterSeeds(seeds: number): Pick<CampaignOptions, 'wallClockMs' | 'onProgress'> {
  let nowMs = 0;
  return {
    wallClockMs: () => nowMs,
    onProgress: ({ done }) => {
      if (done === seeds) nowMs = 1001;
    },
  };
}
