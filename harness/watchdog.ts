/**
 * The watchdog: names the run that never returns, and ends the process.
 *
 * The simulated world bounds every run it can see (sim/scheduler.ts, the step budget): a run that
 * waits forever on I/O or timers ends as a liveness violation. It cannot stop code that never
 * gives it a turn: a library that spins in a synchronous loop (PGlite after an EIO in its WAL
 * write), an engine whose recovery loops on a zero-length record of a buffer it already read.
 * Such a run holds its thread forever, and a campaign or a CI job hangs without a word.
 *
 * Every thread running seeds (this one and each campaign worker) has a slot on one board in
 * shared memory: before a run it writes the run's label (the seed and the command that reruns
 * it) and marks the slot busy, after it marks it idle, and while busy it moves the slot on at
 * every step its world takes (sim/scheduler.ts `onProgress`). A watchdog
 * thread looks at the board every {@link watchPeriodMs}; a slot busy that has not moved for
 * longer than the limit is a run that gives the world no turn: a spin. The limit is measured
 * from the run's last turn, not from its start, so a long run that keeps doing I/O is never
 * taken for one, and the limit can be short. A worker's is handed to its pool, which ends that
 * worker and reports the run (harness/pool.ts; with `--jobs 2` or more a campaign runs its seeds
 * in workers only); this thread's, or a worker's nobody handles, ends the process with one line
 * naming it and SIGKILL (exit 137 in a shell), the only way to stop this thread spinning in
 * synchronous code. The cost to a run is one label, two atomic stores, and an atomic add a step.
 *
 * Off unless a command starts it ({@link startWatchdog}; the CLI does, `--seed-timeout`).
 */
import { writeSync } from 'node:fs';
import { isMainThread, Worker } from 'node:worker_threads';
import { deadCallsQuiet, onDeadCalls, onProgress, thrownAt, wallClockMs } from '../sim/index.ts';
import { whileEnvReads } from './env-reads.ts';
import { reproCommand } from './repro.ts';
import { exposeSpinSite, spinSiteKey, spinSiteWaitMs } from './spin-site.ts';
import type { BasePlan, Subject } from './subject.ts';

/** Slots on a board: the main thread and up to this many minus one workers at once. */
export const watchSlotsMax = 64;
/** Bytes of a run's label on the board (longer labels are cut). */
export const watchLabelBytesMax = 2048;
/** How often the watchdog looks at the board. */
export const watchPeriodMs = 500;
/**
 * The default limit, in seconds, of the wall time a run may go without giving its world a turn
 * (no I/O, no timer): an engine's seed takes milliseconds in all; a library's longest stretch
 * without one is loading its code (PGlite compiles its WebAssembly in a few seconds, more beside
 * another thread). A minute leaves room for a loaded machine, and a campaign whose code spins in
 * many seeds (an engine's recovery looping on a record it cannot parse) ends in minutes, not hours.
 */
export const seedTimeoutSecDefault = 60;

/*
 * The board: Int32 words first, two per slot (the slot's generation, odd while a run is on it,
 * and its label's length), then each slot's label bytes.
 */
const wordsPerSlot = 2;
const labelsAt = watchSlotsMax * wordsPerSlot * Int32Array.BYTES_PER_ELEMENT;

/** What a worker thread is given to join the board (in its `workerData`). */
export interface WatchSeat {
  readonly buffer: SharedArrayBuffer;
  readonly slot: number;
  /** How printed commands start (cli/invocation.ts). */
  readonly invocation: string;
  /** The limit of one run's wall time. */
  readonly limitMs: number;
}

/** This thread's seat on the board, when a watchdog watches it. */
let seat: { readonly words: Int32Array; readonly labels: Uint8Array; readonly slot: number; readonly invocation: string } | undefined;
/** The main thread's board: its buffer and which slots are taken (slot 0 is this thread's). */
let board: { readonly buffer: SharedArrayBuffer; readonly words: Int32Array; readonly taken: boolean[]; readonly invocation: string; readonly limitMs: number; readonly dog: Worker } | undefined;

const encoder = new TextEncoder();

