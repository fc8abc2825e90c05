/**
 * Every limit of the engine, in one place, with the relations between them checked when the
 * module loads. Decoders use these to refuse length fields that no writer could have produced.
 */
import { assert } from './assert.ts';

/** Largest key, in UTF-8 bytes. */
export const keyBytesMax = 1024;
/** Largest value, in bytes. */
export const valueBytesMax = 1024 * 1024;
/** Most operations in one committed batch. */
export const batchOpsMax = 10_000;
/** Largest encoded frame payload (one batch), in bytes. */
export const framePayloadBytesMax = 16 * 1024 * 1024;
/** Default size after which the active segment is rotated. */
export const segmentSizeBytesDefault = 4 * 1024 * 1024;
/** Smallest segment size a store accepts (tests use small segments to force rotation). */
export const segmentSizeBytesMin = 256;
/** Largest segment size a store accepts: sidecar offsets are u32. */
export const segmentSizeBytesMax = 1024 * 1024 * 1024;
/** Default WAL size after which a checkpoint is taken automatically. */
export const walSizeBytesMaxDefault = 64 * 1024 * 1024;
/**
 * Default longest wait of a group-commit leader for more commits to join. Zero still groups:
 * the leader yields once so that writers already running can join, and every commit that
 * arrives while an fsync is in flight joins the next group (PostgreSQL's commit_delay is 0 by
 * default for the same reason: a fixed wait taxes every lone writer).
 */
export const groupCommitMaxDelayMsDefault = 0;
/** Default most commits one group fsync covers. */
export const groupCommitMaxBatchDefault = 128;
/** Largest snapshot file the engine will read, in bytes. */
export const snapshotBytesMax = 1024 * 1024 * 1024;
/** Largest manifest file, in bytes. */
export const manifestBytesMax = 64 * 1024;
/** Largest sidecar index file, in bytes (16 bytes per entry). */
export const sidecarBytesMax = 64 * 1024 * 1024;
/**
 * Most torn-tail evidence files kept in a store directory (`<segment>.<n>@<offset>.torn`, see
 * wal/evidence.ts). Recovery removes the oldest beyond it: evidence is for the last few
 * crashes someone may want to examine, and an unbounded count would fill the disk of a store
 * that crashes often. Each file is at most one segment's tail.
 */
export const tornEvidenceFilesMax = 8;

// A batch of maximal operations need not fit one frame (the encoder checks the real size), but
// one maximal put must.
assert(keyBytesMax + valueBytesMax + 64 <= framePayloadBytesMax, 'one maximal put fits a frame');
assert(segmentSizeBytesMin <= segmentSizeBytesDefault, 'segment size bounds are ordered');
assert(segmentSizeBytesDefault <= segmentSizeBytesMax, 'default segment size within its maximum');
// A segment may pass its size by one frame before rotating; its offsets must still fit a u32.
assert(segmentSizeBytesMax + framePayloadBytesMax + 64 < 2 ** 32, 'segment offsets fit in u32');
assert(segmentSizeBytesDefault <= walSizeBytesMaxDefault, 'a checkpoint spans at least a segment');
assert(groupCommitMaxBatchDefault >= 1, 'a group holds at least one commit');
assert(tornEvidenceFilesMax >= 1, 'recovery keeps at least the evidence of its own cut');
