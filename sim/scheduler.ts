/**
 * Runs an async main function in the simulated world.
 *
 * The world has three sources of progress: promise continuations (engine code between awaits),
 * I/O completions and timers. I/O with latency off settles as plain promise continuations; with
 * a latency profile each I/O completion is a timer on the {@link SimClock}. The loop is:
 * let every pending continuation run (the barrier), then if main has settled or the process
 * crashed, stop; otherwise fire the next timer, which advances virtual time. Concurrent async
 * calls therefore interleave in an order fixed by the seed: continuations run in FIFO order, and
 * timers in (time, creation) order.
 *
 * Liveness is bounded, never a hang: the step budget counts timer firings and I/O operations,
 * and once exhausted every further I/O of the run never settles, so the engine stops at its
 * next I/O and the scheduler reports `steps-exceeded`. The one thing it cannot bound is code
 * that loops forever without I/O and without awaiting a timer; no engine should do that.
 *
 * The barrier ("let every pending continuation run") comes in two kinds, same order: the
 * default `macrotask` waits for a real event-loop turn (`setImmediate`), after every promise
 * continuation and every `process.nextTick` callback; `tick` waits in a `process.nextTick`,
 * which Node runs as soon as the microtask queue is empty, without going back to the event loop
 * (a macrotask round trip costs several microseconds, and a run crosses the barrier once per
 * timer and per simulated latency). The two agree whenever the code under test queues no
 * `process.nextTick` of its own, as an engine written against the ports does: then a simulated
 * run never returns to the event loop until it ends. Code that does (Node's streams, the
 * library facade, which delivers in ticks) needs `macrotask`, which also drains those ticks.
 *
 * Real work the simulator does not drive: code under test may wait on something only the real
 * event loop completes, such as a dynamic `import()` (under tsx's loader hooks on Node 20 it
 * resolves after real macrotasks, even for a module already loaded) or an `fs` call outside the
 * simulated root. Before reporting `stuck`, the scheduler therefore gives the real event loop
 * up to `realTurnsMax` turns (the first few with `setImmediate`, then 1 ms timers, so roughly a
 * second in all) and goes on as soon as one of them made progress: main settled, a timer was
 * set, an I/O ran, or the process crashed. Determinism caveat: that wait starts only when the
 * simulation is idle (no continuation, no timer), so the real work resumes the run at a point
 * fixed by the seed, and the run is the same in every thread as long as one piece of real work
 * is outstanding at a time and nothing simulated (a timer) is pending meanwhile. With a timer
 * pending, virtual time moves on without waiting for the real work, and where that work lands
 * depends on the real machine's speed; so does whether a run whose real work takes longer than
 * the grace turns ends `stuck`.
 */
import { assert } from '../engine/assert.ts';
import type { SimClock } from './clock.ts';

/** The crashes that end a process at an I/O boundary. */
export type CrashKind = 'kill-9' | 'power-loss';

/** How a simulated run ended. */
export type RunOutcome<T> =
  /** main returned `value`. */
  | { readonly outcome: 'done'; readonly value: T }
  /** A crash fired; main and every pending I/O of the incarnation were abandoned. */
  | { readonly outcome: 'crashed'; readonly kind: CrashKind }
  /**
   * main threw (or rejected with) `error`; or, with `uncaught`, the code under test threw it
   * where nothing caught it (a timer, a callback, a tick) or left it rejected in a promise nobody
   * handled, which would end a real Node process. `returned`: main had resolved by then, so its
   * caller saw it succeed before the process died (a library's write resolved, then a rejection
   * it left unhandled ended the process).
   */
  | { readonly outcome: 'error'; readonly error: unknown; readonly uncaught?: true; readonly returned?: true }
  /** Nothing could make progress: main pending, no timer pending (a deadlock). */
  | { readonly outcome: 'stuck' }
  /** More than `stepsMax` events happened (a liveness failure). */
  | { readonly outcome: 'steps-exceeded' };

