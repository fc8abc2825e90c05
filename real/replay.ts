/**
 * `powercut replay FILE --real`: runs a simulation plan against the real file system, with a
 * kill -9 in place of each crash.
 *
 * First the plan runs in the simulator with a full trace, which says where it crashes
 * (replay-points.ts). Then its steps run, in order, against the reference engine in a child
 * process (replay-child.ts) on `node:fs`, in a fresh folder. The parent keeps the simulator's
 * oracle (`CommitModel`, sim/model.ts) up to date from the child's acknowledgements, and at each
 * crash point sends SIGKILL, starts a new child, lets it recover and checks the recovered state
 * with `checkRecovered`. Where the kill lands:
 * - a `crash` step: between steps, the child idle;
 * - a crash during step i: as soon as the child reports that it issued step i's calls, so the
 *   kill lands while they are in flight; whether they reached the page cache is up to timing,
 *   and the model holds them in doubt;
 * - a crash during recovery: right after the child reports the recovered state (which is
 *   checked first), since a kill from outside cannot be aimed inside a recovery.
 * After the last step the store closes cleanly, and one more child recovers and is checked.
 *
 * What this cannot do: produce a power loss. A process in user space cannot make the disk lose
 * its volatile cache, so every crash, whatever its simulated kind, is a kill -9, which keeps every
 * page the process wrote: the model then holds the engine to every acknowledged commit, and a
 * missing fsync or a torn write goes unseen. Faults other than crashes (fsync errors, a full
 * disk, bit flips, ...) cannot be injected either; they are listed as skipped. The kill is
 * placed at a step, never at the exact write the simulated crash struck, and timing decides
 * what an in-step kill interrupts, so two replays of one plan need not recover the same state.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../engine/types.ts';
import { referenceEngine } from '../sim/adapters/reference.ts';
import type { ModelViolation } from '../sim/checkers/violation.ts';
import { CommitModel } from '../sim/model.ts';
import type { Plan, PlanOp } from '../sim/plan.ts';
import { runPlan } from '../sim/runner.ts';
import { crashPointsOf, skippedFaultsOf } from './replay-points.ts';
import type { CrashPoint, SkippedFaults } from './replay-points.ts';
import type { WireFailure, WireStep } from './replay-protocol.ts';
import { ReplayChildSession } from './replay-session.ts';
import type { SessionEvent } from './replay-session.ts';

/** The data folder given to {@link replayPlanReal} is not empty (bad input, not a harness failure). */
export class ReplayDirError extends Error {
  override readonly name = 'ReplayDirError';
  readonly code = 'REPLAY_DIR';
}

/** Options of {@link replayPlanReal}. */
export interface RealReplayOptions {
  /** Data folder; must be missing or empty, and is kept. @defaultValue a new temporary folder, removed when nothing was found */
  readonly dir?: string;
  /** Module exporting `openPlanStore` (see replay-protocol.ts). @defaultValue real/engine-store.ts, the reference engine */
  readonly storeModule?: string;
  /** Longest wait for any answer of the child (recovery, a step). @defaultValue 30 000 */
  readonly timeoutMs?: number;
}

/** A violation found on the real disk, with the plan step it was found at (-1: the final recovery). */
export interface RealReplayViolation extends ModelViolation {
  readonly step: number;
}

/** The outcome of {@link replayPlanReal}. */
export interface RealReplayResult {
  /** True when no violation was found and the harness did not fail. */
  readonly ok: boolean;
  readonly scenario: string;
  readonly seed: number;
  /** Plan steps run on the real disk (crash steps included), of `stepsTotal`. */
  readonly stepsRun: number;
  readonly stepsTotal: number;
  /** Every crash point of the plan, each replayed as a SIGKILL (unless the replay stopped first). */
  readonly crashPoints: readonly CrashPoint[];
  /** SIGKILLs actually sent. */
  readonly kills: number;
  /** Faults of the simulated run that cannot be injected on a real disk. */
  readonly skippedFaults: SkippedFaults;
  readonly violations: readonly RealReplayViolation[];
  /** Harness failures: the child died on its own, stalled, or an engine call failed. */
  readonly errors: readonly string[];
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

const engineStoreModule = fileURLToPath(new URL('./engine-store.ts', import.meta.url));
const encoder = new TextEncoder();

function toOps(batch: readonly PlanOp[]): Op[] {
  return batch.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: encoder.encode(op.value) } : { type: 'delete', key: op.key }));
}

/**
 * Replays `plan` on the real disk. See the module comment for what that can and cannot show.
 * @param plan - a plan, as `readPlanFile` returns it or a scenario builds it
 * @returns the crash points replayed, the violations found, and the figures of the run
 * @throws {@link ReplayDirError} when `options.dir` is not empty
 */
