/**
 * The timeline of one violation's (shrunk) trace, as an inline SVG picture: what the workload
 * did, which faults hit, where the machine crashed and restarted, and which check failed.
 *
 * Layout: one lane per event type (op, io, fault, crash, restart, check, note; only the lanes the
 * trace uses), a band on top coloured by engine phase, and x running over the events in order with
 * their virtual time printed on the axis. The x axis is event order rather than proportional time
 * because a run does many I/O calls within one virtual millisecond; to scale they would pile into
 * one pixel. A crash and a restart also draw a line across every lane, since everything after them
 * happens in a new process. Every marker has a `<title>` (hover text) with the full event.
 *
 * Stable hooks for tests: `data-testid="timeline"` on the `<svg>`, `timeline-marker` on each
 * marker (with `data-type` and `data-seq`), `timeline-failed-check` on the check that failed.
 */
import type { TraceEvent, Violation } from '../sim/index.ts';
import { escapeHtml } from './escape.ts';

/** Most events drawn; a longer trace shows its last events, where the failure is. */
export const timelineEventsMax = 160;

type EventType = TraceEvent['type'];

const laneOrder: readonly EventType[] = ['op', 'io', 'fault', 'crash', 'restart', 'check', 'note'];

const laneLabel: Record<EventType, string> = {
  op: 'operations', io: 'file I/O', fault: 'faults', crash: 'crash', restart: 'restart', check: 'checks', note: 'notes',
};

/** Phase colours for the band; light enough for black text on top. */
const phaseColor: Record<string, string> = {
  'wal.append': '#dbeafe', 'wal.sync': '#e9d5ff', 'sidecar.rewrite': '#fef3c7', 'segment.rotate': '#fde68a',
  checkpoint: '#ccfbf1', prune: '#e0e7ff', manifest: '#fce7f3', recovery: '#dcfce7', other: '#f1f5f9',
};

/** I/O calls that make data durable: drawn in their own colour, as they decide what survives. */
const syncCalls: ReadonlySet<string> = new Set(['sync', 'datasync', 'fsync', 'fdatasync', 'syncDir', 'fsyncDir', 'dirSync']);

const gutterPx = 84;
const stepPx = 28;
const bandTopPx = 6;
const bandHeightPx = 16;
const lanesTopPx = 30;
const laneHeightPx = 38;
const axisHeightPx = 34;
/** Room on the right for the failed check's label, which is written to the right of its marker. */
const rightMarginPx = 120;
/** Label lengths that fit the lane's spacing: dense lanes alternate labels above and below. */
const labelCharsMax: Record<EventType, number> = { op: 9, io: 9, note: 9, fault: 14, crash: 14, restart: 14, check: 9 };

/**
 * The key under a timeline: marker colours, then the colour of each phase the trace goes
 * through, since narrow runs in the phase band have no room for their name.
 * @returns HTML text, or an empty string for a violation without a trace
 */
export function renderTimelineKey(violation: Violation): string {
  const events = (violation.trace ?? []).slice(-timelineEventsMax);
  if (events.length === 0) return '';
  const item = (color: string, label: string, border = false): string =>
    `<span><i style="background:${color}${border ? ';outline:1px solid #cbd5e1' : ''}"></i>${escapeHtml(label)}</span>`;
  const phases = [...new Set(events.flatMap((event) => event.phase ?? []))];
  return `<div class="tl-key">${[
    item('#2563eb', 'operation'), item('#94a3b8', 'I/O'), item('#7c3aed', 'sync I/O'), item('#ea580c', 'injected fault'),
    item('#dc2626', 'crash / failed check'), item('#16a34a', 'restart / check passed'),
  ].join('')}<span class="tl-key-sep">phases:</span>${phases.map((phase) => item(phaseColor[phase] ?? '#f1f5f9', phase, true)).join('')}<span class="tl-key-sep">hover a marker for the whole event</span></div>`;
}

/**
 * The check event that failed: the last `check` named after the violated invariant; failing that,
 * the last check whose detail says it failed; failing that, the last check. Heuristic because a
 * trace event carries no outcome field (see the report's notes).
 * @returns the event's `seq`, or undefined when the trace has no check
 */
export function failedCheckSeq(violation: Violation): number | undefined {
  const checks = (violation.trace ?? []).filter((event) => event.type === 'check');
  const byName = checks.filter((event) => event.name === violation.invariant);
  const bySaying = checks.filter((event) => /fail|violat|mismatch|lost|expected/i.test(event.detail ?? ''));
  return (byName.at(-1) ?? bySaying.at(-1) ?? checks.at(-1))?.seq;
}

