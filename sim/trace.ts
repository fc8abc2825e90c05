/**
 * The trace of a run: every I/O call, fault, crash and restart, with virtual time and engine
 * phase. Every run computes a 64-bit digest over all events; recording the events themselves is
 * optional. In `digest` mode the last {@link recentEventsMax} events are kept in a ring of raw
 * fields, so tracing an I/O allocates nothing and builds no string; events are turned into
 * {@link TraceEvent}s only when someone asks (an error report).
 */
import type { TraceEvent, TracePhase } from './types.ts';
import { assert } from '../engine/assert.ts';
import { Digest64, hashString } from './digest.ts';

/** `full`: keep every event; `digest`: keep the digest and the last few events. */
export type TraceMode = 'full' | 'digest';

/**
 * A trace's mode: a {@link TraceMode}, or `count`, which keeps only the number of events (and
 * tells the observer): for worlds whose trace nobody reads, a second look's (its findings are
 * reported, and traced, in the run's own world).
 */
export type TraceKeeping = TraceMode | 'count';

/** How many events `digest` mode keeps for error reports. */
export const recentEventsMax = 200;

/** Marks a numeric field as absent. */
export const none = -1;

type EventType = TraceEvent['type'];

const typeCodes: Record<EventType, number> = {
  io: 1, fault: 2, crash: 3, restart: 4, op: 5, check: 6, note: 7,
};

/** One event in raw form: numbers stay numbers until someone reads the event. */
interface Slot {
  seq: number;
  t: number;
  type: EventType;
  name: string;
  phase: TracePhase | undefined;
  path: string | undefined;
  offset: number;
  length: number;
  outcome: string;
  note: string;
}

function detailOf(slot: Slot): string | undefined {
  // The numeric fields mean different things per event type (see SimWorld and the kernel).
  if (slot.type === 'fault') return `io=${slot.offset}${slot.length === none ? '' : ` arg=${slot.length}`}${slot.note === '' ? '' : ` ${slot.note}`}`;
  if (slot.type === 'crash') return `io=${slot.offset}`;
  if (slot.type === 'restart') return slot.offset === none ? undefined : `crashState=${slot.offset}`;
  let detail = '';
  if (slot.offset !== none) detail += `@${slot.offset}`;
  if (slot.length !== none) detail += `${detail === '' ? '' : ' '}len=${slot.length}`;
  if (slot.note !== '') detail += `${detail === '' ? '' : ' '}${slot.note}`;
  if (slot.outcome !== '') detail += `${detail === '' ? '' : ' '}${slot.outcome}`;
  return detail === '' ? undefined : detail;
}

function toEvent(slot: Slot): TraceEvent {
  const detail = detailOf(slot);
  return {
    seq: slot.seq,
    t: slot.t,
    type: slot.type,
    name: slot.name,
    ...(slot.phase === undefined ? {} : { phase: slot.phase }),
    ...(slot.path === undefined ? {} : { path: slot.path }),
    ...(detail === undefined ? {} : { detail }),
  };
}

/** Numeric fields per event in the ring: time, offset, length, type code. */
const numbersPerEvent = 4;
/** String fields per event in the ring: name, phase, path, outcome, note. */
const stringsPerEvent = 5;
const eventTypes = Object.keys(typeCodes) as EventType[];

/** The hash of the last string asked for, kept until another one comes (the same as `hashString`'s). */
class LastHash {
  #last: string | undefined;
  #hash = 0;

  of(s: string): number {
    if (s !== this.#last) {
      this.#last = s;
      this.#hash = hashString(s);
    }
    return this.#hash;
  }
}