export async function replayPlanReal(plan: Plan, options: RealReplayOptions = {}): Promise<RealReplayResult> {
  const simulateStarted = performance.now();
  const simulated = await runPlan(plan, referenceEngine, { trace: 'full' });
  const simulateMs = performance.now() - simulateStarted;
  const crashPoints = replayedCrashPoints(plan, crashPointsOf(plan, simulated));
  const dir = await prepareDir(options.dir);
  const realStarted = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const childArgs = { dir, engine: plan.engine, storeModule: options.storeModule ?? engineStoreModule };

  const model = new CommitModel({ sync: plan.engine.sync });
  const violations: RealReplayViolation[] = [];
  const errors: string[] = [];
  // The plan step being run, which violations are reported at (the first open counts as step 0; -1: the final recovery).
  let at = 0;
  let kills = 0;
  let recoveries = 0;
  let storeFailed = false;
  const add = (found: readonly ModelViolation[]): void => {
    for (const violation of found) violations.push({ ...violation, step: at });
  };
  const harness = (what: string, event: SessionEvent): void => {
    const detail = event.type === 'timeout' ? `no answer within ${timeoutMs} ms` : event.type === 'exit' ? `the child ${event.detail}` : event.type === 'error' ? event.message : `unexpected ${event.type} message`;
    errors.push(`${at >= 0 ? `step ${at}` : 'final recovery'}: ${what}: ${detail}`);
  };

  let child = new ReplayChildSession(childArgs);
  /** Waits for the child's recovered state and checks it. @returns false on a harness failure */
  const recovered = async (): Promise<boolean> => {
    const event = await child.next(timeoutMs);
    if (event.type !== 'ready') {
      harness('the store did not open', event);
      return false;
    }
    const state = new Map(event.state.map(([key, value]) => [key, encoder.encode(value)] as const));
    add(model.checkRecovered(state, event.stats).violations);
    recoveries++;
    storeFailed = false;
    return true;
  };
  /** Starts a new child once the old one is gone, and checks what it recovers. */
  const restart = async (): Promise<boolean> => {
    child = new ReplayChildSession(childArgs);
    return recovered();
  };
  const failed = (what: string, failure: WireFailure): void => {
    // A real disk without injected faults should not fail an engine call: that is the harness's
    // environment (a full disk, permissions) or an engine bug, worth a look either way.
    errors.push(`step ${at}: ${what} failed: ${failure.message}`);
    if (failure.code === 'STORE_FAILED') {
      storeFailed = true;
      model.storeFailed();
    }
  };

  /**
   * Runs one step in the child. `ids` are the model's ids of the step's commits, in call order;
   * `onDone` takes the step's result. With `kill`, SIGKILL goes out as soon as the child has
   * issued the step's calls, and every message it sent before dying is still applied.
   * @returns 'done', 'exited' (after a kill or a close), or 'failed' (harness failure)
   */
  const runStep = async (run: WireStep, ids: readonly number[], kill: boolean, onDone: (value: string | null | undefined, failure: WireFailure | undefined) => void): Promise<'done' | 'exited' | 'failed'> => {
    child.send({ type: 'step', step: at, run });
    const exitExpected = kill || run.op === 'close';
    let done = false;
    for (;;) {
      const event = await child.next(timeoutMs);
      switch (event.type) {
        case 'started':
          if (kill) child.kill();
          break;
        case 'commit':
          add(model.acked(ids[event.batch]!, event.lsn));
          break;
        case 'commit-failed':
          model.rejected(ids[event.batch]!, event.failure.commitOutcome ?? 'unknown');
          failed('commit', event.failure);
          break;
        case 'done':
          done = true;
          onDone(event.value, event.failure);
          if (!exitExpected) return 'done';
          break;
        case 'exit':
          // A child gone before it finished a step it was not killed in died on its own.
          if (exitExpected && (child.killing || done)) return 'exited';
          harness(`${run.op} did not finish`, event);
          return 'failed';
        default:
          harness(run.op, event);
          await child.dispose();
          return 'failed';
      }
    }
  };

  /** Only a close that resolved is a clean close; a rejected one made nothing durable. */
  const closedBy = (failure: WireFailure | undefined): void => {
    if (failure === undefined) model.closed();
    else model.crashed('power-loss');
  };

  const killsBefore = new Map<number, number>();
  const killsInStep = new Set<number>();
  for (const point of crashPoints) {
    if (point.at === 'recovery') killsBefore.set(point.step, (killsBefore.get(point.step) ?? 0) + 1);
    if (point.at === 'in-step') killsInStep.add(point.step);
  }
  /** SIGKILL to an idle child, then a new one recovers. */
  const killIdle = async (): Promise<boolean> => {
    child.kill();
    const event = await child.next(timeoutMs);
    if (event.type !== 'exit') {
      harness('kill -9', event);
      return false;
    }
    kills++;
    model.crashed('kill-9');
    return restart();
  };

  let stepsRun = 0;
  let alive = await recovered();
  for (at = 0; alive && at <= plan.steps.length; at++) {
    for (let k = killsBefore.get(at) ?? 0; alive && k > 0; k--) alive = await killIdle();
    const step = plan.steps[at];
    if (!alive || step === undefined) break;
    if (step.op === 'crash') {
      alive = await killIdle();
    } else {
      const kill = killsInStep.has(at);
      let outcome: 'done' | 'exited' | 'failed';
      if (step.op === 'commit' || step.op === 'concurrent') {
        const batches = step.op === 'commit' ? [step.batch] : step.batches;
        const ids = batches.map((batch) => model.issue(toOps(batch)));
        outcome = await runStep(step.op === 'commit' ? { op: 'commit', batch: step.batch } : { op: 'concurrent', batches: step.batches }, ids, kill, () => undefined);
      } else if (step.op === 'get' || step.op === 'sync') {
        const mark = model.mark();
        const key = step.op === 'get' ? step.key : '';
        outcome = await runStep(step.op === 'get' ? { op: 'get', key } : { op: 'sync' }, [], kill, (value, failure) => {
          if (failure !== undefined) failed(step.op, failure);
          else if (step.op === 'sync') add(model.synced(mark));
          else if (!storeFailed) add(model.checkRead(key, value === null || value === undefined ? undefined : encoder.encode(value), mark));
        });
      } else {
        // checkpoint, or reopen: a clean close (only one that resolved counts), then a new child.
        outcome = await runStep(step.op === 'checkpoint' ? { op: 'checkpoint' } : { op: 'close' }, [], kill, (_value, failure) => {
          if (failure !== undefined) failed(step.op, failure);
          if (step.op === 'reopen') closedBy(failure);
        });
        if (step.op === 'reopen' && !kill && outcome === 'exited') alive = await restart();
      }
      if (outcome === 'failed') {
        alive = false;
      } else if (kill && outcome === 'exited') {
        kills++;
        model.crashed('kill-9');
        alive = await restart();
      } else if (storeFailed) {
        // As in the simulator, a failed store closes and reopens: recovery is its only way back.
        alive = (await runStep({ op: 'close' }, [], false, () => model.closed())) === 'exited' && (await restart());
      }
    }
    if (alive) stepsRun++;
  }

  // The end: a clean close, then one more recovery, checked, and a clean close of that one.
  at = -1;
  if (alive) {
    const closed = await runStep({ op: 'close' }, [], false, (_value, failure) => {
      if (failure !== undefined) failed('the last close', failure);
      closedBy(failure);
    });
    if (closed === 'exited' && (await restart())) await runStep({ op: 'close' }, [], false, () => undefined);
  }
  await child.dispose();

  const counts = model.counts();
  const ok = violations.length === 0 && errors.length === 0;
  const dirKept = !ok || options.dir !== undefined;
  if (!dirKept) await rm(dir, { recursive: true, force: true });
  return {
    ok,
    scenario: plan.scenario,
    seed: plan.seed,
    stepsRun,
    stepsTotal: plan.steps.length,
    crashPoints,
    kills,
    skippedFaults: skippedFaultsOf(simulated),
    violations,
    errors,
    commitsIssued: counts.issued,
    commitsAcknowledged: counts.acknowledged,
    recoveries,
    simulatedViolations: simulated.violations.length,
    dir,
    dirKept,
    simulateMs,
    realMs: performance.now() - realStarted,
  };
}

