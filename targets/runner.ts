/**
 * Runs one plan of a library {@link Workload} (targets/plan.ts) in the simulated world, with the
 * fs facade installed: the first open, which creates the store, under the plan's faults (a crash
 * there is checked as any other; faults off in plans written before, TargetPlan.firstOpenFaults),
 * the setup with faults off (what it and the first open left then made durable), the plan's
 * operations under its faults, and after every crash a restart on a crash state, a fresh `open` (the library's own
 * recovery, under faults too: a crash there is checked like any other), and the invariants on
 * the reopened library (faults off). Each run ends with one more power loss, so the last
 * acknowledged write is always put to the test.
 *
 * Verifies: the workload's own invariants after every crash, that the library opens again, and
 * that it neither hangs (`stuck`) nor exceeds its step budget. Does not verify: anything between
 * crashes (a library may fail operations on injected faults; that is counted, not a violation).
 *
 * Crash states (sim/disk/crash-policy.ts) come from the plan or are drawn per crash from the
 * seed: 0 random, 1 nothing unsynced kept, 2 everything kept, 3 directory operations kept
 * without unsynced data (exposes a rename before the data was fsynced), 4 unsynced data kept
 * without directory operations (exposes a missing directory fsync). A violation names its crash
 * and crash state, which is how a finding points at the missing step.
 *
 * The facade is process-wide (it replaces this thread's `fs`), so one thread runs one plan at a
 * time; campaigns run targets in worker threads, each with its own `fs`. The process id, the
 * time, timers, random numbers and the console are pinned to the seed and the simulated clock
 * while the plan runs (targets/environment.ts), so a seed gives the same run in any process and
 * any thread. The trace labels the library's I/O with the part of the run it belongs to (its
 * phase): `setup`, `operation`, `idle` (the workload's `idleMs` after an operation, when the
 * library's timers fire), `recovery` (the `open` after a crash) and `check`.
 *
 * A run leaves nothing behind: its world is finished at the end (every timer dropped, every
 * file system dead), and the environment and the facade binding are put back.
 */
import { checkThrewMessage, isCodingError } from './coding-error.ts';
import { installFacade, installFacadeRoutes, withFacadeBoundTo } from '../facade/index.ts';
import { copyCoverage, describeError, describeThrown, failureNote, thrownAt, type CrashInfo, type RunResult, type RunViolation, type TraceEvent } from '../sim/index.ts';
import { disksToLookAt, keepHearingUncaught, unhandledRejectionsPending, powerLossNote, shortWriteNote, unwrittenTailNote, PowerLossWatch, lookable, lookWhere, noFaults, primaryStateOf, RotWatch, settleForLooks, SimWorld, withRotRead, WorldPin, type CrashToLookAt, type DiskImage, type PowerLossReport, type PowerLossLook, type RotFault, type RunOutcome, type ScheduledFault, type TraceMode, type FaultKind } from '../sim/index.ts';
import { inPinnedTurn, pinEnvironment } from './environment.ts';
import { nativeAddonNote, nativeAddonsLoaded, watchNativeAddons } from './native-addons.ts';
import { targetCrashStates, type TargetPlan } from './plan.ts';
import { isInvariantViolation, type Workload, type WorkloadContext, type WorkloadCrash } from './workload.ts';

/** Crashes in a row during a library's reopen before it is reopened with faults off. */
export const reopenCrashesMax = 3;

/** A file name as a check's message names one: `pages.db`, `meta.json`. */
const fileName = /(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[A-Za-z][\w]{0,7}(?![\w-])/g;

/**
 * `report` without its lost synced name when the violation's message names files and none of
 * those the lost operation named (a temporary file's name counts as the name it is published
 * under, `meta.json.tmp` as `meta.json`): a new user's `pages.db` checksum failure was sent
 * after `meta.json`'s lost rename. A message that names no file keeps the hint, hedged as it is.
 */
export function namingWhatFailed(report: PowerLossReport | undefined, message: string): PowerLossReport | undefined {
  if (report?.lostSyncedName === undefined) return report;
  const named: readonly string[] = message.match(fileName) ?? [];
  if (named.length === 0) return report;
  const lost = report.lostSyncedName.split(/\s+/).filter((word) => word.includes('/')).map((path) => path.slice(path.lastIndexOf('/') + 1).replace(/[),;]+$/, ''));
  const published = (name: string): string => name.replace(/\.(?:tmp|temp)(?:[-.][\w-]*)?$|~$/, '');
  if (lost.some((name) => named.includes(name) || named.includes(published(name)))) return report;
  const { lostSyncedName: _unrelated, ...rest } = report;
  return rest;
}

/** The simulated root of every target run. */
export const targetRoot = '/powercut-target';

/** The crash that preceded a check. */
export type TargetCrash = CrashInfo;

/** `, crash state 4` after a power loss; nothing after a kill -9, which keeps every write. */
function stateText(kind: 'kill-9' | 'power-loss', crashState: number): string {
  return kind === 'power-loss' ? `, crash state ${crashState}` : '';
}

/**
 * `after power-loss during operation 3, crash state 4` / `after the final power-loss, crash
 * state 4` / `after kill-9 during operation 2` / `after power-loss before operation 3, crash
 * state 1` (between two operations) / `after kill-9 during the first open` (the store's
 * creation), then `, then kill-9 during the reopen` or
 * `, then power-loss during the reopen, crash state 0` for each crash in recovery. A crash state
 * is named only for a power loss: a kill -9 keeps everything. An operation is named by its index
 * (`operations`: the plan's), as the trace names it (`op operation set 8`), so a shrunk plan's
 * message names the operation the unshrunk one did; without them, by its position.
 */
export function describeCrash(crash: TargetCrash, operations?: readonly number[]): string {
  const what = crash.exit === 'uncaught' ? 'the process died of an uncaught exception' : crash.kind;
  const operation = operations?.[crash.afterOperation] ?? crash.afterOperation;
  const when = crash.final ? `after the final ${what}` : crash.firstOpen === true ? `after ${what} during the first open` : `after ${what} ${crash.between === true ? 'before' : 'during'} operation ${operation}`;
  const then = (crash.reopenCrashes ?? []).map((again) => `, then ${again.kind} during the reopen${stateText(again.kind, again.crashState)}`).join('');
  return `${when}${stateText(crash.kind, crash.crashState)}${then}`;
}

/** Options of {@link runTargetPlan}. */
export interface TargetRunOptions {
  /** Keep every trace event. @defaultValue 'digest' */
  readonly trace?: TraceMode;
  /**
   * Called once, at the first violation the run's own path finds (not a look's, which has a
   * world of its own), with the simulated disk as it was then: `repro --disk DIR`.
   */
  readonly onFirstViolation?: (disk: DiskImage) => void;
}

