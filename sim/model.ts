/**
 * The oracle's model of a run: every commit issued, what the engine said of it (acknowledged,
 * rejected as absent or unknown, still in flight), what had to survive each crash, and what each
 * recovery decided. The runner reports events to it as they happen and asks it to check the
 * store's state after every recovery, after reads, and at the end of a run.
 *
 * Rules the model applies (each checker file says what it verifies and what it does not):
 * - Commits are ordered by the order `commit()` was called. A recovered state must equal the
 *   state after some in-order prefix of the candidates (every commit not rejected as `absent`
 *   and not found absent by an earlier recovery), and that prefix must contain every commit that
 *   had to survive: in `strict`/`group` mode every acknowledged one; in `none` mode every one
 *   acknowledged before an acknowledged `sync()`; in every mode every one acknowledged before a
 *   clean `close()`, and, after a kill -9 (the OS keeps its page cache), every acknowledged one.
 * - A recovery decides the commits in doubt: those inside the prefix it found are present for
 *   good, those after it absent for good. Later recoveries must agree: the engine has to keep
 *   (make durable) whatever it recovered and served, and never bring back what it dropped.
 * - After a violation the model adopts the recovered state as its new base, so that later
 *   checks report new divergences only.
 * - After a failed fsync (`storeFailed`) nothing may be acknowledged until the store is
 *   reopened; an acknowledgement then is a violation and the commit stays in doubt. What was
 *   acknowledged before a write met a full disk and failed the store is still in the page cache,
 *   so the restart after the failure (or a kill -9) must find it, as after a kill -9 alone; after
 *   a failed fsync (EIO or ENOSPC) it may be gone, and after a failed write it may be distrusted.
 * - Resolutions that arrive after the session that issued them crashed or closed are ignored:
 *   the client that would have seen them died with the process.
 * - When a media fault destroyed durable bytes since the last recovery (a damaged sector, a
 *   misdirected write that landed, a lost name), a recovery may refuse, and that is detected
 *   damage (checkers/honest-failure.ts); if it opens, it must recover correctly, with one
 *   exception, {@link excusedFloor}: it may silently stop before commits that had to survive
 *   when the engine had no evidence that they were durable. (A flipped bit excuses nothing: it
 *   is evidence of itself, as torn writes never flip one bit.) Evidence the model can name,
 *   and which therefore is never excused: a clean close that resolved after the commit was
 *   acknowledged (the engine recorded it, and R4 of the reference engine reads it), and a
 *   recovery that found the commit (it is then part of the base: the engine read it intact and
 *   can record that it did, so losing it is a durability violation, as in a run without damage).
 *   A later commit that had to survive and is present makes the loss a hole, which no damage
 *   excuses either. Evidence in the engine's own format (a later intact frame vouching for the
 *   damaged one, a sidecar watermark) is the engine's to use, and whether it must is its
 *   {@link DamageContract}: under `point-in-time` (the default) it may stop at the damage; under
 *   `detects` it may not silently lose a commit issued after a promise that covered the
 *   destroyed bytes ({@link damageFloor}). The reference engine declares `detects`, and its
 *   adapter also checks the kept torn tails against the formats (sim/adapters/reference.ts).
 *
 * Operations that overlap (a plan's `overlap` steps issue sync, checkpoint, get and close while
 * commits, and the automatic checkpoints and sidecar rewrites they trigger, are in flight):
 * - A commit is ordered by when `commit()` was called, whatever else is in flight; what it
 *   acknowledges is judged as above.
 * - A `get` may see any in-order prefix of the commits issued before it resolved that contains
 *   every commit acknowledged before it was issued: a commit still in flight is seen or not (the
 *   value before it or after it), never anything else, and a later one never without it.
 * - A `sync` that resolves makes durable every commit acknowledged before it was issued
 *   ({@link mark} taken at issue), not those acknowledged while it ran. A sync issued once the
 *   store had reported a failure must reject (`honest-failure`); one issued before a failure
 *   that a concurrent operation reported may have completed first, so its resolving is no lie
 *   in itself, and it is held to what it promised like any other (`durability` finds a lie).
 * - A `checkpoint` acknowledges nothing the model holds the engine to; its failure with the code
 *   `failed` fails the store like any other.
 * - A `close` settles every commit issued before it: each is acknowledged or rejected (a commit
 *   still unsettled when everything else is done is a liveness failure of the step). The
 *   session ends once every operation of the step settled, so every commit acknowledged in it,
 *   even after the close resolved, is held to the close's promise (`closed`); a commit issued
 *   after the close is rejected (code `closed`, absent) or, if acknowledged, held the same way.
 */
