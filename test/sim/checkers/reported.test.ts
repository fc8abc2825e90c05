import { describe, expect, it } from 'vitest';
import type { ReplayStats, StoreMetrics } from '../../../engine/types.ts';
import { checkMetrics, checkReplayReport, type MetricFacts, type RecoveryIo } from '../../../sim/checkers/reported.ts';
import type { EngineHandle } from '../../../sim/engine-contract.ts';
import { ReportWitness } from '../../../sim/report-witness.ts';
import { Trace } from '../../../sim/trace.ts';

/** A recovery that opened two segments, wrote one file, unlinked one and changed two things. */
const io: RecoveryIo = { filesOpened: 2, filesWritten: 1, unlinks: 1, changes: 2 };

const stats = (fields: Partial<ReplayStats>): Partial<ReplayStats> => ({
  recordsApplied: 3, lastLsn: 3, truncatedBytes: 0, tornBytesKept: 0, segmentsScanned: 1, sidecarsRebuilt: 0,
  uncleanShutdown: true, orphansRemoved: 0, ...fields,
});

/** The one violation `found` holds, as invariant and message. */
const only = (found: readonly { invariant: string; message: string }[]): { invariant: string; message: string } => {
  expect(found).toHaveLength(1);
  return { invariant: found[0]!.invariant, message: found[0]!.message };
};

