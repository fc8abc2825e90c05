import { describe, expect, it } from 'vitest';
import type { ReplayStats } from '../../../engine/types.ts';
import { checkAckLsn, checkReplayStats, lastLsnFits, replayFactsFor } from '../../../sim/checkers/self-consistency.ts';

function stats(fields: Partial<ReplayStats>): ReplayStats {
  return {
    recordsApplied: 5, lastLsn: 5, truncatedBytes: 0, tornBytesKept: 0, segmentsScanned: 1, sidecarsRebuilt: 0,
    uncleanShutdown: true, snapshotLsn: 0, orphansRemoved: 0, recoveryMs: 0, bytesReplayed: 0, ...fields,
  };
}

const invariants = (found: readonly { invariant: string }[]): string[] => found.map((v) => v.invariant);

describe('checkReplayStats', () => {
  it('accepts statistics that agree with the recovered prefix', () => {
    expect(checkReplayStats(stats({}), { lastLsn: 5, lastLsnMin: 5 })).toEqual([]);
    expect(checkReplayStats(stats({ snapshotLsn: 3, recordsApplied: 2 }), { lastLsnMin: 4, lastLsnMax: 6 })).toEqual([]);
  });

  it('reports a lastLsn other than the last recovered commit', () => {
    expect(checkReplayStats(stats({ lastLsn: 4, recordsApplied: 4 }), { lastLsn: 5, lastLsnMin: 5 })).toEqual([
      expect.objectContaining({ invariant: 'self-consistency', expected: '5', seen: '4' }),
    ]);
  });

  it('reports a lastLsn outside the bounds the known LSNs give', () => {
    expect(invariants(checkReplayStats(stats({ lastLsn: 9, recordsApplied: 9 }), { lastLsnMin: 6, lastLsnMax: 8 }))).toEqual(['self-consistency']);
  });

  it('reports a snapshot LSN past the last LSN', () => {
    expect(invariants(checkReplayStats(stats({ snapshotLsn: 6, recordsApplied: 0 }), { lastLsn: 5, lastLsnMin: 5 }))).toEqual(['self-consistency']);
  });

  it('reports more records applied than LSNs between the snapshot and the last commit', () => {
    expect(checkReplayStats(stats({ snapshotLsn: 3, recordsApplied: 3 }), { lastLsn: 5, lastLsnMin: 5 })).toHaveLength(1);
  });

  it('reports a last commit past the snapshot with no record applied', () => {
    expect(checkReplayStats(stats({ snapshotLsn: 3, recordsApplied: 0 }), { lastLsn: 5, lastLsnMin: 5 })).toHaveLength(1);
  });
});

describe('checkAckLsn', () => {
  it('accepts an LSN above the earlier ones and below the later ones', () => {
    expect(checkAckLsn({ id: 2 }, 7, 6, 9)).toEqual([]);
  });

  it('reports an LSN that repeats or goes backwards', () => {
    expect(checkAckLsn({ id: 2 }, 6, 6)).toEqual([expect.objectContaining({ invariant: 'self-consistency', commit: 2, lsn: 6 })]);
    expect(checkAckLsn({ id: 2 }, 9, 6, 9)).toHaveLength(1);
  });
});

describe('replayFactsFor', () => {
  it('knows the last LSN exactly when the last recovered commit was acknowledged', () => {
    expect(replayFactsFor({ exact: 0, min: 0 }, [{ lsn: 1 }, { lsn: 2 }], [])).toEqual({ lastLsn: 2, lastLsnMin: 2, lastLsnMax: undefined });
  });

  it('bounds the last LSN when the last recovered commit was in doubt', () => {
    const facts = replayFactsFor({ exact: 0, min: 0 }, [{ lsn: 1 }, {}, {}], [{}, { lsn: 9 }]);
    expect(facts).toEqual({ lastLsn: undefined, lastLsnMin: 3, lastLsnMax: 8 });
    expect(lastLsnFits(facts, 3)).toBe(true);
    expect(lastLsnFits(facts, 8)).toBe(true);
    expect(lastLsnFits(facts, 2)).toBe(false);
    expect(lastLsnFits(facts, 9)).toBe(false);
  });

  it('keeps what was known of the base when nothing new was recovered', () => {
    expect(replayFactsFor({ exact: 4, min: 4 }, [], [{ lsn: 6 }])).toEqual({ lastLsn: 4, lastLsnMin: 4, lastLsnMax: 5 });
  });
});