import { assert } from '../engine/assert.ts';
import type { Op, ReplayStats, SyncMode } from '../engine/types.ts';
import type { DamageContract } from './engine-contract.ts';
/** Whether a rejected commit is known absent for good, or may still be recovered (in doubt). */
export type RejectedCommitOutcome = 'absent' | 'unknown';
import { ackAfterFailure, judgeOpenRefusal, syncAfterFailure, type Refusal } from './checkers/honest-failure.ts';
import { checkIdempotent } from './checkers/idempotence.ts';
import { closestPrefix, countDifferences, matchingPrefixes, stateAfter } from './checkers/prefix-search.ts';
import { checkRead } from './checkers/reads.ts';
import { diagnoseRecovery } from './checkers/recovery.ts';
import type { PastCommit, SurvivalReason } from './checkers/recovery.ts';
import { checkAckLsn, checkReplayStats, lastLsnFits, replayFactsFor } from './checkers/self-consistency.ts';
import type { ReplayFacts } from './checkers/self-consistency.ts';
import type { KvState, Value } from './checkers/values.ts';
import type { ModelViolation } from './checkers/violation.ts';

/** What the engine said of a commit. `rejected-unknown` and a crash in flight leave it in doubt. */
export type CommitStatus = 'in-flight' | 'acked' | 'rejected-absent' | 'rejected-unknown';

/** How the process died: `kill-9` keeps the OS page cache, `power-loss` does not. */
export type CrashKind = 'kill-9' | 'power-loss';

/** Options of {@link CommitModel}. */
export interface CommitModelOptions {
  /** The engine's durability mode. */
  readonly sync: SyncMode;
  /** What the engine promises after media damage (see {@link DamageContract}). @defaultValue 'point-in-time' */
  readonly damage?: DamageContract;
}

/** Options of {@link CommitModel.checkRecovered}. */
export interface RecoveryCheckOptions {
  /**
   * Per media fault that destroyed durable data since the last recovery, the landing by which
   * what it destroyed had been durable (`SimWorld.damageDurableBy`): the recovery may then lose
   * commits nothing vouched for (see the module comment). @defaultValue none
   */
  readonly damage?: readonly number[];
}

/** What {@link CommitModel.checkRecovered} found. */
export interface RecoveryCheck {
  readonly violations: readonly ModelViolation[];
  /**
   * Ids of commits that had to survive, lost to damage the engine had no evidence of: not a
   * violation, but nothing the engine detected either (empty when none).
   */
  readonly lostToDamage: readonly number[];
  /**
   * Of {@link lostToDamage}, under the `point-in-time` contract, the commits the `detects`
   * contract would have held (intact bytes could vouch for them): a finding, not a violation.
   */
  readonly lostDespiteEvidence: readonly number[];
  /** How many of the commits undecided before this recovery it found present (in order). */
  readonly prefixLength: number;
  /** Ids of the commits this recovery decided present. */
  readonly present: readonly number[];
  /** Ids of the commits this recovery decided absent for good. */
  readonly absent: readonly number[];
}

/** What {@link CommitModel.openRefused} found. */
export interface RefusalCheck {
  /** True when the refusal is detected damage (counted, not a violation). */
  readonly detected: boolean;
  readonly violations: readonly ModelViolation[];
}

/** Counts for campaign summaries. */
export interface ModelCounts {
  readonly issued: number;
  readonly acknowledged: number;
  readonly rejectedAbsent: number;
  readonly rejectedUnknown: number;
  readonly recoveries: number;
  readonly detected: number;
}

interface CommitRecord {
  readonly id: number;
  readonly ops: readonly Op[];
  readonly session: number;
  status: CommitStatus;
  lsn: number | undefined;
  /** Order of acknowledgement, for marks. */
  ackSeq: number | undefined;
  /** Acknowledged by a store that had seen an fsync fail: not trusted to be durable. */
  untrusted: boolean;
  mustSurvive: SurvivalReason | undefined;
  /** A clean close resolved after its acknowledgement: the engine recorded that it was durable. */
  closedAfter: boolean;
  fate: 'pending' | 'present' | 'absent';
  decidedBy: number | undefined;
  /** The disk's landings when it was issued (`SimWorld.landings`): it was issued after every landing up to this one. */
  readonly issuedAt: number;
  /** How many promises of durability its session had made when it was issued ({@link CommitModel.promises}). */
  readonly promisesBefore: number;
}

