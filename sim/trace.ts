/**
 * The trace of a run: every I/O call, fault, crash and restart, with virtual time and engine
 * phase. Every run computes a 64-bit digest over all events; recording the events themselves is
 * optional. In `digest` mode the last {@link recentEventsMax} events are kept in a ring of
 * preallocated slots, so tracing an I/O allocates nothing and builds no string; events are
 * turned into {@link TraceEvent}s only when someone asks (an error report).
 */
import type { TraceEvent, TracePhase } from './types.ts';
import { Digest64 } from './digest.ts';

/** `full`: keep every event; `digest`: keep the digest and the last few events. */
export type TraceMode = 'full' | 'digest';

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

function emptySlot(): Slot {
  return { seq: 0, t: 0, type: 'note', name: '', phase: undefined, path: undefined, offset: none, length: none, outcome: '', note: '' };
}

function detailOf(slot: Slot): string | undefined {
  // The numeric fields mean different things per event type (see SimWorld and the kernel).
  if (slot.type === 'fault') return `io=${slot.offset}${slot.length === none ? '' : ` arg=${slot.length}`}`;
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

/** A run's trace: digest always, events in `full` mode, the recent ones in both. */
export class Trace {
  readonly mode: TraceMode;
  readonly #digest = new Digest64();
  readonly #events: TraceEvent[] = [];
  readonly #ring: Slot[] = [];
  #count = 0;
  /**
   * Told of every event as it is recorded (the runner counts the I/O a recovery issued with
   * it); observing changes neither the digest nor the events.
   */
  observer: ((type: EventType, name: string, path: string | undefined, outcome: string) => void) | undefined;

  /** @param mode - whether to keep every event @defaultValue 'digest' */
  constructor(mode: TraceMode = 'digest') {
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
    const d = this.#digest;
    d.int(typeCodes[type]);
    d.number(t);
    d.string(name);
    d.string(phase ?? '');
    d.string(path ?? '');
    d.number(offset);
    d.number(length);
    d.string(outcome);
    // Hashed only when present, so traces that never carry a note (the engine's, whose
    // digests are pinned by regression tests and published figures) keep their digests.
    if (note !== '') d.string(note);
    // The ring fills on demand: a short run never allocates all of it.
    if (this.#ring.length < recentEventsMax) this.#ring.push(emptySlot());
    const slot = this.#ring[this.#count % recentEventsMax]!;
    slot.seq = this.#count;
    slot.t = t;
    slot.type = type;
    slot.name = name;
    slot.phase = phase;
    slot.path = path;
    slot.offset = offset;
    slot.length = length;
    slot.outcome = outcome;
    slot.note = note;
    this.#count++;
    if (this.mode === 'full') this.#events.push(toEvent(slot));
    this.observer?.(type, name, path, outcome);
  }

  /** Every event, in `full` mode; an empty list in `digest` mode (use {@link recent}). */
  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  /** The last (up to {@link recentEventsMax}) events, oldest first. */
  get recent(): TraceEvent[] {
    const n = Math.min(this.#count, recentEventsMax);
    const out: TraceEvent[] = [];
    for (let seq = this.#count - n; seq < this.#count; seq++) out.push(toEvent(this.#ring[seq % recentEventsMax]!));
    return out;
  }

  /** The digest of every event so far: 16 hex digits. */
  digest(): string {
    return this.#digest.hex();
  }
}