/** A run's trace: digest, events in `full` mode, the recent ones in both; only their number in `count` mode. */
export class Trace {
  readonly mode: TraceKeeping;
  readonly #digest = new Digest64();
  readonly #events: TraceEvent[] = [];
  /**
   * The last {@link recentEventsMax} events, raw, in two flat arrays that grow on demand (a
   * short run never allocates all of it) and are then overwritten in a ring: two allocations
   * per run instead of an object per slot.
   */
  readonly #numbers: number[] = [];
  readonly #strings: (string | undefined)[] = [];
  #count = 0;
  /**
   * The hashes of an event's name, phase, path and outcome: consecutive events mostly share them
   * (one handle's operations, one engine phase, `ok`), so each is looked up in the memo of
   * digest.ts once per run of equal ones.
   */
  readonly #name = new LastHash();
  readonly #phase = new LastHash();
  readonly #path = new LastHash();
  readonly #outcome = new LastHash();
  /**
   * Told of every event as it is recorded (the runner counts the I/O a recovery issued with
   * it); observing changes neither the digest nor the events.
   */
  observer: ((type: EventType, name: string, path: string | undefined, outcome: string) => void) | undefined;

  /** @param mode - whether to keep every event, or nothing but their number @defaultValue 'digest' */
  constructor(mode: TraceKeeping = 'digest') {
    this.mode = mode;
  }

  /** Number of events recorded. */
  get length(): number {
    return this.#count;
  }

  /**
   * Records one event. Numeric fields take {@link none} when absent; `outcome` is `ok`, an error
   * code or any short deterministic word (`''` for none); `note` is an optional qualifier shown
   * before the outcome (a facade open's `flags=w`).
   */
  record(
    type: EventType,
    name: string,
    t: number,
    phase: TracePhase | undefined,
    path: string | undefined,
    offset: number,
    length: number,
    outcome: string,
    note = '',
  ): void {
    if (this.mode === 'count') {
      this.#count++;
      this.observer?.(type, name, path, outcome);
      return;
    }
    const d = this.#digest;
    d.int(typeCodes[type]);
    d.number(t);
    d.int(this.#name.of(name));
    d.int(this.#phase.of(phase ?? ''));
    d.int(this.#path.of(path ?? ''));
    d.number(offset);
    d.number(length);
    d.int(this.#outcome.of(outcome));
    // Hashed only when present, so traces that never carry a note (the engine's, whose
    // digests are pinned by regression tests and published figures) keep their digests.
    if (note !== '') d.string(note);
    const slot = this.#count % recentEventsMax;
    const n = slot * numbersPerEvent;
    const numbers = this.#numbers;
    numbers[n] = t;
    numbers[n + 1] = offset;
    numbers[n + 2] = length;
    numbers[n + 3] = typeCodes[type];
    const k = slot * stringsPerEvent;
    const strings = this.#strings;
    strings[k] = name;
    strings[k + 1] = phase;
    strings[k + 2] = path;
    strings[k + 3] = outcome;
    strings[k + 4] = note;
    this.#count++;
    if (this.mode === 'full') this.#events.push(toEvent(this.#slot(this.#count - 1)));
    this.observer?.(type, name, path, outcome);
  }

  /** Event number `seq` (one of the last {@link recentEventsMax}) in raw form. */
  #slot(seq: number): Slot {
    const n = (seq % recentEventsMax) * numbersPerEvent;
    const k = (seq % recentEventsMax) * stringsPerEvent;
    const numbers = this.#numbers;
    const strings = this.#strings;
    return {
      seq, t: numbers[n]!, offset: numbers[n + 1]!, length: numbers[n + 2]!, type: eventTypes[numbers[n + 3]! - 1]!,
      name: strings[k]!, phase: strings[k + 1] as TracePhase | undefined, path: strings[k + 2], outcome: strings[k + 3]!, note: strings[k + 4]!,
    };
  }

  /** Every event, in `full` mode; an empty list in `digest` mode (use {@link recent}). */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** The last (up to {@link recentEventsMax}) events, oldest first. */
  get recent(): TraceEvent[] {
    const n = this.mode === 'count' ? 0 : Math.min(this.#count, recentEventsMax);
    const out: TraceEvent[] = [];
    for (let seq = this.#count - n; seq < this.#count; seq++) out.push(toEvent(this.#slot(seq)));
    return out;
  }

  /** The digest of every event so far: 16 hex digits. */
  digest(): string {
    assert(this.mode !== 'count', 'a trace that only counts has no digest');
    return this.#digest.hex();
  }
}
