/**
 * Runs one plan of a library {@link Workload} (targets/plan.ts) in the simulated world, with the
 * fs facade installed: setup (faults off, then made durable), the plan's operations under its
 * faults, and after every crash a restart on a crash state, a fresh `open` (the library's own
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
 * time and random numbers are pinned to the seed while the plan runs (targets/environment.ts),
 * so a seed gives the same run in any process and any thread.
 */
import { installFacade, installFacadeRoutes } from '../facade/index.ts';
import { copyCoverage, type CrashInfo, type RunResult, type RunViolation } from '../sim/index.ts';
import { SimWorld, type RunOutcome, type TraceMode } from '../sim/index.ts';
import { pinEnvironment } from './environment.ts';
import { targetCrashStates, type TargetPlan } from './plan.ts';
import { isInvariantViolation, type Workload, type WorkloadContext } from './workload.ts';

/** Crashes in a row during a library's reopen before it is reopened with faults off. */
export const reopenCrashesMax = 3;

/** The simulated root of every target run. */
export const targetRoot = '/powercut-target';

/** The crash that preceded a check. */
export type TargetCrash = CrashInfo;

/**
 * `after power-loss during operation 3, crash state 4` / `after the final power-loss, crash
 * state 4`, then `, then kill-9 during the reopen, crash state 0` for each crash in recovery.
 */
export function describeCrash(crash: TargetCrash): string {
  const when = crash.final ? `after the final ${crash.kind}` : `after ${crash.kind} during operation ${crash.afterOperation}`;
  const then = (crash.reopenCrashes ?? []).map((again) => `, then ${again.kind} during the reopen, crash state ${again.crashState}`).join('');
  return `${when}, crash state ${crash.crashState}${then}`;
}

/** Options of {@link runTargetPlan}. */
export interface TargetRunOptions {
  /** Keep every trace event. @defaultValue 'digest' */
  readonly trace?: TraceMode;
}

/** The setup could not run with faults off: the workload itself is broken, not the library. */
export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
  readonly code = 'TARGET_SETUP';
}

/** Makes every file and directory entry on the disk durable (after setup). */
function makeDurable(world: SimWorld): void {
  world.syncEverything();
  world.record('note', 'checkpoint', 'setup made durable');
}

function messageOf(error: unknown): string {
  return String((error as Error | undefined)?.message ?? error);
}

/** The end of the queue of plans waiting for this thread's `fs`: one plan runs at a time. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs one plan of `workload`. Deterministic: the same plan gives the same result and digest.
 * Calls made while another plan runs in this thread wait for it (the facade and the pinned
 * environment are per thread).
 * @throws {@link TargetSetupError} when `open` or `setup` fails with faults off
 */
export function runTargetPlan<S, L>(workload: Workload<S, L>, plan: TargetPlan, options: TargetRunOptions = {}): Promise<RunResult> {
  installFacadeRoutes();
  const run = queue.then(() => new LibraryRun(workload, plan, options).execute());
  queue = run.catch(() => undefined);
  return run;
}

/** One run of a target plan: its state as fields, its parts as methods. */
class LibraryRun<S, L> {
  readonly #world: SimWorld;
  readonly #crashStateStream;
  readonly #violations: RunViolation[] = [];
  readonly #crashStates: number[] = [];
  readonly #ctx: WorkloadContext<S>;
  #library: L | undefined;
  #acknowledged = 0;
  #failedOperations = 0;

