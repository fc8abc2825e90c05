/**
 * The timeline of a violation's trace: which events a report shows, and how they travel in the
 * page. report.html embeds the events of one timeline per root cause as compact data (below) and
 * draws a timeline when it is opened, with the drawing code of timeline-script.ts; a page with
 * many failures then carries no SVG it does not show.
 *
 * Data: `{ label, total, failed, first, events }` (and `seqs`, `tAbsolute` when needed), where
 * `events` holds one `[dt, type, phase, name, path, detail]` array per event: `dt` the virtual
 * time since the event before (its time, with `tAbsolute`), `type` an index into the event
 * types, `phase`, `name`, `path` and `detail` indices into one string table shared by all the
 * data of the page (-1: none), trailing absent values left off. Events are numbered from `first`
 * on, or by `seqs` when their numbers are not consecutive. `failed` is the `seq` of the check
 * that found the violation (-1: none), `total` the number of events the violation's trace holds.
 */
import type { TraceEvent, Violation } from '../sim/index.ts';
import { visibleText } from './escape.ts';
import { compactScript } from './html-style.ts';
import { timelineScript } from './timeline-script.ts';
import { runName } from './figures.ts';

/** Most events a timeline shows: those up to the failed check, and a few after it. */
export const timelineEventsMax = 60;
/** Events shown after the failed check, when the trace has any. */
export const timelineEventsAfterMax = 10;

const eventTypes: readonly TraceEvent['type'][] = ['op', 'io', 'fault', 'crash', 'restart', 'check', 'note'];

/** One timeline as the page embeds it (see the module comment). */
export interface TimelineData {
  readonly label: string;
  readonly total: number;
  readonly failed: number;
  readonly first: number;
  readonly seqs?: readonly number[];
  readonly tAbsolute?: true;
  readonly events: readonly (readonly number[])[];
}

/** The string table that the data of one page shares. */
export class PageStrings {
  readonly list: string[] = [];
  readonly #index = new Map<string, number>();

  /** The index of `text` in the table, added when new; control characters are spelled out. */
  intern(text: string): number {
    const visible = visibleText(text);
    let index = this.#index.get(visible);
    if (index === undefined) {
      index = this.list.length;
      this.list.push(visible);
      this.#index.set(visible, index);
    }
    return index;
  }
}

/**
 * The check event that found the violation: the last `check` named after the violated invariant
 * whose detail is the violation's message (the runner records it so); failing that, the last
 * check named after the invariant; then the last check whose detail says it failed; then the last
 * check. Heuristic beyond the first, because a trace event carries no outcome field.
 * @returns the event's `seq`, or undefined when the trace has no check
 */
export function failedCheckSeq(violation: Violation): number | undefined {
  const checks = (violation.trace ?? []).filter((event) => event.type === 'check');
  const byName = checks.filter((event) => event.name === violation.invariant);
  const exact = byName.filter((event) => event.detail === violation.message);
  const bySaying = checks.filter((event) => /fail|violat|mismatch|lost|expected/i.test(event.detail ?? ''));
  return (exact.at(-1) ?? byName.at(-1) ?? bySaying.at(-1) ?? checks.at(-1))?.seq;
}

/**
 * The events a timeline shows: at most {@link timelineEventsMax}, ending a few events after the
 * failed check (or with the trace, when no check failed), so the failure is always among them.
 */
export function timelineEvents(violation: Violation): readonly TraceEvent[] {
  const trace = violation.trace ?? [];
  const failedSeq = failedCheckSeq(violation);
  const at = failedSeq === undefined ? -1 : trace.findIndex((event) => event.seq === failedSeq);
  const end = at < 0 ? trace.length : Math.min(trace.length, at + 1 + timelineEventsAfterMax);
  return trace.slice(Math.max(0, end - timelineEventsMax), end);
}

/**
 * A violation's timeline as page data.
 * @param strings - the page's string table, which this adds to
 * @param label - what the timeline is of (`wal-append seed 3`)
 * @returns undefined for a violation without a trace
 */
export function timelineData(violation: Violation, strings: PageStrings, label: string): TimelineData | undefined {
  const events = timelineEvents(violation);
  if (events.length === 0) return undefined;
  const first = events[0]!.seq;
  const consecutive = events.every((event, index) => event.seq === first + index);
  // Differences of fractional times would print rounding noise; such traces keep absolute times.
  const tAbsolute = !events.every((event) => Number.isInteger(event.t));
  let before = 0;
  return {
    label: visibleText(label),
    total: violation.trace?.length ?? 0,
    failed: failedCheckSeq(violation) ?? -1,
    first,
    ...(consecutive ? {} : { seqs: events.map((event) => event.seq) }),
    ...(tAbsolute ? { tAbsolute: true as const } : {}),
    events: events.map((event) => {
      const row = [
        tAbsolute ? event.t : event.t - before, eventTypes.indexOf(event.type), event.phase === undefined ? -1 : strings.intern(event.phase),
        strings.intern(event.name), event.path === undefined ? -1 : strings.intern(event.path), event.detail === undefined ? -1 : strings.intern(event.detail),
      ];
      before = event.t;
      while (row.at(-1) === -1) row.pop();
      return row;
    }),
  };
}

interface TimelineDrawing {
  readonly drawTimeline: (strings: readonly string[], data: TimelineData) => { html: string; failedX: number };
  readonly timelineKey: (strings: readonly string[], data: TimelineData) => string;
  readonly traceTable: (strings: readonly string[], data: TimelineData) => string;
}

let drawing: TimelineDrawing | undefined;

/** The page's drawing functions, evaluated here so that Node draws exactly what the page draws. */
function drawingFunctions(): TimelineDrawing {
  // The source is a constant of this package (timeline-script.ts), never campaign data.
  drawing ??= new Function(`${compactScript(timelineScript)}\nreturn { drawTimeline: drawTimeline, timelineKey: timelineKey, traceTable: traceTable };`)() as TimelineDrawing;
  return drawing;
}

/**
 * Draws a violation's timeline as the page does when it is opened: the fixed gutter and the
 * scrolling `<svg>`, then the key.
 * @returns HTML text, or an empty string for a violation without a trace
 */
export function renderTimeline(violation: Violation): string {
  const strings = new PageStrings();
  const data = timelineData(violation, strings, `${violation.scenario} ${runName(violation.scenario, violation.seed)}`);
  if (data === undefined) return '';
  const draw = drawingFunctions();
  return draw.drawTimeline(strings.list, data).html + draw.timelineKey(strings.list, data);
}

/** A violation's events as the text table the page shows under a timeline (empty without a trace). */
export function renderTraceTable(violation: Violation): string {
  const strings = new PageStrings();
  const data = timelineData(violation, strings, `${violation.scenario} ${runName(violation.scenario, violation.seed)}`);
  return data === undefined ? '' : drawingFunctions().traceTable(strings.list, data);
}
