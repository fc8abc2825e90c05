/**
 * The runner's witness of what the engine reports about itself: it follows how each session
 * ended and counts, from the trace, the I/O each recovery and each session issued, then checks
 * the replay statistics of every open and the store's counters after every step against them
 * (the rules are in sim/checkers/reported.ts). The runner tells it what happened; it reads the
 * engine's figures synchronously, so watching changes nothing of the run.
 */
import type { EngineHandle } from './engine-contract.ts';
import { checkMetrics, checkReplayReport, type PreviousEnd } from './checkers/reported.ts';
import type { ModelViolation } from './checkers/violation.ts';
import { IoTally } from './io-tally.ts';
import type { CommitModel } from './model.ts';
import type { Trace } from './trace.ts';

/** How a session ended: a close that resolved on a store that had not failed, a crash, or anything else. */
export type SessionEnd = 'clean' | 'crashed' | 'unknown';

/** See the module comment. */
export class ReportWitness {
  readonly #tally: IoTally;
  #previous: PreviousEnd = 'unknown';
  /** The LSN the current session recovered, when the engine reported it. */
  #recoveredLsn: number | undefined;

  /** @param trace - the run's trace, observed from now on */
  constructor(trace: Trace) {
    this.#tally = new IoTally(trace);
  }

  /** An open attempt begins: count its I/O alone. */
  attemptStarted(): void {
    this.#tally.reset();
  }

  /**
   * An open attempt crashed or failed. After a clean close the next recovery may have recorded
   * the store as open before it stopped, so what the one after reports is no longer checked;
   * after a crash the store stays unclean.
   */
  attemptFailed(): void {
    if (this.#previous === 'clean') this.#previous = 'unknown';
  }

  /** The open session ended. */
  sessionEnded(end: SessionEnd): void {
    this.#previous = end;
  }

  /**
   * An open succeeded: checks its replay statistics against the recovery's I/O and the previous
   * session's end, and the store's counters against what it recovered; then counts the session.
   * @param keys - how many keys the recovered store holds
   * @param damaged - media damage struck since the last recovery: how the last session ended is
   *   then not held against `uncleanShutdown` or a cut
   */
  opened(handle: EngineHandle, keys: number, damaged = false): ModelViolation[] {
    const stats = handle.replayStats;
    // Media damage may have destroyed the engine's record of how the last session ended (a lost
    // name): of a clean close, or of a store that was open when it crashed (every file it had
    // lost: it opens an empty folder, as a new store).
    const previous = damaged ? 'unknown' : this.#previous;
    const found = stats === undefined ? [] : checkReplayReport(stats, previous, this.#tally.recoveryIo());
    this.#recoveredLsn = stats?.lastLsn;
    const metrics = handle.metrics?.();
    if (metrics !== undefined) {
      found.push(...checkMetrics(metrics, {
        acknowledged: 0, lastLsn: this.#recoveredLsn, durableLsnMin: undefined, fsyncs: 0, keyCount: keys, recoveredLsn: this.#recoveredLsn,
      }));
    }
    this.#previous = 'unknown';
    this.#tally.reset();
    return found;
  }

  /** After a step: checks the store's counters, when no commit of the session is in doubt. */
  afterStep(handle: EngineHandle, model: CommitModel): ModelViolation[] {
    if (handle.metrics === undefined) return [];
    const facts = model.sessionFacts();
    if (!facts.settled || facts.keyCount === undefined) return [];
    const lastLsn = facts.lastAckedLsn ?? this.#recoveredLsn;
    return checkMetrics(handle.metrics(), {
      acknowledged: facts.acknowledged, lastLsn, durableLsnMin: facts.durableLsnMin, fsyncs: this.#tally.fsyncs, keyCount: facts.keyCount,
    });
  }
}
