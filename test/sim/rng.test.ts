import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.ts';

describe('Rng', () => {
  it('gives the same sequence for the same seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
  });

  it('gives a fork that depends only on the seed and the name, not on earlier draws', () => {
    const fresh = new Rng(7).fork('workload');
    const used = new Rng(7);
    for (let i = 0; i < 100; i++) used.next();
    const late = used.fork('workload');
    expect(Array.from({ length: 10 }, () => late.int(1000))).toEqual(Array.from({ length: 10 }, () => fresh.int(1000)));
  });

  it('gives different streams for different fork names', () => {
    const root = new Rng(7);
    expect(root.fork('faults').next()).not.toBe(root.fork('latency').next());
  });

  it('keeps int, range and pick within their bounds', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(7);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThan(7);
      const r = rng.range(3, 5);
      expect(r).toBeGreaterThanOrEqual(3);
      expect(r).toBeLessThanOrEqual(5);
      expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
    }
  });

  it('never draws for chance(0), so an off switch leaves the stream where it was', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    expect(a.chance(0)).toBe(false);
    expect(a.next()).toBe(b.next());
  });

  it('fills bytes deterministically', () => {
    expect(new Rng(9).bytes(16)).toEqual(new Rng(9).bytes(16));
  });
});
