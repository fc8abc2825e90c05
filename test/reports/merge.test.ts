import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { rootCauses } from '../../reports/figures.ts';
import { readResultDir } from '../../reports/read.ts';
import { writeReports } from '../../reports/write.ts';
import { loadSubject } from '../../subjects/index.ts';
import { naiveEngineModule } from './real-campaign.ts';
import { ReportInputError } from '../../reports/errors.ts';
import { mergeResults } from '../../reports/merge.ts';
import { sumDigests } from '../../harness/digest-sum.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { buildCampaign, generateRuns } from './campaign-builder.ts';
import { failingResult } from './fixtures.ts';

const scenarios = ['wal-append', 'checkpoint-prune', 'disk-full'];
const targets = failingResult.targets;
const runs = generateRuns(scenarios, 100, 400);
const unsharded = buildCampaign(runs, { scenarios, targets, elapsedMs: 9000 });

/** Shard `index/count` takes every count-th seed, as a striped campaign split would. */
function shard(index: number, count: number, base = 1): CampaignResult {
  return buildCampaign(runs.filter((run) => (run.seed - 100) % count === index - base), {
    scenarios, targets, elapsedMs: 1000 + index * 100, shard: `${index}/${count}`,
  });
}

function mergeError(results: CampaignResult[]): ReportInputError {
  try {
    mergeResults(results);
  } catch (error) {
    if (error instanceof ReportInputError) return error;
    throw error;
  }
  throw new Error('expected the merge to be refused');
}

describe('mergeResults', () => {
  it('the fixture campaign has violations, wraps its digest and is worth merging', () => {
    expect(unsharded.violations.length).toBeGreaterThan(10);
    expect(runs.reduce((sum, run) => sum + run.hash, 0n)).toBeGreaterThan(1n << 64n);
  });

  it('merges the shards of a campaign into the unsharded totals, violations, coverage and digest', () => {
    const merged = mergeResults([shard(3, 4), shard(1, 4), shard(4, 4), shard(2, 4)]);
    expect(merged.seeds).toBe(unsharded.seeds);
    expect(merged.seedStart).toBe(unsharded.seedStart);
    expect(merged.faults).toEqual(unsharded.faults);
    expect(merged.coverage).toEqual(unsharded.coverage);
    expect(merged.targets).toEqual(unsharded.targets);
    expect(merged.perScenario).toEqual(unsharded.perScenario);
    expect(merged.violations).toEqual(unsharded.violations);
    expect(merged.digest).toBe(unsharded.digest);
    expect(merged.scenarios).toEqual(unsharded.scenarios);
    expect(merged.shard).toBeUndefined();
  });

  it('keeps the process deaths\' count, seed count and lowest first seed across shards', () => {
    const withDeaths = (result: CampaignResult, deaths: number, seeds: number, first: number): CampaignResult => ({ ...result, processDeaths: deaths, processDeathSeeds: seeds, processDeathFirstSeed: first });
    const merged = mergeResults([withDeaths(shard(1, 2), 3, 2, 107), withDeaths(shard(2, 2), 1, 1, 104)]);
    expect([merged.processDeaths, merged.processDeathSeeds, merged.processDeathFirstSeed]).toEqual([4, 3, 104]);
  });

  it('refuses shards of campaigns of different sizes (--seeds or --seed-start), which partition no one campaign', () => {
    const sized = (result: CampaignResult, seedsPerUnit: number, seedStart = 100): CampaignResult => ({ ...result, seedsPerUnit, seedStart });
    expect(mergeResults([sized(shard(1, 2), 400), sized(shard(2, 2), 400)]).seedsPerUnit).toBe(400);
    expect(mergeError([sized(shard(1, 2), 400), sized(shard(2, 2), 500)]).message).toBe('result 2 is a campaign of --seeds 500 seeds from 100 but result 1 of --seeds 400 seeds from 100: not shards of one campaign');
    expect(mergeError([sized(shard(1, 2), 400), sized(shard(2, 2), 400, 7)]).code).toBe('NOT_MERGEABLE');
  });

  it('gives the same result whatever the order of the shards', () => {
    const a = mergeResults([shard(1, 3), shard(2, 3), shard(3, 3)]);
    const b = mergeResults([shard(3, 3), shard(1, 3), shard(2, 3)]);
    expect(b).toEqual(a);
  });

  it('accepts shards numbered from 0', () => {
    const merged = mergeResults([shard(0, 2, 0), shard(1, 2, 0)]);
    expect(merged.digest).toBe(unsharded.digest);
  });

  it('sums elapsed time and derives seeds per second from the sum', () => {
    const merged = mergeResults([shard(1, 2), shard(2, 2)]);
    expect(merged.elapsedMs).toBe(1100 + 1200);
    expect(merged.seedsPerSecond).toBeCloseTo(unsharded.seeds / 2.3, 9);
  });

  it('returns a single unsharded result unchanged', () => {
    expect(mergeResults([unsharded])).toBe(unsharded);
  });

  it('refuses one shard of several on its own', () => {
    expect(mergeError([shard(2, 4)]).message).toBe('incomplete campaign: shards 1/4, 3/4, 4/4 missing');
  });

  it('accepts the only shard of a one-shard campaign and drops the shard label', () => {
    const merged = mergeResults([shard(1, 1)]);
    expect(merged.shard).toBeUndefined();
    expect(merged.digest).toBe(unsharded.digest);
  });

  it('refuses an empty list', () => {
    expect(mergeError([]).code).toBe('NOT_MERGEABLE');
  });

  it('refuses shards of campaigns with different scenario sets', () => {
    const other = buildCampaign(runs.filter((run) => run.scenario !== 'disk-full' && run.seed % 2 === 1), {
      scenarios: scenarios.slice(0, 2), targets, elapsedMs: 1000, shard: '2/2',
    });
    const error = mergeError([shard(1, 2), other]);
    expect(error.code).toBe('NOT_MERGEABLE');
    expect(error.message).toContain('not shards of one campaign');
  });

  it('refuses shards whose scenarios target different cells', () => {
    const changed = { ...shard(2, 2), targets: { ...targets, prune: [] } };
    expect(mergeError([shard(1, 2), changed]).message).toContain('targets other');
  });

  it('refuses the same shard twice', () => {
    expect(mergeError([shard(1, 2), shard(1, 2)]).message).toBe('shard 1/2 given twice: its seeds would count double');
  });

  it('refuses an incomplete set of shards and names the missing one', () => {
    expect(mergeError([shard(1, 3), shard(3, 3)]).message).toBe('incomplete campaign: shard 2/3 missing');
  });

  it('refuses shards of different shard counts', () => {
    expect(mergeError([shard(1, 2), shard(2, 3)]).code).toBe('NOT_MERGEABLE');
  });

  it('refuses results that are not shards', () => {
    expect(mergeError([unsharded, unsharded]).message).toContain('has no shard');
  });
});