/** Options of {@link Scheduler.run}. */
export interface RunOptions {
  /** Most events (timer firings plus I/O operations) the run may take. @defaultValue 1_000_000 */
  readonly stepsMax?: number;
  /**
   * Real event-loop turns given to real work (a dynamic `import()`) before a run with nothing
   * simulated pending is called `stuck` (see the module comment). @defaultValue {@link realTurnsMaxDefault}
   */
  readonly realTurnsMax?: number;
  /**
   * How the scheduler waits for pending continuations (see the module comment): `tick` is exact
   * and cheaper for code that queues no `process.nextTick` itself. @defaultValue 'macrotask'
   */
  readonly barrier?: BarrierKind;
}

/** How the scheduler waits for pending continuations: a real macrotask, or a `process.nextTick`. */
export type BarrierKind = 'macrotask' | 'tick';

/** Default step budget of a run. */
export const stepsMaxDefault = 1_000_000;

let progressListener: (() => void) | undefined;

/**
 * Tells `listener` (undefined: nobody) of every step a running world takes within its budget:
 * the code under test gave the world a turn, so it is not spinning (harness/watchdog.ts measures
 * a spin from the last of these, not from the run's start). Every step, not every so many: code
 * that computes for a second between two I/Os must not look like a spin. A world out of steps
 * never tells: a synchronous loop of calls past the budget is a spin too.
 */
export function onProgress(listener: (() => void) | undefined): void {
  progressListener = listener;
}

/** Default real event-loop turns a seemingly stuck run waits for real work: about a second. */
export const realTurnsMaxDefault = 1000;

/** Grace turns taken with `setImmediate` before the scheduler waits with 1 ms real timers. */
const immediateTurnsMax = 16;

/*
 * The real event-loop primitives, captured when this module loads: while a library runs, the
 * globals are replaced by virtual timers on the world's clock (targets/timers.ts), and the
 * scheduler's own barrier must stay a real macrotask.
 */
const realSetImmediate = globalThis.setImmediate; // allowed: the barrier's real macrotask, see barrier()
const realSetTimeout = globalThis.setTimeout; // allowed: only to wait for real work, see realTurn()
const realNextTick = process.nextTick; // allowed: the `tick` barrier, see tickBarrier()

/**
 * Resolves after every promise continuation pending now, and every one those queue, has run.
 *
 * This is the simulator's only use of a real event-loop primitive. A macrotask is the only way
 * to observe that the microtask queue is empty; the microtask queue itself is FIFO and filled
 * only by simulated code (the engine, the runner and the simulated file system never do real
 * I/O or set real timers), so the state seen when the callback runs is the same in every run
 * and every process, no matter when the real event loop gets to it.
 */
function barrier(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve)); // allowed: a barrier for settled continuations; see above why determinism holds
}

/**
 * Resolves once the microtask queue is empty, without a macrotask: Node runs a tick queued now
 * after every microtask pending, and every one those queue, has run (and before the microtasks
 * the tick's own resolution queues). Exactly the state {@link barrier} sees, unless the code
 * under test queued ticks of its own (see the module comment).
 */
function tickBarrier(): Promise<void> {
  return new Promise((resolve) => realNextTick(resolve)); // allowed: a barrier for settled continuations, no real event involved
}

/** One real event-loop turn for real work: a macrotask, then after a few turns a 1 ms real timer. */
function realTurn(turn: number): Promise<void> {
  if (turn < immediateTurnsMax) return barrier();
  return new Promise((resolve) => realSetTimeout(resolve, 1)); // allowed: waiting for real work only, see the module comment
}

/**
 * Who hears of the uncaught exceptions and unhandled rejections of this thread while simulated
 * code runs: the running schedulers and the drains of {@link unhandledRejectionsPending}. One
 * pair of process listeners serves them all, in place only while someone listens (so outside
 * simulated runs Node's own handling is untouched, and runs in flight at once in one thread do
 * not pile up listeners). With several runs in flight at once in one thread, each hears every
 * error: nothing tells whose code threw, and none may miss it.
 */
const uncaughtHearers = new Set<(error: unknown) => void>();

function tellUncaught(error: unknown): void {
  for (const hearer of uncaughtHearers) hearer(error);
}