/** The model of issued, acknowledged, failed and in-flight commits. See the module comment. */
export class CommitModel {
  private readonly sync: SyncMode;
  private readonly commits: CommitRecord[] = [];
  /** Undecided candidates, in issue order (never `rejected-absent`). */
  private pending: CommitRecord[] = [];
  private base = new Map<string, Uint8Array>();
  /** What is known of the LSN of the last commit in `base`. */
  private baseLsn: { exact: number | undefined; min: number } = { exact: 0, min: 0 };
  /** Every LSN acknowledged from now on must exceed this. */
  private lsnFloor = 0;
  private session = 0;
  private sessionOpen = true;
  private sessionFailed = false;
  /** What made the session fail, as {@link storeFailed} was told. */
  private failedBecause: string | undefined;
  /**
   * Whether the session's failure may have taken written pages from the page cache, or given the
   * engine cause to distrust them (a failed fsync: btrfs reverts the file, ext4 forgets the pages;
   * a failed write: the device is failing); a write that met a full disk leaves them where they
   * were ({@link storeFailed}).
   */
  private failureMayDropPages = false;
  /** Whether every crash since the session ended kept the page cache (kill -9 only). */
  private pageCacheKept = false;
  /** Why the page cache was kept: a kill -9, or the restart after a write met a full disk ({@link closed}). */
  private keptBy: 'kill-9' | 'full-disk' = 'kill-9';
  private ackCount = 0;
  /** Commits that became bound to survive a power loss ({@link promised}). */
  private promisedCount = 0;
  private recoveries = 0;
  private issuedAtLastRecovery: number | undefined;
  private detectedCount = 0;
  private readonly damageContract: DamageContract;
  /**
   * The promises of durability the engine made in this session, in order (a commit acknowledged
   * in `strict` or `group` mode, a `sync()` that resolved), each as the landing at which the
   * latest commit it covered was issued: every byte durable by then precedes that commit's bytes,
   * so the promise told the engine those bytes were durable too ({@link damageFloor}).
   */
  private promises: number[] = [];

  /** @param options - the engine's durability mode and damage contract */
  constructor(options: CommitModelOptions) {
    this.sync = options.sync;
    this.damageContract = options.damage ?? 'point-in-time';
  }

  /**
   * An independent copy: what this model knows now, which later calls on either copy do not
   * share. For a second look at a power loss (sim/second-look.ts), judged as this model would.
   */
  clone(): CommitModel {
    const copy = new CommitModel({ sync: this.sync, damage: this.damageContract });
    copy.promises = this.promises.slice();
    const records = this.commits.map((c) => ({ ...c }));
    copy.commits.push(...records);
    copy.pending = this.pending.map((c) => records[c.id]!);
    copy.base = this.base;
    copy.baseLsn = this.baseLsn;
    copy.lsnFloor = this.lsnFloor;
    copy.session = this.session;
    copy.sessionOpen = this.sessionOpen;
    copy.sessionFailed = this.sessionFailed;
    copy.failedBecause = this.failedBecause;
    copy.failureMayDropPages = this.failureMayDropPages;
    copy.pageCacheKept = this.pageCacheKept;
    copy.keptBy = this.keptBy;
    copy.ackCount = this.ackCount;
    copy.promisedCount = this.promisedCount;
    copy.recoveries = this.recoveries;
    copy.issuedAtLastRecovery = this.issuedAtLastRecovery;
    copy.detectedCount = this.detectedCount;
    return copy;
  }

  /**
   * Records a call to `commit(ops)`, before it resolves.
   * @param landings - the disk's landings so far (`SimWorld.landings`), for judging damage
   * @returns the commit's id (its index in issue order, from 0)
   * @throws AssertionError when no session is open (the runner must recover first)
   */
  issue(ops: readonly Op[], landings = 0): number {
    assert(this.sessionOpen, 'issue: no open session; call checkRecovered after a crash');
    const record: CommitRecord = {
      id: this.commits.length, ops: [...ops], session: this.session, status: 'in-flight',
      lsn: undefined, ackSeq: undefined, untrusted: false, mustSurvive: undefined, closedAfter: false,
      fate: 'pending', decidedBy: undefined, issuedAt: landings, promisesBefore: this.promises.length,
    };
    this.commits.push(record);
    this.pending.push(record);
    return record.id;
  }

