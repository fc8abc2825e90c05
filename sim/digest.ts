/**
 * An incremental 64-bit hash for trace digests, fed field by field so that no event is ever
 * turned into a string to be hashed. Two 32-bit lanes with different multipliers (murmur3-style
 * mixing) make the 64 bits; it is a fingerprint for comparing runs, not a cryptographic hash.
 * Strings are hashed once and memoised: trace fields are drawn from a small set (operation names,
 * phases, paths), and V8 caches a string's own hash, so a repeat costs one map lookup.
 */

const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);

function mix(h: number, word: number, multiplier: number): number {
  let k = Math.imul(word, multiplier);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const stringHashes = new Map<string, number>();

/** A 32-bit hash of `s`, memoised (the set of distinct trace strings is small). */
export function hashString(s: string): number {
  let h = stringHashes.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = finish(h ^ s.length);
  // A bound keeps a long campaign with unbounded distinct paths from growing the memo forever.
  if (stringHashes.size > 100_000) stringHashes.clear();
  stringHashes.set(s, h);
  return h;
}

/** A running 64-bit hash. */
export class Digest64 {
  #lo = 0x2545f491;
  #hi = 0x9e3779b9 | 0;
  #count = 0;

  /** Feeds a 32-bit integer (higher bits are dropped; use {@link number} for other values). */
  int(word: number): void {
    this.#lo = mix(this.#lo, word, 0xcc9e2d51);
    this.#hi = mix(this.#hi, word ^ 0x5bd1e995, 0x85ebca77);
    this.#count++;
  }

  /** Feeds any number: small integers as one word, others by their IEEE-754 bits. */
  number(x: number): void {
    if ((x | 0) === x) {
      this.int(x);
      return;
    }
    float64[0] = x;
    this.int(float64Words[0]!);
    this.int(float64Words[1]!);
  }

  /** Feeds a string (through its memoised 32-bit hash). */
  string(s: string): void {
    this.int(hashString(s));
  }

  /** The digest so far as two unsigned 32-bit words, high first. Feeding may continue afterwards. */
  words(): readonly [number, number] {
    const lo = finish(this.#lo ^ this.#count);
    const hi = finish(this.#hi ^ Math.imul(this.#count, 0x27d4eb2d) ^ lo);
    return [hi, lo];
  }

  /** The digest so far as 16 hex digits. Feeding may continue afterwards. */
  hex(): string {
    const [hi, lo] = this.words();
    return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
  }
}
