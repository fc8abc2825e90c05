/**
 * The timeline drawing code, as JavaScript source that report.html inlines. A page holds one
 * compact copy of each timeline's events (timeline.ts encodes them) and draws a timeline only
 * when its reader opens it, so a campaign with many failures stays a small page. The same source
 * draws timelines in Node (timeline.ts evaluates it for {@link renderTimeline}), so the page and
 * the tests run one implementation.
 *
 * Everything here builds strings (no DOM), and every value from the campaign goes through
 * `tlEsc`. The functions it defines: `drawTimeline(strings, data)` returns `{ html, failedX }`,
 * `timelineKey(strings, data)` and `traceTable(strings, data)` return HTML text.
 *
 * Layout of a drawn timeline: a fixed gutter (an `<svg>` of its own beside the scrolling one, so
 * the lane names stay in view however far the timeline is scrolled) and a scrolling `<svg>`: a
 * band on top coloured by engine phase, one lane per event type the trace uses (op, io, fault,
 * crash, restart, check, note), x running over the events in order with their virtual time on
 * the axis. The x axis is event order rather than time because a run does many I/O calls within
 * one virtual millisecond. A crash and a restart draw a line across every lane, since everything
 * after them happens in a new process. Every marker has a `<title>` (hover text) with the whole
 * event; its label is shown whole where it has room and left out where it has none, never cut
 * short. The check that failed is labelled in full, to its right.
 *
 * Stable hooks: `timeline-frame`, `timeline-gutter`, `timeline-scroll`, `timeline` (the
 * scrolling `<svg>`), `timeline-marker` (with `data-type`, `data-seq`), `timeline-failed-check`,
 * `timeline-label` (with `data-seq`).
 */