  /**
   * Records that commit `id` resolved with `lsn` (`undefined` for an engine without LSNs: the
   * LSN checks are then skipped).
   * @returns violations: an acknowledgement after a failed fsync, an LSN out of issue order
   */
  acked(id: number, lsn: number | undefined): ModelViolation[] {
    const record = this.live(id);
    if (record === undefined) return [];
    const violations = lsn === undefined ? [] : checkAckLsn(record, lsn, this.lsnAbove(id), this.lsnBelow(id));
    record.status = 'acked';
    record.lsn = lsn;
    if (this.sessionFailed) {
      record.untrusted = true;
      violations.push(ackAfterFailure(record, lsn, this.failedBecause));
      return violations;
    }
    record.ackSeq = this.ackCount++;
    if (this.sync !== 'none') {
      record.mustSurvive = 'acknowledged';
      this.promisedCount++;
      this.promises.push(record.issuedAt);
    }
    return violations;
  }

  /**
   * Records that commit `id` was rejected; `outcome` is the error's `commitOutcome`.
   * An `absent` commit leaves the candidates: any trace of it later is a violation.
   */
  rejected(id: number, outcome: RejectedCommitOutcome): void {
    const record = this.live(id);
    if (record === undefined) return;
    if (outcome === 'absent') {
      record.status = 'rejected-absent';
      this.pending = this.pending.filter((c) => c !== record);
    } else {
      record.status = 'rejected-unknown';
    }
  }

  /**
   * A token naming "every commit acknowledged so far". Take it when a `sync()` or a `get()`
   * starts and pass it to {@link synced} or {@link checkRead} when it resolves, so that commits
   * acknowledged meanwhile are not held against it.
   */
  mark(): number {
    return this.ackCount;
  }

  /**
   * Records an acknowledged `sync()`: every commit acknowledged before `mark` (default: every
   * one so far) had to survive from now on.
   * @param failedAtIssue - whether the store had failed when the sync was issued ({@link failed}
   *   then; default: now). A sync issued before a failure that other operations reported while
   *   it ran may have completed first: it still promises what it covered.
   * @returns an `honest-failure` violation when the store had failed before the sync was issued
   */
  synced(mark?: number, failedAtIssue = this.sessionFailed): ModelViolation[] {
    if (!this.sessionOpen) return [];
    if (failedAtIssue) return [syncAfterFailure(this.failedBecause)];
    const covered = mark ?? this.ackCount;
    this.markSurvivors('synced', covered);
    const latest = Math.max(...this.pending.filter((c) => c.ackSeq !== undefined && c.ackSeq < covered).map((c) => c.issuedAt));
    if (latest >= 0) this.promises.push(latest);
    return [];
  }

  /**
   * How many commits so far became bound to survive a power loss: acknowledged in a durable mode,
   * or covered by an acknowledged `sync()`. It grows when a step promised durability.
   */
  get promised(): number {
    return this.promisedCount;
  }

  /** Whether the store of the current session has reported a failure (see {@link storeFailed}). */
  get failed(): boolean {
    return this.sessionFailed;
  }

  /**
   * What the model knows of the current session, for checking the engine's own counters
   * (sim/checkers/reported.ts): the commits acknowledged in it, the last LSN acknowledged, the
   * last LSN the engine promised durable, and whether every commit of it is settled (none in
   * flight or rejected as `unknown`, the store not failed), in which case `keyCount` is the number
   * of keys the store must hold.
   */
  sessionFacts(): { acknowledged: number; lastAckedLsn: number | undefined; durableLsnMin: number | undefined; settled: boolean; keyCount: number | undefined } {
    let acknowledged = 0;
    let lastAckedLsn: number | undefined;
    let durableLsnMin: number | undefined;
    let settled = this.sessionOpen && !this.sessionFailed;
    for (const c of this.pending) {
      if (c.session !== this.session) continue;
      if (c.status === 'in-flight' || c.status === 'rejected-unknown') settled = false;
      if (c.status !== 'acked' || c.untrusted) continue;
      acknowledged++;
      if (c.lsn !== undefined) lastAckedLsn = Math.max(lastAckedLsn ?? 0, c.lsn);
      if (c.lsn !== undefined && c.mustSurvive !== undefined) durableLsnMin = Math.max(durableLsnMin ?? 0, c.lsn);
    }
    return { acknowledged, lastAckedLsn, durableLsnMin, settled, keyCount: settled ? this.expectedState().size : undefined };
  }

