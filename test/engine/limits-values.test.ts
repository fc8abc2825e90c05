/**
 * The engine's limits are part of its contract (decoders refuse what no writer could produce):
 * each value is pinned here, so a changed limit is a deliberate, visible change.
 */
import { describe, expect, it } from 'vitest';
import * as limits from '../../engine/limits.ts';

describe('engine limits', () => {
  it('have these values', () => {
    expect({ ...limits }).toEqual({
      keyBytesMax: 1024,
      valueBytesMax: 1024 * 1024,
      batchOpsMax: 10_000,
      framePayloadBytesMax: 16 * 1024 * 1024,
      segmentSizeBytesDefault: 4 * 1024 * 1024,
      segmentSizeBytesMin: 256,
      segmentSizeBytesMax: 1024 * 1024 * 1024,
      walSizeBytesMaxDefault: 64 * 1024 * 1024,
      groupCommitMaxDelayMsDefault: 0,
      groupCommitMaxBatchDefault: 128,
      snapshotBytesMax: 1024 * 1024 * 1024,
      manifestBytesMax: 64 * 1024,
      sidecarBytesMax: 64 * 1024 * 1024,
      tornEvidenceFilesMax: 8,
    });
  });
});
