import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../../engine/types.ts';
import { closestPrefix, countDifferences, matchingPrefixes, stateAfter } from '../../../sim/checkers/prefix-search.ts';
import { firstDifferingKey } from '../../../sim/checkers/values.ts';
import { bytes, del, put, state } from './helpers.ts';

const batches: Op[][] = [[put('a', '1')], [put('b', '1'), del('a')], [put('a', '2')]];

describe('prefix search', () => {
  it('counts, for each prefix, the keys that differ from the recovered state', () => {
    expect(countDifferences(new Map(), batches, state({ b: '1' }))).toEqual([1, 2, 0, 1]);
  });

  it('starts from the base state', () => {
    expect(countDifferences(state({ z: '9' }), batches, state({ z: '9', a: '1' }))).toEqual([1, 0, 2, 2]);
  });

  it('finds every matching prefix within the allowed range', () => {
    const counts = countDifferences(new Map(), [[put('a', '1')], [put('a', '1')]], state({ a: '1' }));
    expect(matchingPrefixes(counts, 0, 2)).toEqual([1, 2]);
    expect(matchingPrefixes(counts, 0, 0)).toEqual([]);
  });

  it('picks the longest of the closest prefixes', () => {
    expect(closestPrefix([3, 1, 2, 1], 0, 3)).toBe(3);
    expect(closestPrefix([3, 1, 2, 1], 0, 2)).toBe(1);
  });

  it('agrees with comparing whole states', () => {
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ type: fc.constant('put' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.constantFrom('1', '2').map(bytes) }),
      fc.record({ type: fc.constant('delete' as const), key: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(fc.property(
      fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { maxLength: 6 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('1', '2')),
      (commits, target) => {
        const recovered = state(target);
        const counts = countDifferences(new Map(), commits, recovered);
        counts.forEach((count, p) => {
          expect(count === 0).toBe(firstDifferingKey(stateAfter(new Map(), commits, p), recovered) === undefined);
        });
      },
    ));
  });
});