/** Sits this thread at `given`'s slot: its runs are watched from now on. */
export function joinWatch(given: WatchSeat): void {
  seat = {
    words: new Int32Array(given.buffer, 0, watchSlotsMax * wordsPerSlot),
    labels: new Uint8Array(given.buffer, labelsAt + given.slot * watchLabelBytesMax, watchLabelBytesMax),
    slot: given.slot,
    invocation: given.invocation,
  };
  const words = seat.words;
  const at = given.slot * wordsPerSlot;
  // A turn moves the slot on by two: busy stays busy (odd), idle stays idle (even).
  onProgress(given.limitMs > 0 ? () => { Atomics.add(words, at, 2); } : undefined);
  // Half the limit at most, so that it speaks before the watchdog's own line.
  onDeadCalls(given.limitMs > 0 ? deadCallWatch(Math.min(isMainThread ? deadSpinMs : workerSpinMs, given.limitMs / 2)) : undefined);
}

/**
 * How long a dead process's calls may go on before they are taken for a loop that never ends:
 * calls that unwind after a crash take milliseconds, a retry loop that sleeps goes on for ever.
 */
export const deadSpinMs = 10_000;
/**
 * The same in a campaign worker, where the spin ends only that worker (harness/pool.ts): each
 * spinning seed costs this much of its thread, and a library that retries on any error (pino's
 * sonic-boom) spins in many seeds.
 */
export const workerSpinMs = 3_000;

/**
 * This process and its `kill`, taken when this module loads: during a library workload's run the
 * global ones are the simulated machine's (targets/environment.ts), which signal no real process.
 */
const realPid = process.pid;
const realKill = process.kill.bind(process);

/**
 * The listener of a dead process's calls (sim/disk/sync-port.ts `onDeadCalls`): once they have
 * gone on for `spinMs`, the code under test is retrying the crash in a synchronous loop, which
 * nothing can interrupt. It ends the process as the watchdog does, sooner and saying where: a new
 * user's pino campaign (sonic-boom 4's `flushSync` sleeps and retries on any error) hung for the
 * watchdog's five minutes, and the user found the loop by wrapping `fs.writeSync` by hand.
 */
function deadCallWatch(spinMs: number): (syscall: string, calls: number) => void {
  let since = 0;
  return (syscall, calls) => {
    const now = wallClockMs();
    if (calls === deadCallsQuiet + 1) since = now;
    if (now - since < spinMs) return;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 64;
    const stack = new Error('dead call');
    Error.stackTraceLimit = limit;
    const frames = thrownAt(stack) ?? ['(no frame of the code under test)'];
    const what = `the code under test keeps calling fs after the simulated process died (the last call ${syscall}; each throws ProcessCrashedError): it catches that error and calls again in a synchronous loop, which nothing can interrupt (a retry on any error, as sonic-boom 4's flushSync does)`;
    const from = `The call, from: ${frames.join(' < ')}`;
    if (spinHandler !== undefined) {
      writeSync(2, `powercut: ${currentLabel() ?? 'a run'}: ${what} (${calls} calls in ${Math.round((now - since) / 1000)} s); its worker thread is ended, and the campaign goes on (the run is reported as a liveness violation). ${from}\n`);
      spinHandler(`${what}. ${from}`);
    }
    writeSync(2, `powercut: ${currentLabel() ?? 'a run'}: ${what} (${calls} calls in ${Math.round((now - since) / 1000)} s), so powercut ends the process here (SIGKILL, exit status 137). ${from}\n`);
    realKill(realPid, 'SIGKILL');
  };
}

/**
 * Where a campaign worker hands a run that spins ({@link deadCallWatch}) to its pool instead of
 * ending the process: it tells the pool why and ends its own thread (harness/worker.ts), and the
 * pool reports the run and goes on. Never returns.
 */
let spinHandler: ((why: string) => never) | undefined;

/** Sets (in a campaign worker thread only) what a spinning run hands its cause to; see {@link spinHandler}. */
export function onSpin(handler: ((why: string) => never) | undefined): void {
  if (isMainThread) return;
  spinHandler = handler;
}

/**
 * What the main thread does with a worker whose run never returned, by the worker's slot on the
 * board (the pool ends that worker and reports the run): told by the watchdog thread, which
 * ends the process itself only for this thread's own runs, or for a slot nobody handles.
 */
