/**
 * The manifest, `MANIFEST`: which snapshot recovery starts from, whether the last run ended
 * with a clean `close()`, and the highest LSN the log is known to hold durably. Two lines of
 * text, so a person can read it:
 * ```
 * {"format":"powercut-manifest","version":1,"snapshot":"snapshot-….snap"|null,"snapshotLsn":N,"clean":true|false,"durableLsn":D}
 * crc32c:xxxxxxxx
 * ```
 * where the checksum covers the first line including its newline. The manifest is replaced
 * with tmp + fsync + rename + directory fsync (files.ts), so it is always whole: a bad checksum
 * is corruption, and a version this engine does not know refuses to open rather than guess.
 *
 * `durableLsn` is evidence for the recovery rules (wal/recovery.ts R4 and C3): every frame up to
 * it had been fsynced when the manifest was written, by a checkpoint (which seals the log first),
 * a clean close (which syncs it first) or a recovery (which fsyncs what it replayed before it
 * serves it). A later recovery must then refuse, not cut, damage at or below it, and refuse a log
 * that ends before it (a lost segment). Manifests written before the field existed read it as
 * their snapshot LSN; older engines ignore it, so the format version stays 1.
 */
import { utf8ByteLength } from './batch.ts';
import { crc32c } from './wal/crc32c.ts';

/** The manifest file name. */
export const manifestFileName = 'MANIFEST';
/** The manifest version this engine writes and reads. */
export const manifestVersion = 1;

/** The contents of the manifest. */
export interface Manifest {
  readonly snapshot: string | null;
  readonly snapshotLsn: number;
  readonly clean: boolean;
  /** Every frame up to this LSN had been fsynced when the manifest was written (at least `snapshotLsn`). */
  readonly durableLsn: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
/** The checksum line's length: `crc32c:`, 8 hex digits, a newline. */
const trailerBytes = 16;

/** The checksum line of a first line whose bytes have checksum `crc`. */
function trailerOf(crc: number): string {
  return `crc32c:${crc.toString(16).padStart(8, '0')}\n`;
}

/** Encodes a manifest. */
export function encodeManifest(manifest: Manifest): Uint8Array {
  const body = `${JSON.stringify({
    format: 'powercut-manifest',
    version: manifestVersion,
    snapshot: manifest.snapshot,
    snapshotLsn: manifest.snapshotLsn,
    clean: manifest.clean,
    durableLsn: manifest.durableLsn,
  })}\n`;
  // One array for both lines: the first encoded into it, the ASCII checksum line copied in.
  const bodyLength = utf8ByteLength(body);
  const bytes = new Uint8Array(bodyLength + trailerBytes);
  encoder.encodeInto(body, bytes);
  const trailer = trailerOf(crc32c(bytes, 0, bodyLength));
  for (let i = 0; i < trailerBytes; i++) bytes[bodyLength + i] = trailer.charCodeAt(i);
  return bytes;
}

/** A decoded manifest, or why it was refused. */
export type ManifestDecoding =
  | { readonly manifest: Manifest }
  | { readonly problem: 'corrupt'; readonly detail: string; readonly offset: number }
  | { readonly problem: 'version'; readonly version: number };

/** Decodes a manifest, checking its checksum, format and version. */
export function decodeManifest(bytes: Uint8Array): ManifestDecoding {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { problem: 'corrupt', detail: 'not UTF-8 text', offset: 0 };
  }
  const newline = text.indexOf('\n');
  if (newline < 0) return { problem: 'corrupt', detail: 'no line end', offset: 0 };
  const body = text.slice(0, newline + 1);
  const trailer = text.slice(newline + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { problem: 'corrupt', detail: 'first line is not JSON', offset: 0 };
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  // The first line's bytes are the file's up to its first newline byte (a newline byte is never
  // part of a longer UTF-8 sequence), after the byte-order mark the decoder dropped, if any: the
  // checksum is taken over them instead of encoding the decoded line again.
  const bodyStart = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bodyEnd = bytes.indexOf(0x0a) + 1;
  // The checksum comes first: a damaged version field must read as damage, not as a newer
  // format. Future versions keep this two-line layout so that their version can be read.
  if (trailer !== trailerOf(crc32c(bytes, bodyStart, bodyEnd))) return { problem: 'corrupt', detail: 'checksum mismatch', offset: bodyEnd - bodyStart };
  if (record.format !== 'powercut-manifest') return { problem: 'corrupt', detail: 'not a powercut manifest', offset: 0 };
  if (record.version !== manifestVersion) {
    return { problem: 'version', version: typeof record.version === 'number' ? record.version : Number.NaN };
  }
  const { snapshot, snapshotLsn, clean, durableLsn = snapshotLsn } = record;
  if (!(snapshot === null || typeof snapshot === 'string')) return { problem: 'corrupt', detail: 'bad snapshot field', offset: 0 };
  if (typeof snapshotLsn !== 'number' || !Number.isSafeInteger(snapshotLsn) || snapshotLsn < 0) {
    return { problem: 'corrupt', detail: 'bad snapshotLsn field', offset: 0 };
  }
  if (typeof clean !== 'boolean') return { problem: 'corrupt', detail: 'bad clean field', offset: 0 };
  if (typeof durableLsn !== 'number' || !Number.isSafeInteger(durableLsn) || durableLsn < snapshotLsn) {
    return { problem: 'corrupt', detail: 'bad durableLsn field', offset: 0 };
  }
  return { manifest: { snapshot, snapshotLsn, clean, durableLsn } };
}