/** The faults that fail the call they strike with an error the library is told of (`EIO`, `ENOSPC`, `EXDEV`). */
const errorFaults: ReadonlySet<FaultKind> = new Set(['fsync-error', 'dir-sync-error', 'write-error', 'disk-full', 'read-error', 'exdev']);

/** The setup could not run with faults off: the workload itself is broken, not the library. */
export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
  readonly code = 'TARGET_SETUP';

  /**
   * @param trace - the run's trace up to the failure (empty when the run kept none), which
   * `repro --trace` writes: the I/O and console output that explain why setup failed
   */
  constructor(message: string, readonly trace: readonly TraceEvent[] = []) {
    super(message);
  }
}

/** How many of the library's last console lines a setup failure quotes. */
const setupConsoleLinesQuoted = 2;

/** The last console lines of `trace`, quoted for a one-line message (`''` when there are none). */
function consoleTail(trace: readonly TraceEvent[]): string {
  const lines = trace.filter((event) => event.type === 'note' && event.name.startsWith('console.')).slice(-setupConsoleLinesQuoted);
  if (lines.length === 0) return '';
  return `; the library's last console output: ${lines.map((event) => JSON.stringify((event.detail ?? '').replace(/\s+/g, ' ').slice(0, 200))).join(', ')}`;
}

/**
 * The library made an fs call the facade does not simulate (facade/errors.ts), even if it caught
 * the error: from there on the run went another way than on a real disk, so it tested nothing
 * that can be trusted.
 */
export class TargetUnsupportedError extends Error {
  override readonly name = 'TargetUnsupportedError';
  readonly code = 'TARGET_UNSUPPORTED';
}

/** Makes every file and directory entry on the disk durable (after setup). */
function makeDurable(world: SimWorld): void {
  world.syncEverything();
  world.record('note', 'checkpoint', 'setup made durable');
}

/**
 * Whether `value` is plain data that `structuredClone` copies whole: primitives, and plain
 * objects, arrays, Maps, Sets, Dates and typed arrays of them. A class instance would come back
 * without its prototype, its methods gone.
 */
function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (depth > 32) return false;
  if (ArrayBuffer.isView(value) || value instanceof Date) return true;
  const next = (member: unknown): boolean => isPlainData(member, depth + 1);
  if (Array.isArray(value)) return value.every(next);
  if (value instanceof Map) return [...value].every(([key, member]) => next(key) && next(member));
  if (value instanceof Set) return [...value].every(next);
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(next);
}

/** No second looks at a crash. */
const noLooks = { otherStates: false, rot: [] } as const;

/** A look at a power loss that struck at some moment: the disk then, the workload's state then (a copy), and the crash it stands for in each crash state. */
interface PowerLossNow<S> {
  readonly look: CrashToLookAt;
  readonly state: S;
  readonly crashIn: (crashState: number) => TargetCrash;
}

/** Where in a run a crash struck: during (or before) the operation at a position, as the final crash, or in the first open. */
type Moment = Pick<TargetCrash, 'afterOperation' | 'final' | 'firstOpen'>;

/** During the operation at `position`, or the idle time after it. */
function during(position: number): Moment {
  return { afterOperation: position, final: false };
}

/** The first open, before any operation (and before the setup). */
const inFirstOpen: Moment = { afterOperation: 0, final: false, firstOpen: true };

/** A power loss at `moment`, in each crash state. */
function powerLossIn(moment: Moment): (crashState: number) => TargetCrash {
  return (crashState) => ({ kind: 'power-loss', crashState, ...moment });
}

/** A value with a `then` method that is not a native Promise: `await` waits on it all the same. */
function isForeignThenable(value: unknown): boolean {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return false;
  return !(value instanceof Promise) && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * A deep copy of a workload's state, or undefined when it is not plain data (it holds functions
 * or class instances): such a state is then not restored after a crash.
 */
function cloneState<S>(state: S): { readonly state: S } | undefined {
  return isPlainData(state) ? { state: structuredClone(state) } : undefined;
}

/**
 * Bytes that are not text inside a message: a replacement character or a control character,
 * with whatever printable characters lie between two of them and up to three stuck to either
 * end (a library quoting the torn record it choked on); a space or a delimiter ends it, and so
 * does an escape (`\u0000`, which `JSON.stringify` writes for C0 controls but not for C1 ones):
 * a span neither starts inside one nor takes its backslash.
 */
const binarySpan = /(?<!\\u[0-9a-fA-F]{0,3})[^\s,;:'"\\]{0,3}[\uFFFD\u0000-\u0008\u000B-\u001F\u007F-\u009F](?:[^\n]{0,3}[\uFFFD\u0000-\u0008\u000B-\u001F\u007F-\u009F])*[^\s,;:'"\\]{0,3}/g;

/**
 * An error's message for a report: binary garbage a library quoted (a torn record) becomes
 * `<binary>`, so a report stays readable and runs that choked on different garbage group as one
 * root cause.
 */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return (typeof message === 'string' ? message : describeThrown(error)).replace(binarySpan, '<binary>');
}

/** An error by its name and message (`TypeError: ...`), binary spans masked as in {@link messageOf}. */
export function describeCheckError(error: unknown): string {
  return describeError(error).replace(binarySpan, '<binary>');
}


/**
 * Every module `load` returned in this thread (workloads without `loadOnce`): one returned again
 * was not loaded afresh, and may hold a dead process's state (see TargetRun's stuck hints).
 */
const loadedModules = new WeakSet<object>();

/** What `load` returned, per workload with `loadOnce`, in this thread. */
const loadedOnce = new WeakMap<object, Promise<{ readonly value: unknown }>>();

/**
 * Runs one plan of `workload`. Deterministic: the same plan gives the same result and digest.
 * Calls made while another plan runs in this thread wait for it (the facade and the pinned
 * environment are per thread).
 * @throws {@link TargetSetupError} when `load`, `open` or `setup` fails with faults off
 * @throws {@link TargetUnsupportedError} when the library made an fs call the facade does not simulate
 */
export function runTargetPlan<S, L, M>(workload: Workload<S, L, M>, plan: TargetPlan, options: TargetRunOptions = {}): Promise<RunResult> {
  installFacadeRoutes();
  watchNativeAddons();
  return inPinnedTurn(async () => {
    const loaded = workload.loadOnce === true ? await loadOnce(workload) : undefined;
    return new LibraryRun(workload, plan, options, loaded as { readonly value: M } | undefined).execute();
  });
}

/**
 * Loads a `loadOnce` workload's library, once per thread, in a world of its own (seed 0, no
 * faults, the environment pinned), so its module-level code draws the same values in every
 * thread; the world is finished afterwards, and timers the load set never fire.
 */