const hungHandlers = new Map<number, (why: SpinWhy) => void>();

/** The violation's message of a run that spun, given where it spins when that is known (spin-site.ts). */
export type SpinWhy = (frames: readonly string[] | undefined) => string;

/** What a worker's run that gave its world no turn for `limitSec` is reported as. */
function spinWhy(limitSec: number | undefined): SpinWhy {
  const limit = `--seed-timeout (${limitSec === undefined ? '?' : limitSec} s of wall time)`;
  return (frames) => (frames === undefined
    ? `the run gave the simulated world no turn for ${limit}: the code under test spins (a loop in synchronous code or in promise callbacks, which no simulated step budget can stop); its worker thread was ended and the campaign went on`
    : `the run spins in ${frames.join(' < ')}: it gave the simulated world no turn for ${limit} (a loop that no simulated step budget can stop); its worker thread was ended and the campaign went on`);
}

/**
 * Hands runs of the worker at `seat` that never return to `handler` (the worker's pool), until
 * {@link leaveWatchSeat}; without a watchdog, nothing.
 */
export function onHungRun(seat: WatchSeat | undefined, handler: (why: SpinWhy) => void): void {
  if (seat === undefined || board === undefined || seat.buffer !== board.buffer) return;
  hungHandlers.set(seat.slot, handler);
}

/*
 * What the watchdog says of a run that spins, after its label: the seconds go between the two
 * halves. The watchdog thread prints this thread's own line itself (it is given the words).
 */
const hungBefore = 'it has given the simulated world no turn (no I/O, no timer) for ';
const hungAfter = ' s of wall time: the code under test spins{where} (a loop in synchronous code or in promise callbacks, which no simulated step budget can stop)';
/** The end of the line when the run's thread is this one, which only the end of the process stops. */
const endsProcess = ', so powercut ends the process here (SIGKILL, exit status 137); raise the limit with --seed-timeout SECONDS if that code only computes that long between two I/Os.';

/** What the watchdog says of a run that spun for `seconds`, after its label. */
function hungWords(seconds: number): string {
  return `${hungBefore}${seconds}${hungAfter.replace('{where}', '')}`;
}

/** The label of the run this thread's slot is busy with, if any. */
function currentLabel(): string | undefined {
  const mine = seat;
  if (mine === undefined) return undefined;
  const at = mine.slot * wordsPerSlot;
  if ((Atomics.load(mine.words, at) & 1) === 0) return undefined;
  return new TextDecoder().decode(mine.labels.slice(0, Atomics.load(mine.words, at + 1)));
}

/**
 * Starts the watchdog thread: from now on a run of this thread or of a worker started with
 * {@link takeWatchSeat} that lasts longer than `limitSec` of wall time ends the process.
 * @param invocation - how printed commands start
 */
export function startWatchdog(limitSec: number, invocation: string): void {
  if (board !== undefined) return;
  // So that the watchdog thread can ask this thread, paused, where it spins.
  exposeSpinSite();
  const buffer = new SharedArrayBuffer(labelsAt + watchSlotsMax * watchLabelBytesMax);
  // None of the process's flags (`--input-type=module` would make the source an ES module).
  const dog = new Worker(watchdogSource, { eval: true, execArgv: [], workerData: { buffer, slots: watchSlotsMax, wordsPerSlot, labelsAt, labelBytes: watchLabelBytesMax, limitMs: limitSec * 1000, periodMs: watchPeriodMs, hungBefore, hungAfter, endsProcess, spinSiteKey, spinSiteWaitMs } });
  dog.on('error', () => undefined);
  // A worker's run that never returned: its pool ends the worker and goes on; without one, the process ends.
  dog.on('message', ({ slot, label, seconds }: { slot: number; label: string; seconds: number }) => {
    const handler = hungHandlers.get(slot);
    if (handler !== undefined) {
      hungHandlers.delete(slot);
      handler(spinWhy(board === undefined ? undefined : Math.round(board.limitMs / 1000)));
      writeSync(2, `powercut: ${label}: ${hungWords(seconds)}; its worker thread was ended, and the campaign goes on (the run is reported as a liveness violation).\n`);
      return;
    }
    writeSync(2, `powercut: ${label}: ${hungWords(seconds)}${endsProcess}\n`);
    realKill(realPid, 'SIGKILL');
  });
  // The watchdog never keeps the process alive, nor fails it for its own sake (unref'd after
  // its listeners, which would ref it again).
  dog.unref();
  const taken = new Array<boolean>(watchSlotsMax).fill(false);
  taken[0] = true;
  board = { buffer, words: new Int32Array(buffer, 0, watchSlotsMax * wordsPerSlot), taken, invocation, limitMs: limitSec * 1000, dog };
  joinWatch({ buffer, slot: 0, invocation, limitMs: limitSec * 1000 });
}

