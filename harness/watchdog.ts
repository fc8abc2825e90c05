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
 * it) and marks the slot busy, after it marks it idle. A watchdog thread looks at the board every
 * {@link watchPeriodMs}; a slot busy with the same run for longer than the limit is a run that
 * never returned. A worker's is handed to its pool, which ends that worker and reports the run
 * (harness/pool.ts; a library campaign with `--jobs 2` or more runs its seeds in workers only);
 * this thread's, or a worker's nobody handles, ends the process with one line naming it and
 * SIGKILL (exit 137 in a shell), the only way to stop this thread spinning in synchronous code.
 * The cost to a run is one label and two atomic stores.
 *
 * Off unless a command starts it ({@link startWatchdog}; the CLI does, `--seed-timeout`).
 */
import { writeSync } from 'node:fs';
import { isMainThread, Worker } from 'node:worker_threads';
import { deadCallsQuiet, onDeadCalls, thrownAt, wallClockMs } from '../sim/index.ts';
import { reproCommand } from './repro.ts';
import type { BasePlan, Subject } from './subject.ts';

/** Slots on a board: the main thread and up to this many minus one workers at once. */
export const watchSlotsMax = 64;
/** Bytes of a run's label on the board (longer labels are cut). */
export const watchLabelBytesMax = 2048;
/** How often the watchdog looks at the board. */
export const watchPeriodMs = 500;
/** The default limit of one run's wall time, in seconds: an engine's seed takes milliseconds, a heavy library's (PGlite) 4 s alone and 12 s beside another thread; five minutes leaves room for a loaded machine. */
export const seedTimeoutSecDefault = 300;

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
const hungHandlers = new Map<number, (why: string) => void>();

/**
 * Hands runs of the worker at `seat` that never return to `handler` (the worker's pool), until
 * {@link leaveWatchSeat}; without a watchdog, nothing.
 */
export function onHungRun(seat: WatchSeat | undefined, handler: (why: string) => void): void {
  if (seat === undefined || board === undefined || seat.buffer !== board.buffer) return;
  hungHandlers.set(seat.slot, handler);
}

/** What the watchdog thread says of a run that never returned, after its label. */
function hungWords(seconds: number): string {
  return `it has not returned after ${seconds} s of wall time. The code under test never gave the simulated world a turn (a loop in synchronous code or in promise callbacks, which no simulated step budget can stop)`;
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
  const buffer = new SharedArrayBuffer(labelsAt + watchSlotsMax * watchLabelBytesMax);
  // None of the process's flags (`--input-type=module` would make the source an ES module).
  const dog = new Worker(watchdogSource, { eval: true, execArgv: [], workerData: { buffer, slots: watchSlotsMax, wordsPerSlot, labelsAt, labelBytes: watchLabelBytesMax, limitMs: limitSec * 1000, periodMs: watchPeriodMs } });
  dog.on('error', () => undefined);
  // A worker's run that never returned: its pool ends the worker and goes on; without one, the process ends.
  dog.on('message', ({ slot, label, seconds }: { slot: number; label: string; seconds: number }) => {
    const handler = hungHandlers.get(slot);
    if (handler !== undefined) {
      hungHandlers.delete(slot);
      handler(`the run did not return within --seed-timeout (${board?.limitMs === undefined ? '?' : Math.round(board.limitMs / 1000)} s of wall time): the code under test never gave the simulated world a turn (a loop in synchronous code or in promise callbacks, which no simulated step budget can stop); its worker thread was ended and the campaign went on`);
      writeSync(2, `powercut: ${label}: ${hungWords(seconds)}; its worker thread was ended, and the campaign goes on (the run is reported as a liveness violation).\n`);
      return;
    }
    writeSync(2, `powercut: ${label}: ${hungWords(seconds)}, so powercut ends the process here (SIGKILL, exit status 137); raise the limit with --seed-timeout SECONDS if that run is only slow.\n`);
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
  const written = encoder.encodeInto(label(), mine.labels).written;
  Atomics.store(mine.words, at + 1, written);
  Atomics.add(mine.words, at, 1);
  try {
    return await work();
  } finally {
    Atomics.add(mine.words, at, 1);
  }
}

/** `subject` with every run watched, labelled by its seed and the command that reruns it. */
export function watchRuns<P extends BasePlan>(subject: Subject<P>): Subject<P> {
  const label = (plan: P): string => {
    const unit = subject.unitOf(plan);
    const repro = reproCommand(seat?.invocation ?? 'npx powercut', subject, unit, plan.seed);
    // A plan with scheduled faults or chosen crash states is made from the seed's (explore's crash
    // candidates, shrink's): the seed's own plan may pass, so the command that made it is the rerun.
    if ((plan.faults.scheduled?.length ?? 0) > 0 || plan.crashStates !== undefined) {
      return `a run of a plan made from seed ${plan.seed} (${subject.unitWord} ${unit}) by the command running, with its faults placed (an exploration's crash, a shrink's candidate): run that command again; \`${repro}\` runs the seed's own plan, which may pass`;
    }
    return `a run of seed ${plan.seed} (${subject.unitWord} ${unit}); \`${repro}\` runs that seed alone`;
  };
  return { ...subject, run: (plan, options) => watchedRun(() => label(plan), () => subject.run(plan, options)) };
}

/*
 * The watchdog thread, plain JavaScript evaluated as a worker (no module to resolve, compile or
 * ship). It remembers each slot's generation and when it first saw it; a busy slot whose
 * generation has not moved for the limit is a run that never returned.
 */
const watchdogSource = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { buffer, slots, wordsPerSlot, labelsAt, labelBytes, limitMs, periodMs } = workerData;
const words = new Int32Array(buffer, 0, slots * wordsPerSlot);
const seen = new Int32Array(slots);
const since = new Float64Array(slots);
const decoder = new TextDecoder();
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
    if (slot !== 0) {
      // A worker's: the main thread hands it to the worker's pool (or ends the process). Once.
      since[slot] = Infinity;
      parentPort.postMessage({ slot, label, seconds });
      continue;
    }
    writeSync(2, 'powercut: ' + label + ': it has not returned after ' + seconds + ' s of wall time. The code under test never gave the simulated world a turn ' +
      '(a loop in synchronous code or in promise callbacks, which no simulated step budget can stop), so powercut ends the process here (SIGKILL, exit status 137); ' +
      'raise the limit with --seed-timeout SECONDS if that run is only slow.\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, periodMs);
`;
