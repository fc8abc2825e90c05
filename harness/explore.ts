/**
 * Exhaustive crash exploration, as ALICE and CrashMonkey do it: instead of sampling crash points
 * at random, crash a short workload at every one of its I/O operations, once with kill -9 and
 * once per post-power-loss crash state, and check each recovery; and, where the subject has
 * one, end the clean run with a power loss in each crash state.
 *
 * The workload is the subject's fault-free base of one seed's plan (its first steps, every
 * fault removed), so a clean run has a fixed I/O sequence; crash point k means "the process dies
 * at I/O operation k", after which the run goes on as usual (recovery, checks, the rest).
 * Violations that differ only in numbers count as one, with every crash that showed them.
 *
 * Beyond the named crash states, a power loss can leave many disks: which unsynced writes land,
 * which tear, what garbage a torn sector holds. The seeded states draw them at random, and a
 * torn last record (the classic bug: a log that refuses, or misreads, a half-written line) is
 * seldom among the few a search can afford to rerun. So each crash point's run in state 0 also
 * takes second looks at other crash states (sim/second-look.ts): the disk right before its power
 * loss, settled again on further seeded states, and each disk that differs from the ones before
 * it recovered and checked, without rerunning what came before the power loss. Each crash
 * point's kill -9 run takes them too, at the power losses after it: a library run's final one,
 * and, for an engine, one right after a recovery that left writes unsynced (kill -9 keeps the
 * page cache, so a recovery can serve what a later power loss takes). A violation a
 * look found is reported as the crash state it settled on, with a plan that crashes in that
 * state on its own path (harness/pin-look.ts).
 *
 * Recovery is where a second crash hurts: code that rolls back or cleans up after a crash and
 * forgets to fsync before it deletes its evidence (a journal, a temporary file) is caught only by
 * a crash inside that recovery. So each crash point's kill -9 is also followed, at each of the
 * first {@link exploreRecoveryCrashesDefault} I/Os after it (the recovery, or what follows a
 * short one), and then at as many more of the recovery's I/Os that change the disk (a write, a
 * sync, a rename, ...) among its first {@link exploreRecoverySyncsDepth}, by a kill -9 or a power
 * loss that keeps nothing unsynced (crash state 1). A rollback journal's user saw explore miss two
 * such bugs that campaigns found by chance, and a second user one whose recovery synced the
 * directory and the data file before it rolled back (harness/explore-faults.ts).
 *
 * A failed fsync is the other fault recovery code gets wrong: on Linux the pages it did not
 * write are marked clean, so a retry reports success and a later power loss loses them
 * (PostgreSQL's fsyncgate); a rollback that ignores its fsync's error and then deletes its
 * journal loses what it rolled back. So each sync of the clean run (a file's fsync, a
 * directory's) fails once in a run of its own (`fsync-error`, `dir-sync-error`), and so does each
 * sync among the first {@link exploreRecoverySyncsDepth} I/Os after each crash point's kill -9
 * (harness/explore-faults.ts): a recovery syncs last, after it rolled back or cleaned up, deeper
 * than the crashes inside it reach. Such a run goes on, and ends with a power loss that keeps
 * every unsynced write, so what is lost is what the failed sync lost; its second looks try the
 * other states.
 *
 * A failed write is the third: code that takes an I/O error for a transient one and acknowledges
 * what it never wrote, or that keeps the partial record a full disk left and appends after it. So
 * each write, in the same places, fails once with `EIO` (`write-error`), and each write that adds
 * a block to its file once with `ENOSPC` (`disk-full`), whose space comes back once that write
 * has returned (ScheduledFault.spaceReturns): the code then writes again, and what it made of the
 * failure shows. Such a run ends as a failed sync's does. And each read, in the same places, fails
 * once with `EIO` (`read-error`): a recovery that takes a failed read for the end of its log cuts
 * what follows, and a lookup that takes it for a missing key serves a wrong answer.
 *
 * What it does not explore: media damage (bit flips, damaged sectors, misdirected writes, lost
 * names), short writes, or more than two faults in one run.
 */
import { lookPrefix, wallClockMs } from '../sim/index.ts';
import type { RunViolation } from '../sim/index.ts';
import { InProcessExecutor, type SeedExecutor } from './executor.ts';
import { pinLook } from './pin-look.ts';
import type { SeedRun } from './seed-run.ts';
import { faultPointsOf, type FaultPoint } from './explore-faults.ts';
import { exploreFaults, faultClassOf, isCrashKind, type BasePlan, type CandidateCrash, type ExploreFault, type RecoveryCrash, type Subject } from './subject.ts';
import { causeShape } from './triage.ts';

