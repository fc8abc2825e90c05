/** Reading a store's segments in tests: frame offsets and LSNs as the engine's reader sees them. */
import type { FileSystem } from '../../../engine/ports/fs.ts';
import { scanSegment, type SegmentScan } from '../../../engine/wal/reader.ts';
import { readFile } from './store.ts';

/** Scans a segment file and fails the test if its header is unreadable. */
export async function scanFile(fs: FileSystem, path: string): Promise<SegmentScan> {
  const result = scanSegment(await readFile(fs, path));
  if ('headerProblem' in result) throw new Error(`${path}: segment header ${result.headerProblem}`);
  return result;
}

/** The offset of each intact frame of a segment file, in LSN order. */
export async function frameOffsets(fs: FileSystem, path: string): Promise<number[]> {
  return (await scanFile(fs, path)).frames.map((frame) => frame.offset);
}
