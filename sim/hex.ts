/** Bytes as hex digits, two a byte (`0a0bff`): how plans spell binary values and messages show them. */
export function hexOf(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