export { exploreRecoverySyncsDepth } from './explore-faults.ts';

/** Options of {@link explorePlan}. */
export interface ExploreOptions {
  /** Power-loss crash states tried at each crash point (0 .. states-1). @defaultValue {@link exploreStatesFor} the plan */
  readonly states?: number;
  /** Steps (operations) kept from the plan. @defaultValue the subject's `sizeDefault` */
  readonly size?: number;
  /**
   * Other disks each power loss of a crash point's kill -9 run and run in state 0 could have
   * left, looked at (recovered and checked) beyond the named states: up to this many per power
   * loss; 0: none.
   * @defaultValue {@link exploreLooksDefault}
   */
  readonly looks?: number;
  /**
   * Whether each crash point's kill -9 also looks at the disk with a bit rotted in the newest
   * durable data (an engine's; a library workload takes none): off for a design that cannot tell
   * a rotted last record from a torn one and so fails every such look, which hides the rest.
   * @defaultValue true
   */
  readonly rotLooks?: boolean;
  /**
   * How many I/Os after each crash point's kill -9 get a second crash (a kill -9, and a power loss
   * in crash state 1): the recovery's first ones; 0: none.
   * @defaultValue {@link exploreRecoveryCrashesDefault}
   */
  readonly recoveryCrashes?: number;
  /**
   * Whether each sync of the clean run, and each among the first `exploreRecoverySyncsDepth`
   * I/Os after each crash point's kill -9 (its recovery), also fails once in a run of its own (see
   * the module comment), where the subject holds the plan to such failures (Exploration.faults).
   * @defaultValue true
   */
  readonly syncFaults?: boolean;
  /**
   * Whether each write of the clean run, and each among the first `exploreRecoverySyncsDepth`
   * I/Os after each crash point's kill -9, also fails once with an I/O error in a run of its own,
   * and each write that adds a block to its file once with a full disk (see the module comment),
   * where the subject holds the plan to such failures (Exploration.faults).
   * @defaultValue true
   */
  readonly writeFaults?: boolean;
  /**
   * Whether each read of the clean run, and each among the first `exploreRecoverySyncsDepth` I/Os
   * after each crash point's kill -9 (its recovery), also fails once with an I/O error in a run of
   * its own (see the module comment), where the subject holds the plan to such failures (Exploration.faults).
   * @defaultValue true
   */
  readonly readFaults?: boolean;
  /** Called after each run. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Runs the crash candidates, as many at once as it has lanes (a campaign's executor: this
   * thread and worker threads loading the same subject). The result does not depend on it.
   * @defaultValue this thread, one run at a time
   */
  readonly executor?: SeedExecutor;
  /**
   * Stop starting crash candidates this many seconds after {@link startedAtMs}; the runs started
   * finish and count. Under a budget the candidates run in an order spread over the whole list
   * ({@link spreadOrder}), so an exploration cut short has tried crash points early and late, and
   * every kind of crash and fault, not only the first points. @defaultValue no limit
   */
  readonly timeBudgetSec?: number;
  /** When the time budget began, on {@link wallClockMs}'s clock (0: the process start). @defaultValue the exploration's start */
  readonly startedAtMs?: number;
  /** The wall clock the time budget is read on (sim/node/wall-clock.ts). @defaultValue the process's */
  readonly wallClockMs?: () => number;
  /**
   * Stop starting crash candidates once this aborts (Ctrl-C); the runs started finish and count,
   * and the result says {@link ExploreResult.interrupted}.
   */
  readonly signal?: AbortSignal;
}

/** One crash of the exploration. */
export interface ExploreCrash {
  /** The crash point (global I/O index), or `end` for the crash after the last step (a power loss; a kill -9 where the subject promises nothing across one). */
  readonly io: number | 'end';
  /** The crash, or the sync or write that fails there (the run then ends with a power loss keeping every unsynced write, or with a kill -9: {@link thenKill9}). */
  readonly kind: 'kill-9' | 'power-loss' | ExploreFault;
  /** The crash state, for power loss. */
  readonly crashState?: number;
  /**
   * Shown by a second look at a power loss after this crash (after a kill -9's recovery left
   * writes unsynced, or a library run's final one), not by this crash alone.
   */
  readonly thenPowerLoss?: true;
  /**
   * Shown by a second look at a power loss before this crash, between two steps (right after an
   * operation or an open that left writes unsynced): the step it struck before.
   */
  readonly powerLossBeforeStep?: number;
  /** A second crash, or a failed sync or write, in the recovery this one started. */
  readonly then?: RecoveryCrash;
  /** A failed write or read whose run then ends with a kill -9, not a power loss: the subject promises nothing across one. */
  readonly thenKill9?: true;
}

