/** The expected cost of a round-robin search for a planted bug, from hit rates (bench/mutants-expected.ts). */

/** Seeds run, seeds that caught the bug and the CPU they took, for one scenario. */
export type Rates = Record<string, { readonly hits: number; readonly seeds: number; readonly cpuMs: number }>;

/**
 * Expected CPU (ms) of a search that runs one seed of each scenario in turn until the first catch:
 * each turn costs the sum of the scenarios' CPU per seed and catches with probability
 * 1 - product of (1 - hit rate), so the expected cost is their quotient (the turn that catches is
 * counted whole, as the search's last turn may stop early: a slight overestimate, on both sides).
 * @returns undefined when no measured seed caught it
 */
export function expectedCpuMs(rates: Rates): number | undefined {
  const scenarios = Object.values(rates);
  const missAll = scenarios.reduce((miss, rate) => miss * (1 - rate.hits / rate.seeds), 1);
  if (missAll >= 1) return undefined;
  return scenarios.reduce((sum, rate) => sum + rate.cpuMs / rate.seeds, 0) / (1 - missAll);
}

/**
 * The geometric mean of per-bug speed-ups (baseline's expected CPU over current's), over the bugs
 * both caught: each bug weighs the same, where caught per CPU-minute is decided by the few bugs
 * that ~1 % of seeds catch, whose rates are the least certain.
 * @param pairs - each bug's expected CPU in the current and the baseline checkout
 * @returns undefined when no bug was caught by both
 */
export function geometricMeanSpeedup(pairs: readonly { readonly current: number; readonly baseline: number }[]): number | undefined {
  if (pairs.length === 0) return undefined;
  const logSum = pairs.reduce((sum, pair) => sum + Math.log(pair.baseline / pair.current), 0);
  return Math.exp(logSum / pairs.length);
}
