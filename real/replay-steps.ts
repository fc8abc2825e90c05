/**
 * The steps of a plan, run on the real disk through a {@link RealRun}, with a SIGKILL at each
 * crash point (replay-points.ts). Where each kill lands:
 * - a `crash` step: between steps, the engine idle;
 * - a crash during step i: as soon as the child has made step i's engine calls, so the kill
 *   lands while they are in flight; whether they reached the page cache is up to timing, and
 *   the model holds them in doubt;
 * - a crash during recovery: right after the recovery answered (and was checked), since a kill
 *   from outside cannot be aimed inside a recovery.
 * A `reopen` is a clean close, then a new child; an `overlap` step makes its calls at once, in
 * order (its `afterMs` delays are virtual time, which the real disk does not have), then a new
 * child if one of them was a close. An engine that failed (code `failed`) is closed
 * and reopened after its step, as the simulator's runner does. Steps the engine cannot run
 * (`sync`, `checkpoint` without the method) are skipped, as the runner skips them. After the
 * last step the engine closes cleanly, and one more child recovers and is checked; then the
 * simulator's liveness phase: that child commits the plan's liveness commits, syncs and closes,
 * and a last child recovers them and is checked (a bug that only the liveness phase showed in the
 * simulator, such as a recovery that skips the first record, shows here too).
 */
import { batchOps, type Plan, type PlanStep } from '../sim/index.ts';
import type { CrashPoint } from './replay-points.ts';
import type { RealCall, RealRun } from './run.ts';

/** Runs one plan's steps on a {@link RealRun}. */
export class PlanReplay {
  /** Kills right after the recovery that precedes step i (crashes during recovery), by step. */
  readonly #killsBefore = new Map<number, number>();
  /** Steps during which the simulated run crashed. */
  readonly #killsInStep = new Set<number>();

  constructor(private readonly plan: Plan, private readonly run: RealRun, crashPoints: readonly CrashPoint[]) {
    for (const point of crashPoints) {
      if (point.at === 'recovery') this.#killsBefore.set(point.step, (this.#killsBefore.get(point.step) ?? 0) + 1);
      if (point.at === 'in-step') this.#killsInStep.add(point.step);
    }
  }

  /**
   * Runs the steps, then the final close and recovery.
   * @returns the steps run to their end (crash steps included)
   */
  async execute(): Promise<number> {
    const { run, plan } = this;
    run.setPlace(0, 'step 0');
    let alive = await this.#restart();
    let stepsRun = 0;
    for (let at = 0; alive && at <= plan.steps.length; at++) {
      run.setPlace(at, `step ${at}`);
      for (let k = this.#killsBefore.get(at) ?? 0; alive && k > 0; k--) alive = await this.#killIdle();
      const step = plan.steps[at];
      if (!alive || step === undefined) break;
      alive = await this.#step(step, this.#killsInStep.has(at));
      if (alive) stepsRun++;
    }
    run.setPlace(-1, 'final recovery');
    if (alive && (await run.close().done) !== 'stopped' && (await this.#restart())) {
      run.setPlace(-1, 'liveness');
      if (await this.#liveness()) await run.close().done;
    }
    return stepsRun;
  }

  /**
   * The simulator's liveness phase (sim/runner.ts): the plan's liveness commits, a sync and a
   * clean close, then a new child that recovers them. @returns whether the engine is open
   */
  async #liveness(): Promise<boolean> {
    const { run, plan } = this;
    for (let i = 0; i < plan.livenessCommits; i++) {
      const result = await run.commit(batchOps([{ type: 'put', key: `live-${i}`, value: `liveness ${plan.seed} ${i}` }])).done;
      if (result === 'stopped') return false;
    }
    if (run.has.sync && (await run.sync().done) === 'stopped') return false;
    return (await run.close().done) !== 'stopped' && this.#restart();
  }

  /** Starts a child and checks its recovery. @returns whether the engine is open */
  async #restart(): Promise<boolean> {
    return (await this.run.start()).kind === 'open';
  }

  async #killIdle(): Promise<boolean> {
    await this.run.kill();
    return this.#restart();
  }

  /** Runs one step, with a kill inside it when `kill`. @returns whether the run goes on */
  async #step(step: PlanStep, kill: boolean): Promise<boolean> {
    const run = this.run;
    if (step.op === 'crash') return this.#killIdle();
    const calls = this.#calls(step);
    if (kill) {
      await Promise.all(calls.map((call) => call.issued));
      if (run.stopped) return false;
      return this.#killIdle();
    }
    const results = await Promise.all(calls.map((call) => call.done));
    if (run.stopped || results.includes('stopped')) return false;
    if (step.op === 'reopen' || (step.op === 'overlap' && step.ops.some((op) => op.op === 'close'))) return this.#restart();
    if (run.storeFailed) {
      // A failed engine is closed and reopened: recovery from disk is its only way back.
      return (await run.close().done) !== 'stopped' && this.#restart();
    }
    return true;
  }

  /** The engine calls of a step, made now, in order. */
  #calls(step: Exclude<PlanStep, { op: 'crash' }>): RealCall[] {
    const run = this.run;
    switch (step.op) {
      case 'commit':
        return [run.commit(batchOps(step.batch))];
      case 'concurrent':
        return step.batches.map((batch) => run.commit(batchOps(batch)));
      case 'get':
        return [run.get(step.key)];
      case 'sync':
        return run.has.sync ? [run.sync()] : [];
      case 'checkpoint':
        return run.has.checkpoint ? [run.checkpoint()] : [];
      case 'reopen':
        return [run.close()];
      case 'overlap':
        return step.ops.flatMap((op) => this.#calls(op.op === 'close' ? { op: 'reopen' } : op.op === 'commit' ? { op: 'commit', batch: op.batch } : op.op === 'get' ? { op: 'get', key: op.key } : { op: op.op }));
    }
  }
}