function loadOnce<S, L, M>(workload: Workload<S, L, M>): Promise<{ readonly value: unknown }> {
  let loaded = loadedOnce.get(workload);
  if (loaded === undefined) {
    loaded = (async () => {
      const world = new SimWorld({ seed: 0, faults: noFaults() });
      const facade = installFacade(world, targetRoot);
      // What the load sets on the global objects stays: it runs once for the thread.
      const restoreEnvironment = pinEnvironment(world, { undoGlobals: false });
      try {
        const outcome = await world.run(async () => workload.load?.());
        if (outcome.outcome === 'done') return { value: outcome.value };
        const detail = outcome.outcome === 'error' ? messageOf(outcome.error) : outcome.outcome;
        throw new TargetSetupError(`${workload.name}: load did not complete: ${detail.split('\n')[0]}${nativeAddonNote()}`);
      } finally {
        world.finish();
        restoreEnvironment();
        facade.uninstall();
      }
    })();
    loadedOnce.set(workload, loaded);
  }
  return loaded;
}

/** A violation reported with `ctx.violate` during a check, waiting for the check to end. */
interface Reported {
  readonly invariant: string;
  readonly message: string;
}

/** One run of a target plan: its state as fields, its parts as methods. */
class LibraryRun<S, L, M> {
  readonly #world: SimWorld;
  readonly #crashStateStream;
  readonly #violations: RunViolation[] = [];
  readonly #crashStates: number[] = [];
  readonly #crashKinds: ('kill-9' | 'power-loss')[] = [];
  readonly #ctx: WorkloadContext<S>;
  readonly #reported: Reported[] = [];
  #library: L | undefined;
  #acknowledged = 0;
  #failedOperations = 0;
  /** The last crash, as the workload sees it (`ctx.crash`). */
  #crash: WorkloadCrash | undefined;
  /** The last crash checked, as the harness describes it (the setup after a crash in the first open names it). */
  #lastCrash: TargetCrash | undefined;
  /** Whether a check (a reopen after a crash, then the invariants) is under way. */
  #checking = false;
  /** Whether `load` gave back a module an earlier incarnation in this thread got: not loaded afresh. */
  #sameModule = false;
  /** The last `open` returned a thenable that is no Promise (see {@link #thenableHint}). */
  #openReturnedThenable = false;
  /** `ctx.state` as it was when the last crash fired, cloned (see {@link #section}). */
  #stateAtCrash: { readonly state: S } | undefined;
  /** The thread's environment pinned to this run's world (set while the run executes). */
  #pin: WorldPin | undefined;
  /** Second looks run (RunResult.looks). */
  #looksRun = 0;
  /** A second look found a violation: the run has failed, and it takes no more looks (as sim/runner.ts). */
  #lookFailed = false;
  /** Crashes that got no looks because the workload's state could not be copied (RunResult.looksSkipped). */
  #looksSkipped = 0;
  /** Deaths of the process by an uncaught exception (RunResult.processDeaths). */
  #processDeaths = 0;
  readonly #rotWatch: RotWatch;
  readonly #powerLossWatch: PowerLossWatch;
  /**
   * While a section with faults on runs (an operation, its idle time, a reopen after a crash):
   * the operation's position, and the crash a power loss in it stands for in each crash state.
   */
  #renameLooksIn: { readonly position: number; readonly crashIn: (crashState: number) => TargetCrash } | undefined;
  /** Looks at a power loss inside the section under way (right after a rename, right before a reopen's fsync after it wrote over durable data), taken when it ends ({@link #renameLooksNow}). */
  #renameLooks: PowerLossNow<S>[] = [];

  constructor(
    private readonly workload: Workload<S, L, M>,
    private readonly plan: TargetPlan,
    private readonly options: TargetRunOptions,
    /** What `load` returned once for the thread, with `loadOnce`. */
    private readonly loaded: { readonly value: M } | undefined,
  ) {
    const world = new SimWorld({
      seed: plan.seed, faults: plan.faults, trace: options.trace ?? 'digest',
      onCrash: () => {
        this.#stateAtCrash = cloneState(this.#ctx.state);
      },
    });
    this.#world = world;
    this.#crashStateStream = world.stream('crash-state');
    this.#ctx = this.#context(world);
    this.#rotWatch = new RotWatch(plan.faults, plan.looks ?? 0);
    // A workload that injects no power loss promises nothing across one (TargetPlan.finalCrash).
    this.#powerLossWatch = new PowerLossWatch(plan.finalCrash === 'kill-9' ? 0 : plan.looks ?? 0);
    world.onUnsyncedRename = () => {
      const section = this.#renameLooksIn;
      if (section === undefined || this.#lookFailed || !this.#powerLossWatch.afterUnsyncedRename(world)) return;
      const now = this.#powerLossNow('rename-unsynced', section.position, section.crashIn);
      if (now !== undefined) this.#renameLooks.push(now);
    };
  }

  #context(world: SimWorld): WorkloadContext<S> {
    const run = this;
    return {
      seed: this.plan.seed,
      root: targetRoot,
      rng: world.stream('workload'),
      state: this.workload.initialState(),
      get crashCount() {
        return run.#crashStates.length;
      },
      get crash() {
        return run.#crash;
      },
      path: (name) => `${targetRoot}/${name}`,
      violate: (invariant, message) => {
        if (!this.#checking) throw new Error(`ctx.violate(${JSON.stringify(invariant)}) outside a check: call it in invariants (or the open after a crash)`);
        this.#reported.push({ invariant: String(invariant), message: messageOf(String(message)) });
      },
    };
  }

  async execute(): Promise<RunResult> {
    const facade = installFacade(this.#world, targetRoot);
    this.#pin = new WorldPin(pinEnvironment, this.#world);
    // The library's rejections nobody handled are the simulated process's: heard while the run
    // lasts, between sections too, and drained before it ends, never the host's (a test
    // runner's own listener took them for its test's failure; a new npm user's lowdb test).
    const hearing = keepHearingUncaught();
    try {
      if (await this.#setup() && await this.#operations()) {
        // The power fails (or, for a workload that injects no power loss, the process is
        // killed) while the process waits for its next request.
        const kind = this.plan.finalCrash ?? 'power-loss';
        this.#world.setPhase('idle');
        this.#world.crashNow(kind);
        await this.#check(kind, { afterOperation: this.plan.operations.length, final: true });
      }
      const refused = facade.core.unsupportedCalls[0];
      if (refused !== undefined) {
        throw new TargetUnsupportedError(`${this.workload.name} seed ${this.plan.seed}: the library called ${refused.call} on '${refused.target}', which the run could not simulate, so it did not test what a real disk would do (${refused.message})`);
      }
      return this.#result();
    } finally {
      // Nothing of this run may run later: its timers, pending I/O and file systems die here.
      this.#world.finish();
      await unhandledRejectionsPending();
      hearing.stop();
      this.#pin?.release();
      facade.uninstall();
    }
  }

  /**
   * Runs `body` as one simulated section, its I/O labelled with `phase`. When a crash ends it,
   * `ctx.state` goes back to what it was when the crash fired: a library that catches the dead
   * process's error and returns lets the workload's code run on and acknowledge what the dead
   * process never wrote (flat-cache swallows every error of its `save`), and nothing a dead
   * process does may count.
   */
  async #section<T>(phase: string, body: () => Promise<T> | T): Promise<RunOutcome<T>> {
    this.#world.setPhase(phase);
    this.#stateAtCrash = undefined;
    const outcome = await this.#world.run(body, { stepsMax: this.plan.stepsMax });
    // Set by onCrash meanwhile (hence the cast: the type checker cannot see it change).
    const atCrash = this.#stateAtCrash as { readonly state: S } | undefined;
    if (outcome.outcome === 'crashed' && atCrash !== undefined) this.#ctx.state = atCrash.state;
    return outcome;
  }

  /** Loads (unless loaded once for the thread) and opens the library. */
  async #open(ctx: WorkloadContext<S> = this.#ctx): Promise<L> {
    const loaded = this.loaded !== undefined ? this.loaded.value : await this.#load();
    if (this.loaded === undefined && this.workload.load !== undefined) this.#noteLoaded(loaded);
    const opened = this.workload.open(ctx, loaded);
    this.#openReturnedThenable = isForeignThenable(opened);
    return opened;
  }

