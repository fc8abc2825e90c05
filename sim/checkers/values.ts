/**
 * Values as the checkers see them: byte comparison, the short printable form used in violation
 * messages, and the effect of one batch on a key-value state.
 *
 * A key's value is `undefined` when the key is absent (never written, or deleted).
 */
import type { Op } from '../../engine/types.ts';
import { hexOf } from '../hex.ts';

/** A key's value in some state: the bytes, or `undefined` when the key is absent. */
export type Value = Uint8Array | undefined;

/** A key-value state, as `SutHandle.state()` returns it. */
export type KvState = ReadonlyMap<string, Uint8Array>;

/** Bytes shown by {@link formatValue} before it cuts a binary value short. */
export const valuePreviewBytes = 8;
/** Characters shown by {@link formatValue} before it cuts a text value short. */
export const valuePreviewChars = 16;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The value as text, when it is valid UTF-8 without control characters; else undefined. */
function printableText(value: Uint8Array): string | undefined {
  try {
    const text = strictUtf8.decode(value);
    return /[\u0000-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Whether two values are equal: both absent, or the same bytes. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/**
 * A short printable form of a value for messages: `absent`; a text value quoted, up to its first
 * run of padding dots and at most {@link valuePreviewChars} characters, with its length in bytes,
 * e.g. `"k3@12.0"… (43 bytes)` (a generated value names its key and the step that wrote it, so a
 * misplaced or stale value says where it came from) or `"" (0 bytes)`; any other value as
 * {@link valuePreviewBytes} bytes in hex, e.g. `0x0a0b0c (3 bytes)` or
 * `0x0001020304050607… (4096 bytes)`, from its start or, when it starts with text, after that
 * text quoted: `"k3@12.0:"+0x00ff0a (11 bytes)`.
 */
/**
 * A key as messages print it: as is when it is plain printable text without spaces or quotes
 * (the generated `k3`), else quoted as JSON, so that an empty key or one with spaces cannot blur
 * into the sentence around it.
 */
export function formatKey(key: string): string {
  return /^[!#-~]+$/.test(key) ? key : JSON.stringify(key);
}

export function formatValue(value: Value): string {
  if (value === undefined) return 'absent';
  const unit = value.length === 1 ? 'byte' : 'bytes';
  const text = printableText(value);
  if (text !== undefined) {
    const padding = text.search(/\.{2,}/);
    const shown = [...(padding < 0 ? text : text.slice(0, padding))].slice(0, valuePreviewChars).join('');
    return `${JSON.stringify(shown)}${shown.length < text.length ? '…' : ''} (${value.length} ${unit})`;
  }
  const head = printableHead(value);
  const shown = [...head.text].slice(0, valuePreviewChars).join('');
  const quoted = head.text === '' ? '' : `${JSON.stringify(shown)}${shown.length < head.text.length ? '…' : ''}+`;
  const rest = value.subarray(head.bytes);
  const hex = hexOf(rest.subarray(0, valuePreviewBytes));
  const more = rest.length > valuePreviewBytes ? '…' : '';
  return `${quoted}0x${hex}${more} (${value.length} ${unit})`;
}

/**
 * Said after a message that shows `expected` and `seen` when {@link formatValue} prints them
 * alike (a flipped bit past the preview, in a value of the same length): where they first
 * differ, with both bytes there. Empty when they print differently, or are equal.
 */
export function differenceNote(expected: Value, seen: Value): string {
  if (expected === undefined || seen === undefined || formatValue(expected) !== formatValue(seen)) return '';
  const length = Math.min(expected.length, seen.length);
  let at = 0;
  while (at < length && expected[at] === seen[at]) at++;
  if (at === length && expected.length === seen.length) return '';
  const byte = (value: Uint8Array): string => (at < value.length ? `0x${value[at]!.toString(16).padStart(2, '0')}` : 'nothing');
  return `; the two print alike but differ first at byte ${at}: ${byte(expected)} expected, ${byte(seen)} seen`;
}

const lenientUtf8 = new TextDecoder('utf-8');
const utf8 = new TextEncoder();

/** The longest start of a value that is printable text (see {@link printableText}), and its length in bytes. */
function printableHead(value: Uint8Array): { readonly text: string; readonly bytes: number } {
  const decoded = lenientUtf8.decode(value);
  const end = decoded.search(/[\u0000-\u001f\u007f\ufffd]/);
  const text = end < 0 ? decoded : decoded.slice(0, end);
  return { text, bytes: utf8.encode(text).length };
}

/**
 * Said after a violation's message when the value seen is the value expected read as UTF-8 text
 * and written back ({@link readAsText}): the subject keeps values as text.
 */
export const readAsTextNote = '; that is the value written, read as UTF-8 text: a value that is not text does not survive being kept as text';

/** Whether `seen` is `expected`, which is not UTF-8, decoded as UTF-8 (bad bytes as U+FFFD) and encoded again. */
export function readAsText(expected: Value, seen: Value): boolean {
  if (expected === undefined || seen === undefined || valuesEqual(expected, seen)) return false;
  return valuesEqual(utf8.encode(lenientUtf8.decode(expected)), seen);
}

/**
 * What a batch leaves behind, key by key: the value of each key after the last operation on it
 * in the batch (`undefined` for a delete). A batch that writes a key twice leaves only the
 * second write; the first is never visible on its own.
 */
export function finalWrites(ops: readonly Op[]): Map<string, Value> {
  const writes = new Map<string, Value>();
  for (const op of ops) writes.set(op.key, op.type === 'put' ? op.value : undefined);
  return writes;
}

/** Applies a batch to `state` in place. */
export function applyOps(state: Map<string, Uint8Array>, ops: readonly Op[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

/** The first key (in sorted order) whose value differs between two states, if any. */
export function firstDifferingKey(a: KvState, b: KvState): string | undefined {
  let first: string | undefined;
  const consider = (key: string): void => {
    if (first !== undefined && key >= first) return;
    if (!valuesEqual(a.get(key), b.get(key))) first = key;
  };
  for (const key of a.keys()) consider(key);
  for (const key of b.keys()) consider(key);
  return first;
}
