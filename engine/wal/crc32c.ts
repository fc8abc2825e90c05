/**
 * CRC-32C (Castagnoli), the checksum of every on-disk structure, and a locator for single-bit
 * errors.
 *
 * Why CRC-32C: it is what LevelDB, RocksDB and ext4 use for the same job, and its Hamming
 * distance is at least 3 for any message shorter than 2^31 bits, so every single-bit error
 * gives a distinct checksum difference (a "syndrome"). Recovery uses that to tell bit rot
 * (exactly one bit differs) from a torn write (whole sectors missing or garbage): see
 * recovery.ts.
 */

const POLY_REVERSED = 0x82f63b78;

/** Slicing-by-8 tables: table[k][b] is the CRC register after byte b followed by k zero bytes. */
const TABLES: Uint32Array[] = (() => {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY_REVERSED : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables.push(t0);
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(t);
  }
  return tables;
})();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array,
];

/**
 * CRC-32C of `bytes[start, end)`.
 * @param bytes - the data
 * @param start - first byte included @defaultValue 0
 * @param end - first byte excluded @defaultValue bytes.length
 * @returns the checksum as an unsigned 32-bit number
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  let i = start;
  const fastEnd = end - 8;
  while (i <= fastEnd) {
    const lo = (crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    crc =
      T7[lo & 0xff]! ^ T6[(lo >>> 8) & 0xff]! ^ T5[(lo >>> 16) & 0xff]! ^ T4[lo >>> 24]! ^
      T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = (crc >>> 8) ^ T0[(crc ^ bytes[i++]!) & 0xff]!;
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Finds the one bit whose flip would make `crc32c(bytes[start, end)) === expected`.
 *
 * CRC is linear over GF(2): flipping bit j changes the checksum by a syndrome that depends only
 * on the bit's distance from the end of the message, and stepping that distance by one is one
 * step of the CRC shift register. So every bit position is tried in O(1), O(n) in all.
 * A whole-sector tear matches a single-bit syndrome only by a 2^-32-per-bit accident.
 *
 * @returns the bit index from `start` (byte = index >> 3, bit = index & 7), or -1 if no single
 *   bit flip explains the mismatch (including when there is no mismatch)
 */
export function findSingleBitError(bytes: Uint8Array, start: number, end: number, expected: number): number {
  const difference = (crc32c(bytes, start, end) ^ expected) >>> 0;
  if (difference === 0) return -1;
  // The syndrome of flipping the last bit of the message (bit 7 of the last byte, since the
  // reflected CRC consumes the low bit first) is the register after shifting 0x80 through the
  // final update; walk backwards one bit at a time by shifting the register forward.
  let syndrome = T0[0x80]!;
  const bitCount = (end - start) * 8;
  for (let fromEnd = 0; fromEnd < bitCount; fromEnd++) {
    if (syndrome === difference) {
      const byteFromEnd = fromEnd >> 3;
      const bitInByte = 7 - (fromEnd & 7);
      const byteIndex = end - start - 1 - byteFromEnd;
      return byteIndex * 8 + bitInByte;
    }
    syndrome = syndrome & 1 ? ((syndrome >>> 1) ^ POLY_REVERSED) >>> 0 : syndrome >>> 1;
  }
  return -1;
}