  /**
   * Records that the engine saw an fsync (or another write) fail: it must acknowledge nothing more.
   * @param pagesKept - whether the page cache still holds all that was written beyond doubt (a
   *   write that met a full disk, and no failed fsync or failed write in the session): what was
   *   acknowledged before the failure is then still there for the restart after it, as after a
   *   kill -9, and an engine that cuts it back as if it were lost destroys it. After a failed
   *   fsync pages may be gone (btrfs reverts the file; ext4 drops them when delayed allocation
   *   finds no space at writeback), and a failed write says the device under them is failing, so
   *   an engine may distrust them: nothing acknowledged but unsynced is then held to survive.
   * @param cause - the operation that reported the failure and its error, for messages
   */
  storeFailed(pagesKept = false, cause?: string): void {
    if (!this.sessionOpen) return;
    if (!this.sessionFailed) this.failedBecause = cause;
    this.sessionFailed = true;
    if (!pagesKept) this.failureMayDropPages = true;
  }

  /**
   * Records a clean `close()` that resolved. Everything acknowledged had to survive, unless the
   * store had failed (then closing only ends the session, as a power loss would).
   * @param recordLanded - false when a misdirected write struck the close: what it wrote may never
   * have reached its place, so it vouches for nothing after damage (the commits had to survive as
   * synced ones do, and media damage may take them as it may take those)
   */
  closed(recordLanded = true): void {
    if (!this.sessionOpen) return;
    if (this.sessionFailed) {
      // A failed store's close promises nothing, but the process lives on: what the page cache
      // holds is there for the restart, as after a kill -9, unless the failure may have dropped it.
      this.endSession('kill-9');
      this.keptBy = 'full-disk';
      return;
    }
    this.markSurvivors(recordLanded ? 'closed' : 'synced', this.ackCount);
    if (recordLanded) for (const c of this.pending) if (c.ackSeq !== undefined) c.closedAfter = true;
    this.endSession('power-loss');
  }

  /** Records a crash. Commits in flight are in doubt until the next recovery decides them. */
  crashed(kind: CrashKind = 'power-loss'): void {
    if (this.sessionOpen) this.endSession(kind);
    else if (kind === 'power-loss') this.pageCacheKept = false;
  }