/** The hover text of an event: everything it carries, one fact per line. */
export function describeEvent(event: TraceEvent): string {
  return [
    `#${event.seq}  t=${event.t} ms  ${event.type} ${event.name}`,
    ...(event.phase === undefined ? [] : [`phase: ${event.phase}`]),
    ...(event.path === undefined ? [] : [`path: ${event.path}`]),
    ...(event.detail === undefined ? [] : [event.detail]),
  ].join('\n');
}

/**
 * Draws the timeline of a violation's trace.
 * @param violation - a violation; without a trace the result is an empty string
 * @returns an `<svg>` element as HTML text, sized to its content (wide traces scroll)
 */
export function renderTimeline(violation: Violation): string {
  const all = violation.trace ?? [];
  if (all.length === 0) return '';
  const events = all.slice(-timelineEventsMax);
  const failedSeq = failedCheckSeq(violation);
  const lanes = laneOrder.filter((type) => events.some((event) => event.type === type));
  const laneY = new Map(lanes.map((type, i) => [type, lanesTopPx + i * laneHeightPx + laneHeightPx / 2]));
  const lanesBottom = lanesTopPx + lanes.length * laneHeightPx;
  const width = gutterPx + events.length * stepPx + rightMarginPx;
  const height = lanesBottom + axisHeightPx;
  const x = (i: number): number => gutterPx + i * stepPx + stepPx / 2;
  const parts: string[] = [];

  for (const [i, type] of lanes.entries()) {
    const top = lanesTopPx + i * laneHeightPx;
    parts.push(`<rect class="tl-lane${i % 2 === 1 ? ' tl-lane-alt' : ''}" x="0" y="${top}" width="${width}" height="${laneHeightPx}"/>`);
    parts.push(`<text class="tl-lane-label" x="8" y="${top + laneHeightPx / 2 + 4}">${laneLabel[type]}</text>`);
  }
  parts.push(...phaseBand(events, x));

  // Crash and restart lines go under the markers so they never hide one.
  for (const [i, event] of events.entries()) {
    if (event.type !== 'crash' && event.type !== 'restart') continue;
    parts.push(`<line class="tl-${event.type}-line" x1="${x(i)}" y1="${lanesTopPx}" x2="${x(i)}" y2="${lanesBottom}"/>`);
  }

  const countInLane = new Map<EventType, number>();
  for (const [i, event] of events.entries()) {
    const y = laneY.get(event.type) ?? 0;
    const nth = countInLane.get(event.type) ?? 0;
    countInLane.set(event.type, nth + 1);
    const failed = event.type === 'check' && event.seq === failedSeq;
    parts.push(marker(event, x(i), y, nth % 2 === 0, failed));
  }

  parts.push(...axis(events, x, lanesBottom, width));
  const shown = events.length < all.length ? ` (last ${events.length} of ${all.length} events)` : '';
  const label = `Timeline of ${violation.scenario} seed ${violation.seed}${shown}`;
  return `<svg data-testid="timeline" class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">${parts.join('')}</svg>`;
}