/** Creates a temporary folder, or checks that the given one is missing or empty. */
async function prepareDir(dir: string | undefined): Promise<string> {
  if (dir === undefined) return mkdtemp(join(tmpdir(), 'powercut-replay-'));
  let names: string[];
  try {
    await mkdir(dir, { recursive: true });
    names = await readdir(dir);
  } catch (error) {
    throw new ReplayDirError(`${dir}: cannot use as the data folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (names.length > 0) throw new ReplayDirError(`${dir} is not empty; replay --real needs an empty data folder`);
  return dir;
}

/**
 * The crash points the replay kills at: those the simulated run reached, plus every `crash` step
 * it did not reach (a simulated run stops early when the store refuses to open or keeps crashing
 * while it recovers); in plan order, kills during a recovery before the step that follows it.
 */
function replayedCrashPoints(plan: Plan, simulated: readonly CrashPoint[]): CrashPoint[] {
  const points = simulated.filter((point) => point.at !== 'crash-step');
  plan.steps.forEach((step, index) => {
    if (step.op === 'crash') points.push({ step: index, simulated: step.kind, at: 'crash-step' });
  });
  const order = (point: CrashPoint): number => point.step * 2 + (point.at === 'recovery' ? 0 : 1);
  return points.sort((a, b) => order(a) - order(b));
}