describe('sumDigests', () => {
  it('adds modulo 2^64 and keeps 16 hex digits', () => {
    expect(sumDigests(['ffffffffffffffff', '0000000000000002'])).toBe('0000000000000001');
    expect(sumDigests([])).toBe('0000000000000000');
  });

  it('throws on a digest that is not 16 hex digits', () => {
    expect(() => sumDigests(['123'])).toThrow(/not 16 hex digits/);
  });
});

describe('mergeResults of real shards', () => {
  it('gives the root causes of the unsharded campaign, each violation with its place in its run and its run\'s fault kinds', async () => {
    const subject = await loadSubject({ kind: 'engine', module: naiveEngineModule });
    const options = { subject, units: ['wal-append', 'checkpoint-prune', 'recovery-crash'], seeds: 8, invocation: 'npx powercut' };
    const whole = await runCampaign(options);
    const dirs = await Promise.all([1, 2].map(async (index) => {
      const dir = await mkdtemp(join(tmpdir(), 'powercut-shard-'));
      await writeReports(dir, await runCampaign({ ...options, shard: { index, count: 2 } }), { version: '0.1.0' });
      return dir;
    }));
    const merged = mergeResults(await Promise.all(dirs.map(readResultDir)));
    expect(merged.failingSeeds).toBe(whole.failingSeeds);
    expect(merged.digest).toBe(whole.digest);
    expect(rootCauses(merged).length).toBeGreaterThan(1);
    const strip = (result: CampaignResult) => result.violations.map(({ trace: _trace, ...violation }) => violation);
    expect(strip(merged)).toEqual(strip(whole));
    const shape = (result: CampaignResult) => rootCauses(result).map((group) => [group.invariant, group.shape, group.runs.map((run) => [run.scenario, run.seed, run.followOns.length])]);
    expect(shape(merged)).toEqual(shape(whole));
  });
});
