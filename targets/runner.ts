/**
 * Runs one plan of a library {@link Workload} (targets/plan.ts) in the simulated world, with the
 * fs facade installed: setup (faults off, then made durable), the plan's operations under its
 * faults, and after every crash a restart on a crash state, a fresh `open` (the library's own
 * recovery, under faults too: a crash there is checked like any other), and the invariants on
 * the reopened library (faults off). Each run ends with one more power loss, so the last acknowledged write is always
 * put to the test.
 *
 * Verifies: the workload's own invariants after every crash, that the library opens again, and
 * that it neither hangs (`stuck`) nor exceeds its step budget. Does not verify: anything between
 * crashes (a library may fail operations on injected faults; that is counted, not a violation).
 *
 * Crash states (sim/disk/crash-policy.ts) come from the plan or are drawn per crash from the
 * seed: 0 random, 1 nothing unsynced kept, 2 everything kept, 3 directory operations kept
 * without unsynced data (exposes a rename before the data was fsynced), 4 unsynced data kept
 * without directory operations (exposes a missing directory fsync). A violation names its crash
 * state, which is how a finding points at the missing step.
 *
 * The facade is process-wide (it replaces this thread's `fs`), so one thread runs one plan at a
 * time; campaigns run targets in worker threads, each with its own `fs`. The process id, the
 * time and random numbers are pinned to the seed while the plan runs (targets/environment.ts),
 * so a seed gives the same run in any process and any thread.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { installFacade } from '../facade/install.ts';
import { FileState } from '../sim/disk/file-state.ts';
import type { DirNode } from '../sim/disk/disk.ts';
import { SimWorld, type ScheduledFault, type TraceMode } from '../sim/world.ts';
import type { FaultKind, TraceEvent, TracePhase } from '../sim/types.ts';
import { pinEnvironment } from './environment.ts';
import { targetCrashStates, type TargetPlan } from './plan.ts';
import { InvariantViolation, type Workload, type WorkloadContext } from './workload.ts';

/** Crashes in a row during a library's reopen before it is reopened with faults off. */
export const reopenCrashesMax = 3;

/** The simulated root of every target run. */
export const targetRoot = '/powercut-target';

/** The crash that preceded a check. */
export interface TargetCrash {
  readonly kind: 'kill-9' | 'power-loss';
  readonly crashState: number;
  /** The position in the plan's operations during which it happened (the count of operations for the final one). */
  readonly afterOperation: number;
  /** The power loss at the end of the run. */
  readonly final: boolean;
  /** Crashes that then landed in the library's own recovery (its reopen), in order, before the check. */
  readonly reopenCrashes?: readonly { readonly kind: 'kill-9' | 'power-loss'; readonly crashState: number }[];
}

/**
 * `after power-loss during operation 3, crash state 4` / `after the final power-loss, crash
 * state 4`, then `, then kill-9 during the reopen, crash state 0` for each crash in recovery.
 */
export function describeCrash(crash: TargetCrash): string {
  const when = crash.final ? `after the final ${crash.kind}` : `after ${crash.kind} during operation ${crash.afterOperation}`;
  const then = (crash.reopenCrashes ?? []).map((again) => `, then ${again.kind} during the reopen, crash state ${again.crashState}`).join('');
  return `${when}, crash state ${crash.crashState}${then}`;
}

/** A broken invariant in one run. */
export interface TargetViolation {
  readonly invariant: string;
  readonly message: string;
  readonly crash: TargetCrash;
}

/** What one run produced. */
export interface TargetRunResult {
  readonly plan: TargetPlan;
  readonly violations: readonly TargetViolation[];
  readonly crashCount: number;
  /** Operations the library acknowledged (their promise resolved). */
  readonly acknowledgedCount: number;
  /** Operations that failed on an injected fault (counted, not a violation). */
  readonly failedOperationCount: number;
  readonly digest: string;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly coverage: Readonly<Record<TracePhase, Record<FaultKind, number>>>;
  /** Every fault injected, replayable as `faults.scheduled` with rates 0. */
  readonly faultsFired: readonly ScheduledFault[];
  /** The crash state each crash settled on, by crash index (replayable as `crashStates`). */
  readonly crashStates: readonly number[];
  /** I/O operations of the whole run. */
  readonly ioCount: number;
  /** Trace events: all with `trace: 'full'`, else the last ones. */
  readonly trace: readonly TraceEvent[];
}