  /**
   * Checks the state recovered when the store opened, then starts a new session. Call it after
   * every successful open, the first one included. If the session was never ended, the store is
   * taken to have been abandoned as by a power loss.
   * @param state - every key and value the reopened store holds (`SutHandle.state()`)
   * @param stats - `SutHandle.replayStats`, checked when given
   * @param options - whether durable data was damaged since the last recovery
   * @returns the violations and the commits this recovery decided
   */
  checkRecovered(state: KvState, stats?: Partial<ReplayStats>, options: RecoveryCheckOptions = {}): RecoveryCheck {
    if (this.sessionOpen) this.endSession('power-loss');
    const candidates = this.pending;
    if (this.pageCacheKept) this.markSurvivors(this.keptBy, this.ackCount);
    let mustInclude = 0;
    candidates.forEach((c, i) => { if (c.mustSurvive !== undefined) mustInclude = i + 1; });
    const batches = candidates.map((c) => c.ops);
    const counts = countDifferences(this.base, batches, state);
    // Commits that change nothing can make several prefixes match; the replay statistics pick.
    const reported = stats?.lastLsn;
    const fitting = (prefixes: readonly number[]): number[] => prefixes.filter((p) => reported === undefined || lastLsnFits(this.replayFacts(p), reported));
    let matches = matchingPrefixes(counts, mustInclude, candidates.length);
    // After damage, commits nothing vouched for are in doubt, in the search and in the diagnosis:
    // also when a commit that changes nothing matches the state but not the replay statistics
    // (it was lost with its frame, which the state alone cannot tell).
    const damage = options.damage ?? [];
    const excused = excusedFloor(candidates);
    const vouched = damage.length > 0 ? damageFloor(candidates, this.promises, damage) : 0;
    const held = this.damageContract === 'detects' ? vouched : 0;
    const floor = damage.length === 0 ? mustInclude : Math.max(excused, held);
    // Prefixes damage allows: a state both a prefix holding every commit that had to survive and a
    // shorter one (lost to the damage, then a commit that undoes it never landed) match, holds
    // later LSNs only to the shorter one too.
    const wider = floor < mustInclude ? matchingPrefixes(counts, floor, candidates.length) : matches;
    if (floor < mustInclude && fitting(matches).length === 0) {
      if (matches.length === 0 || fitting(wider).length > 0) matches = wider;
    }
    const violations: ModelViolation[] = [];
    let length: number;
    // The shortest prefix the state and statistics allow: LSNs handed out after this recovery are
    // held only to it, since a commit that changes nothing may have been lost with its LSN.
    let shortest: number | undefined;
    if (matches.length > 0) {
      const fits = fitting(matches);
      length = fits[fits.length - 1] ?? matches[matches.length - 1] ?? 0;
      shortest = Math.min(fits[0] ?? matches[0] ?? length, fitting(wider)[0] ?? length);
    } else {
      length = closestPrefix(counts, floor, candidates.length);
      if (this.recoveries > 0 && this.issuedAtLastRecovery === this.commits.length) {
        violations.push(...checkIdempotent(this.base, state));
      }
      const judged = floor < mustInclude ? candidates.map((c, i) => (i >= floor ? { ...c, mustSurvive: undefined } : c)) : candidates;
      const diagnosed = diagnoseRecovery({
        base: this.base, candidates: judged, mustInclude: floor, recovered: state,
        expected: stateAfter(this.base, batches, length), history: this.history(),
      });
      const reason = damage.length > 0 ? whyHeldDespiteDamage(candidates, excused, held) : undefined;
      violations.push(...(reason === undefined ? diagnosed : diagnosed.map((v) => withReason(v, reason))));
    }
    const lostToDamage = candidates.slice(length, matches.length > 0 ? mustInclude : length).filter((c) => c.mustSurvive !== undefined).map((c) => c.id);
    const facts = this.replayFacts(length);
    if (stats !== undefined) violations.push(...checkReplayStats(stats, facts));
    this.decide(candidates, length, facts, state, stats, shortest === undefined || shortest === length ? undefined : this.replayFacts(shortest));
    const lostDespiteEvidence = this.damageContract === 'detects' || violations.length > 0 ? [] : candidates.slice(length, vouched).filter((c) => c.mustSurvive !== undefined).map((c) => c.id);
    return { violations, lostToDamage, lostDespiteEvidence, prefixLength: length, present: candidates.slice(0, length).map((c) => c.id), absent: candidates.slice(length).map((c) => c.id) };
  }

  /**
   * Records what a recovery decided: the first `length` candidates present, the rest absent; starts the next session.
   * @param shorter - the facts of a shorter prefix the state matches as well (commits that change
   *   nothing, which may have been lost): unless the statistics name the last LSN, the next
   *   session's LSNs are held only to what both allow
   */
  private decide(candidates: readonly CommitRecord[], length: number, facts: ReplayFacts, state: KvState, stats: Partial<ReplayStats> | undefined, shorter?: ReplayFacts): void {
    this.recoveries++;
    for (const c of candidates.slice(0, length)) { c.fate = 'present'; c.decidedBy = this.recoveries; c.mustSurvive = 'recovered'; }
    for (const c of candidates.slice(length)) { c.fate = 'absent'; c.decidedBy = this.recoveries; }
    const reported = stats?.lastLsn !== undefined && lastLsnFits(facts, stats.lastLsn) ? stats.lastLsn : undefined;
    const lastLsn = reported ?? (shorter === undefined ? facts.lastLsn : undefined);
    const least = shorter === undefined ? facts.lastLsnMin : Math.min(facts.lastLsn ?? facts.lastLsnMin, shorter.lastLsn ?? shorter.lastLsnMin);
    this.baseLsn = { exact: lastLsn, min: lastLsn ?? least };
    this.lsnFloor = Math.max(this.lsnFloor, this.baseLsn.min, stats?.lastLsn ?? 0);
    this.base = new Map([...state].map(([key, value]) => [key, value.slice()]));
    this.pending = [];
    this.promises = [];
    this.session++;
    this.sessionOpen = true;
    this.sessionFailed = false;
    this.failedBecause = undefined;
    this.failureMayDropPages = false;
    this.pageCacheKept = false;
    this.issuedAtLastRecovery = this.commits.length;
  }

  /**
   * Judges a refusal to open because of damage: detected damage only if `damagingFault` (a bit
   * flip or read error struck durable data since the last successful open); without one it is
   * `false-corruption`. Other open failures are not judged (the runner retries; liveness bounds
   * it).
   */
  openRefused(refusal: Refusal, damagingFault: boolean, what = 'open'): RefusalCheck {
    if (this.sessionOpen) this.endSession('power-loss');
    return this.readRefused(refusal, damagingFault, what);
  }

