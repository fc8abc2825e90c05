/**
 * Self-consistency: what the engine reports about itself agrees with what it recovered.
 *
 * Verifies:
 * - `replayStats.lastLsn` is the LSN of the last commit in the recovered prefix (exactly when
 *   that commit's LSN is known, else within the bounds the known LSNs around it give; 0 when
 *   nothing was ever recovered);
 * - `snapshotLsn <= lastLsn`, `recordsApplied <= lastLsn - snapshotLsn` (each WAL frame
 *   replayed on top of the snapshot has its own LSN in that range), and at least one frame was
 *   applied when `lastLsn > snapshotLsn` (the last commit came from the WAL);
 * - acknowledged LSNs increase with the order commits were issued, across reopens, and each is
 *   above the last LSN recovery reported.
 *
 * Does not verify: byte counts, segment counts or timings in the statistics (only the runner
 * knows the disk), nor that LSNs are dense.
 */
import type { ReplayStats } from '../../engine/types.ts';
import { commitFields, describeCommit } from './violation.ts';
import type { CommitLabel, ModelViolation } from './violation.ts';

/** What the model knows of the recovered prefix's last LSN. */
export interface ReplayFacts {
  /** The exact LSN of the last recovered commit, when known (0: nothing ever recovered). */
  readonly lastLsn?: number | undefined;
  /** The smallest possible LSN of the last recovered commit. */
  readonly lastLsnMin: number;
  /** The largest possible LSN of the last recovered commit, if bounded. */
  readonly lastLsnMax?: number | undefined;
}

/**
 * What the known LSNs say of the last recovered commit. LSNs increase by at least one per commit
 * in issue order, so a commit whose LSN is unknown (never acknowledged) sits above the last known
 * one before it and below the first known one after the prefix.
 * @param start - what is known of the LSN of the state the prefix starts from (0 for empty)
 * @param present - the commits of the prefix, in order
 * @param after - the candidates after the prefix, in order
 */
export function replayFactsFor(
  start: { readonly exact: number | undefined; readonly min: number },
  present: readonly { readonly lsn?: number | undefined }[],
  after: readonly { readonly lsn?: number | undefined }[],
): ReplayFacts {
  let exact = start.exact;
  let min = start.min;
  for (const commit of present) {
    exact = commit.lsn;
    min = commit.lsn ?? min + 1;
  }
  const next = after.find((c) => c.lsn !== undefined)?.lsn;
  return { lastLsn: exact, lastLsnMin: min, lastLsnMax: next === undefined ? undefined : next - 1 };
}

/** Whether `lastLsn` is what the facts allow. */
export function lastLsnFits(facts: ReplayFacts, lastLsn: number): boolean {
  if (facts.lastLsn !== undefined) return lastLsn === facts.lastLsn;
  return lastLsn >= facts.lastLsnMin && (facts.lastLsnMax === undefined || lastLsn <= facts.lastLsnMax);
}

/**
 * Checks `stats` against the facts and against itself. Only the fields an engine reports are
 * checked: an engine may report any subset of its replay statistics.
 */
export function checkReplayStats(stats: Partial<ReplayStats>, facts: ReplayFacts): ModelViolation[] {
  const found: ModelViolation[] = [];
  const { lastLsn, snapshotLsn, recordsApplied } = stats;
  if (lastLsn === undefined) return found;
  const report = (message: string, expected: string, seen: string): void => {
    found.push({ invariant: 'self-consistency', message, lsn: lastLsn, expected, seen });
  };
  if (facts.lastLsn !== undefined && lastLsn !== facts.lastLsn) {
    report(`replayStats.lastLsn is ${lastLsn} but the last recovered commit has lsn ${facts.lastLsn}`, `${facts.lastLsn}`, `${lastLsn}`);
  } else if (!lastLsnFits(facts, lastLsn)) {
    const range = `[${facts.lastLsnMin}, ${facts.lastLsnMax ?? '∞'}]`;
    report(`replayStats.lastLsn is ${lastLsn}, outside ${range} given the recovered commits`, range, `${lastLsn}`);
  }
  if (snapshotLsn === undefined) return found;
  if (snapshotLsn < 0 || snapshotLsn > lastLsn) {
    report(`replayStats.snapshotLsn ${snapshotLsn} is not within [0, lastLsn ${lastLsn}]`, `<= ${lastLsn}`, `${snapshotLsn}`);
  }
  if (recordsApplied === undefined) return found;
  const framesMax = Math.max(0, lastLsn - snapshotLsn);
  if (recordsApplied < 0 || recordsApplied > framesMax) {
    report(`replayStats.recordsApplied ${recordsApplied} exceeds lastLsn - snapshotLsn = ${framesMax}`, `<= ${framesMax}`, `${recordsApplied}`);
  }
  if (lastLsn > snapshotLsn && recordsApplied === 0) {
    report(`replayStats.lastLsn ${lastLsn} is past snapshotLsn ${snapshotLsn}, yet no WAL record was applied`, '>= 1', '0');
  }
  return found;
}

/**
 * Checks the LSN a commit was acknowledged with.
 * @param above - every LSN this one must exceed (earlier commits, the last recovered LSN)
 * @param below - an LSN this one must stay under (a later-issued commit already acknowledged)
 */
export function checkAckLsn(commit: CommitLabel, lsn: number, above: number, below?: number): ModelViolation[] {
  const fine = Number.isInteger(lsn) && lsn > above && (below === undefined || lsn < below);
  if (fine) return [];
  const range = below === undefined ? `> ${above}` : `in (${above}, ${below})`;
  return [{
    invariant: 'self-consistency',
    message: `${describeCommit({ id: commit.id })} was acknowledged with lsn ${lsn}; LSNs must follow issue order, so it should be ${range}`,
    ...commitFields({ id: commit.id, lsn }),
    expected: range,
    seen: `${lsn}`,
  }];
}