  constructor(
    private readonly workload: Workload<S, L>,
    private readonly plan: TargetPlan,
    private readonly options: TargetRunOptions,
  ) {
    const world = new SimWorld({ seed: plan.seed, faults: plan.faults, trace: options.trace ?? 'digest' });
    this.#world = world;
    this.#crashStateStream = world.stream('crash-state');
    const crashStates = this.#crashStates;
    this.#ctx = {
      seed: plan.seed,
      root: targetRoot,
      rng: world.stream('workload'),
      state: workload.initialState(),
      get crashCount() {
        return crashStates.length;
      },
      path: (name) => `${targetRoot}/${name}`,
    };
  }

  async execute(): Promise<RunResult> {
    const facade = installFacade(this.#world, targetRoot);
    const restoreEnvironment = pinEnvironment(this.#world);
    try {
      await this.#setup();
      if (await this.#operations()) {
        this.#world.crashNow('power-loss');
        await this.#check('power-loss', this.plan.operations.length, true);
      }
      return this.#result();
    } finally {
      restoreEnvironment();
      facade.uninstall();
      // Nothing of this run may run later: its timers, pending I/O and file systems die here.
      this.#world.finish();
    }
  }

  #section<T>(body: () => Promise<T>): Promise<RunOutcome<T>> {
    return this.#world.run(body, { stepsMax: this.plan.stepsMax });
  }

  /** Opens the library and runs the setup with faults off, then makes what it left durable. */
  async #setup(): Promise<void> {
    const world = this.#world;
    const harness = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
      const outcome = await this.#section(body);
      if (outcome.outcome === 'done') return outcome.value;
      const detail = outcome.outcome === 'error' ? messageOf(outcome.error) : outcome.outcome;
      throw new TargetSetupError(`${this.workload.name} seed ${this.plan.seed}: ${what} did not complete with faults off: ${detail.split('\n')[0]}`);
    };
    world.setFaultsEnabled(false);
    const library = (await harness('open', async () => this.workload.open(this.#ctx))) as L;
    this.#library = library;
    await harness('setup', () => this.workload.setup(this.#ctx, library));
    makeDurable(world);
    world.setFaultsEnabled(true);
  }

  /** The plan's operations, with a check after every crash. @returns false when the run ended early */
  async #operations(): Promise<boolean> {
    const workload = this.workload;
    for (const [position, index] of this.plan.operations.entries()) {
      const operation = workload.operations[index % workload.operations.length]!;
      this.#world.record('op', operation.name, String(index));
      const library = this.#library as L;
      const outcome = await this.#section(() => operation.run(this.#ctx, library, index));
      if (outcome.outcome === 'done') this.#acknowledged++;
      else if (outcome.outcome === 'crashed') {
        if (!await this.#check(outcome.kind, position, false)) return false;
      } else if (outcome.outcome === 'error') this.#failedOperations++;
      else {
        const crash: TargetCrash = { kind: 'kill-9', crashState: 0, afterOperation: position, final: false };
        this.#violation('liveness', `operation ${index} (${operation.name}) ended ${outcome.outcome}`, crash);
        this.#world.crashNow('kill-9');
        if (!await this.#check('kill-9', position, false)) return false;
      }
    }
    return true;
  }

  #violation(invariant: string, message: string, crash: TargetCrash): void {
    const described = `${message} (${describeCrash(crash)})`;
    this.#violations.push({ invariant, message: described, step: crash.final ? -1 : crash.afterOperation, crash });
    this.#world.record('check', invariant, `violated: ${described}`);
  }

  /**
   * After a crash: restart, reopen the library (its own recovery, with faults on: a crash may
   * land there too, and is checked in turn), then check the invariants on it with faults off.
   * @returns false when the library no longer opens (the run ends)
   */
  async #check(kind: 'kill-9' | 'power-loss', afterOperation: number, final: boolean, earlier?: TargetCrash): Promise<boolean> {
    const world = this.#world;
    // Drawn for every crash, used or not, so that the stream's position depends only on the crash count.
    const drawn = this.#crashStateStream.int(targetCrashStates);
    const crashState = this.plan.crashStates?.[this.#crashStates.length] ?? drawn;
    this.#crashStates.push(crashState);
    world.restart({ crashState });
    // A crash in the reopen is told as part of the crash whose recovery it interrupted.
    const crash: TargetCrash = earlier === undefined
      ? { kind, crashState, afterOperation, final }
      : { ...earlier, reopenCrashes: [...(earlier.reopenCrashes ?? []), { kind, crashState }] };
    try {
      // The restarted process opens the library as a user's would. The final check reopens
      // with faults off (the run ends there), and so does a reopen that crashed too often in
      // a row (a liveness bound).
      const faultsOn = !final && (crash.reopenCrashes?.length ?? 0) < reopenCrashesMax;
      world.setFaultsEnabled(faultsOn);
      let opened = await this.#section(async () => this.workload.open(this.#ctx));
      if (opened.outcome === 'crashed') return await this.#check(opened.kind, afterOperation, final, crash);
      world.setFaultsEnabled(false);
      // An injected error may fail an open; the library must open once faults stop.
      if (opened.outcome !== 'done' && faultsOn) opened = await this.#section(async () => this.workload.open(this.#ctx));
      if (opened.outcome !== 'done') {
        const detail = opened.outcome === 'error' ? messageOf(opened.error) : opened.outcome;
        this.#violation('opens', `the library does not open after the crash: ${detail.split('\n')[0]!.slice(0, 160)}`, crash);
        return false;
      }
      this.#library = opened.value as L;
      await this.#invariants(crash);
      return true;
    } finally {
      world.setFaultsEnabled(true);
    }
  }

  async #invariants(crash: TargetCrash): Promise<void> {
    const library = this.#library as L;
    const checked = await this.#section(() => this.workload.invariants(this.#ctx, library));
    if (checked.outcome === 'error') {
      const error = checked.error;
      this.#violation(isInvariantViolation(error) ? error.invariant : 'invariants-threw', messageOf(error), crash);
    } else if (checked.outcome !== 'done') {
      this.#violation('liveness', `the invariant check ended ${checked.outcome}`, crash);
    } else {
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
      digest: world.trace.digest(),
      ioCount: world.ioCount,
      crashes: this.#crashStates.length,
      acknowledged: this.#acknowledged,
      failedOperations: this.#failedOperations,
      faultsFired: [...world.faultsFired],
      crashStates: this.#crashStates,
      trace: this.options.trace === 'full' ? [...world.trace.events] : [...world.trace.recent],
    };
  }
}