  /**
   * Judges a read of an open store that refused because of damage (an engine that reads values
   * from disk when asked), as {@link openRefused} judges an open; the session goes on.
   * @param what - what refused, for the message (`get("k1")`)
   */
  readRefused(refusal: Refusal, damagingFault: boolean, what: string): RefusalCheck {
    const judged = judgeOpenRefusal(refusal, damagingFault, what);
    if (judged.verdict === 'detected') this.detectedCount++;
    return {
      detected: judged.verdict === 'detected',
      violations: judged.verdict === 'violation' ? [judged.violation] : [],
    };
  }

  /**
   * Checks a value `get(key)` returned during the current session.
   * @param mark - {@link mark} taken when the read started (default: now)
   */
  checkRead(key: string, seen: Value, mark?: number): ModelViolation[] {
    assert(this.sessionOpen, 'checkRead: no open session');
    const before = mark ?? this.ackCount;
    let mustInclude = 0;
    this.pending.forEach((c, i) => {
      if (c.ackSeq !== undefined && c.ackSeq < before) mustInclude = i + 1;
    });
    return checkRead({ base: this.base, candidates: this.pending.map((c) => c.ops), mustInclude, key, seen });
  }

  /**
   * The state after every commit not known to be absent: what reads must return when no commit
   * is in flight and none was rejected as `unknown` in this session.
   */
  expectedState(): Map<string, Uint8Array> {
    return stateAfter(this.base, this.pending.map((c) => c.ops), this.pending.length);
  }

  /** What the engine said of commit `id` so far. */
  statusOf(id: number): CommitStatus {
    const record = this.commits[id];
    assert(record !== undefined, `statusOf: no commit #${id}`);
    return record.status;
  }

  /** Counts for summaries. */
  counts(): ModelCounts {
    const count = (status: CommitStatus): number => this.commits.filter((c) => c.status === status && !c.untrusted).length;
    return {
      issued: this.commits.length,
      acknowledged: count('acked'),
      rejectedAbsent: count('rejected-absent'),
      rejectedUnknown: count('rejected-unknown'),
      recoveries: this.recoveries,
      detected: this.detectedCount,
    };
  }

  /** The record of `id` if its session is still open and it is in flight; late resolutions give undefined. */
  private live(id: number): CommitRecord | undefined {
    const record = this.commits[id];
    assert(record !== undefined, `no commit #${id}`);
    if (!this.sessionOpen || record.session !== this.session) return undefined;
    assert(record.status === 'in-flight', `commit #${id} resolved twice`);
    return record;
  }

  private endSession(kind: CrashKind): void {
    this.sessionOpen = false;
    this.keptBy = 'kill-9';
    this.pageCacheKept = kind === 'kill-9' && !this.failureMayDropPages;
  }

  private markSurvivors(reason: SurvivalReason, mark: number): void {
    for (const c of this.pending) {
      if (c.mustSurvive === undefined && c.ackSeq !== undefined && c.ackSeq < mark) {
        c.mustSurvive = reason;
        this.promisedCount++;
      }
    }
  }

  /**
   * The largest LSN acknowledged in this session for a commit issued before `id`, or the floor.
   * Earlier sessions count only through the floor: an acknowledged commit lost in a crash
   * (legally, in `none` mode) leaves its LSN free for the reopened engine to hand out again.
   */
  private lsnAbove(id: number): number {
    for (let j = id - 1; j >= 0; j--) {
      const c = this.commits[j];
      if (c === undefined || c.session !== this.session) break;
      if (c.lsn !== undefined) return Math.max(c.lsn, this.lsnFloor);
    }
    return this.lsnFloor;
  }

  /** The smallest LSN acknowledged for a commit issued after `id` (same session), if any. */
  private lsnBelow(id: number): number | undefined {
    for (let j = id + 1; j < this.commits.length; j++) {
      const lsn = this.commits[j]?.lsn;
      if (lsn !== undefined) return lsn;
    }
    return undefined;
  }

  /** What the known LSNs say of the last recovered commit if the first `length` candidates are present. */
  private replayFacts(length: number): ReplayFacts {
    return replayFactsFor(this.baseLsn, this.pending.slice(0, length), this.pending.slice(length));
  }

