/** Small builders shared by the checker and model tests. */
import type { Op } from '../../../engine/types.ts';

const encoder = new TextEncoder();

/** The bytes of a short string. */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A put of a string value. */
export function put(key: string, value: string): Op {
  return { type: 'put', key, value: bytes(value) };
}

/** A delete. */
export function del(key: string): Op {
  return { type: 'delete', key };
}

/** A state from string pairs. */
export function state(entries: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, bytes(v)]));
}
