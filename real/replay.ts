/**
 * `powercut replay FILE --real`: runs a simulation plan of any engine against the real file
 * system, with a kill -9 in place of each crash.
 *
 * First the plan runs in the simulator, on the same engine, with a full trace, which says where
 * it crashes (replay-points.ts). Then its steps run in order against the engine in a real child
 * process on `node:fs`, in a fresh folder (replay-steps.ts), judged by the simulator's own
 * oracle (run.ts): the parent keeps the `CommitModel` up to date from the child's answers, sends
 * SIGKILL at each crash point, and checks what every new child recovers.
 *
 * What this cannot do: produce a power loss. A process in user space cannot make the disk lose
 * its volatile cache, so every crash, whatever its simulated kind, is a kill -9, which keeps every
 * page the process wrote: the model then holds the engine to every acknowledged commit, and a
 * missing fsync or a torn write goes unseen. Faults other than crashes (fsync errors, a full
 * disk, bit flips, ...) cannot be injected either; they are listed as skipped. The kill is
 * placed at a step, never at the exact write the simulated crash struck, and timing decides
 * what an in-step kill interrupts, so two replays of one plan need not recover the same state.
 */
import { resolve } from 'node:path';
import type { Plan } from '../sim/index.ts';
import { runPlan } from '../sim/index.ts';
import { loadEngine } from '../subjects/load.ts';
import { prepareDir, removeDir } from './input.ts';
import { crashPointsOf, replayedCrashPoints, skippedFaultsOf, type CrashPoint, type SkippedFaults } from './replay-points.ts';
import { PlanReplay } from './replay-steps.ts';
import { RealRun, type RealViolation } from './run.ts';

/** Options of {@link replayPlanReal}. */
export interface RealReplayOptions {
  /** The engine module, as the user named it. @defaultValue the plan's `engineModule`, else the reference engine */
  readonly engine?: string | undefined;
  /** Data folder; must be missing or empty, and is kept. @defaultValue a new temporary folder, removed when nothing was found */
  readonly dir?: string;
  /** Longest wait for the engine to answer a call (open, a step); a child start may take up to a minute more. @defaultValue 30 000 */
  readonly timeoutMs?: number;
}

/** The outcome of {@link replayPlanReal}. */
export interface RealReplayResult {
  /** True when no violation was found and the harness did not fail. */
  readonly ok: boolean;
  readonly scenario: string;
  readonly seed: number;
  /** The engine's name, and its module as named (absent: the reference engine). */
  readonly engine: string;
  readonly module: string | undefined;
  /** Plan steps run on the real disk (crash steps included), of `stepsTotal`. */
  readonly stepsRun: number;
  readonly stepsTotal: number;
  /** Every crash point of the plan, each replayed as a SIGKILL (unless the replay stopped first). */
  readonly crashPoints: readonly CrashPoint[];
  /** SIGKILLs actually sent. */
  readonly kills: number;
  /** Faults of the simulated run that cannot be injected on a real disk. */
  readonly skippedFaults: SkippedFaults;
  /** Violations, `at` the plan step (-1: the final recovery). */
  readonly violations: readonly RealViolation[];
  /** Harness failures: the child would not start, died unkilled, or did not answer. */
  readonly harnessErrors: readonly string[];
  /** Engine calls that failed (a real disk injects no faults, so each is worth a look). */
  readonly failedCalls: readonly string[];
  readonly commitsIssued: number;
  readonly commitsAcknowledged: number;
  /** Recoveries checked (the first open, one after each kill or reopen, the final one). */
  readonly recoveries: number;
  /** Violations the simulated run itself found (it keeps power loss; the real run cannot). */
  readonly simulatedViolations: number;
  readonly dir: string;
  readonly dirKept: boolean;
  readonly simulateMs: number;
  readonly realMs: number;
}

/**
 * Replays `plan` on the real disk. See the module comment for what that can and cannot show.
 * @param plan - an engine plan, as `readPlanFile` returns it or a scenario builds it
 * @returns the crash points replayed, the violations found, and the figures of the run
 * @throws SubjectLoadError when the engine module cannot be loaded; RealInputError when
 *   `options.dir` is not empty
 */
export async function replayPlanReal(plan: Plan, options: RealReplayOptions = {}): Promise<RealReplayResult> {
  const module = options.engine ?? plan.engineModule;
  const engine = await loadEngine(module);
  const simulateStarted = performance.now();
  const simulated = await runPlan(plan, engine, { trace: 'full' });
  const simulateMs = performance.now() - simulateStarted;
  const crashPoints = replayedCrashPoints(plan, crashPointsOf(plan, simulated));
  const dir = await prepareDir(options.dir, 'powercut-replay-', 'replay --real');
  const realStarted = performance.now();
  const run = new RealRun({
    module: module === undefined ? undefined : resolve(module), dir, config: plan.engine, timeoutMs: options.timeoutMs ?? 30_000,
  });
  const stepsRun = await new PlanReplay(plan, run, crashPoints).execute();
  await run.dispose();
  const counts = run.model.counts();
  const ok = run.violations.length === 0 && run.harnessErrors.length === 0;
  const dirKept = !ok || options.dir !== undefined;
  if (!dirKept) await removeDir(dir);
  return {
    ok, scenario: plan.scenario, seed: plan.seed, engine: engine.name, module,
    stepsRun, stepsTotal: plan.steps.length, crashPoints, kills: run.kills,
    skippedFaults: skippedFaultsOf(simulated),
    violations: run.violations, harnessErrors: run.harnessErrors, failedCalls: run.failedCalls,
    commitsIssued: counts.issued, commitsAcknowledged: counts.acknowledged,
    recoveries: run.recoveries.length, simulatedViolations: simulated.violations.length,
    dir, dirKept, simulateMs, realMs: performance.now() - realStarted,
  };
}
