/**
 * What the engine reports about itself, compared with what the run did: the replay statistics
 * an open reports (`uncleanShutdown`, `truncatedBytes`, `tornBytesKept`, `segmentsScanned`,
 * `sidecarsRebuilt`, `orphansRemoved`) against how the previous session ended and the I/O the
 * recovery issued, and the counters of an open store (`metrics()`: `commits`, `writtenLsn`,
 * `durableLsn`, `fsyncCount`, `keyCount`) against the acknowledgements and the I/O of the session.
 * Every field is optional: an engine may report any subset, and only what it reports is checked.
 *
 * Verifies, for the replay statistics of a recovery that opened:
 * - after a session that was open when the process crashed, `uncleanShutdown` is true;
 *   right after a clean close that resolved (no crash or failed open since), it is false;
 * - nothing was cut right after a clean close, nor when the engine itself reports a clean
 *   shutdown (a clean close leaves no torn tail): `truncatedBytes` is 0;
 * - `tornBytesKept <= truncatedBytes` (only cut bytes are kept as evidence);
 * - counts are bounded by the recovery's own successful I/O: `segmentsScanned` by the files it
 *   opened, `sidecarsRebuilt` by the files it wrote to, `orphansRemoved` by its unlinks, and
 *   bytes cut need at least one truncate, write or rename; a recovery that applied records
 *   scanned at least one segment.
 * And for the counters of an open store with no commit in doubt (none in flight, none rejected
 * as `unknown`, the store not failed):
 * - `commits` equals the commits acknowledged in the session (0 right after an open);
 * - `writtenLsn >= durableLsn`, `writtenLsn` at least the last LSN acknowledged or recovered,
 *   `durableLsn` at least the LSN of the last commit the engine promised durable (acknowledged
 *   in `strict`/`group`, synced in `none`); right after an open both equal the recovered LSN;
 * - `fsyncCount` at most the successful fsyncs the session issued;
 * - `keyCount` equals the number of keys the model holds.
 *
 * Does not verify: byte counts against the files (`walBytes`, `bytesReplayed`), timings, or
 * counters whose meaning is the engine's own (`sidecarRewrites`, `checkpoints`, `groupSyncs`);
 * nor statistics after a recovery that follows a crash inside another recovery after a clean
 * close (that recovery may or may not have recorded the store as open).
 */
import type { ReplayStats, StoreMetrics } from '../../engine/types.ts';
import type { ModelViolation } from './violation.ts';

/** How the session before a recovery ended, as far as the runner can tell. */
export type PreviousEnd =
  /** Nothing ran before (a new store), or it cannot be told (see the module comment). */
  | 'unknown'
  /** A `close()` that resolved, the store not failed, no crash or failed open since. */
  | 'clean'
  /** The process crashed (kill -9 or power loss) while the store was open. */
  | 'crashed';

/** The successful I/O one recovery issued, as the trace shows it. */
export interface RecoveryIo {
  /** Distinct paths opened. */
  readonly filesOpened: number;
  /** Distinct paths written to (write or append). */
  readonly filesWritten: number;
  readonly unlinks: number;
  /** Truncates, writes and renames: any change a cut could be made with. */
  readonly changes: number;
}

/** Checks the replay statistics of one recovery. */
export function checkReplayReport(stats: Partial<ReplayStats>, previous: PreviousEnd, io: RecoveryIo): ModelViolation[] {
  const found: ModelViolation[] = [];
  const report = (message: string, expected: string, seen: string): void => {
    found.push({ invariant: 'self-consistency', message, expected, seen });
  };
  const { uncleanShutdown, truncatedBytes, tornBytesKept, segmentsScanned, sidecarsRebuilt, orphansRemoved, recordsApplied } = stats;
  if (uncleanShutdown === false && previous === 'crashed') {
    report('replayStats.uncleanShutdown is false, but the process crashed while the store was open', 'true', 'false');
  }
  if (uncleanShutdown === true && previous === 'clean') {
    report('replayStats.uncleanShutdown is true right after a clean close', 'false', 'true');
  }
  if (truncatedBytes !== undefined && truncatedBytes > 0) {
    if (previous === 'clean') report(`replayStats.truncatedBytes is ${truncatedBytes} right after a clean close, which leaves no torn tail`, '0', `${truncatedBytes}`);
    else if (uncleanShutdown === false) report(`replayStats.truncatedBytes is ${truncatedBytes}, yet the engine reports a clean shutdown`, '0', `${truncatedBytes}`);
    if (io.changes === 0) report(`replayStats.truncatedBytes is ${truncatedBytes}, but recovery truncated, wrote and renamed nothing`, '0', `${truncatedBytes}`);
  }
  if (tornBytesKept !== undefined && tornBytesKept > (truncatedBytes ?? tornBytesKept)) {
    report(`replayStats.tornBytesKept ${tornBytesKept} exceeds truncatedBytes ${truncatedBytes}`, `<= ${truncatedBytes}`, `${tornBytesKept}`);
  }
  const atMost = (field: string, value: number | undefined, bound: number, what: string): void => {
    if (value !== undefined && value > bound) report(`replayStats.${field} is ${value}, but recovery ${what} ${bound}`, `<= ${bound}`, `${value}`);
  };
  atMost('segmentsScanned', segmentsScanned, io.filesOpened, 'opened only');
  atMost('sidecarsRebuilt', sidecarsRebuilt, io.filesWritten, 'wrote to only');
  atMost('orphansRemoved', orphansRemoved, io.unlinks, 'unlinked only');
  if (segmentsScanned === 0 && recordsApplied !== undefined && recordsApplied > 0) {
    report(`replayStats.recordsApplied is ${recordsApplied}, yet no segment was scanned`, '>= 1', '0');
  }
  return found;
}