  /**
   * What a stuck open adds when `open` returned a thenable that is not a promise (gun's chain
   * has a `then`): powercut awaits `open`'s value as `await` does, so such a handle is waited on.
   */
  #thenableHint(): string {
    if (!this.#openReturnedThenable) return '';
    return '; open returned an object with a then method (not a Promise), which powercut awaits as await does, and it never settled: return the handle inside an object, e.g. { db } (README "Workload")';
  }

  /** The workload's `load()`; what it throws is said to come from it (a package name misspelt), not from `open`. */
  async #load(): Promise<M> {
    try {
      return (await this.workload.load?.()) as M;
    } catch (error) {
      throw new Error(`load() threw ${describeError(error)}`, { cause: error });
    }
  }

  #noteLoaded(value: unknown): void {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
    if (loadedModules.has(value)) this.#sameModule = true;
    else loadedModules.add(value);
  }

  /**
   * What an open that fails after a crash adds for a `loadOnce` workload: its library's modules
   * outlive every process of the thread, and a second look (a world of its own, whose pinned
   * random numbers start again from the seed) opens it again beside what the dead process left in
   * them (sql.js: a database file of the same random name in its in-memory file system).
   */
  #loadedOnceHint(): string {
    if (this.workload.loadOnce !== true) return '';
    return '; the workload has loadOnce: true, so what a dead process left in the library\'s modules (open files of an in-memory file system, locks, caches) is still there: if the library keeps any such state, drop loadOnce (README "Loading")';
  }

  /** What to tell a user whose library may still hold a dead process's state (see {@link #stuckHint}). */
  #sameModuleHint(): string {
    if (!this.#sameModule) return '';
    return `; load() returned the same module an earlier incarnation in this thread got (import() loads an ES module once per thread), so it still holds what a dead process, maybe of an earlier seed, left in it: load it with freshImport('<package>', import.meta.url) (README "Loading")`;
  }

  /**
   * The first open, then the setup with faults off; with a setup, then makes what both left
   * durable (the starting state the workload asked for). Without one nothing is made durable:
   * what the first open created (a file, its folder) lasts through a power loss only if the
   * library made it durable itself, as every later acknowledgement depends on it. The first open
   * runs under the plan's faults when the plan says so ({@link #firstOpen}), else with faults off.
   * @returns false when the run ended in the first open
   * @throws {@link TargetSetupError} when the open or the setup fails with no fault injected
   */
  async #setup(): Promise<boolean> {
    const world = this.#world;
    if (this.plan.firstOpenFaults === true) {
      if (!await this.#firstOpen()) return false;
    } else {
      world.setFaultsEnabled(false);
      this.#library = this.#setupDone('open', await this.#section('setup', () => this.#open()));
    }
    world.setFaultsEnabled(false);
    if (this.workload.setup !== undefined) {
      const library = this.#library as L;
      const fired = world.faultsFired.length;
      const outcome = await this.#section('setup', () => this.workload.setup!(this.#ctx, library));
      if (outcome.outcome !== 'done' && fired > 0) return this.#setupBroken(outcome);
      this.#setupDone('setup', outcome);
      makeDurable(world);
    }
    world.setFaultsEnabled(true);
    return true;
  }

  /**
   * The first open, the store's creation, under the plan's faults (TargetPlan.firstOpenFaults):
   * a crash there is checked as any other, the library must open again after it (an app killed
   * on its first start must start again); an open an injected error failed is retried with
   * faults off in the same process, as an application's retry loop would, and must open then.
   * An open that fails, hangs or runs out of steps with no fault injected is the workload's
   * own failure, as with faults off.
   * @returns false when the run ended (the library did not open again, or hung)
   */
  async #firstOpen(): Promise<boolean> {
    const world = this.#world;
    world.setFaultsEnabled(true);
    const fired = world.faultsFired.length;
    const open = (): Promise<RunOutcome<L>> => this.#section('first-open', () => this.#open());
    const outcome = await this.#lookingAtRenames(0, powerLossIn(inFirstOpen), open);
    if (outcome.outcome === 'done') {
      this.#library = outcome.value;
      return true;
    }
    if (outcome.outcome === 'crashed') return this.#check(outcome.kind, inFirstOpen);
    if (outcome.outcome === 'error' && outcome.uncaught === true) return this.#processDied(outcome.error, inFirstOpen);
    if (world.faultsFired.length === fired) this.#setupDone('open', outcome);
    if (outcome.outcome !== 'error') return this.#liveness(`the first open ended ${outcome.outcome} after an injected fault${this.#stuckHint(outcome.outcome)}`, inFirstOpen);
    world.setFaultsEnabled(false);
    const again = await open();
    if (again.outcome === 'done') {
      this.#library = again.value;
      return true;
    }
    const detail = (again.outcome === 'error' ? messageOf(again.error) : again.outcome).split('\n')[0]!.slice(0, 160);
    const first = messageOf(outcome.error).split('\n')[0]!.slice(0, 160);
    const crash: TargetCrash = { kind: 'kill-9', crashState: 0, ...inFirstOpen };
    this.#violation('opens', `the library does not open after its first open failed: ${detail}${detail === first ? '' : ` (retried with faults off, in the same process, after the first attempt failed: ${first})`}`, crash, {}, 'in the first open, retried with faults off after an injected fault');
    return false;
  }

  /**
   * A setup that failed with faults off after a fault struck the first open: the library opened
   * again on what the fault left, and cannot be set up there. The store is broken, not the
   * workload: `opens`, as a library that does not open at all (acebase, killed while it wrote
   * its new file, opened it and failed every read of its root record).
   * @returns false: the run ends
   */
  #setupBroken(outcome: RunOutcome<unknown>): false {
    const detail = (outcome.outcome === 'error' ? messageOf(outcome.error) : `ended ${outcome.outcome}`).split('\n')[0]!.slice(0, 160);
    const crash = this.#lastCrash ?? { kind: 'kill-9', crashState: 0, ...inFirstOpen };
    const where = this.#lastCrash === undefined ? 'in the first open, retried with faults off after an injected fault' : describeCrash(crash, this.plan.operations);
    this.#violation('opens', `the library opens again, but its setup then fails: ${detail}`, crash, {}, where);
    return false;
  }

  /**
   * The value of a part of the setup that completed; else the workload's own failure.
   * @throws {@link TargetSetupError} when it did not complete
   */
  #setupDone<T>(what: string, outcome: RunOutcome<T>): T {
    if (outcome.outcome === 'done') return outcome.value;
    // A coding error says so by name: faults were off, so no disk failure explains it (a new
    // user's workload called an export the library does not have, in every seed).
    const coding = outcome.outcome === 'error' && isCodingError(outcome.error);
    const detail = outcome.outcome === 'error' ? `${coding ? `${(outcome.error as Error).name}: ` : ''}${messageOf(outcome.error)}` : outcome.outcome;
    const codingNote = coding ? ` (a coding error, in the workload's ${what} or in the library it calls: no fault was on)` : '';
    const trace = this.#world.trace.events;
    throw new TargetSetupError(`${this.workload.name} seed ${this.plan.seed}: ${what} did not complete with faults off: ${detail.split('\n')[0]}${codingNote}${outcome.outcome === 'stuck' ? `${this.#thenableHint()}${this.#sameModuleHint()}` : ''}${nativeAddonNote(detail)}${consoleTail(trace)}`, trace);
  }

  /** The plan's operations, with a check after every crash. @returns false when the run ended early */
  async #operations(): Promise<boolean> {
    for (const [position, index] of this.plan.operations.entries()) {
      const acknowledged = this.#acknowledged;
      if (!await this.#operation(position, index)) return false;
      if (!await this.#idle(position)) return false;
      await this.#lookBetweenOperations(position + 1, this.#acknowledged > acknowledged);
    }
    return true;
  }

  /**
   * A look at a power loss striking now, between the operation before `position` and the one at
   * `position` (or the run's final power loss, after the last), when {@link PowerLossWatch} wants
   * one: a failed fsync left pages unwritten, or the operation before, which `returned`, left more
   * than new names unsynced (settled on the crash state that keeps nothing unsynced: what the
   * operation promised, its workload's invariants judge). Skipped, and counted, when the
   * workload's state cannot be copied for it; never for a workload that injects no power loss.
   */
  async #lookBetweenOperations(position: number, returned: boolean): Promise<void> {
    if (this.#lookFailed) return;
    const why = this.#powerLossWatch.afterOperation(this.#world, returned);
    const final = position >= this.plan.operations.length;
    const now = why === undefined ? undefined : this.#powerLossNow(why, position, (crashState) => ({ kind: 'power-loss', crashState, afterOperation: position, final, ...(final ? {} : { between: true }) }));
    if (now !== undefined) await this.#lookAgain(now.look, now.crashIn, now.state);
  }

  /**
   * A look at a power loss striking now, for `why`, at operation `position`, standing for the
   * crash `crashIn` names: a copy of the disk and of the workload's state; undefined, and counted
   * as skipped, when the state cannot be copied.
   */
  #powerLossNow(why: PowerLossLook, position: number, crashIn: (crashState: number) => TargetCrash, io?: number): PowerLossNow<S> | undefined {
    const state = cloneState(this.#ctx.state);
    if (state === undefined) {
      this.#looksSkipped++;
      return undefined;
    }
    const disk = this.#world.copyOfDisk();
    const look: CrashToLookAt = {
      disk, kind: 'power-loss', crashIndex: this.#crashStates.length, io: io ?? disk.machine.ioCount,
      primaryState: primaryStateOf(why), primaryKey: undefined, rot: [], beforeStep: { step: position, why },
    };
    return { look, state: state.state, crashIn };
  }

  /**
   * Watches the reopen about to run for looks at a power loss right before its fsyncs that follow
   * writes over durable data, when it begins on writes the crashed process left unsynced
   * (PowerLossWatch.inRecovery), taken with the rename looks when its section ends.
   * @returns what stops watching
   */
  #watchRecovery(world: SimWorld, position: number, crashIn: (crashState: number) => TargetCrash): () => void {
    const unwatch = (): void => {
      world.onSync = undefined;
    };
    const watch = this.#lookFailed ? undefined : this.#powerLossWatch.watchRecovery(world);
    if (watch === undefined) return unwatch;
    world.onSync = (io) => {
      const why = this.#lookFailed ? undefined : this.#powerLossWatch.inRecovery(world, watch);
      const now = why === undefined ? undefined : this.#powerLossNow(why, position, crashIn, io);
      if (now !== undefined) this.#renameLooks.push(now);
    };
    return unwatch;
  }

  /** Takes the looks renames (and a reopen's fsyncs, {@link #watchRecovery}) asked for in the section that just ended. */
  async #renameLooksNow(): Promise<void> {
    const looks = this.#renameLooks;
    this.#renameLooks = [];
    for (const { look, state, crashIn } of looks) await this.#lookAgain(look, crashIn, state);
  }

  /** Runs operation `index` (at `position` in the plan). @returns false when the run ended */
  async #operation(position: number, index: number): Promise<boolean> {
    const workload = this.workload;
    const operation = workload.operations[index % workload.operations.length]!;
    this.#world.setPhase('operation');
    this.#world.record('op', operation.name, String(index));
    this.#world.beginStep(position);
    const library = this.#library as L;
    const firedBefore = this.#world.faultsFired.length;
    const outcome = await this.#lookingAtRenames(position, powerLossIn(during(position)), () => this.#section('operation', () => operation.run(this.#ctx, library, index)));
    if (outcome.outcome === 'done') this.#acknowledged++;
    else if (outcome.outcome === 'error') {
      // An operation that resolved before an error it left unhandled ended the process was acknowledged: its caller saw it succeed.
      if (outcome.returned === true) this.#acknowledged++;
      else {
        this.#world.record('note', 'failed', failureNote(`${operation.name} ${index}`, outcome.error));
        this.#failedOperations++;
      }
      if (outcome.uncaught === true) return this.#processDied(outcome.error, during(position));
      if (isCodingError(outcome.error)) this.#threw(outcome.error, position, `operation ${index} (${operation.name})`, this.#world.faultsFired.slice(firedBefore));
    }
    else if (outcome.outcome === 'crashed') return this.#check(outcome.kind, during(position));
    else return this.#liveness(`operation ${index} (${operation.name}) ended ${outcome.outcome}${this.#stuckHint(outcome.outcome)}`, during(position));
    return true;
  }

  /**
   * Runs `section`, at operation `position`, with looks after unsynced renames on (a power loss in
   * it is the crash `crashIn` names), then takes the looks they asked for.
   */
  async #lookingAtRenames<T>(position: number, crashIn: (crashState: number) => TargetCrash, section: () => Promise<T>): Promise<T> {
    this.#renameLooksIn = { position, crashIn };
    try {
      return await section();
    } finally {
      this.#renameLooksIn = undefined;
      await this.#renameLooksNow();
    }
  }

  /**
   * The workload's `idleMs` of virtual time after an operation: the library's timers due by
   * then fire. @returns false when the run ended
   */
  async #idle(position: number): Promise<boolean> {
    const idleMs = this.workload.idleMs ?? 0;
    if (idleMs <= 0) return true;
    const clock = this.#world.clock;
    const outcome = await this.#lookingAtRenames(position, powerLossIn(during(position)), () => this.#section('idle', () => new Promise<void>((resolve) => {
      clock.setTimer(idleMs, resolve);
    })));
    if (outcome.outcome === 'crashed') return this.#check(outcome.kind, during(position));
    // A library timer that threw: an uncaught exception.
    if (outcome.outcome === 'error') return this.#processDied(outcome.error, during(position));
    if (outcome.outcome !== 'done') return this.#liveness(`the idle time after operation ${position} ended ${outcome.outcome}`, during(position));
    return true;
  }

  /**
   * An exception nobody caught (in a callback, a timer, a tick) or a rejection nobody handled:
   * Node ends the process there, so the simulated one dies too, noted in the trace, leaving the
   * disk as a kill -9 does (the page cache stays), and the library restarts and is checked as
   * after a crash. Going on in a process that would be dead tests states no user can reach (a
   * library whose stream died with the error then waits forever on it). Not a violation by
   * itself: a process manager restarts such a process.
   * @returns false when the run ended
   */
  #processDied(error: unknown, moment: Moment): Promise<boolean> {
    this.#processDeaths++;
    this.#world.record('note', 'uncaught', messageOf(error).split('\n')[0]!);
    // Not a fault powercut fired: the faults-fired counts leave it out.
    this.#world.crashNow('kill-9', false);
    return this.#check('kill-9', moment, undefined, 'uncaught');
  }

  /**
   * Why an operation may wait forever after a crash: a library that keeps a lock or a queue in
   * module-level state, loaded once (an ES module always is, a CommonJS one without
   * `freshRequire`), still holds what the dead process held. Without a crash in this run, that
   * process may be one an earlier seed killed in this thread, when the workload has no `load`:
   * said the same way whatever ran before in the thread, so the message stays deterministic.
   */
  #stuckHint(outcome: string): string {
    if (outcome !== 'stuck') return '';
    const same = this.#sameModuleHint();
    if (same !== '') return `; nothing was left to run (no timer, no I/O)${same}`;
    // Loaded afresh in every incarnation, no dead process's state is left in the library: it
    // waits on something nothing will settle, crash or not (one hint, so one root cause).
    if (this.workload.load !== undefined) return '; nothing was left to run (no timer, no I/O): the library waits on something no I/O or timer will settle (an error it dropped, a callback or event that never comes)';
    if (this.#crashStates.length === 0) {
      return '; nothing was left to run (no timer, no I/O): if the library keeps a lock or queue at module level, a process an earlier seed killed in this thread may still hold it (without load(), its modules are loaded once per thread: load it afresh with freshRequire or freshImport, see README "Loading")';
    }
    return '; nothing was left to run (no timer, no I/O): after a crash this is often a lock or queue the library keeps at module level, held by the dead process (load the library afresh in every incarnation, see README "Loading")';
  }

  /**
   * A section that hung or ran out of steps: a liveness violation, then a kill -9 and its check,
   * and the run ends there. As in an engine's run (sim/runner.ts), what comes after a process
   * that had to be killed is not worth its cost: each operation that hangs again costs the real
   * grace turns a stuck run waits (sim/scheduler.ts), about a second. @returns false
   */
  async #liveness(message: string, moment: Moment): Promise<boolean> {
    const crash: TargetCrash = { kind: 'kill-9', crashState: 0, ...moment };
    // Told where it hung: the kill -9 comes after, because of it.
    const where = moment.firstOpen === true ? 'the first open' : `operation ${this.plan.operations[moment.afterOperation] ?? moment.afterOperation}`;
    this.#violation('liveness', message, crash, {}, `in ${where}, then ended by kill-9`);
    this.#world.crashNow('kill-9');
    await this.#check('kill-9', moment);
    return false;
  }

  /**
   * An operation that rejected with a coding error ({@link isCodingError}): a bug in the library or
   * in the workload, whatever the faults (a library that reads an empty file after a crash and
   * dereferences what is not there, a workload that calls what is not a function). Counted as a
   * failed operation too, and the run goes on.
   */
  #threw(error: unknown, position: number, what: string, firedInIt: readonly ScheduledFault[] = []): void {
    const crash: TargetCrash = { kind: 'kill-9', crashState: 0, afterOperation: position, final: false };
    // After a fault, the error may be how the library met what the fault left (acebase's
    // RangeError on a torn file): still its bug, but not one "no disk failure explains". One the
    // operation itself was told of is more likely its error path's (nedb dereferenced an
    // undefined error of close's while handling a failed fsync's EIO).
    const told = firedInIt.find((fault) => errorFaults.has(fault.kind));
    const why = told !== undefined
      ? `after an injected ${told.kind} at I/O #${told.io} failed a call of this operation: the library's error path should reject with that error, or one of its own, not throw`
      : this.#world.faultsFired.length === 0 && this.#processDeaths === 0
        ? 'not a failure of the disk'
        : 'after faults: a library that meets damaged or missing data should refuse it with an error of its own';
    const frames = thrownAt(error);
    this.#violation('engine-error', `${what} threw ${describeError(error)}: a coding error, in the library or in the workload, ${why}`, crash, frames === undefined ? {} : { thrownAt: frames }, `in ${what}`);
  }

  /**
   * Records a violation found after `crash` (or `where`, when it was not found by a check after a crash).
   * @param extra - the look that found it, where the code under test threw
   */
  #violation(invariant: string, message: string, crash: TargetCrash, extra: Pick<RunViolation, 'look' | 'thrownAt'> = {}, where: string = describeCrash(crash, this.plan.operations), lookWorld?: SimWorld): void {
    // One line, as every report lists it: a library's multi-line message keeps its lines, joined.
    // A power loss that kept a directory's operations out of order, or lost one a failed
    // directory fsync left pending, says so (the look's own, for a look).
    // A short write nothing finished is named whatever the crash: it tears a file by itself.
    // So is a power loss that left bytes nothing wrote past a file's size on disk (posix data order).
    const report = namingWhatFailed(crash.kind === 'power-loss' ? (lookWorld ?? this.#world).lastPowerLoss : undefined, message);
    const note = `${powerLossNote(report)}${unwrittenTailNote(report)}${shortWriteNote(this.#world)}`;
    const described = `${message.trim().replace(/\s*\n\s*/g, ' / ')} (${where})${note}`;
    if (extra.look === undefined && !this.#violations.some((v) => v.look === undefined)) this.options.onFirstViolation?.(this.#world.exportImage());
    this.#violations.push({ invariant, message: described, step: crash.final ? -1 : crash.afterOperation, crash, ...extra });
    this.#world.record('check', invariant, `violated: ${described}`);
  }

  /** Reports what `ctx.violate` collected during the check of `crash`. @returns how many */
  #flushReported(crash: TargetCrash): number {
    const reported = this.#reported.splice(0);
    for (const { invariant, message } of reported) this.#violation(invariant, message, crash);
    return reported.length;
  }

  /** The crash as the workload sees it (`ctx.crash`): crash states only for power losses. */
  #workloadCrash(crash: TargetCrash): WorkloadCrash {
    const stateOf = (kind: 'kill-9' | 'power-loss', crashState: number): number | undefined => (kind === 'power-loss' ? crashState : undefined);
    const index = crash.final || crash.firstOpen === true ? undefined : this.plan.operations[crash.afterOperation];
    const operations = this.workload.operations;
    const reopenCrashes = (crash.reopenCrashes ?? []).map((again) => ({ kind: again.kind, crashState: stateOf(again.kind, again.crashState) }));
    return {
      kind: crash.kind,
      crashState: stateOf(crash.kind, crash.crashState),
      operation: index === undefined ? undefined : { name: operations[index % operations.length]!.name, index },
      final: crash.final,
      firstOpen: crash.firstOpen === true,
      reopenCrashes,
      powerLost: crash.kind === 'power-loss' || reopenCrashes.some((again) => again.kind === 'power-loss'),
    };
  }

  /**
   * After a crash: restart, reopen the library (its own recovery, with faults on: a crash may
   * land there too, and is checked in turn), then check the invariants on it with faults off.
   * @returns false when the library no longer opens (the run ends)
   */
  async #check(kind: 'kill-9' | 'power-loss', moment: Moment, earlier?: TargetCrash, exit?: 'uncaught'): Promise<boolean> {
    const { afterOperation, final } = moment;
    const world = this.#world;
    // Drawn for every crash, used or not, so that the stream's position depends only on the crash count.
    const drawn = this.#crashStateStream.int(targetCrashStates);
    const crashState = this.plan.crashStates?.[this.#crashStates.length] ?? drawn;
    this.#crashStates.push(crashState);
    this.#crashKinds.push(kind);
    const wanted = this.#looksWanted(kind);
    const looked = settleForLooks(world, { kind, crashIndex: this.#crashStates.length - 1, crashState }, wanted.otherStates, wanted.rot);
    this.#powerLossWatch.crashed(world, kind);
    // A crash in the reopen is told as part of the crash whose recovery it interrupted.
    const crashIn = (state: number): TargetCrash => (earlier === undefined
      ? { kind, crashState: state, ...moment, ...(exit === undefined ? {} : { exit }) }
      : { ...earlier, reopenCrashes: [...(earlier.reopenCrashes ?? []), { kind, crashState: state }] });
    const crash = crashIn(crashState);
    if (looked !== undefined) await this.#lookAgain(looked, crashIn);
    this.#crash = this.#workloadCrash(crash);
    this.#lastCrash = crash;
    this.#checking = true;
    try {
      // The restarted process opens the library as a user's would. The final check reopens
      // with faults off (the run ends there), and so does a reopen that crashed too often in
      // a row (a liveness bound).
      const faultsOn = !final && (crash.reopenCrashes?.length ?? 0) < reopenCrashesMax;
      // Off, the faults a plan schedules still fire: a pinned second look's bit flip (pin-look.ts).
      world.setFaultsEnabled(faultsOn || 'scheduled');
      // A power loss inside the reopen is told as part of the crash it recovers from, as the run's own.
      const reopening = (): Promise<RunOutcome<L>> => this.#section('recovery', () => this.#open());
      const inReopen = (crashState: number): TargetCrash => ({ ...crash, reopenCrashes: [...(crash.reopenCrashes ?? []), { kind: 'power-loss', crashState }] });
      const unwatch = faultsOn ? this.#watchRecovery(world, afterOperation, inReopen) : undefined;
      let opened = faultsOn ? await this.#lookingAtRenames(afterOperation, inReopen, () => reopening().finally(unwatch)) : await reopening();
      if (opened.outcome === 'crashed') return await this.#check(opened.kind, moment, crash);
      world.setFaultsEnabled('scheduled');
      // An injected error may fail an open; the library must open once faults stop. The retry
      // runs in the same process, as an application's retry loop would, so what the first
      // attempt left (a lock, a timer) is still there: its error is told too, as the cause.
      const first = opened.outcome === 'error' && faultsOn ? opened.error : undefined;
      if (opened.outcome !== 'done' && faultsOn) opened = await this.#section('recovery', () => this.#open());
      // Native code that never opened the store in this run (its first open crashed) tells
      // nothing of a crash: its I/O goes to the real disk. As with faults off from the start.
      if (opened.outcome !== 'done' && crash.firstOpen === true && nativeAddonsLoaded().length > 0) this.#setupDone('open', opened);
      if (opened.outcome !== 'done') {
        this.#flushReported(crash);
        const detail = opened.outcome === 'error' ? messageOf(opened.error) : opened.outcome;
        const firstDetail = first === undefined ? undefined : messageOf(first).split('\n')[0]!.slice(0, 160);
        const before = firstDetail === undefined || firstDetail === detail.split('\n')[0]!.slice(0, 160) ? '' : ` (retried with faults off, in the same process, after its first open failed: ${firstDetail})`;
        this.#violation('opens', `the library does not open after the crash: ${detail.split('\n')[0]!.slice(0, 160)}${before}${opened.outcome === 'stuck' ? this.#thenableHint() : ''}${this.#loadedOnceHint()}`, crash);
        return false;
      }
      this.#library = opened.value;
      // Before the setup, the store is not yet what the workload's invariants describe.
      if (this.#setUp(crash)) await this.#invariants(crash);
      return true;
    } finally {
      this.#checking = false;
      world.setFaultsEnabled(true);
    }
  }

  /**
   * The second looks the crash happening now gets (sim/second-look.ts): as the plan asks, other
   * crash states of a power loss that can be looked at (`lookable`) and rot (`RotWatch`), if the
   * workload's state can be copied for each look to work on. A crash that would get looks but
   * whose state cannot be copied gets none, and is counted (RunResult.looksSkipped) so that the
   * report says so rather than showing fewer looks.
   */
  #looksWanted(kind: 'kill-9' | 'power-loss'): { readonly otherStates: boolean; readonly rot: readonly RotFault[] } {
    const otherStates = kind === 'power-loss' && (this.plan.looks ?? 0) > 0 && lookable(this.#world);
    const rot = this.#rotWatch.wanted(this.#world);
    if (!otherStates && rot.length === 0) return noLooks;
    if (isPlainData(this.#ctx.state)) return { otherStates, rot };
    this.#looksSkipped++;
    return noLooks;
  }

  /**
   * Second looks at the crash that just settled: other disks a power loss could have left, and
   * the disk with a bit of its newest durable data rotted, as `crash` asks, each reopened and
   * checked with faults off in a world of its own, from a copy of `ctx.state`. The run's own
   * world, state and trace are untouched, except that what a look finds is reported (and
   * traced) as the run's violation.
   */
  async #lookAgain(crash: CrashToLookAt, crashIn: (state: number) => TargetCrash, state: S = this.#ctx.state): Promise<void> {
    if (this.#lookFailed) return;
    for (const { world, place } of disksToLookAt(crash, this.plan.seed, this.plan.looks ?? 0)) {
      const crashOfLook = crashIn(place.crashState);
      this.#looksRun++;
      // Each look works on a copy of the workload's state (#looksWanted made sure it can be copied).
      const reported = await this.#look(world, crashOfLook, cloneState(state)!.state);
      const look = withRotRead(place, world);
      world.finish();
      // Traced as a check, as the run's own checks are; what the look's power loss did to
      // directory operations as notes (nobody reads a look's trace).
      if (reported.length > 0) this.#world.setPhase('check');
      if (reported.length > 0) this.#world.recordPowerLossNotes(world.lastPowerLoss, 'in the look: ');
      for (const { invariant, message } of reported) this.#violation(invariant, `${lookWhere(look, crash)}: ${message}`, crashOfLook, { look }, undefined, world);
      if (reported.length > 0) {
        this.#lookFailed = true;
        return;
      }
    }
  }

  /** One look: the library opened on `world`'s disk and checked, as after `crash`. @returns what it found */
  async #look(world: SimWorld, crash: TargetCrash, state: S): Promise<Reported[]> {
    const reported: Reported[] = [];
    const ctx = this.#lookContext(world, crash, state, reported);
    const options = { stepsMax: this.plan.stepsMax };
    return withFacadeBoundTo(world, () => this.#pin!.aside(world, async () => {
      const opened = await world.run(() => this.#open(ctx), options);
      if (opened.outcome !== 'done') {
        const detail = opened.outcome === 'error' ? messageOf(opened.error) : opened.outcome;
        return [...reported, { invariant: 'opens', message: `the library does not open after the crash: ${detail.split('\n')[0]!.slice(0, 160)}${this.#loadedOnceHint()}` }];
      }
      if (!this.#setUp(crash)) return reported;
      const checked = await world.run(() => this.workload.invariants(ctx, opened.value), options);
      if (checked.outcome === 'error') {
        const error = checked.error;
        reported.push(isInvariantViolation(error) ? { invariant: error.invariant, message: messageOf(error) } : { invariant: 'invariants-threw', message: checkThrewMessage(error, describeCheckError) });
      } else if (checked.outcome !== 'done') {
        reported.push({ invariant: 'liveness', message: `the invariant check ended ${checked.outcome}` });
      }
      return reported;
    }));
  }

  /** The workload's context in a look: the run's, with `state` (a copy of its own), the look's crash, and `violate` collecting into `reported`. */
  #lookContext(world: SimWorld, crash: TargetCrash, state: S, reported: Reported[]): WorkloadContext<S> {
    return {
      seed: this.plan.seed,
      root: targetRoot,
      rng: world.stream('workload'),
      state,
      crashCount: this.#crashStates.length,
      crash: this.#workloadCrash(crash),
      path: (name) => `${targetRoot}/${name}`,
      violate: (invariant, message) => {
        reported.push({ invariant: String(invariant), message: messageOf(String(message)) });
      },
    };
  }

  /**
   * Whether the store is what the workload's invariants describe after `crash`: not after a crash
   * in the first open of a workload with a setup, which has not run yet (only `opens` is checked).
   */
  #setUp(crash: TargetCrash): boolean {
    return crash.firstOpen !== true || this.workload.setup === undefined;
  }

  async #invariants(crash: TargetCrash): Promise<void> {
    const library = this.#library as L;
    const checked = await this.#section('check', () => this.workload.invariants(this.#ctx, library));
    const reported = this.#flushReported(crash);
    if (checked.outcome === 'error') {
      const error = checked.error;
      if (isInvariantViolation(error)) this.#violation(error.invariant, messageOf(error), crash);
      else {
        const frames = thrownAt(error);
        this.#violation('invariants-threw', checkThrewMessage(error, describeCheckError), crash, frames === undefined ? {} : { thrownAt: frames });
      }
    } else if (checked.outcome !== 'done') {
      this.#violation('liveness', `the invariant check ended ${checked.outcome}`, crash);
    } else if (reported === 0) {
      this.#world.record('check', 'invariants', 'ok');
    }
  }

  #result(): RunResult {
    const world = this.#world;
    return {
      unit: this.plan.workload,
      seed: this.plan.seed,
      violations: this.#violations,
      detected: 0,
      faults: { ...world.faultCounts },
      coverage: copyCoverage(world.ioCoverage),
      reach: { ...world.ioReach },
      digest: world.trace.digest(),
      ioCount: world.ioCount,
      crashes: this.#crashStates.length,
      acknowledged: this.#acknowledged,
      failedOperations: this.#failedOperations,
      faultsFired: [...world.faultsFired],
      stepStartIo: Array.from(world.stepStartIo, (io) => io ?? -1),
      unfiredScheduled: world.unfiredScheduled(),
      crashStates: this.#crashStates,
      crashKinds: this.#crashKinds,
      ...(this.#looksRun > 0 ? { looks: this.#looksRun } : {}),
      ...(this.#looksSkipped > 0 ? { looksSkipped: this.#looksSkipped } : {}),
      ...(this.#processDeaths > 0 ? { processDeaths: this.#processDeaths } : {}),
      trace: this.options.trace === 'full' ? [...world.trace.events] : [...world.trace.recent],
    };
  }
}