  private history(): PastCommit[] {
    return this.commits.map((c) => ({
      id: c.id, lsn: c.lsn, ops: c.ops, decidedBy: c.decidedBy,
      fate: c.status === 'rejected-absent' ? 'rejected-absent' : c.fate,
    }));
  }
}

/**
 * How many leading candidates a recovery after damage must still hold: one past the last commit
 * that had to survive and that the engine had evidence of (see the module comment). Commits
 * after it that had to survive were acknowledged in the session that just ended and no clean
 * close vouched for them: damage that destroyed their bytes, or the bytes of a commit before
 * them, cannot be told from a torn tail of unsynced appends by an engine without other evidence
 * (the reference engine's rule R5), so losing them silently is allowed. Why not demand a refusal:
 * a strict commit's own frame is the only proof of it until a later frame, a sidecar or a close
 * records it, and a frame whose bytes are gone proves nothing. The loss is traced
 * (`lost-to-damage`), never counted as detected.
 */
export function excusedFloor(candidates: readonly { readonly mustSurvive?: SurvivalReason | undefined; readonly closedAfter?: boolean }[]): number {
  let floor = 0;
  candidates.forEach((c, i) => {
    const vouched = c.mustSurvive === 'closed' || c.mustSurvive === 'recovered' || c.closedAfter === true;
    if (c.mustSurvive !== undefined && vouched) floor = i + 1;
  });
  return floor;
}


/**
 * Why a recovery after damage still had to keep its first `max(excused, held)` candidates, when
 * the violation alone would not say: a clean close, or the `detects` contract (`undefined` when
 * nothing was held, or an earlier recovery did the holding, which the violation names itself).
 */
function whyHeldDespiteDamage(candidates: readonly CommitRecord[], excused: number, held: number): string | undefined {
  if (held > excused) {
    const id = candidates[held - 1]!.id;
    return `media damage destroyed durable bytes, but commit #${id} was issued after the engine promised a commit written after them durable, so intact bytes could vouch for the damaged ones: under the engine's damage contract 'detects', recovery keeps every commit up to #${id} or refuses to open`;
  }
  const last = candidates[excused - 1];
  if (last === undefined || !(last.mustSurvive === 'closed' || last.closedAfter)) return undefined;
  return `media damage destroyed durable bytes, but a clean close after commit #${last.id} was acknowledged recorded it durable (the engine can keep that record, as the reference engine's manifest does): recovery keeps every commit up to #${last.id} or refuses to open`;
}

/** `violation` with `reason` appended, if it is one a reason about holding commits explains. */
function withReason(violation: ModelViolation, reason: string): ModelViolation {
  // Said of a commit lost or missing only: invented data loses nothing (a new user read this
  // reason under a rotted value his engine served as it was).
  if ((violation.invariant !== 'durability' && violation.invariant !== 'prefix') || violation.commit === undefined) return violation;
  return { ...violation, message: `${violation.message} (${reason})` };
}

/**
 * Under the `detects` contract, how many leading candidates a recovery after damage must hold
 * (or refuse to open): one past the last commit that had to survive and was issued after a
 * promise of durability covering the destroyed bytes, for every damage; the most lenient damage
 * rules. Why, for one damage that destroyed only bytes durable by landing F: a commit issued
 * after F wrote its bytes after them, so the damage left its bytes intact; once the engine
 * promised such a commit durable, it knew every byte before it was durable, and each commit it
 * issued after that promise could record so. Recovery then meets intact bytes that vouch for the
 * damaged ones: corruption, which it can tell from a torn tail. Commits issued before that
 * promise are excused as under `point-in-time`, and so is every commit when no promise came.
 * @param candidates - the undecided commits, in issue order
 * @param promises - the session's promises, each as the landing its latest covered commit was issued at
 * @param damage - per damage, the landing by which what it destroyed had been durable
 */
export function damageFloor(
  candidates: readonly { readonly mustSurvive?: SurvivalReason | undefined; readonly promisesBefore: number }[],
  promises: readonly number[],
  damage: readonly number[],
): number {
  let floor = Number.MAX_SAFE_INTEGER;
  for (const durableBy of damage) {
    const first = promises.findIndex((issuedAt) => issuedAt >= durableBy);
    let held = 0;
    if (first >= 0) candidates.forEach((c, i) => { if (c.mustSurvive !== undefined && c.promisesBefore > first) held = i + 1; });
    floor = Math.min(floor, held);
  }
  return damage.length === 0 ? 0 : floor;
}
