/**
 * One engine on the real disk, across the child processes that run it one after another, judged
 * by the simulator's oracle (`CommitModel`, sim/model.ts). Both real-disk harnesses drive it: the
 * `real` campaign (campaign.ts) and `replay --real` (replay.ts). It starts a child (session.ts),
 * tells the model every commit issued and every answer, sends SIGKILL when the driver says, and
 * checks what every new child recovers.
 *
 * How the real disk maps onto the model:
 * - a SIGKILL is `model.crashed('kill-9')`: the OS keeps the page cache, so every acknowledged
 *   commit must survive, in every durability mode (unless the engine had failed, as the model
 *   knows);
 * - only a close that resolved is a clean close; a rejected one ends the process, which keeps
 *   the page cache as a kill does;
 * - an open refused as `corruption` is `false-corruption` (no fault damages anything here); an
 *   open that throws a programming error is `engine-error`; any other open failure is retried a
 *   few times, then is a `liveness` violation;
 * - the engine's `crashCheck` runs on the raw disk before each recovery after a kill, its
 *   `selfCheck` after each recovery, both read-only (`self-consistency`).
 *
 * What is not the engine's doing is a **harness failure**: a child that will not start, dies
 * when nobody killed it, or does not answer within the timeout. The run then stops.
 */
import type { Op } from '../engine/types.ts';
import { CommitModel } from '../sim/index.ts';
import type { EngineConfig } from '../sim/index.ts';
import type { ModelViolation } from '../sim/index.ts';
import type { Opened, WireFailure } from './protocol.ts';
import { ChildSession, type PendingCall, type Settled } from './session.ts';

/** How many times one open is tried when it fails with an error that may be transient. */
const openAttemptsMax = 3;

/** Options of {@link RealRun}. */
export interface RealRunOptions {
  /** Absolute path of the engine module; absent: the reference engine. */
  readonly module?: string | undefined;
  readonly dir: string;
  readonly config: EngineConfig;
  /** Longest wait for the engine to answer a call. */
  readonly timeoutMs: number;
}

/** A violation, at the place the driver was at ({@link RealRun.setPlace}). */
export interface RealViolation extends ModelViolation {
  /** The driver's index of the place: a cycle, a plan step (-1: the final recovery). */
  readonly at: number;
  /** The place in words: `cycle 3`, `step 12`, `final recovery`. */
  readonly place: string;
}

/** How a call ended for the driver: answered, failed, the child killed under it, or the run stopped. */
export type CallResult = 'ok' | 'failed' | 'gone' | 'stopped';

/** A call in flight: `issued` once the engine call was made, `done` once judged. */
export interface RealCall {
  readonly issued: Promise<boolean>;
  readonly done: Promise<CallResult>;
}

/** How {@link RealRun.start} ended. */
export type StartResult =
  | { readonly kind: 'open' }
  /** Killed as asked; `recovered` when the recovery had answered (and was checked) before the kill. */
  | { readonly kind: 'killed'; readonly recovered: boolean }
  /** The engine refused to open, or the harness failed: the run cannot go on. */
  | { readonly kind: 'stopped' };

/** The figures of one recovery. */
export interface RecoveryFigures {
  /** From fork to the open reply: process start plus recovery. */
  readonly restartMs: number;
  /** `replayStats.recoveryMs`, when reported. */
  readonly recoveryMs?: number | undefined;
  /** `replayStats.truncatedBytes`, when reported. */
  readonly truncatedBytes?: number | undefined;
}

/** Calls that failed, kept for the report; the rest are counted. */
const failedCallsKeptMax = 20;

/** The engine on the real disk, and the model that judges it. See the module comment. */
export class RealRun {
  readonly model: CommitModel;
  readonly violations: RealViolation[] = [];
  readonly harnessErrors: string[] = [];
  /** Engine calls that failed (a real disk injects no faults, so each is worth a look). */
  readonly failedCalls: string[] = [];
  failedCallCount = 0;
  readonly recoveries: RecoveryFigures[] = [];
  kills = 0;
  /** Commits never acknowledged that a recovery found (allowed). */
  recoveredUnacknowledged = 0;
  #at = 0;
  #place = 'start';
  #child: ChildSession | undefined;
  #has = { sync: false, checkpoint: false };
  #storeFailed = false;
  #stopped = false;
  /** A kill happened since the last recovery: the next open runs the engine's crashCheck. */
  #killedSinceOpen = false;

  constructor(private readonly options: RealRunOptions) {
    this.model = new CommitModel({ sync: options.config.sync });
  }

  /** Where findings are reported from now on: the driver's index and its words for it. */
  setPlace(at: number, place: string): void {
    this.#at = at;
    this.#place = place;
  }

