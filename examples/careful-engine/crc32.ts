/**
 * CRC-32 (the IEEE polynomial of zlib and Ethernet), and a test for single-bit errors.
 *
 * Why the single-bit test: recovery must tell a record torn by a crash from a durable record
 * hit by bit rot. A torn write damages whole sectors (zeros or garbage); bit rot flips one bit.
 * CRC-32 has a Hamming distance of at least 3 for any record this engine writes, so every
 * single-bit error gives its own checksum difference (a "syndrome"), and comparing the
 * difference seen with the syndromes of the n*8 possible bit flips says whether exactly one bit
 * differs, in O(n).
 */

const POLY_REVERSED = 0xedb88320;

/** TABLE[b] is the CRC register after feeding byte b into a zero register. */
const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REVERSED : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 of `bytes[start, end)`.
 * @returns the checksum as an unsigned 32-bit number
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

/** The number of bits set in a 32-bit value. */
export function popcount(value: number): number {
  let v = value >>> 0;
  let count = 0;
  while (v !== 0) {
    v &= v - 1;
    count++;
  }
  return count;
}

/**
 * Whether `stored ^ actual` (the checksum stored for `length` bytes, XOR the checksum of the
 * bytes read) is what flipping exactly one bit produces: one bit of the stored checksum, or one
 * bit of the data.
 *
 * How: CRC-32 is affine, so flipping bit b of byte p changes the checksum by the checksum (with
 * a zero start and no final XOR) of a lone bit followed by `length - 1 - p` zero bytes. The loop
 * walks p from the last byte to the first, one zero byte further each step.
 */
export function isSingleBitError(stored: number, actual: number, length: number): boolean {
  const syndrome = (stored ^ actual) >>> 0;
  if (syndrome === 0) return false;
  if (popcount(syndrome) === 1) return true;
  const registers = Array.from({ length: 8 }, (_, bit) => TABLE[1 << bit]!);
  for (let distance = 0; distance < length; distance++) {
    for (let bit = 0; bit < 8; bit++) {
      const register = registers[bit]!;
      if (register === syndrome) return true;
      registers[bit] = ((register >>> 8) ^ TABLE[register & 0xff]!) >>> 0;
    }
  }
  return false;
}