/** What the run knows when it reads an open store's counters (no commit in doubt). */
export interface MetricFacts {
  /** Commits acknowledged in this session. */
  readonly acknowledged: number;
  /** The last LSN acknowledged in this session, or recovered when it opened (when known). */
  readonly lastLsn: number | undefined;
  /** The LSN of the last commit the engine promised durable in this session (when known). */
  readonly durableLsnMin: number | undefined;
  /** Successful fsyncs (`sync`, `datasync`) the session issued. */
  readonly fsyncs: number;
  /** Keys the model holds. */
  readonly keyCount: number;
  /** Right after an open: the LSN recovered, which both LSN counters must equal. */
  readonly recoveredLsn?: number | undefined;
}

/** Checks the counters of an open store. */
export function checkMetrics(metrics: Partial<StoreMetrics>, facts: MetricFacts): ModelViolation[] {
  const found: ModelViolation[] = [];
  const report = (message: string, expected: string, seen: string): void => {
    found.push({ invariant: 'self-consistency', message, expected, seen });
  };
  const { commits, writtenLsn, durableLsn, fsyncCount, keyCount } = metrics;
  if (commits !== undefined && commits !== facts.acknowledged) {
    report(`metrics().commits is ${commits}, but ${facts.acknowledged} commits were acknowledged since the store opened`, `${facts.acknowledged}`, `${commits}`);
  }
  if (writtenLsn !== undefined && durableLsn !== undefined && durableLsn > writtenLsn) {
    report(`metrics().durableLsn ${durableLsn} is past writtenLsn ${writtenLsn}`, `<= ${writtenLsn}`, `${durableLsn}`);
  }
  if (facts.recoveredLsn !== undefined) {
    if (writtenLsn !== undefined && writtenLsn !== facts.recoveredLsn) report(`metrics().writtenLsn is ${writtenLsn} right after recovering up to lsn ${facts.recoveredLsn}`, `${facts.recoveredLsn}`, `${writtenLsn}`);
    if (durableLsn !== undefined && durableLsn !== facts.recoveredLsn) report(`metrics().durableLsn is ${durableLsn} right after recovering up to lsn ${facts.recoveredLsn}`, `${facts.recoveredLsn}`, `${durableLsn}`);
  }
  if (writtenLsn !== undefined && facts.lastLsn !== undefined && writtenLsn < facts.lastLsn) {
    report(`metrics().writtenLsn is ${writtenLsn}, below lsn ${facts.lastLsn} already acknowledged or recovered`, `>= ${facts.lastLsn}`, `${writtenLsn}`);
  }
  if (durableLsn !== undefined && facts.durableLsnMin !== undefined && durableLsn < facts.durableLsnMin) {
    report(`metrics().durableLsn is ${durableLsn}, below lsn ${facts.durableLsnMin}, which the engine promised durable`, `>= ${facts.durableLsnMin}`, `${durableLsn}`);
  }
  if (fsyncCount !== undefined && fsyncCount > facts.fsyncs) {
    report(`metrics().fsyncCount is ${fsyncCount}, but the store issued only ${facts.fsyncs} successful fsyncs since it opened`, `<= ${facts.fsyncs}`, `${fsyncCount}`);
  }
  if (keyCount !== undefined && keyCount !== facts.keyCount) {
    report(`metrics().keyCount is ${keyCount}, but the store holds ${facts.keyCount} keys`, `${facts.keyCount}`, `${keyCount}`);
  }
  return found;
}