describe('checkReplayReport', () => {
  it('accepts statistics the run agrees with, and checks nothing an engine does not report', () => {
    expect(checkReplayReport(stats({}), 'crashed', io)).toEqual([]);
    expect(checkReplayReport(stats({ uncleanShutdown: false }), 'clean', io)).toEqual([]);
    expect(checkReplayReport(stats({ truncatedBytes: 40, tornBytesKept: 40 }), 'unknown', io)).toEqual([]);
    expect(checkReplayReport({}, 'crashed', { filesOpened: 0, filesWritten: 0, unlinks: 0, changes: 0 })).toEqual([]);
  });

  it('reports a clean shutdown after the process crashed with the store open', () => {
    expect(only(checkReplayReport(stats({ uncleanShutdown: false }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.uncleanShutdown is false, but the process crashed while the store was open',
    });
  });

  it('reports an unclean shutdown right after a clean close', () => {
    expect(only(checkReplayReport(stats({ uncleanShutdown: true }), 'clean', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.uncleanShutdown is true right after a clean close',
    });
  });

  it('reports bytes cut right after a clean close', () => {
    expect(only(checkReplayReport(stats({ uncleanShutdown: false, truncatedBytes: 12, tornBytesKept: 12 }), 'clean', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.truncatedBytes is 12 right after a clean close, which leaves no torn tail',
    });
  });

  it('reports bytes cut when the engine itself reports a clean shutdown', () => {
    expect(only(checkReplayReport(stats({ uncleanShutdown: false, truncatedBytes: 12, tornBytesKept: 12 }), 'unknown', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.truncatedBytes is 12, yet the engine reports a clean shutdown',
    });
  });

  it('reports bytes cut by a recovery that truncated, wrote and renamed nothing', () => {
    expect(only(checkReplayReport(stats({ truncatedBytes: 5, tornBytesKept: 5 }), 'crashed', { ...io, changes: 0 }))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.truncatedBytes is 5, but recovery truncated, wrote and renamed nothing',
    });
  });

  it('reports more bytes kept as evidence than were cut', () => {
    expect(only(checkReplayReport(stats({ truncatedBytes: 5, tornBytesKept: 9 }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.tornBytesKept 9 exceeds truncatedBytes 5',
    });
  });

  it('reports more segments scanned than files opened, more sidecars rebuilt than files written, more orphans removed than unlinks', () => {
    expect(only(checkReplayReport(stats({ segmentsScanned: 3 }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.segmentsScanned is 3, but recovery opened only 2',
    });
    expect(only(checkReplayReport(stats({ sidecarsRebuilt: 2 }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.sidecarsRebuilt is 2, but recovery wrote to only 1',
    });
    expect(only(checkReplayReport(stats({ orphansRemoved: 4 }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.orphansRemoved is 4, but recovery unlinked only 1',
    });
  });

  it('reports records applied from no segment', () => {
    expect(only(checkReplayReport(stats({ segmentsScanned: 0, recordsApplied: 2 }), 'crashed', io))).toEqual({
      invariant: 'self-consistency', message: 'replayStats.recordsApplied is 2, yet no segment was scanned',
    });
  });
});

const facts = (fields: Partial<MetricFacts>): MetricFacts => ({ acknowledged: 4, lastLsn: 9, durableLsnMin: 9, fsyncs: 6, keyCount: 3, ...fields });
const metrics = (fields: Partial<StoreMetrics>): Partial<StoreMetrics> => ({ commits: 4, writtenLsn: 9, durableLsn: 9, fsyncCount: 4, keyCount: 3, ...fields });

describe('checkMetrics', () => {
  it('accepts counters the session agrees with, and checks nothing an engine does not report', () => {
    expect(checkMetrics(metrics({}), facts({}))).toEqual([]);
    expect(checkMetrics(metrics({ writtenLsn: 11, durableLsn: 10 }), facts({}))).toEqual([]);
    expect(checkMetrics({}, facts({}))).toEqual([]);
  });

  it('reports a count of commits other than those acknowledged', () => {
    expect(only(checkMetrics(metrics({ commits: 5 }), facts({})))).toEqual({
      invariant: 'self-consistency', message: 'metrics().commits is 5, but 4 commits were acknowledged since the store opened',
    });
  });

  it('reports a durable LSN past the written one', () => {
    expect(only(checkMetrics(metrics({ writtenLsn: 9, durableLsn: 10 }), facts({})))).toEqual({
      invariant: 'self-consistency', message: 'metrics().durableLsn 10 is past writtenLsn 9',
    });
  });

  it('reports a written LSN below one already acknowledged', () => {
    expect(only(checkMetrics(metrics({ writtenLsn: 8, durableLsn: 8 }), facts({ durableLsnMin: 8 })))).toEqual({
      invariant: 'self-consistency', message: 'metrics().writtenLsn is 8, below lsn 9 already acknowledged or recovered',
    });
  });

  it('reports a durable LSN below a commit the engine promised durable', () => {
    expect(only(checkMetrics(metrics({ durableLsn: 7 }), facts({})))).toEqual({
      invariant: 'self-consistency', message: 'metrics().durableLsn is 7, below lsn 9, which the engine promised durable',
    });
  });

  it('reports more fsyncs counted than the session issued', () => {
    expect(only(checkMetrics(metrics({ fsyncCount: 7 }), facts({})))).toEqual({
      invariant: 'self-consistency', message: 'metrics().fsyncCount is 7, but the store issued only 6 successful fsyncs since it opened',
    });
  });

  it('reports a key count other than the model\'s', () => {
    expect(only(checkMetrics(metrics({ keyCount: 2 }), facts({})))).toEqual({
      invariant: 'self-consistency', message: 'metrics().keyCount is 2, but the store holds 3 keys',
    });
  });

  it('right after an open, both LSN counters equal the LSN recovered', () => {
    const opened = facts({ acknowledged: 0, fsyncs: 0, durableLsnMin: undefined, recoveredLsn: 9 });
    expect(checkMetrics(metrics({ commits: 0, fsyncCount: 0 }), opened)).toEqual([]);
    expect(checkMetrics(metrics({ commits: 0, fsyncCount: 0, writtenLsn: 10, durableLsn: 8 }), opened).map((v) => v.message)).toEqual([
      'metrics().writtenLsn is 10 right after recovering up to lsn 9',
      'metrics().durableLsn is 8 right after recovering up to lsn 9',
    ]);
  });
});

describe('ReportWitness', () => {
  /** A handle that reports an unclean shutdown and nothing else. */
  const reportsUnclean = { replayStats: { uncleanShutdown: true } } as unknown as EngineHandle;

  it('holds an open right after a clean close to uncleanShutdown false (self-consistency)', () => {
    const witness = new ReportWitness(new Trace('digest'));
    witness.sessionEnded('clean');
    expect(witness.opened(reportsUnclean, 0)).toEqual([expect.objectContaining({ invariant: 'self-consistency', message: 'replayStats.uncleanShutdown is true right after a clean close' })]);
  });

  it('does not once media damage struck since: it may have destroyed the record of the close (a new user\'s lost DURABLE file)', () => {
    const witness = new ReportWitness(new Trace('digest'));
    witness.sessionEnded('clean');
    expect(witness.opened(reportsUnclean, 0, true)).toEqual([]);
  });
});