/** One distinct violation and the first crash that showed it. */
export interface ExploreViolation<P extends BasePlan> extends ExploreCrash {
  readonly invariant: string;
  /** The first message seen. */
  readonly message: string;
  /** How many runs showed it. */
  readonly count: number;
  /** Every crash kind and state that showed it (`kill-9`, `power-loss state 3`), sorted. */
  readonly crashes: readonly string[];
  /** A plan that reproduces it (`powercut replay`-able JSON). */
  readonly plan: P;
}

/** What {@link explorePlan} returns. */
export interface ExploreResult<P extends BasePlan> {
  /** The fault-free workload explored. */
  readonly plan: P;
  /** I/O operations of the clean run that are crash points. */
  readonly crashPoints: number;
  /** Runs over crash points (and end states): every candidate, or those started before the time budget ran out. */
  readonly statesExplored: number;
  /** The crash candidates the exploration made, run or not ({@link statesExplored} of them ran). */
  readonly candidates: number;
  /** Whether the time budget ran out before every candidate had started ({@link ExploreOptions.timeBudgetSec}). */
  readonly stoppedByTimeBudget: boolean;
  /** Whether {@link ExploreOptions.signal} aborted before every candidate had started. */
  readonly interrupted: boolean;
  /**
   * Power-loss crash states tried at each crash point: the `states` asked for, or 0 when the
   * workload promises nothing across a power loss (its plan has no power losses) and only kill -9
   * is explored.
   */
  readonly powerLossStates: number;
  /** Runs in total, the clean run (and the kill -9 runs traced for {@link ExploreOptions.syncFaults} and {@link ExploreOptions.writeFaults}) included. */
  readonly runs: number;
  /**
   * Of the crash states explored, those that left the same state as an earlier one at the same
   * crash point (counted in candidate order): the thread that runs such a state after the first
   * stops it at the power loss and reuses the outcome (harness/same-crash-image.ts).
   */
  readonly sameStates: number;
  /** Runs in which a sync failed ({@link ExploreOptions.syncFaults}): at the clean run's syncs, and in recoveries. */
  readonly syncFaults: number;
  /**
   * Runs in which a write failed ({@link ExploreOptions.writeFaults}), with an I/O error or a full
   * disk: at the clean run's writes, and in recoveries. Only runs in which the fault struck count
   * (a write explore took to add a block may not have, on a disk of other blocks).
   */
  readonly writeFaults: number;
  /** Runs in which a read failed ({@link ExploreOptions.readFaults}): at the clean run's reads, and in recoveries. */
  readonly readFaults: number;
  /** Second looks taken in all ({@link ExploreOptions.looks}): other disks recovered and checked. */
  readonly looks: number;
  /**
   * Places a crash point's recovery was crashed again ({@link ExploreOptions.recoveryCrashes}), over
   * every crash point: each by a kill -9, and where the subject loses power, by a power loss too.
   */
  readonly recoveryCrashes: number;
  /** Violations of the clean run itself (the workload fails without any crash). */
  readonly cleanViolations: readonly RunViolation[];
  /** Runs with a crash that failed only as the clean run does (left out of {@link violations}: no crash is needed). */
  readonly sameAsClean: number;
  /** Distinct violations, in the order first seen. */
  readonly violations: readonly ExploreViolation<P>[];
  /** Distinct findings apart from violations (RunResult.findings), in the order first seen. */
  readonly findings: readonly ExploreViolation<P>[];
  readonly elapsedMs: number;
  readonly runsPerSecond: number;
}

/** Default of {@link ExploreOptions.recoveryCrashes}: a recovery's first I/Os (a journal's rollback takes about 8). */
export const exploreRecoveryCrashesDefault = 8;

/** The crash state of a power loss inside a recovery: it keeps nothing unsynced, the harshest. */
const recoveryPowerLossState = 0;

