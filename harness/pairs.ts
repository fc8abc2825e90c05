/**
 * The seeds of a campaign: for each unit (scenario) in the order given, seeds
 * `seedStart .. seedStart + seeds - 1`. Pair k (counting from 0 over that list) belongs to shard
 * `(k mod N) + 1` of N, so N machines running shards 1/N .. N/N together run exactly the
 * unsharded campaign, and the round-robin spreads every unit over every shard.
 *
 * Pairs are generated lazily, one at a time, so a campaign of 10^9 seeds costs no memory before
 * it starts (and a time budget can end it after a few).
 */

/** One shard of a campaign: `index` from 1 to `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One seed of one unit, with its position k in the campaign. */
export interface Pair {
  readonly unit: string;
  readonly seed: number;
  /** Position in the unsharded campaign, from 0: results are ordered by it. */
  readonly index: number;
}

/** Bad campaign input (unknown unit, malformed shard or count): the CLI's exit code 2. */
export class CampaignInputError extends Error {
  override readonly name = 'CampaignInputError';
  readonly code = 'CAMPAIGN_INPUT';
}

/**
 * Parses `I/N` (1 ≤ I ≤ N).
 * @throws {@link CampaignInputError} for anything else
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new CampaignInputError(`--shard must be I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** How many pairs a campaign (or one shard of it) holds. */
export function pairCount(units: number, seeds: number, shard?: Shard): number {
  const total = units * seeds;
  if (shard === undefined) return total;
  const first = shard.index - 1;
  return first >= total ? 0 : Math.floor((total - 1 - first) / shard.count) + 1;
}

/** The pairs of a campaign or shard, in order, generated as they are asked for. */
export function* campaignPairs(units: readonly string[], seeds: number, seedStart: number, shard?: Shard): Generator<Pair> {
  const total = units.length * seeds;
  const step = shard?.count ?? 1;
  for (let index = (shard?.index ?? 1) - 1; index < total; index += step) {
    yield { unit: units[Math.floor(index / seeds)]!, seed: seedStart + (index % seeds), index };
  }
}
