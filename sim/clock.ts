/**
 * Virtual time for the simulated world. Time only moves when the scheduler fires the next timer,
 * so a run takes as long in virtual milliseconds as the engine's timers and the simulated I/O
 * latencies say, whatever the real machine does. Timers fire in (time, creation order): two
 * timers due at the same moment fire in the order they were set, which keeps runs deterministic.
 */
import { assert } from '../engine/assert.ts';
import type { Clock, Timer } from '../engine/ports/clock.ts';

interface TimerEntry {
  readonly timeMs: number;
  readonly seq: number;
  callback: (() => void) | undefined;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}

/**
 * The wall-clock time at virtual time 0, 2020-01-01T00:00:00Z: the time of day a library sees
 * during a run (targets/environment.ts pins it) and the times of its files (facade/times.ts).
 */
export const wallClockEpochMs = Date.UTC(2020, 0, 1);

/** A {@link Clock} over virtual time, driven by the scheduler. */
export class SimClock implements Clock {
  #nowMs = 0;
  #seq = 0;
  #live = 0;
  /** A binary min-heap on (timeMs, seq); cancelled entries are dropped lazily when they surface. */
  readonly #heap: TimerEntry[] = [];

  /** Virtual milliseconds since the start of the run. */
  now(): number {
    return this.#nowMs;
  }

  /**
   * Starts a fresh clock at `nowMs` instead of 0: a world started from a copy of another's disk
   * goes on at the time the copy was taken (a second look at a crash happens when the crash did).
   * @throws AssertionError when the clock has moved or has timers, or `nowMs` is not a natural time
   */
  startAt(nowMs: number): void {
    assert(this.#nowMs === 0 && this.#seq === 0, 'startAt: the clock is fresh');
    assert(Number.isFinite(nowMs) && nowMs >= 0, 'startAt: the time is finite and not negative');
    this.#nowMs = nowMs;
  }

  /**
   * Moves virtual time on by `ms` with no timer pending: the time a crashed process or machine
   * takes to come back ({@link SimWorld.restart}), during which nothing of the simulated world runs.
   * @throws AssertionError when a timer is pending or `ms` is not a natural time
   */
  advance(ms: number): void {
    assert(this.#live === 0, 'advance: no timer is pending');
    assert(Number.isFinite(ms) && ms >= 0, 'advance: the time is finite and not negative');
    this.#nowMs += ms;
  }

  /**
   * Schedules `callback` at now + `delayMs`. A zero delay fires after pending work settles,
   * once the scheduler finds nothing else to do at this instant.
   * @throws AssertionError when `delayMs` is negative or not finite
   */
  setTimer(delayMs: number, callback: () => void): Timer {
    assert(Number.isFinite(delayMs), 'setTimer: the delay is finite');
    assert(delayMs >= 0, 'setTimer: the delay is not negative');
    const entry: TimerEntry = { timeMs: this.#nowMs + delayMs, seq: this.#seq++, callback };
    this.#push(entry);
    this.#live++;
    return {
      cancel: () => {
        if (entry.callback === undefined) return;
        entry.callback = undefined;
        this.#live--;
      },
    };
  }

  /** Number of timers set and neither fired nor cancelled. */
  get pendingCount(): number {
    return this.#live;
  }

  /** The virtual time of the next timer, or undefined when none is pending. */
  nextTimeMs(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.timeMs;
  }

  /**
   * Advances time to the next timer and runs its callback.
   * @returns false when no timer was pending
   */
  fireNext(): boolean {
    this.#dropCancelled();
    const entry = this.#pop();
    if (entry === undefined) return false;
    const callback = entry.callback;
    assert(callback !== undefined, 'fireNext: the surfaced timer is live');
    entry.callback = undefined;
    this.#live--;
    this.#nowMs = entry.timeMs;
    callback();
    return true;
  }

  /**
   * Drops every pending timer without firing it: the process that set them died.
   * Virtual time keeps its value.
   */
  clear(): void {
    for (const entry of this.#heap) entry.callback = undefined;
    this.#heap.length = 0;
    this.#live = 0;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.callback === undefined) this.#pop();
  }

  #push(entry: TimerEntry): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): TimerEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