/** The JavaScript source; constants only, nothing from a campaign is interpolated into it. */
export const timelineScript = String.raw`
var TL_TYPES = ['op', 'io', 'fault', 'crash', 'restart', 'check', 'note'];
var TL_LANE_LABEL = { op: 'operations', io: 'file I/O', fault: 'faults', crash: 'crash', restart: 'restart', check: 'checks', note: 'notes' };
var TL_PHASE_COLOR = {
  'wal.append': '#dbeafe', 'wal.sync': '#e9d5ff', 'sidecar.rewrite': '#fef3c7', 'segment.rotate': '#fde68a',
  checkpoint: '#ccfbf1', prune: '#e0e7ff', manifest: '#fce7f3', recovery: '#dcfce7', other: '#f1f5f9'
};
var TL_SYNC_CALLS = { sync: 1, datasync: 1, fsync: 1, fdatasync: 1, syncDir: 1, fsyncDir: 1, dirSync: 1 };
/** Sizes in px; a label's width is estimated from its length (10 px monospace: 6.02 px a character). */
var TL = { gutter: 100, step: 28, pad: 10, bandTop: 6, bandHeight: 16, lanesTop: 30, laneHeight: 44, axisHeight: 34, charWidth: 6.2, failedCharWidth: 7.2, gap: 4 };

function tlEsc(text) {
  return String(text).replace(/[&<>"']/g, function (ch) {
    return ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : '&#39;';
  });
}

/** The events of a timeline's data (see timeline.ts): [dt, type, phase, name, path, detail], strings by index. */
function tlEvents(strings, data) {
  var t = 0;
  var at = function (row, i) { return row[i] !== undefined && row[i] >= 0 ? strings[row[i]] : undefined; };
  return data.events.map(function (row, i) {
    t = data.tAbsolute ? row[0] : t + row[0];
    return {
      seq: data.seqs ? data.seqs[i] : data.first + i, t: t, type: TL_TYPES[row[1]],
      phase: at(row, 2), name: strings[row[3]], path: at(row, 4), detail: at(row, 5)
    };
  });
}

function tlDescribe(event, failed) {
  var lines = ['#' + event.seq + '  t=' + event.t + ' ms  ' + event.type + ' ' + event.name];
  if (event.phase !== undefined) lines.push('phase: ' + event.phase);
  if (event.path !== undefined) lines.push('path: ' + event.path);
  if (event.detail !== undefined) lines.push(event.detail);
  if (failed) lines.push('FAILED: this check found the violation');
  return lines.join('\n');
}

function tlShape(event, cx, cy, failed) {
  switch (event.type) {
    case 'op': return '<rect x="' + (cx - 9) + '" y="' + (cy - 5) + '" width="18" height="10" rx="3"/>';
    case 'io': return '<rect x="' + (cx - 5) + '" y="' + (cy - 5) + '" width="10" height="10" rx="1"/>';
    case 'fault': return '<path d="M' + cx + ' ' + (cy - 8) + ' L' + (cx + 8) + ' ' + (cy + 6) + ' L' + (cx - 8) + ' ' + (cy + 6) + ' Z"/>';
    case 'crash': return '<path d="M' + (cx + 2) + ' ' + (cy - 10) + ' L' + (cx - 6) + ' ' + (cy + 1) + ' L' + (cx - 1) + ' ' + (cy + 1) + ' L' + (cx - 3) + ' ' + (cy + 10) + ' L' + (cx + 6) + ' ' + (cy - 2) + ' L' + (cx + 1) + ' ' + (cy - 2) + ' Z"/>';
    case 'restart': return '<circle cx="' + cx + '" cy="' + cy + '" r="7"/><path class="tl-glyph" d="M' + (cx - 2) + ' ' + (cy - 4) + ' L' + (cx + 4) + ' ' + cy + ' L' + (cx - 2) + ' ' + (cy + 4) + ' Z"/>';
    case 'check':
      var r = failed ? 9 : 6;
      return '<path d="M' + cx + ' ' + (cy - r) + ' L' + (cx + r) + ' ' + cy + ' L' + cx + ' ' + (cy + r) + ' L' + (cx - r) + ' ' + cy + ' Z"/>';
    default: return '<circle cx="' + cx + '" cy="' + cy + '" r="4"/>';
  }
}

/** The short label of a marker: its name (a restart is labelled "restart", its kind is in the crash lane). */
function tlLabel(event) {
  return event.type === 'restart' ? 'restart' : event.name;
}

// Where each marker's label goes: above or below its marker, whole, in the first of the two rows
// of its lane where it does not run into the label before it; nowhere when neither row has room
// (the hover text still names it). The failed check's label goes to its right.
function tlPlaceLabels(events, x, failedIndex) {
  var rows = {};
  var placed = [];
  events.forEach(function (event, i) {
    var lane = rows[event.type] || (rows[event.type] = [-Infinity, -Infinity]);
    var cx = x(i);
    if (i === failedIndex) {
      var text = '\u2717 ' + event.name;
      var left = cx + 13;
      var right = left + text.length * TL.failedCharWidth;
      placed[i] = { text: text, left: left, right: right, row: -1 };
      lane[0] = Math.max(lane[0], right);
      lane[1] = Math.max(lane[1], right);
      return;
    }
    var label = tlLabel(event);
    var width = label.length * TL.charWidth;
    var start = Math.max(2, cx - width / 2);
    for (var row = 0; row < 2; row++) {
      if (start >= lane[row] + TL.gap) {
        placed[i] = { text: label, left: start, right: start + width, row: row };
        lane[row] = start + width;
        return;
      }
    }
  });
  return placed;
}

function tlPhaseBand(events, x) {
  var parts = [];
  var start = 0;
  for (var i = 1; i <= events.length; i++) {
    var phase = events[start].phase;
    if (i < events.length && events[i].phase === phase) continue;
    if (phase !== undefined) {
      var left = x(start) - TL.step / 2;
      var width = (i - start) * TL.step;
      var fits = phase.length * TL.charWidth + 8 <= width;
      parts.push('<g class="tl-phase" data-phase="' + tlEsc(phase) + '"><title>' + tlEsc('phase ' + phase + ': events #' + events[start].seq + '\u2013#' + events[i - 1].seq) + '</title>'
        + '<rect x="' + left + '" y="' + TL.bandTop + '" width="' + width + '" height="' + TL.bandHeight + '" fill="' + (TL_PHASE_COLOR[phase] || '#f1f5f9') + '"/>'
        + (fits ? '<text class="tl-phase-label" x="' + (left + width / 2) + '" y="' + (TL.bandTop + 12) + '">' + tlEsc(phase) + '</text>' : '') + '</g>');
    }
    start = i;
  }
  return parts;
}

function tlAxis(events, x, top, width) {
  var parts = ['<line class="tl-axis" x1="0" y1="' + top + '" x2="' + width + '" y2="' + top + '"/>'];
  var lastLabelX = -Infinity;
  var lastT;
  events.forEach(function (event, i) {
    var changed = event.t !== lastT;
    parts.push('<line class="tl-tick' + (changed ? ' tl-tick-major' : '') + '" x1="' + x(i) + '" y1="' + top + '" x2="' + x(i) + '" y2="' + (top + (changed ? 6 : 3)) + '"/>');
    if (changed && x(i) - lastLabelX >= 56) {
      parts.push('<text class="tl-time" x="' + Math.max(x(i), 20) + '" y="' + (top + 17) + '">' + tlEsc(event.t + ' ms') + '</text>');
      lastLabelX = x(i);
    }
    lastT = event.t;
  });
  return parts;
}

function tlGutter(lanes, height) {
  var parts = [];
  lanes.forEach(function (type, i) {
    var top = TL.lanesTop + i * TL.laneHeight;
    parts.push('<rect class="tl-lane' + (i % 2 === 1 ? ' tl-lane-alt' : '') + '" x="0" y="' + top + '" width="' + TL.gutter + '" height="' + TL.laneHeight + '"/>');
    parts.push('<text class="tl-lane-label" x="8" y="' + (top + TL.laneHeight / 2 + 4) + '">' + TL_LANE_LABEL[type] + '</text>');
  });
  var axisTop = TL.lanesTop + lanes.length * TL.laneHeight;
  parts.push('<text class="tl-lane-label" x="8" y="' + (TL.bandTop + 12) + '">phase</text>');
  parts.push('<text class="tl-axis-title" x="8" y="' + (axisTop + 17) + '">virtual time</text>');
  parts.push('<text class="tl-axis-title" x="8" y="' + (axisTop + 29) + '">(event order)</text>');
  return '<svg class="tl-gutter" data-testid="timeline-gutter" width="' + TL.gutter + '" height="' + height + '" aria-hidden="true">' + parts.join('') + '</svg>';
}

function tlMarker(event, i, cx, cy, failed, label) {
  var cls = 'tl-' + event.type;
  if (event.type === 'io' && TL_SYNC_CALLS[event.name]) cls = 'tl-io tl-sync';
  if (failed) cls = 'tl-check tl-failed';
  var text = '';
  if (label) {
    var y = label.row === -1 ? cy + 4 : label.row === 0 ? cy - 12 : cy + 20;
    text = '<text class="tl-label' + (failed ? ' tl-label-failed' : '') + '" data-testid="timeline-label" data-seq="' + event.seq + '" x="' + label.left.toFixed(1) + '" y="' + y + '">' + tlEsc(label.text) + '</text>';
  }
  return '<g class="tl-marker ' + cls + '" data-testid="' + (failed ? 'timeline-failed-check' : 'timeline-marker') + '" data-type="' + event.type + '" data-seq="' + event.seq + '">'
    + '<title>' + tlEsc(tlDescribe(event, failed)) + '</title>' + tlShape(event, cx, cy, failed) + text + '</g>';
}

/** Draws a timeline: html holds the gutter and the scrolling picture; failedX is where the failed check is (-1: none). */
function drawTimeline(strings, data) {
  var events = tlEvents(strings, data);
  var lanes = TL_TYPES.filter(function (type) { return events.some(function (event) { return event.type === type; }); });
  var laneY = {};
  lanes.forEach(function (type, i) { laneY[type] = TL.lanesTop + i * TL.laneHeight + TL.laneHeight / 2; });
  var lanesBottom = TL.lanesTop + lanes.length * TL.laneHeight;
  var height = lanesBottom + TL.axisHeight;
  var failedIndex = -1;
  events.forEach(function (event, i) { if (event.type === 'check' && event.seq === data.failed) failedIndex = i; });
  var x = function (i) { return TL.pad + i * TL.step + TL.step / 2; };
  var labels = tlPlaceLabels(events, x, failedIndex);
  var width = x(events.length - 1) + TL.step / 2 + TL.pad;
  labels.forEach(function (label) { if (label) width = Math.max(width, Math.ceil(label.right) + TL.pad); });
  var parts = [];
  lanes.forEach(function (type, i) {
    parts.push('<rect class="tl-lane' + (i % 2 === 1 ? ' tl-lane-alt' : '') + '" x="0" y="' + (TL.lanesTop + i * TL.laneHeight) + '" width="' + width + '" height="' + TL.laneHeight + '"/>');
  });
  parts.push.apply(parts, tlPhaseBand(events, x));
  events.forEach(function (event, i) {
    if (event.type === 'crash' || event.type === 'restart') {
      parts.push('<line class="tl-' + event.type + '-line" x1="' + x(i) + '" y1="' + TL.lanesTop + '" x2="' + x(i) + '" y2="' + lanesBottom + '"/>');
    }
  });
  events.forEach(function (event, i) { parts.push(tlMarker(event, i, x(i), laneY[event.type], i === failedIndex, labels[i])); });
  parts.push.apply(parts, tlAxis(events, x, lanesBottom, width));
  var shown = data.events.length < data.total ? ' (events ' + events[0].seq + '\u2013' + events[events.length - 1].seq + ' of ' + data.total + ')' : '';
  var svg = '<svg data-testid="timeline" class="timeline" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + ' ' + height + '" role="img" aria-label="'
    + tlEsc('Timeline of ' + data.label + shown) + '">' + parts.join('') + '</svg>';
  return {
    html: '<div class="tl-frame" data-testid="timeline-frame">' + tlGutter(lanes, height) + '<div class="tl-scroll" data-testid="timeline-scroll">' + svg + '</div></div>',
    failedX: failedIndex >= 0 ? x(failedIndex) : -1
  };
}

/** The key under a timeline: marker colours, then the phases its events go through. */
function timelineKey(strings, data) {
  var item = function (color, label, border) {
    return '<span><i style="background:' + color + (border ? ';outline:1px solid #cbd5e1' : '') + '"></i>' + tlEsc(label) + '</span>';
  };
  var phases = [];
  tlEvents(strings, data).forEach(function (event) { if (event.phase !== undefined && phases.indexOf(event.phase) < 0) phases.push(event.phase); });
  return '<div class="tl-key">' + [item('#2563eb', 'operation'), item('#94a3b8', 'I/O'), item('#7c3aed', 'sync I/O'), item('#ea580c', 'injected fault'),
    item('#dc2626', 'crash / failed check'), item('#16a34a', 'restart / check passed')].join('')
    + '<span class="tl-key-sep">phases:</span>' + phases.map(function (phase) { return item(TL_PHASE_COLOR[phase] || '#f1f5f9', phase, true); }).join('')
    + '<span class="tl-key-sep">hover a marker for the whole event; labels that have no room are left out</span></div>';
}

/** The same events as a table of text, the failed check highlighted. */
function traceTable(strings, data) {
  var rows = tlEvents(strings, data).map(function (event) {
    var failed = event.type === 'check' && event.seq === data.failed;
    return '<tr class="t-' + event.type + (failed ? ' failed' : '') + '"><td class="num">' + event.seq + '</td><td class="num">' + event.t + '</td><td>' + event.type + '</td>'
      + '<td>' + tlEsc(event.phase || '') + '</td><td>' + tlEsc(event.name) + '</td><td>' + tlEsc(event.path || '') + '</td><td class="detail">' + tlEsc(event.detail || '') + '</td></tr>';
  });
  return '<table class="trace"><thead><tr><th>#</th><th>t ms</th><th>type</th><th>phase</th><th>name</th><th>path</th><th>detail</th></tr></thead><tbody>' + rows.join('') + '</tbody></table>';
}
`;