  /** The run cannot go on: the engine refused to open, or the harness failed. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The open engine failed (code `failed`); it must be reopened. */
  get storeFailed(): boolean {
    return this.#storeFailed;
  }

  /** Which optional calls the open engine offers. */
  get has(): { readonly sync: boolean; readonly checkpoint: boolean } {
    return this.#has;
  }

  /** Whether a child runs and has not been killed. */
  get alive(): boolean {
    return this.#child !== undefined && !this.#child.killed && !this.#child.gone;
  }

  /**
   * Starts a child, opens the engine and checks what it recovered.
   * @param killAfterMs - send SIGKILL this long after asking it to open (a kill during recovery)
   */
  async start(killAfterMs?: number): Promise<StartResult> {
    const child = new ChildSession({ module: this.options.module, dir: this.options.dir, config: this.options.config }, this.options.timeoutMs);
    this.#child = child;
    const hello = await child.hello();
    if (hello !== 'hello') return this.#childLost(child, 'the child did not start', hello === 'timeout' ? 'start-timeout' : 'gone');
    for (let attempt = 0; attempt < openAttemptsMax; attempt++) {
      const open = child.call({ type: 'open', crashCheck: this.#killedSinceOpen });
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill(), killAfterMs);
      const settled = await open.settled;
      clearTimeout(timer);
      if (settled.kind === 'gone' && child.killed) {
        await this.#afterKill(child);
        return { kind: 'killed', recovered: false };
      }
      if (settled.kind !== 'reply') return this.#childLost(child, 'open', settled.kind);
      if (settled.outcome.ok) {
        this.#recovered(settled.outcome.opened!, child);
        if (!child.killed) return { kind: 'open' };
        // The kill came after the child had answered: the recovery was checked, the kill is idle.
        await this.#afterKill(child);
        return { kind: 'killed', recovered: true };
      }
      if (this.#openFailed(settled.outcome.failure) === 'stop') return this.#refused(child);
    }
    this.#add([{ invariant: 'liveness', message: `the engine did not open in ${openAttemptsMax} attempts on the real disk` }]);
    return this.#refused(child);
  }

  /** Issues one commit: the model learns of it now, in call order, and of its answer later. */
  commit(ops: readonly Op[]): RealCall {
    const id = this.model.issue(ops);
    const call = this.#call({ type: 'commit', ops });
    const done = call.settled.then((settled): CallResult => {
      if (settled.kind !== 'reply') return this.#unanswered(`commit #${id}`, settled);
      if (settled.outcome.ok) {
        this.#add(this.model.acked(id, settled.outcome.lsn));
        return 'ok';
      }
      const failure = settled.outcome.failure;
      this.model.rejected(id, failure.commitOutcome ?? 'unknown');
      this.#noteFailure(`commit #${id}`, failure);
      if (failure.code === 'failed') this.#failed(`commit #${id}: ${failure.message}`);
      return 'failed';
    });
    return { issued: call.issued, done };
  }

  /** Reads one key; the model checks the value against what was acknowledged when the read began. */
  get(key: string): RealCall {
    const mark = this.model.mark();
    return this.#judged('get', this.#call({ type: 'get', key }), (outcome) => {
      if (!this.#storeFailed) this.#add(this.model.checkRead(key, outcome.value ?? undefined, mark));
    });
  }

  /** `sync()`: what was acknowledged when it began must survive from now on. */
  sync(): RealCall {
    const mark = this.model.mark();
    return this.#judged('sync', this.#call({ type: 'sync' }), () => this.#add(this.model.synced(mark)));
  }

  /** `checkpoint()`. */
  checkpoint(): RealCall {
    return this.#judged('checkpoint', this.#call({ type: 'checkpoint' }), () => undefined);
  }

  /** A clean close; `done` once the child has exited. */
  close(): RealCall {
    const child = this.#child;
    let clean = false;
    const call = this.#judged('close', this.#call({ type: 'close' }), () => {
      clean = true;
      this.model.closed();
    });
    const done = call.done.then(async (result) => {
      // A rejected close ends the process all the same, and the OS keeps its pages.
      if (result === 'failed' && !clean) this.model.crashed('kill-9');
      if (child !== undefined && result !== 'stopped') await child.exited;
      if (this.#child === child) this.#child = undefined;
      return result;
    });
    return { issued: call.issued, done };
  }

  /** Sends SIGKILL to the child and waits until it is gone; the model records a kill -9. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.gone) return;
    child.kill();
    await this.#afterKill(child);
  }

  /** Kills the child, if one runs, without telling the model (the end of a run). */
  async dispose(): Promise<void> {
    if (this.#child !== undefined) await this.#dispose(this.#child);
  }

  #call(request: Parameters<ChildSession['call']>[0]): PendingCall {
    const child = this.#child;
    if (child === undefined) return { issued: Promise.resolve(false), settled: Promise.resolve({ kind: 'gone' }) };
    return child.call(request);
  }