function marker(event: TraceEvent, cx: number, cy: number, labelAbove: boolean, failed: boolean): string {
  const title = `<title>${escapeHtml(describeEvent(event))}${failed ? '\nFAILED: this check found the violation' : ''}</title>`;
  const attrs = `data-testid="${failed ? 'timeline-failed-check' : 'timeline-marker'}" data-type="${event.type}" data-seq="${event.seq}"`;
  let shape: string;
  let label = event.name;
  let cls = `tl-${event.type}`;
  switch (event.type) {
    case 'op':
      shape = `<rect x="${cx - 9}" y="${cy - 5}" width="18" height="10" rx="3"/>`;
      break;
    case 'io':
      if (syncCalls.has(event.name)) cls = 'tl-io tl-sync';
      shape = `<rect x="${cx - 5}" y="${cy - 5}" width="10" height="10" rx="1"/>`;
      break;
    case 'fault':
      shape = `<path d="M${cx} ${cy - 8} L${cx + 8} ${cy + 6} L${cx - 8} ${cy + 6} Z"/>`;
      break;
    case 'crash':
      shape = `<path d="M${cx + 2} ${cy - 10} L${cx - 6} ${cy + 1} L${cx - 1} ${cy + 1} L${cx - 3} ${cy + 10} L${cx + 6} ${cy - 2} L${cx + 1} ${cy - 2} Z"/>`;
      break;
    case 'restart':
      shape = `<circle cx="${cx}" cy="${cy}" r="7"/><path class="tl-glyph" d="M${cx - 2} ${cy - 4} L${cx + 4} ${cy} L${cx - 2} ${cy + 4} Z"/>`;
      break;
    case 'check':
      if (failed) {
        cls = 'tl-check tl-failed';
        label = `✗ ${event.name}`;
        shape = `<path d="M${cx} ${cy - 9} L${cx + 9} ${cy} L${cx} ${cy + 9} L${cx - 9} ${cy} Z"/>`;
      } else {
        shape = `<path d="M${cx} ${cy - 6} L${cx + 6} ${cy} L${cx} ${cy + 6} L${cx - 6} ${cy} Z"/>`;
      }
      break;
    case 'note':
      shape = `<circle cx="${cx}" cy="${cy}" r="4"/>`;
      break;
  }
  // The failed check's label is never cut short and sits to the right, where nothing follows it.
  const text = failed
    ? `<text class="tl-label tl-label-right" x="${cx + 13}" y="${cy + 4}">${escapeHtml(label)}</text>`
    : `<text class="tl-label" x="${cx}" y="${labelAbove ? cy - 11 : cy + 18}">${escapeHtml(truncate(label, labelCharsMax[event.type]))}</text>`;
  return `<g class="tl-marker ${cls}" ${attrs}>${title}${shape}${text}</g>`;
}

function truncate(text: string, charsMax: number): string {
  return text.length > charsMax ? `${text.slice(0, charsMax - 1)}…` : text;
}

/**
 * The phase band: one rectangle per run of consecutive events in the same phase. Events without
 * a phase (checks, restarts: the simulator's own doings) leave a gap rather than claiming `other`.
 */
function phaseBand(events: readonly TraceEvent[], x: (i: number) => number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= events.length; i += 1) {
    const phase = events[start]?.phase;
    if (i < events.length && events[i]?.phase === phase) continue;
    if (phase === undefined) {
      start = i;
      continue;
    }
    const left = x(start) - stepPx / 2;
    const runWidth = (i - start) * stepPx;
    const first = events[start]?.seq ?? 0;
    const last = events[i - 1]?.seq ?? first;
    const fill = phaseColor[phase] ?? '#f1f5f9';
    const fits = phase.length * 6.2 + 8 <= runWidth;
    parts.push(`<g class="tl-phase" data-phase="${escapeHtml(phase)}"><title>${escapeHtml(`phase ${phase}: events #${first}–#${last}`)}</title>`
      + `<rect x="${left}" y="${bandTopPx}" width="${runWidth}" height="${bandHeightPx}" fill="${fill}"/>`
      + (fits ? `<text class="tl-phase-label" x="${left + runWidth / 2}" y="${bandTopPx + 12}">${escapeHtml(phase)}</text>` : '')
      + '</g>');
    start = i;
  }
  parts.push(`<text class="tl-lane-label" x="8" y="${bandTopPx + 12}">phase</text>`);
  return parts;
}

/** The axis: a tick per event, the virtual time printed where it changes and there is room. */
function axis(events: readonly TraceEvent[], x: (i: number) => number, top: number, width: number): string[] {
  const parts = [`<line class="tl-axis" x1="${gutterPx}" y1="${top}" x2="${width - 8}" y2="${top}"/>`];
  let lastLabelX = -Infinity;
  let lastT: number | undefined;
  for (const [i, event] of events.entries()) {
    const changed = event.t !== lastT;
    parts.push(`<line class="tl-tick${changed ? ' tl-tick-major' : ''}" x1="${x(i)}" y1="${top}" x2="${x(i)}" y2="${top + (changed ? 6 : 3)}"/>`);
    if (changed && x(i) - lastLabelX >= 56) {
      parts.push(`<text class="tl-time" x="${x(i)}" y="${top + 17}">${escapeHtml(`${event.t} ms`)}</text>`);
      lastLabelX = x(i);
    }
    lastT = event.t;
  }
  parts.push(`<text class="tl-axis-title" x="8" y="${top + 17}">virtual time</text>`);
  parts.push(`<text class="tl-axis-title" x="8" y="${top + 29}">(event order)</text>`);
  return parts;
}