/** Options of {@link runTargetPlan}. */
export interface TargetRunOptions {
  /** Keep every trace event. @defaultValue 'digest' */
  readonly trace?: TraceMode;
}

/** Makes every file and directory entry on the disk durable (after setup). */
function checkpoint(world: SimWorld): void {
  const disk = world.kernel.disk;
  const visit = (dir: DirNode): void => {
    disk.syncDir(dir);
    for (const entry of dir.cache.values()) {
      if (entry instanceof FileState) entry.sync();
      else visit(entry);
    }
  };
  visit(disk.dir('/')!);
  world.record('note', 'checkpoint', 'setup made durable');
}

/** The setup could not run with faults off: the workload itself is broken, not the library. */
export class TargetSetupError extends Error {
  override readonly name = 'TargetSetupError';
}

/** The end of the queue of plans waiting for this thread's `fs`: one plan runs at a time. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs one plan of `workload`. Deterministic: the same plan gives the same result and digest.
 * Calls made while another plan runs in this thread wait for it (the facade and the pinned
 * environment are per thread).
 * @throws {@link TargetSetupError} when `open` or `setup` fails with faults off
 */
export function runTargetPlan<S, L>(workload: Workload<S, L>, plan: TargetPlan, options: TargetRunOptions = {}): Promise<TargetRunResult> {
  const run = queue.then(() => runAlone(workload, plan, options));
  queue = run.catch(() => undefined);
  return run;
}