/** Stops the watchdog (tests; a command's end needs nothing: the thread is unref'd). */
export async function stopWatchdog(): Promise<void> {
  const stopped = board;
  board = undefined;
  seat = undefined;
  onDeadCalls(undefined);
  onProgress(undefined);
  if (stopped !== undefined) await stopped.dog.terminate();
}

/** A free seat for a worker about to start, or undefined when no watchdog runs (or every slot is taken). */
export function takeWatchSeat(): WatchSeat | undefined {
  if (board === undefined) return undefined;
  const slot = board.taken.indexOf(false);
  if (slot < 0) return undefined;
  board.taken[slot] = true;
  return { buffer: board.buffer, slot, invocation: board.invocation, limitMs: board.limitMs };
}

/** The slots of the board marked busy with a run now, by slot number (for tests and diagnostics). */
export function busySlots(): number[] {
  if (board === undefined) return [];
  const busy: number[] = [];
  for (let slot = 0; slot < watchSlotsMax; slot++) if ((Atomics.load(board.words, slot * wordsPerSlot) & 1) === 1) busy.push(slot);
  return busy;
}

/**
 * Gives back a worker's seat once the worker is gone: whatever run it was on is over.
 * @param given - the seat {@link takeWatchSeat} gave (undefined: nothing to do)
 */
export function leaveWatchSeat(given: WatchSeat | undefined): void {
  if (given === undefined || board === undefined || given.buffer !== board.buffer) return;
  const generation = Atomics.load(board.words, given.slot * wordsPerSlot);
  if ((generation & 1) === 1) Atomics.store(board.words, given.slot * wordsPerSlot, generation + 1);
  board.taken[given.slot] = false;
  hungHandlers.delete(given.slot);
}

/**
 * Runs `work` as one watched run labelled `label` (when this thread is watched).
 * @param label - what the watchdog prints if the run never returns, built only when watched
 */
export async function watchedRun<T>(label: () => string, work: () => Promise<T>): Promise<T> {
  const mine = seat;
  if (mine === undefined) return work();
  const at = mine.slot * wordsPerSlot;
  const write = (): void => {
    Atomics.store(mine.words, at + 1, encoder.encodeInto(label(), mine.labels).written);
  };
  write();
  // A switch the run reads (`RING_BUG=...`) belongs in the command the label gives.
  const stopRelabelling = whileEnvReads(write);
  Atomics.add(mine.words, at, 1);
  try {
    return await work();
  } finally {
    Atomics.add(mine.words, at, 1);
    stopRelabelling();
  }
}

/** `subject` with every run watched, labelled by its seed and the command that reruns it. */
export function watchRuns<P extends BasePlan>(subject: Subject<P>): Subject<P> {
  // The plans this subject made from a seed: a scenario's own may schedule faults (wal-append's).
  const seedsOwn = new WeakSet<P>();
  const plan = (unit: string, seed: number): P => {
    const made = subject.plan(unit, seed);
    seedsOwn.add(made);
    return made;
  };
  const label = (plan: P): string => {
    const unit = subject.unitOf(plan);
    const repro = reproCommand(seat?.invocation ?? 'npx powercut', subject, unit, plan.seed);
    // Any other plan with scheduled faults or chosen crash states was made from the seed's
    // (explore's crash candidates, shrink's): the seed's own plan may pass, so the command that
    // made it is the rerun.
    if (!seedsOwn.has(plan) && ((plan.faults.scheduled?.length ?? 0) > 0 || plan.crashStates !== undefined)) {
      return `a run of a plan made from seed ${plan.seed} (${subject.unitWord} ${unit}) by the command running, with its faults placed (an exploration's crash, a shrink's candidate): run that command again; \`${repro}\` runs the seed's own plan, which may pass`;
    }
    return `a run of seed ${plan.seed} (${subject.unitWord} ${unit}); \`${repro}\` runs that seed alone`;
  };
  return { ...subject, plan, run: (plan, options) => watchedRun(() => label(plan), () => subject.run(plan, options)) };
}