/** The events {@link hearUncaught} listens to. */
const uncaughtEvents = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * The host's own listeners of {@link uncaughtEvents}, set aside while simulated code runs: the
 * errors are the simulated process's, and a test runner's listener (node:test, vitest) would
 * take them for its test's failure.
 */
let hostListeners: Map<string, ((...args: unknown[]) => void)[]> | undefined;

/** The process as a plain event emitter: its two uncaught-error events with their listeners as they are. */
const emitter = process as unknown as { listeners(event: string): ((...args: unknown[]) => void)[]; removeAllListeners(event: string): void; on(event: string, listener: (...args: unknown[]) => void): void; off(event: string, listener: (...args: unknown[]) => void): void }; // allowed: the two events hearUncaught manages

/** Lets `hearer` hear of uncaught errors until the returned function is called. */
function hearUncaught(hearer: (error: unknown) => void): () => void {
  if (uncaughtHearers.size === 0) {
    hostListeners = new Map(uncaughtEvents.map((event) => [event, emitter.listeners(event)]));
    for (const event of uncaughtEvents) {
      emitter.removeAllListeners(event); // allowed: only while simulated code runs, put back below
      emitter.on(event, tellUncaught); // allowed: only while simulated code runs, see above
    }
  }
  uncaughtHearers.add(hearer);
  return () => {
    uncaughtHearers.delete(hearer);
    if (uncaughtHearers.size > 0) return;
    for (const event of uncaughtEvents) {
      emitter.off(event, tellUncaught); // allowed: as above
      for (const listener of hostListeners?.get(event) ?? []) emitter.on(event, listener); // allowed: the host's own, put back
    }
    hostListeners = undefined;
  };
}

/**
 * Keeps the process listeners of {@link hearUncaught} in place until `stop` is called, so that
 * the sections of one seed (a run is ~24 of them) add and remove a hearer each instead of the
 * process listeners each time; `heard` keeps what was heard meanwhile, also between sections (a
 * rejection Node reports once a section ended, as when the engine deadlocked right after it).
 */
export function keepHearingUncaught(): { readonly stop: () => void; readonly heard: readonly unknown[] } {
  const heard: unknown[] = [];
  return { stop: hearUncaught((error) => heard.push(error)), heard };
}

/**
 * The rejections nobody handled that are still waiting to be reported: Node reports one only
 * once the tick and microtask queues are empty, which with the `tick` barrier happens after a
 * run, not during it. Gives the real event loop one turn with a listener in place.
 * @returns the rejection reasons (and any uncaught exception), oldest first; none when nothing was pending
 */
export async function unhandledRejectionsPending(): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const stop = hearUncaught((reason) => reasons.push(reason));
  try {
    await barrier();
  } finally {
    stop();
  }
  return reasons;
}

/** The event loop of the simulated world. One per world. */
/** Whether `value` is a promise or another thenable. */
function isThenable<T>(value: Promise<T> | T): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

export class Scheduler {
  readonly #clock: SimClock;
  #crash: CrashKind | undefined;
  #stepsUsed = 0;
  #stepsMax = Infinity;
  #running = false;
  /** The first uncaught exception or unhandled rejection of the code under test in this run. */
  /** What the code under test threw where nothing caught it, and whether main had resolved before (RunOutcome's `returned`). */
  #uncaught: { readonly error: unknown; readonly returned: boolean } | undefined;

  /** @param clock - the world's clock, whose timers are the scheduler's events */
  constructor(clock: SimClock) {
    this.#clock = clock;
  }

  /** The crash that ended the current incarnation, if any. */
  get crash(): CrashKind | undefined {
    return this.#crash;
  }

  /** Whether I/O may still complete: no crash, and the step budget not exhausted. */
  get live(): boolean {
    return this.#crash === undefined && this.#stepsUsed <= this.#stepsMax;
  }

  /**
   * Marks the incarnation as crashed and drops its timers: a dead process has none.
   * The running main, if any, is abandoned at its next await on I/O.
   */
  crashed(kind: CrashKind): void {
    this.#crash ??= kind;
    this.#clock.clear();
  }