async function runAlone<S, L>(workload: Workload<S, L>, plan: TargetPlan, options: TargetRunOptions): Promise<TargetRunResult> {
  const world = new SimWorld({ seed: plan.seed, faults: plan.faults, trace: options.trace ?? 'digest' });
  const crashStateStream = world.stream('crash-state');
  const violations: TargetViolation[] = [];
  const crashStates: number[] = [];
  let acknowledgedCount = 0;
  let failedOperationCount = 0;
  const ctx: WorkloadContext<S> = {
    seed: plan.seed,
    root: targetRoot,
    rng: world.stream('workload'),
    state: workload.initialState(),
    get crashCount() {
      return crashStates.length;
    },
    path: (name) => `${targetRoot}/${name}`,
  };
  const result = (): TargetRunResult => ({
    plan, violations, crashCount: crashStates.length, acknowledgedCount, failedOperationCount, digest: world.trace.digest(),
    faults: world.faultCounts, coverage: world.coverage, faultsFired: [...world.faultsFired], crashStates,
    ioCount: world.ioCount, trace: options.trace === 'full' ? [...world.trace.events] : [...world.trace.recent],
  });
  const facade = installFacade(world, targetRoot);
  const restoreEnvironment = pinEnvironment(world);
  try {
    const harness = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
      const outcome = await world.run(body);
      if (outcome.outcome === 'done') return outcome.value;
      const detail = outcome.outcome === 'error' ? String((outcome.error as Error)?.message ?? outcome.error) : outcome.outcome;
      throw new TargetSetupError(`${workload.name} seed ${plan.seed}: ${what} did not complete with faults off: ${detail.split('\n')[0]}`);
    };
    world.setFaultsEnabled(false);
    let library = (await harness('open', async () => workload.open(ctx))) as L;
    await harness('setup', () => workload.setup(ctx, library));
    checkpoint(world);
    world.setFaultsEnabled(true);

    /**
     * After a crash: restart, reopen the library (its own recovery, with faults on: a crash may
     * land there too, and is checked in turn), then check the invariants on it with faults off.
     * @returns false when the library no longer opens (the run ends)
     */
    const check = async (kind: 'kill-9' | 'power-loss', afterOperation: number, final: boolean, earlier?: TargetCrash): Promise<boolean> => {
      // Drawn for every crash, used or not, so that the stream's position depends only on the crash count.
      const drawn = crashStateStream.int(targetCrashStates);
      const crashState = plan.crashStates?.[crashStates.length] ?? drawn;
      crashStates.push(crashState);
      world.restart({ crashState });
      // A crash in the reopen is told as part of the crash whose recovery it interrupted.
      const crash: TargetCrash = earlier === undefined
        ? { kind, crashState, afterOperation, final }
        : { ...earlier, reopenCrashes: [...(earlier.reopenCrashes ?? []), { kind, crashState }] };
      const violation = (invariant: string, message: string): void => {
        violations.push({ invariant, message, crash });
        world.record('check', invariant, `violated: ${message} (${describeCrash(crash)})`);
      };
      try {
        // The restarted process opens the library as a user's would. The final check reopens
        // with faults off (the run ends there), and so does a reopen that crashed too often in
        // a row (a liveness bound).
        const faultsOn = !final && (crash.reopenCrashes?.length ?? 0) < reopenCrashesMax;
        world.setFaultsEnabled(faultsOn);
        let opened = await world.run(async () => workload.open(ctx), { stepsMax: plan.stepsMax });
        if (opened.outcome === 'crashed') return await check(opened.kind, afterOperation, final, crash);
        world.setFaultsEnabled(false);
        // An injected error may fail an open; the library must open once faults stop.
        if (opened.outcome !== 'done' && faultsOn) opened = await world.run(async () => workload.open(ctx), { stepsMax: plan.stepsMax });
        if (opened.outcome !== 'done') {
          const detail = opened.outcome === 'error' ? String((opened.error as Error).message ?? opened.error) : opened.outcome;
          violation('opens', `the library does not open after the crash: ${detail.split('\n')[0]!.slice(0, 160)}`);
          return false;
        }
        library = opened.value as L;
        const checked = await world.run(() => workload.invariants(ctx, library));
        if (checked.outcome === 'error') {
          const error = checked.error;
          violation(error instanceof InvariantViolation ? error.invariant : 'invariants-threw', String((error as Error).message ?? error));
        } else if (checked.outcome !== 'done') {
          violation('liveness', `the invariant check ended ${checked.outcome}`);
        } else {
          world.record('check', 'invariants', 'ok');
        }
        return true;
      } finally {
        world.setFaultsEnabled(true);
      }
    };

    for (const [position, index] of plan.operations.entries()) {
      const operation = workload.operations[index % workload.operations.length]!;
      world.record('op', operation.name, String(index));
      const outcome = await world.run(() => operation.run(ctx, library, index), { stepsMax: plan.stepsMax });
      if (outcome.outcome === 'done') acknowledgedCount++;
      else if (outcome.outcome === 'crashed') {
        if (!await check(outcome.kind, position, false)) return result();
      } else if (outcome.outcome === 'error') failedOperationCount++;
      else {
        const crash: TargetCrash = { kind: 'kill-9', crashState: 0, afterOperation: position, final: false };
        violations.push({ invariant: 'liveness', message: `operation ${index} (${operation.name}) ended ${outcome.outcome}`, crash });
        world.record('check', 'liveness', `violated: operation ${index} (${operation.name}) ended ${outcome.outcome} (${describeCrash(crash)})`);
        world.crashNow('kill-9');
        if (!await check('kill-9', position, false)) return result();
      }
    }
    world.crashNow('power-loss');
    await check('power-loss', plan.operations.length, true);
    return result();
  } finally {
    restoreEnvironment();
    facade.uninstall();
  }
}

/**
 * Loads a workload module (its default export, or an export named `workload`).
 * @param file - a path to a .ts or .js module
 */
export async function loadWorkload(file: string): Promise<Workload<unknown, unknown>> {
  const module = await import(pathToFileURL(resolve(file)).href) as { default?: unknown; workload?: unknown };
  const candidate = (module.default ?? module.workload) as Partial<Workload<unknown, unknown>> | undefined;
  if (candidate === undefined || typeof candidate.open !== 'function' || typeof candidate.invariants !== 'function' || !Array.isArray(candidate.operations)) {
    throw new TypeError(`${file}: the default export is not a workload ({ name, initialState, open, setup, operations, invariants })`);
  }
  return candidate as Workload<unknown, unknown>;
}

