/**
 * UTF-8 for keys and the manifest's text: exactly what `TextEncoder` and a fatal `TextDecoder`
 * give, with a fast path for short ASCII text.
 *
 * Why: the platform codecs cost about the same whatever the length, ~0.2 µs to decode and
 * ~0.6–1 µs to encode (each encoding gets a backing store of its own), and keys are a few bytes.
 * In the simulator, where every open decodes every key of every frame and a seed opens the store
 * about thirteen times, the codecs took ~4 % of a seed's CPU.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * ASCII text up to this many characters is encoded by hand: up to 64 bytes a typed array lives
 * on V8's heap, where allocating it costs a fraction of the codec's call.
 */
const handEncodedMax = 64;
/**
 * ASCII bytes up to this many are decoded by hand: the loop beats the codec's call up to about
 * a dozen bytes, and shorter strings are built flat (V8 makes a rope from 13 characters on).
 */
const handDecodedMax = 12;

/** The UTF-8 bytes of `text`, as `TextEncoder` encodes it (a lone surrogate becomes U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  const length = text.length;
  if (length <= handEncodedMax) {
    const bytes = new Uint8Array(length);
    let i = 0;
    while (i < length) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) break;
      bytes[i++] = unit;
    }
    if (i === length) return bytes;
  }
  return encoder.encode(text);
}

/**
 * The text of `bytes[start, end)`, strictly, as a fatal `TextDecoder` decodes it (a leading
 * byte-order mark is dropped).
 * @throws TypeError when the bytes are not UTF-8
 */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= handDecodedMax) {
    let text = '';
    let i = start;
    while (i < end) {
      const byte = bytes[i]!;
      if (byte >= 0x80) break;
      text += String.fromCharCode(byte);
      i++;
    }
    if (i === end) return text;
  }
  return decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