/*
 * The watchdog thread, plain JavaScript evaluated as a worker (no module to resolve, compile or
 * ship). It remembers each slot's generation and when it first saw it; a busy slot whose
 * generation has not moved for the limit is a run that gives its world no turn. Before it ends
 * the process for this thread's run, it pauses this thread through the inspector (a session
 * connected to the main thread, whose messages V8 serves by interrupting the running
 * JavaScript), and asks it, paused, where the frames are (spin-site.ts `exposeSpinSite`): the
 * line then says where the code spins. At most `spinSiteWaitMs`; without an inspector, nothing.
 */
const watchdogSource = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { buffer, slots, wordsPerSlot, labelsAt, labelBytes, limitMs, periodMs, hungBefore, hungAfter, endsProcess, spinSiteKey, spinSiteWaitMs } = workerData;
const words = new Int32Array(buffer, 0, slots * wordsPerSlot);
const seen = new Int32Array(slots);
const since = new Float64Array(slots);
const decoder = new TextDecoder();
function whereMainSpins(answer) {
  let finished = false;
  const done = (frames) => {
    if (finished) return;
    finished = true;
    answer(Array.isArray(frames) && frames.length > 0 ? frames : undefined);
  };
  setTimeout(() => done(undefined), spinSiteWaitMs);
  let session;
  try {
    session = new (require('node:inspector').Session)();
    session.connectToMainThread();
  } catch {
    done(undefined);
    return;
  }
  const scripts = new Map();
  session.on('Debugger.scriptParsed', ({ params }) => {
    scripts.set(params.scriptId, { url: params.url, sourceMapURL: params.sourceMapURL || undefined });
  });
  session.on('Debugger.paused', ({ params }) => {
    const frames = params.callFrames.map((frame) => ({ functionName: frame.functionName, location: frame.location }));
    const used = {};
    for (const frame of frames) if (scripts.has(frame.location.scriptId)) used[frame.location.scriptId] = scripts.get(frame.location.scriptId);
    const expression = 'globalThis[Symbol.for(' + JSON.stringify(spinSiteKey) + ')]?.(' + JSON.stringify({ frames, scripts: used }) + ')';
    session.post('Runtime.evaluate', { expression, returnByValue: true }, (error, reply) => done(error ? undefined : reply.result.value));
  });
  session.post('Debugger.enable', (error) => {
    if (error) done(undefined);
    else session.post('Debugger.pause');
  });
}
setInterval(() => {
  const now = Date.now();
  for (let slot = 0; slot < slots; slot++) {
    const generation = Atomics.load(words, slot * wordsPerSlot);
    if (generation !== seen[slot] || (generation & 1) === 0) {
      seen[slot] = generation;
      since[slot] = now;
      continue;
    }
    if (now - since[slot] < limitMs) continue;
    const length = Atomics.load(words, slot * wordsPerSlot + 1);
    const label = decoder.decode(new Uint8Array(buffer, labelsAt + slot * labelBytes, length).slice());
    const seconds = Math.round((now - since[slot]) / 1000);
    // Once per run.
    since[slot] = Infinity;
    if (slot !== 0) {
      // A worker's: the main thread hands it to the worker's pool (or ends the process).
      parentPort.postMessage({ slot, label, seconds });
      continue;
    }
    whereMainSpins((frames) => {
      const where = frames === undefined ? '' : ' in ' + frames.join(' < ');
      writeSync(2, 'powercut: ' + label + ': ' + hungBefore + seconds + hungAfter.replace('{where}', where) + endsProcess + '\\n');
      process.kill(process.pid, 'SIGKILL');
    });
  }
}, periodMs);
`;
