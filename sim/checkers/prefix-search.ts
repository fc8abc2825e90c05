/**
 * Finds which in-order prefixes of a commit sequence explain a recovered state.
 *
 * Verifies: for a base state B, candidate commits c1..cn and a recovered state R, the number of
 * keys on which the state after each prefix (B + c1..cp, for p = 0..n) differs from R. The
 * prefixes with no difference are the states recovery may legally have produced.
 *
 * Does not verify: which prefixes are allowed (the caller bounds p by what had to be durable),
 * nor why a state matches no prefix (see recovery.ts). It treats every batch as a unit: a torn
 * batch matches no prefix.
 *
 * Cost: one pass over B and R, then one step per operation; the prefix states are never copied.
 * Each step keeps a running count of differing keys by comparing a key's value with R before and
 * after the operation.
 */
import type { Op } from '../../engine/types.ts';
import { applyOps, valuesEqual } from './values.ts';
import type { KvState, Value } from './values.ts';

/**
 * For each prefix length p in 0..commits.length, the number of keys whose value after
 * `base` + `commits[0..p)` differs from `recovered`.
 * @param base - the state before the first candidate
 * @param commits - the candidate batches, in order
 * @param recovered - the state to explain
 * @returns an array of `commits.length + 1` counts; 0 means "this prefix matches"
 */
export function countDifferences(
  base: KvState,
  commits: readonly (readonly Op[])[],
  recovered: KvState,
): number[] {
  let differing = 0;
  for (const [key, value] of base) {
    if (!valuesEqual(value, recovered.get(key))) differing++;
  }
  for (const key of recovered.keys()) {
    if (!base.has(key)) differing++;
  }
  // Values changed by the commits applied so far; keys not here still hold their base value.
  const overlay = new Map<string, Value>();
  const current = (key: string): Value => (overlay.has(key) ? overlay.get(key) : base.get(key));
  const counts = [differing];
  for (const ops of commits) {
    for (const op of ops) {
      const target = recovered.get(op.key);
      const before = current(op.key);
      const after = op.type === 'put' ? op.value : undefined;
      const matchedBefore = valuesEqual(before, target);
      const matchesAfter = valuesEqual(after, target);
      if (matchedBefore && !matchesAfter) differing++;
      if (!matchedBefore && matchesAfter) differing--;
      overlay.set(op.key, after);
    }
    counts.push(differing);
  }
  return counts;
}

/**
 * The prefix lengths in [lo, hi] that match (no differing key), in increasing order.
 * @param counts - the result of {@link countDifferences}
 */
export function matchingPrefixes(counts: readonly number[], lo: number, hi: number): number[] {
  const matches: number[] = [];
  for (let p = lo; p <= hi; p++) {
    if (counts[p] === 0) matches.push(p);
  }
  return matches;
}

/**
 * The prefix length in [lo, hi] with the fewest differing keys; on a tie the longest, so that a
 * report names as few commits missing as the evidence allows.
 * @param counts - the result of {@link countDifferences}
 */
export function closestPrefix(counts: readonly number[], lo: number, hi: number): number {
  let best = lo;
  for (let p = lo; p <= hi; p++) {
    if ((counts[p] ?? Infinity) <= (counts[best] ?? Infinity)) best = p;
  }
  return best;
}

/** The state after `base` + `commits[0..length)`, as a new map. */
export function stateAfter(base: KvState, commits: readonly (readonly Op[])[], length: number): Map<string, Uint8Array> {
  const state = new Map(base);
  for (let i = 0; i < length; i++) applyOps(state, commits[i] ?? []);
  return state;
}