/** Default of {@link ExploreOptions.states}: the named crash states 0 to 4. */
export const exploreStatesDefault = 5;
/**
 * Default of {@link ExploreOptions.states} on a disk that keeps directory operations per name
 * (`dirOrder: 'per-name'`): its bugs need a seeded random state (0, or 5 and up), which the named
 * ones 1 to 4 are not. Two earlier users' engines that publish a name before syncing the directory
 * were caught on the first seed of `unordered-names` with 12, and not with 5.
 */
export const exploreStatesPerName = 12;

/**
 * Default of {@link ExploreOptions.looks}. A log whose recovery refuses a torn last line was
 * missed by explore with the five named states at every crash point of its seeds 1 to 3, and by
 * twelve states in two of them; the looks find it in each (test/harness/explore.test.ts).
 */
export const exploreLooksDefault = 16;

/** The crash states to explore for `plan` when none are asked for. */
export function exploreStatesFor(plan: BasePlan): number {
  return plan.faults.dirOrder === 'per-name' ? exploreStatesPerName : exploreStatesDefault;
}

/**
 * `kill-9`, `power-loss state 3`, `kill-9, then power-loss`, `power-loss before step 2`,
 * `fsync-error, then power-loss`, `fsync-error, then power-loss before step 2` or `kill-9, then
 * fsync-error at I/O 2 after the restart` (see {@link ExploreCrash}).
 */
export function crashName(crash: ExploreCrash): string {
  const name = kindName(crash.kind, crash.crashState);
  if (crash.powerLossBeforeStep !== undefined) {
    const before = `power-loss before step ${crash.powerLossBeforeStep}`;
    return isCrashKind(crash.kind) ? before : `${name}, then ${before}`;
  }
  const then = crash.then;
  if (then !== undefined) return `${name}, then ${kindName(then.kind, then.crashState)} at I/O ${then.offset} after the restart`;
  if (crash.thenKill9 === true) return `${name}, then kill-9`;
  return crash.thenPowerLoss === true || !isCrashKind(crash.kind) ? `${name}, then power-loss` : name;
}

/** `kill-9`, `power-loss state 3`, or the failed I/O's fault (`fsync-error`, `write-error`, `read-error`, ...). */
function kindName(kind: ExploreCrash['kind'], crashState: number | undefined): string {
  return kind === 'power-loss' ? `power-loss state ${crashState}` : kind;
}

/** One crash to try: how it is named in results, how the subject places it, and its plan. */
interface Candidate<P extends BasePlan> {
  readonly crash: ExploreCrash;
  readonly at: CandidateCrash;
  readonly plan: P;
}

/**
 * The crash a violation of `candidate`'s run shows, a plan that reproduces it, and the violation
 * as that plan shows it: the candidate's own; or, for a violation a look at another crash state
 * found, that state, with the look moved onto the plan's own path (harness/pin-look.ts), where
 * the violation reads without the look's prefix. A look at a power loss the run did not have
 * (between steps) keeps the candidate's plan and its looks, which find it again.
 */
function shownBy<P extends BasePlan>(candidate: Candidate<P>, violation: RunViolation): { crash: ExploreCrash; plan: P; violation: RunViolation } {
  const look = violation.look;
  if (look === undefined) return { ...candidate, violation };
  // A look at the crash point's own power loss names its state; one at a later power loss (after
  // a kill -9, a library run's final one) is the crash point's crash, then a power loss.
  // A look between steps before the crash point's crash (the run's first crash) is a power loss
  // of its own there.
  const own = look.crash === 0 && look.beforeStep === undefined && candidate.crash.kind === 'power-loss';
  const before = look.crash === 0 && look.beforeStep !== undefined;
  // A look at the power loss inside the recovery (the run's second crash) names its state there.
  const then = candidate.crash.then;
  const inRecovery = then !== undefined && isCrashKind(then.kind) && look.crash === 1 && look.beforeStep === undefined;
  // A look at rot is at the crash point's own crash, whose message names the bit.
  const crash: ExploreCrash = look.rot !== undefined ? candidate.crash
    : own ? { ...candidate.crash, crashState: look.crashState }
    : inRecovery ? { ...candidate.crash, then: { ...then, crashState: look.crashState } }
    : before ? { ...candidate.crash, powerLossBeforeStep: look.beforeStep! } : { ...candidate.crash, thenPowerLoss: true };
  if (look.beforeStep !== undefined || look.rot !== undefined) return { crash, plan: candidate.plan, violation };
  const plan = pinLook(candidate.plan as P & { readonly looks?: number }, { violations: [violation] });
  const { look: _look, ...onPath } = violation;
  return { crash, plan, violation: { ...onPath, message: violation.message.replace(lookPrefix, '') } };
}

