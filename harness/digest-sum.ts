/**
 * Campaign digests: one hash per run over (unit, seed, the run's trace digest), summed modulo
 * 2^64. The sum is commutative, so the digest does not depend on the order runs finish in, and
 * the digests of shards add up to the digest of the whole campaign (reports/merge.ts).
 */
import { Digest64 } from '../sim/index.ts';

const digestModulus = 1n << 64n;

/** The hash one run contributes to the campaign digest: over (unit, seed, run digest). */
export function runHash(unit: string, seed: number, digest: string): string {
  const hash = new Digest64();
  hash.string(unit);
  hash.number(seed);
  hash.int(Number.parseInt(digest.slice(0, 8), 16));
  hash.int(Number.parseInt(digest.slice(8, 16), 16));
  return hash.hex();
}

/**
 * Adds 64-bit digests.
 * @param digests - 16-hex-digit digests
 * @returns their sum modulo 2^64 as 16 lowercase hex digits
 * @throws Error if a digest is not 16 hex digits (callers validate input first)
 */
export function sumDigests(digests: Iterable<string>): string {
  const sum = new DigestSum();
  for (const digest of digests) sum.add(digest);
  return sum.hex();
}

/** A running sum of 64-bit digests. */
export class DigestSum {
  #sum = 0n;

  /** @throws Error if `digest` is not 16 hex digits */
  add(digest: string): void {
    if (!/^[0-9a-fA-F]{16}$/.test(digest)) throw new Error(`digest ${JSON.stringify(digest)} is not 16 hex digits`);
    this.#sum = (this.#sum + BigInt(`0x${digest}`)) % digestModulus;
  }

  hex(): string {
    return this.#sum.toString(16).padStart(16, '0');
  }
}
