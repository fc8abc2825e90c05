import { describe, expect, it } from 'vitest';
import { expectedCpuMs, geometricMeanSpeedup } from '../../bench/expected-catch.ts';

describe('the expected CPU of a round-robin search for a planted bug', () => {
  it('is the CPU of one seed over the hit rate, for one scenario', () => {
    expect(expectedCpuMs({ a: { hits: 25, seeds: 100, cpuMs: 1000 } })).toBeCloseTo(40);
  });

  it('pays every scenario\'s seed per turn and catches when any of them does', () => {
    // A turn costs 10 + 30 ms and catches with 1 - 0.5 * 0.9 = 0.55.
    expect(expectedCpuMs({ a: { hits: 50, seeds: 100, cpuMs: 1000 }, b: { hits: 10, seeds: 100, cpuMs: 3000 } })).toBeCloseTo(40 / 0.55);
  });

  it('is undefined for a bug no measured seed caught', () => {
    expect(expectedCpuMs({ a: { hits: 0, seeds: 100, cpuMs: 1000 }, b: { hits: 0, seeds: 50, cpuMs: 10 } })).toBeUndefined();
  });

  it('is the cost of one turn for a bug every seed catches', () => {
    expect(expectedCpuMs({ a: { hits: 100, seeds: 100, cpuMs: 500 }, b: { hits: 0, seeds: 100, cpuMs: 700 } })).toBeCloseTo(12);
  });
});

describe('the geometric mean of per-bug speed-ups', () => {
  it('weighs each bug the same: 4x faster on one and 4x slower on another is no change', () => {
    expect(geometricMeanSpeedup([{ current: 10, baseline: 40 }, { current: 400, baseline: 100 }])).toBeCloseTo(1);
  });

  it('is the n-th root of the product of baseline over current', () => {
    expect(geometricMeanSpeedup([{ current: 10, baseline: 20 }, { current: 10, baseline: 80 }])).toBeCloseTo(4);
  });

  it('is undefined without a bug both caught', () => {
    expect(geometricMeanSpeedup([])).toBeUndefined();
  });
});