/** Every crash to try, with its plan. */
function candidatesOf<P extends BasePlan>(subject: Subject<P>, base: P, points: readonly number[], states: number, looks: { readonly count: number; readonly rot: boolean }, recoveryOffsets: ReadonlyMap<number, readonly number[]>, faults: readonly FaultPoint[]): Candidate<P>[] {
  const candidates: Candidate<P>[] = [];
  const add = (crash: ExploreCrash): void => {
    const state = crash.crashState ?? 0;
    // A power loss in a recovery looks at other disks it could have left (the harm is in one
    // file kept and another not, which only a random state shows); a kill -9 there needs none.
    // A failed sync's or write's run looks at the other states of its final power loss.
    const lookedAt = crash.then === undefined ? crash.kind !== 'power-loss' || state === 0 : crash.then.kind !== 'kill-9';
    const looked = lookedAt && looks.count > 0 ? { looks: looks.count, ...(looks.rot ? {} : { rotLooks: false }) } : {};
    const then = crash.then === undefined ? {} : { then: crash.then };
    const at: CandidateCrash = { io: crash.io === 'end' ? undefined : crash.io, kind: crash.kind, crashState: state, ...looked, ...then };
    const plan = subject.explore.candidate(base, at);
    if (plan !== undefined) candidates.push({ crash, at, plan });
  };
  const powerLosses = subject.explore.powerLosses?.(base) ?? true;
  for (const io of points) {
    add({ io, kind: 'kill-9' });
    if (powerLosses) for (let state = 0; state < states; state++) add({ io, kind: 'power-loss', crashState: state });
  }
  for (const io of points) {
    for (const offset of recoveryOffsets.get(io) ?? []) {
      add({ io, kind: 'kill-9', then: { offset, kind: 'kill-9', crashState: 0 } });
      if (powerLosses) add({ io, kind: 'kill-9', then: { offset, kind: 'power-loss', crashState: recoveryPowerLossState } });
    }
  }
  if (!powerLosses) add({ io: 'end', kind: 'kill-9' });
  else for (let state = 0; state < states; state++) add({ io: 'end', kind: 'power-loss', crashState: state });
  // What a failed sync or write loses is lost at a power loss; a subject that promises nothing
  // across one is still held to what a failed write or read leaves (a torn file, a library
  // that hangs after an I/O error), at the kill -9 its run ends with.
  const ending = powerLosses ? {} : { thenKill9: true as const };
  for (const fault of faults) {
    add(fault.offset === undefined ? { io: fault.io, kind: fault.kind, ...ending } : { io: fault.io, kind: 'kill-9', then: { offset: fault.offset, kind: fault.kind, crashState: 0 } });
  }
  return candidates;
}

/**
 * Violations that differ only in numbers, counted as one, with every crash that showed them and
 * the runs that did (a run that breaks one several times, a message lost per record, counts once).
 */
class Distinct<P extends BasePlan> {
  readonly #found = new Map<string, { first: Omit<ExploreViolation<P>, 'count' | 'crashes'>; runs: Set<number>; crashes: Set<string> }>();

  /** @param run - the run's index among the candidates */
  note(violation: RunViolation, crash: ExploreCrash, plan: P, run: number): void {
    const key = Distinct.keyOf(violation);
    const first = { invariant: violation.invariant, message: violation.message, ...crash, plan };
    const known = this.#found.get(key) ?? { runs: new Set<number>(), crashes: new Set<string>(), first };
    // Shown first by a look that kept its prefix (between steps), then on a run's own path: the
    // run's own is the plainer example.
    if (lookPrefix.test(known.first.message) && !lookPrefix.test(violation.message)) known.first = first;
    known.runs.add(run);
    known.crashes.add(crashName(crash));
    this.#found.set(key, known);
  }