  /** Starts a new incarnation after a crash (the world fixes the disk state). */
  restarted(): void {
    this.#crash = undefined;
    this.#clock.clear();
  }

  /**
   * Counts one event against the running budget.
   * @returns false when the budget is exhausted: the caller must not complete its I/O
   */
  step(): boolean {
    if (!this.#running) return true;
    this.#stepsUsed++;
    if (this.#stepsUsed > this.#stepsMax) return false;
    progressListener?.();
    return true;
  }

  /**
   * Runs `main` until it settles, the process crashes, nothing can progress, or the step
   * budget runs out.
   * @throws AssertionError when called while another run is in progress
   */
  async run<T>(main: () => Promise<T> | T, options: RunOptions = {}): Promise<RunOutcome<T>> {
    assert(!this.#running, 'run: no other run is in progress');
    this.#running = true;
    this.#stepsUsed = 0;
    this.#stepsMax = options.stepsMax ?? stepsMaxDefault;
    this.#uncaught = undefined;
    // What the simulated process throws where nobody catches it (a callback, a tick, a promise
    // nobody awaits) would end a real Node process; here it ends the run as a throwing timer
    // does, instead of ending powercut. Rejections surface where Node reports them, when the
    // tick and microtask queues are empty: during a macrotask barrier, or after the run.
    let result: RunOutcome<T> | undefined;
    // An exception is heard where it is thrown, which a real process would not outlive; a
    // rejection once the queues drain, after the continuations of a main that had resolved:
    // only then did main's caller see it succeed.
    const stopHearing = hearUncaught((error) => {
      this.#uncaught ??= { error, returned: result?.outcome === 'done' };
    });
    const realTurnsMax = options.realTurnsMax ?? realTurnsMaxDefault;
    const settle = options.barrier === 'tick' ? tickBarrier : barrier;
    try {
      const started = main();
      // A synchronous `main` (a workload's plain function) is done at once.
      if (isThenable(started)) {
        started.then(
          (value) => { result = { outcome: 'done', value }; },
          (error: unknown) => { result = { outcome: 'error', error }; },
        );
      } else {
        result = { outcome: 'done', value: started };
      }
    } catch (error) {
      result = { outcome: 'error', error };
    }
    try {
      for (;;) {
        await settle();
        // A crash or an exhausted budget wins over main's result: code under test that caught
        // ProcessCrashedError and went on still died there.
        if (this.#crash !== undefined) return { outcome: 'crashed', kind: this.#crash };
        if (this.#stepsUsed > this.#stepsMax) return { outcome: 'steps-exceeded' };
        // Set by the listener above (hence the cast: the type checker cannot see it change).
        const uncaught = this.#uncaught as { readonly error: unknown; readonly returned: boolean } | undefined;
        if (uncaught !== undefined) return { outcome: 'error', error: uncaught.error, uncaught: true, ...(uncaught.returned ? { returned: true } : {}) };
        if (result !== undefined) return result;
        if (this.#clock.nextTimeMs() === undefined) {
          if (await this.#waitForRealWork(() => result !== undefined, realTurnsMax)) continue;
          return { outcome: 'stuck' };
        }
        if (!this.step()) return { outcome: 'steps-exceeded' };
        try {
          this.#clock.fireNext();
        } catch (error) {
          // A timer callback that throws is an uncaught exception.
          return { outcome: 'error', error, uncaught: true };
        }
      }
    } finally {
      stopHearing();
      this.#running = false;
      this.#stepsMax = Infinity;
    }
  }

  /**
   * Gives real work up to `turnsMax` real event-loop turns, while nothing simulated is pending.
   * @returns whether it made progress: main settled, a timer was set, an I/O ran, or a crash
   */
  async #waitForRealWork(settled: () => boolean, turnsMax: number): Promise<boolean> {
    const steps = this.#stepsUsed;
    for (let turn = 0; turn < turnsMax; turn++) {
      await realTurn(turn);
      if (settled() || this.#crash !== undefined || this.#stepsUsed !== steps || this.#clock.nextTimeMs() !== undefined) return true;
    }
    return false;
  }
}
