/**
 * Segment naming and creation. A segment is `<seq>.wal` with the sequence number zero-padded to
 * 20 digits, so that names sort in sequence order; its sidecar index is `<seq>.wal.idx`.
 */
import { assert } from '../assert.ts';
import { publishFile, stageFile } from '../files.ts';
import { joinPath, type FileHandle, type FileSystem } from '../ports/fs.ts';
import { encodeSegmentHeader, segmentHeaderBytes } from './format.ts';

const SEGMENT_NAME = /^(\d{20})\.wal$/;
const SIDECAR_NAME = /^(\d{20})\.wal\.idx$/;

/** The file name of segment `seq`. */
export function segmentName(seq: number): string {
  assert(Number.isSafeInteger(seq) && seq >= 1, 'segment sequence numbers start at 1');
  return `${String(seq).padStart(20, '0')}.wal`;
}

/** The sidecar index name of a segment file name. */
export function sidecarName(segmentFileName: string): string {
  return `${segmentFileName}.idx`;
}

/** The sequence number of a segment file name, or `undefined` if it is not one. */
export function parseSegmentName(name: string): number | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (!match) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}

/** The sequence number of the segment a sidecar file name belongs to, or `undefined` if it is not one. */
export function parseSidecarName(name: string): number | undefined {
  const match = SIDECAR_NAME.exec(name);
  if (!match) return undefined;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq >= 1 ? seq : undefined;
}

/** The segment sequence numbers present among `names`, ascending. */
export function listSegments(names: readonly string[]): number[] {
  const seqs: number[] = [];
  for (const name of names) {
    const seq = parseSegmentName(name);
    if (seq !== undefined) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

/**
 * The rename or directory fsync that publishes a new segment failed: whether the segment
 * exists after a crash is unknown, so the store must stop (store.ts fails on this).
 */
export class SegmentPublishError extends Error {
  override readonly name = 'SegmentPublishError';
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`could not publish segment ${path}`);
  }
}

/**
 * Creates segment `seq` durably and returns it open for writing: the header is written to
 * `<name>.tmp` and fsynced, renamed into place, and the directory fsynced, so that once this
 * returns the segment exists after any crash and its header is whole (etcd does the same).
 * Frames are appended only after this, so no acknowledged frame can live in a segment whose
 * name might vanish.
 * @throws IoError while staging (nothing changed), {@link SegmentPublishError} after it
 */
export async function createSegment(fs: FileSystem, dir: string, seq: number, baseLsn: number): Promise<FileHandle> {
  const path = joinPath(dir, segmentName(seq));
  const temporary = `${path}.tmp`;
  await stageFile(fs, temporary, encodeSegmentHeader({ seq, baseLsn }));
  try {
    await publishFile(fs, dir, temporary, path);
  } catch (error) {
    throw new SegmentPublishError(path, error);
  }
  // Reopened by its final name so that every later write is attributed to the segment's name.
  const handle = await fs.open(path);
  assert((await handle.size()) === segmentHeaderBytes, 'a new segment holds only its header');
  return handle;
}