  /**
   * The key of a violation: its invariant and the shape of its message before any note (`; ...`:
   * an engine's cause notes, a power loss's hints) as triage groups root causes (numbers masked,
   * a look's prefix left out: a look's finding reads as the run's own would). The same lost commit
   * with a note of a failed fsync was listed again beside the run without any crash.
   */
  static keyOf(violation: Pick<RunViolation, 'invariant' | 'message'>): string {
    const core = violation.message.replace(lookPrefix, '').split('; ')[0]!;
    return `${violation.invariant}\u0000${causeShape(core)}`;
  }

  /** The violations noted, but those whose key is in `except`, and how many runs those were. */
  list(except: ReadonlySet<string> = new Set()): { readonly listed: ExploreViolation<P>[]; readonly runsLeftOut: number } {
    const kept = [...this.#found].filter(([key]) => !except.has(key)).map(([, found]) => found);
    const leftOut = new Set([...this.#found].filter(([key]) => except.has(key)).flatMap(([, found]) => [...found.runs]));
    return { listed: kept.map(({ first, runs, crashes }) => ({ ...first, count: runs.size, crashes: [...crashes].sort() })), runsLeftOut: leftOut.size };
  }
}

/**
 * An order of `0 .. count-1` that steps through the whole list by a stride near its golden
 * section, prime to `count`: any prefix of it is spread over the list, early and late candidates,
 * every kind (they are listed kind by kind), and the same for the same count.
 */
export function spreadOrder(count: number): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let stride = Math.max(1, Math.round(count * 0.618));
  while (count > 1 && gcd(stride, count) !== 1) stride++;
  return Array.from({ length: count }, (_, at) => (at * stride) % count);
}

/**
 * Runs the candidates on the executor's lanes, until the time budget, if any, runs out; their
 * results in candidate order, undefined for those not run.
 */
async function runCandidates<P extends BasePlan>(subject: Subject<P>, base: P, candidates: readonly Candidate<P>[], options: ExploreOptions, started: number): Promise<(SeedRun | undefined)[]> {
  const executor = options.executor ?? new InProcessExecutor(subject);
  const results = new Array<SeedRun | undefined>(candidates.length).fill(undefined);
  const budgeted = options.timeBudgetSec !== undefined;
  const order = budgeted ? spreadOrder(candidates.length) : undefined;
  const clockMs = options.wallClockMs ?? wallClockMs;
  const since = options.startedAtMs ?? started;
  const budgetMs = (options.timeBudgetSec ?? Infinity) * 1000;
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    for (let turn = next++; turn < candidates.length; turn = next++) {
      if (options.signal?.aborted === true || (budgeted && clockMs() - since > budgetMs)) return;
      const at = order === undefined ? turn : order[turn]!;
      const candidate = candidates[at]!;
      results[at] = await executor.run({ unit: subject.unitOf(candidate.plan), seed: candidate.plan.seed, candidate: { base, crash: candidate.at } });
      options.onProgress?.(++done, candidates.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, executor.lanes) }, lane));
  } finally {
    if (options.executor === undefined) await executor.close();
  }
  return results;
}

/**
 * Candidates whose run failed a sync, a write or a read (`counted`), and in which that fault struck
 * (a write explore took to add a block may not have).
 */
function faultRuns<P extends BasePlan>(candidates: readonly Candidate<P>[], results: readonly (SeedRun | undefined)[], counted: ReturnType<typeof faultClassOf>): number {
  let runs = 0;
  candidates.forEach((candidate, at) => {
    const kind = candidate.crash.then?.kind ?? candidate.crash.kind;
    if (!isCrashKind(kind) && faultClassOf(kind) === counted && (results[at]?.faults[kind] ?? 0) > 0) runs++;
  });
  return runs;
}

/** Runs whose power loss left the same state as an earlier run's, in candidate order. */
function sameStatesOf(results: readonly (SeedRun | undefined)[]): number {
  const seen = new Set<string>();
  let same = 0;
  for (const result of results) {
    const crashStateDigest = result?.crashStateDigest;
    if (crashStateDigest === undefined) continue;
    if (seen.has(crashStateDigest)) same++;
    else seen.add(crashStateDigest);
  }
  return same;
}

/**
 * Crashes the fault-free base of `plan` at every crash point, with kill -9 and with each
 * power-loss crash state.
 * @throws RangeError for `states` or `size` below 1, or a time budget not above 0
 */
