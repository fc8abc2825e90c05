/**
 * Building segment bytes by hand in tests: a header and frames with chosen LSNs and durable
 * LSNs, so a test can place damage, gaps and later intact frames exactly where a rule looks.
 */
import type { Op } from '../../../engine/types.ts';
import { encodeBatch, encodeFrame, encodeSegmentHeader, segmentHeaderBytes } from '../../../engine/wal/format.ts';

/** One frame to write: its LSN, the durable LSN it carries, and its batch. */
export interface FrameSpec {
  readonly lsn: number;
  readonly durableLsn: number;
  readonly ops?: readonly Op[];
}

/** A built segment: its bytes and the offset of each frame. */
export interface BuiltSegment {
  readonly bytes: Uint8Array;
  readonly offsets: number[];
}

/** The batch every frame carries unless told otherwise: one delete of `k<lsn>`. */
export function defaultOps(lsn: number): Op[] {
  return [{ type: 'delete', key: `k${lsn}` }];
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/** The bytes of one frame. */
export function frameOf(spec: FrameSpec): Uint8Array {
  return encodeFrame(spec.lsn, spec.durableLsn, encodeBatch(spec.ops ?? defaultOps(spec.lsn)));
}

/** A segment `seq` starting at `baseLsn` holding `frames` back to back. */
export function buildSegment(frames: readonly FrameSpec[], baseLsn = frames[0]?.lsn ?? 1, seq = 1): BuiltSegment {
  const parts = [encodeSegmentHeader({ seq, baseLsn })];
  const offsets: number[] = [];
  let offset = segmentHeaderBytes;
  for (const spec of frames) {
    const frame = frameOf(spec);
    offsets.push(offset);
    parts.push(frame);
    offset += frame.length;
  }
  return { bytes: concatBytes(...parts), offsets };
}

/** Frames `from..to` as strict mode writes them: each carries the previous LSN as durable. */
export function strictFrames(from: number, to: number): FrameSpec[] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({ lsn: from + i, durableLsn: from + i - 1 }));
}