  /** Judges a call other than a commit: `onOk` on success; a failure as the runner judges one. */
  #judged(what: string, call: PendingCall, onOk: (outcome: { readonly value?: Uint8Array | null }) => void): RealCall {
    const done = call.settled.then((settled): CallResult => {
      if (settled.kind !== 'reply') return this.#unanswered(what, settled);
      if (settled.outcome.ok) {
        onOk(settled.outcome);
        return 'ok';
      }
      const failure = settled.outcome.failure;
      this.#noteFailure(what, failure);
      if (failure.code === 'failed') this.#failed(`${what}: ${failure.message}`);
      else if (failure.programming) this.#add([{ invariant: 'engine-error', message: `${what} threw ${failure.message}` }]);
      return 'failed';
    });
    return { issued: call.issued, done };
  }

  /** A call the child did not answer: killed under it (expected), or a harness failure. */
  #unanswered(what: string, settled: Exclude<Settled, { kind: 'reply' }>): CallResult {
    const child = this.#child;
    if (settled.kind === 'gone' && (child === undefined || child.killed)) return 'gone';
    if (child !== undefined) void this.#childLost(child, what, settled.kind);
    return 'stopped';
  }

  /** Records a harness failure once per child, and stops the run. */
  async #childLost(child: ChildSession, what: string, how: 'gone' | 'timeout' | 'start-timeout'): Promise<{ kind: 'stopped' }> {
    if (!this.#stopped) {
      const detail = how === 'timeout' ? `no answer within ${this.options.timeoutMs} ms`
        : how === 'start-timeout' ? 'it did not start within a minute' : `the child ${child.exitDetail()}`;
      this.harnessErrors.push(`${this.#place}: ${what}: ${detail}`);
    }
    this.#stopped = true;
    await this.#dispose(child);
    return { kind: 'stopped' };
  }

  /** The engine would not open: a finding, after which the run cannot go on. */
  async #refused(child: ChildSession): Promise<{ kind: 'stopped' }> {
    this.#stopped = true;
    await this.#dispose(child);
    return { kind: 'stopped' };
  }

  async #dispose(child: ChildSession): Promise<void> {
    await child.dispose();
    if (this.#child === child) this.#child = undefined;
  }

  async #afterKill(child: ChildSession): Promise<void> {
    await child.exited;
    // Let the answers delivered before the exit be judged before the model hears of the kill.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#child === child) this.#child = undefined;
    this.kills++;
    this.#killedSinceOpen = true;
    this.#storeFailed = false;
    this.model.crashed('kill-9');
  }

  /** Checks a recovered state, and the engine's own checks of its files. */
  #recovered(opened: Opened, child: ChildSession): void {
    const check = this.model.checkRecovered(new Map(opened.entries), opened.replayStats);
    this.#add(check.violations);
    this.recoveredUnacknowledged += check.present.filter((id) => this.model.statusOf(id) !== 'acked').length;
    if (opened.crashProblems.length > 0) {
      this.#add([{ invariant: 'self-consistency', message: `right after a kill -9: ${opened.crashProblems.join('; ')}` }]);
    }
    if (opened.selfProblems.length > 0) {
      this.#add([{ invariant: 'self-consistency', message: `after recovery the files disagree: ${opened.selfProblems.join('; ')}` }]);
    }
    this.recoveries.push({
      restartMs: performance.now() - child.startedAt,
      recoveryMs: opened.replayStats?.recoveryMs,
      truncatedBytes: opened.replayStats?.truncatedBytes,
    });
    this.#has = opened.has;
    this.#storeFailed = false;
    this.#killedSinceOpen = false;
  }

  /** An open that failed: judged as the simulator's runner judges one. */
  #openFailed(failure: WireFailure): 'retry' | 'stop' {
    if (failure.code === 'corruption') {
      // No fault damaged anything on a real disk: a refusal is false corruption.
      this.#add(this.model.openRefused({ message: failure.message }, false).violations);
      return 'stop';
    }
    if (failure.programming) {
      this.#add([{ invariant: 'engine-error', message: `open threw ${failure.message}` }]);
      return 'stop';
    }
    this.#noteFailure('open', failure);
    return 'retry';
  }

  #failed(cause: string): void {
    this.#storeFailed = true;
    this.model.storeFailed(false, cause);
  }

  #noteFailure(what: string, failure: WireFailure): void {
    this.failedCallCount++;
    if (this.failedCalls.length < failedCallsKeptMax) this.failedCalls.push(`${this.#place}: ${what} failed: ${failure.message}`);
  }

  #add(found: readonly ModelViolation[]): void {
    for (const violation of found) this.violations.push({ ...violation, at: this.#at, place: this.#place });
  }
}