export async function explorePlan<P extends BasePlan>(subject: Subject<P>, plan: P, options: ExploreOptions = {}): Promise<ExploreResult<P>> {
  const states = options.states ?? exploreStatesFor(plan);
  const size = options.size ?? subject.explore.sizeDefault;
  const looks = options.looks ?? exploreLooksDefault;
  const recoveryCrashes = options.recoveryCrashes ?? exploreRecoveryCrashesDefault;
  const syncFaults = options.syncFaults ?? true;
  const writeFaults = options.writeFaults ?? true;
  const readFaults = options.readFaults ?? true;
  if (!Number.isInteger(recoveryCrashes) || recoveryCrashes < 0) throw new RangeError(`recoveryCrashes must be a non-negative integer, not ${recoveryCrashes}`);
  if (!Number.isInteger(states) || states < 1) throw new RangeError(`states must be a positive integer, not ${states}`);
  if (!Number.isInteger(looks) || looks < 0) throw new RangeError(`looks must be a non-negative integer, not ${looks}`);
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, not ${size}`);
  if (options.timeBudgetSec !== undefined && !(options.timeBudgetSec > 0)) throw new RangeError(`timeBudgetSec must be > 0 seconds, not ${options.timeBudgetSec}`);
  const started = wallClockMs();
  const base = subject.explore.base(plan, size);
  const clean = await subject.run(base, { trace: 'full' });
  const points = subject.explore.crashPoints(clean.trace);
  const powerLosses = subject.explore.powerLosses?.(base) ?? true;
  const wanted = { sync: syncFaults, write: writeFaults, read: readFaults };
  const kinds = new Set((subject.explore.faults?.(plan) ?? exploreFaults).filter((kind) => wanted[faultClassOf(kind)]));
  // A failed sync loses nothing but at a power loss; failed writes and reads show at a kill -9 too.
  const faultKinds = powerLosses ? kinds : new Set([...kinds].filter((kind) => faultClassOf(kind) !== 'sync'));
  const { faults, recoveryOffsets, runs: traced } = faultKinds.size > 0 || recoveryCrashes > 0
    ? await faultPointsOf(subject, base, clean.trace, points, faultKinds, recoveryCrashes) : { faults: [], recoveryOffsets: new Map<number, number[]>(), runs: 0 };
  const candidates = candidatesOf(subject, base, points, states, { count: looks, rot: options.rotLooks ?? true }, recoveryOffsets, faults);
  const results = await runCandidates(subject, base, candidates, options, started);
  // Noted in candidate order, however the runs were spread: the first crash of each violation is the same.
  const violations = new Distinct<P>();
  const findings = new Distinct<P>();
  candidates.forEach((candidate, at) => {
    const result = results[at];
    if (result === undefined) return;
    for (const found of result.violations) {
      const shown = shownBy(candidate, found);
      violations.note(shown.violation, shown.crash, shown.plan, at);
    }
    for (const found of result.findings ?? []) {
      const shown = shownBy(candidate, found);
      findings.note(shown.violation, shown.crash, shown.plan, at);
    }
  });
  // Only a clean run without a crash: a library workload's ends with one, whose violations are a crash's.
  const shownApart = violations.list(new Set(clean.crashes > 0 ? [] : clean.violations.map((violation) => Distinct.keyOf(violation))));
  const elapsedMs = wallClockMs() - started;
  // The clean run, the kill -9 runs traced to find their recoveries' syncs and writes, and the candidates.
  const ran = results.filter((result) => result !== undefined).length;
  const runs = ran + 1 + traced;
  const interrupted = ran < candidates.length && options.signal?.aborted === true;
  return {
    plan: base, crashPoints: points.length, statesExplored: ran, candidates: candidates.length, stoppedByTimeBudget: ran < candidates.length && !interrupted, interrupted, powerLossStates: powerLosses ? states : 0, runs, sameStates: sameStatesOf(results),
    syncFaults: faultRuns(candidates, results, 'sync'),
    writeFaults: faultRuns(candidates, results, 'write'),
    readFaults: faultRuns(candidates, results, 'read'),
    looks: results.reduce((sum, result) => sum + (result?.looks ?? 0), 0),
    recoveryCrashes: [...recoveryOffsets.values()].reduce((sum, offsets) => sum + offsets.length, 0),
    cleanViolations: clean.violations,
    // What the run without any crash shows is not a crash's: shown once, as that run's.
    violations: shownApart.listed, sameAsClean: shownApart.runsLeftOut, findings: findings.list().listed,
    elapsedMs, runsPerSecond: elapsedMs > 0 ? runs / (elapsedMs / 1000) : 0,
  };
}
