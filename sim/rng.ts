/**
 * The simulator's only source of randomness: a seeded generator split into named streams.
 *
 * Every stream is derived from (root seed, name) alone, never from how many numbers another
 * stream has drawn, so that turning a fault kind on or off, or drawing one more latency, leaves
 * the workload a seed produces unchanged. The algorithm is seedrandom's `alea`: among
 * seedrandom's generators it is the cheapest both to seed (forks are frequent) and to draw from.
 */
import seedrandom from 'seedrandom';
import { assert } from '../engine/assert.ts';

/** A deterministic random stream. */
export class Rng {
  /** Seeded on first draw: most forks of a run (the root, unused streams) never draw. */
  #generator: (() => number) | undefined;
  /** The string the stream was seeded with; forks extend it. */
  readonly key: string;

  /**
   * @param seed - the root seed (an integer) or, for forks, the derived key string
   */
  constructor(seed: number | string) {
    this.key = typeof seed === 'number' ? `powercut:${seed}` : seed;
  }

  get #next(): () => number {
    return (this.#generator ??= seedrandom.alea(this.key));
  }

  /** A float in [0, 1). */
  next(): number {
    return this.#next();
  }

  /**
   * An integer in [0, maxExclusive).
   * @throws AssertionError when `maxExclusive` is not a positive safe integer
   */
  int(maxExclusive: number): number {
    assert(Number.isSafeInteger(maxExclusive), 'int: the bound is an integer');
    assert(maxExclusive > 0, 'int: the bound is positive');
    return Math.floor(this.#next() * maxExclusive);
  }

  /** An integer in [min, maxInclusive]. */
  range(min: number, maxInclusive: number): number {
    return min + this.int(maxInclusive - min + 1);
  }

  /** True with probability `p` (p ≤ 0 never draws, so an off switch costs nothing). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    return this.#next() < p;
  }

  /**
   * One element of `items`, uniformly.
   * @throws AssertionError when `items` is empty
   */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick: the list is not empty');
    return items[this.int(items.length)] as T;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.fill(out, 0, n);
    return out;
  }

  /** Overwrites `target[start, end)` with random bytes. */
  fill(target: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) target[i] = (this.#next() * 256) | 0;
  }

  /**
   * An independent stream that depends only on this stream's key and `name`.
   * Forking does not draw from this stream.
   */
  fork(name: string): Rng {
    return new Rng(`${this.key}/${name}`);
  }
}
