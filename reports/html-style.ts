/**
 * The style sheet and script inlined into report.html. Kept apart from the page's markup so
 * either can be read on its own. Both are constants: nothing from a campaign is interpolated into
 * them, so they need no escaping. The page must work from a file:// URL with no network, so
 * fonts are the system's and there are no external assets.
 */

/** CSS for report.html, light and dark. */
export const reportCss = `
:root{--bg:#f6f7f9;--panel:#fff;--ink:#1a1f29;--muted:#5b6474;--line:#dde1e7;--soft:#eef0f4;
--accent:#2563eb;--bad:#dc2626;--bad-soft:#fde8e8;--good:#15803d;--good-soft:#e6f4ea;--warn:#b45309;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0f1217;--panel:#171b22;--ink:#e4e7ec;--muted:#98a2b3;
--line:#2b313b;--soft:#1f242d;--bad-soft:#3a1717;--good-soft:#14301f}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:13px/1.45 var(--sans)}
main{max-width:1320px;margin:0 auto;padding:18px 22px 40px}
code,.num,.mono{font-family:var(--mono);font-size:12px}
.num{font-variant-numeric:tabular-nums;text-align:right}
h1{font-size:18px;margin:0;font-weight:650;letter-spacing:-.01em}
h2{font-size:14px;margin:26px 0 10px;font-weight:650;text-transform:none;border-bottom:1px solid var(--line);padding-bottom:5px}
h2 .count{color:var(--muted);font-weight:500}
header{display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;padding-bottom:12px;border-bottom:1px solid var(--line)}
.verdict{font-weight:700;font-size:12px;padding:3px 10px;border-radius:999px;letter-spacing:.04em}
.verdict.pass{background:var(--good-soft);color:var(--good)}
.verdict.fail{background:var(--bad-soft);color:var(--bad)}
.meta{color:var(--muted);display:flex;flex-wrap:wrap;gap:4px 14px}
.meta b{color:var(--ink);font-weight:600}
.totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(118px,1fr));gap:8px;margin-top:14px}
.stat{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 11px}
.stat .v{font:600 19px/1.2 var(--mono);font-variant-numeric:tabular-nums}
.stat .k{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em}
.stat.bad{border-color:var(--bad);background:var(--bad-soft)}.stat.bad .v{color:var(--bad)}
.callout{margin-top:12px;border:1px solid var(--bad);border-left-width:4px;background:var(--bad-soft);border-radius:6px;padding:8px 12px}
.callout code{background:transparent}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse}
.grid{width:100%}
.grid th,.grid td{padding:4px 10px;border-bottom:1px solid var(--soft);text-align:left;white-space:nowrap}
.grid th{color:var(--muted);font-weight:600;font-size:11px;text-transform:uppercase;letter-spacing:.04em}
.grid td.num,.grid th.num{text-align:right}
.grid th.num{font-family:var(--sans);font-size:11px}
.grid tr.failing td:first-child{box-shadow:inset 3px 0 var(--bad)}
.hm-wrap{display:inline-block;max-width:100%;overflow-x:auto}
.heatmap{background:var(--panel);border:1px solid var(--line)}
.heatmap th,.heatmap td{border:1px solid var(--line);padding:5px 9px}
.heatmap .hm-kind{font:600 11px var(--mono);color:var(--muted);text-align:center;min-width:92px}
.heatmap .hm-phase{font:600 12px var(--mono);text-align:left;white-space:nowrap}
.heatmap .hm-corner{font-size:11px;color:var(--muted);font-weight:500;text-align:left}
.heatmap td{text-align:center;position:relative;min-width:92px;font-family:var(--mono);font-size:12px;font-variant-numeric:tabular-nums}
.heatmap .hm-zero{color:var(--muted)}
.heatmap .hm-total{color:var(--muted);background:var(--soft)}
.heatmap .hm-targeted::after{content:"";position:absolute;top:3px;right:3px;width:6px;height:6px;border-radius:50%;background:var(--ink);opacity:.75}
.heatmap .hm-missed{background:repeating-linear-gradient(135deg,var(--bad-soft) 0 6px,#f8c9c9 6px 9px);color:var(--bad);font-weight:700;outline:2px solid var(--bad);outline-offset:-2px}
.heatmap .hm-missed::after{background:var(--bad);opacity:1}
.hm-missed-label{font:700 9px var(--sans);text-transform:uppercase;letter-spacing:.06em;margin-left:3px}
.hm-legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:11px;margin-top:6px}
.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:5px;border:1px solid var(--line);border-radius:2px;position:relative}
.sw-scale{background:linear-gradient(90deg,rgba(37,99,235,.1),rgba(37,99,235,.9))}
.sw-target::after{content:"";position:absolute;top:2px;right:2px;width:5px;height:5px;border-radius:50%;background:var(--ink)}
.sw-missed{background:repeating-linear-gradient(135deg,var(--bad-soft) 0 3px,#f8c9c9 3px 5px);border-color:var(--bad)}
.sw-none{background:var(--panel)}
.badge{font:600 11px var(--mono);padding:1px 7px;border-radius:4px;background:var(--bad-soft);color:var(--bad)}
.v-msg{margin:0 0 8px;white-space:pre-wrap;word-break:break-word}
.repro{display:flex;align-items:stretch;gap:0;margin-bottom:8px}
.repro code{flex:1;background:#0f172a;color:#e2e8f0;padding:6px 10px;border-radius:5px 0 0 5px;overflow-x:auto;white-space:pre}
.repro button{font:600 11px var(--sans);border:1px solid #0f172a;background:#1e293b;color:#e2e8f0;border-radius:0 5px 5px 0;padding:0 12px;cursor:pointer}
.repro button:hover{background:#334155}
.facts{color:var(--muted);margin-bottom:6px}.facts code{color:var(--ink)}
.tl-frame{display:flex;border:1px solid var(--line);border-radius:5px;background:var(--panel);overflow:hidden;margin-top:6px}
.tl-gutter{flex:none;display:block;border-right:1px solid var(--line);font-family:var(--sans)}
.tl-scroll{flex:1;min-width:0;overflow-x:auto}
.timeline{display:block;font-family:var(--sans)}
.tl-lane{fill:var(--panel)}.tl-lane-alt{fill:var(--soft)}
.tl-lane-label,.tl-axis-title{font-size:10.5px;fill:var(--muted);font-weight:600}
.tl-phase-label{font:600 10px var(--mono);fill:#334155;text-anchor:middle}
.tl-label{font:10px var(--mono);fill:var(--ink)}
.tl-label-failed{font-size:11px}
.tl-time{font:10px var(--mono);fill:var(--muted);text-anchor:middle}
.tl-axis,.tl-tick{stroke:var(--muted);stroke-width:1}.tl-tick{opacity:.45}.tl-tick-major{opacity:1}
.tl-marker{cursor:default}.tl-marker:hover>:not(title){filter:brightness(1.25)}
.tl-op{fill:#2563eb}.tl-io{fill:#94a3b8}.tl-sync{fill:#7c3aed}.tl-fault{fill:#ea580c}
.tl-crash{fill:#dc2626}.tl-restart{fill:#16a34a}.tl-glyph{fill:#fff}.tl-note{fill:#94a3b8}
.tl-check{fill:var(--panel);stroke:#16a34a;stroke-width:1.6}
.tl-check.tl-failed{fill:#dc2626;stroke:#7f1d1d}
.tl-marker .tl-label{stroke:none}
.tl-crash .tl-label,.tl-failed .tl-label{fill:#dc2626;font-weight:700}
.tl-fault .tl-label{fill:#c2410c;font-weight:600}
.tl-restart .tl-label{fill:#15803d;font-weight:600}
.tl-check .tl-label{fill:var(--ink);stroke:none}
.tl-check.tl-failed .tl-label{fill:#dc2626;font-weight:700}
.tl-crash-line{stroke:#dc2626;stroke-width:2;opacity:.55}
.tl-restart-line{stroke:#16a34a;stroke-width:2;stroke-dasharray:4 3;opacity:.6}
.tl-key{display:flex;flex-wrap:wrap;gap:2px 14px;color:var(--muted);font-size:11px;margin:6px 0 2px}
.tl-key-sep{margin-left:10px;font-weight:600}
.tl-key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
details{margin-top:6px}
summary{cursor:pointer;color:var(--muted);font-size:12px}
.trace{margin-top:6px;font:11.5px var(--mono)}
.trace td,.trace th{padding:2px 8px;border-bottom:1px solid var(--soft);text-align:left;vertical-align:top}
.trace td.detail{white-space:pre-wrap;word-break:break-word}
.trace tr.t-fault td{color:#c2410c}.trace tr.t-crash td{color:var(--bad);font-weight:700}
.trace tr.t-restart td{color:var(--good);font-weight:600}.trace tr.failed td{background:var(--bad-soft);color:var(--bad);font-weight:700}
.triage{margin-top:12px;padding:10px 12px;border-left:4px solid var(--bad)}
.triage .next{margin:8px 0 0}
.next-label{font:600 11px var(--sans);color:var(--muted);align-self:center;margin-right:8px;white-space:nowrap}
.filters{display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center;margin:0 0 10px;padding:6px 10px;background:var(--panel);border:1px solid var(--line);border-radius:6px}
.filters select{font:12px var(--mono);margin-left:4px}
[hidden]{display:none !important}
.group{margin-bottom:12px;overflow:hidden}
.g-head{display:flex;align-items:baseline;gap:4px 10px;padding:7px 12px;border-bottom:1px solid var(--line);background:var(--soft)}
.g-rank{font:700 12px var(--mono);color:var(--muted)}
.g-shape{flex:1;font:12px var(--mono);word-break:break-word}
.g-seeds{font-weight:700;color:var(--bad);white-space:nowrap}
.g-body{padding:8px 12px}
.g-where{color:var(--muted);font-size:12px;margin-bottom:4px}
.g-run{font-weight:650;white-space:nowrap;margin-right:4px}
.follow{color:var(--muted);font-size:12px;margin-bottom:4px}.follow ul{margin:2px 0 0;padding-left:20px}.follow li{color:var(--ink);word-break:break-word}
.runs td.msg{white-space:normal;word-break:break-word}
.runs tr.shown td{background:var(--soft)}
.rp{font:11.5px var(--mono);background:none;border:1px solid var(--line);border-radius:4px;padding:1px 6px;cursor:pointer;color:var(--ink);white-space:nowrap}
.rp:hover{background:var(--soft)}
.fo{font:600 11px var(--mono);color:var(--muted);cursor:help}
.ok{padding:12px 14px;border-left:4px solid var(--good);background:var(--good-soft);border-radius:6px}
.more{color:var(--muted);padding:4px 2px}
footer{margin-top:30px;color:var(--muted);font-size:11px}
`;

/**
 * The page script, after the timeline drawing code (timeline-script.ts): copy buttons for repro
 * commands, timelines drawn when their card opens them (and scrolled so the failed check is in
 * the middle of the view), and the filters. Clipboard access may be refused on a file:// page;
 * the fallback selects the command so Ctrl+C works, and nothing is logged as an error.
 */
export const reportScript = String.raw`
var pcData = null;
function pcPageData() {
  if (pcData === null) {
    var element = document.getElementById('pc-data');
    pcData = element ? JSON.parse(element.textContent || '{}') : { faultKinds: [], strings: [], timelines: [], runTables: [] };
  }
  return pcData;
}
function pcDrawTimeline(details) {
  var all = pcPageData();
  var data = all.timelines[Number(details.getAttribute('data-timeline'))];
  var host = details.querySelector('.tl-host');
  if (!data || !host) return;
  var drawn = drawTimeline(all.strings, data);
  host.innerHTML = drawn.html + timelineKey(all.strings, data)
    + '<details class="tl-text"><summary>the same events as text</summary>' + traceTable(all.strings, data) + '</details>';
  var scroll = host.querySelector('.tl-scroll');
  if (scroll && drawn.failedX >= 0) scroll.scrollLeft = Math.max(0, drawn.failedX - scroll.clientWidth / 2);
}
function pcFill(template, values) {
  var pieces = template.split('\u0000');
  return pieces.map(function (piece, i) { return i === 0 ? piece : values[i - 1] + piece; }).join('');
}
function pcDrawRuns(details) {
  var all = pcPageData();
  var table = all.runTables[Number(details.getAttribute('data-runs'))];
  var host = details.querySelector('.runs-host');
  if (!table || !host) return;
  var rows = table.rows.map(function (row, i) {
    var scenario = all.strings[row[0]];
    var message = typeof row[2] === 'string' ? row[2] : pcFill(table.template, row[2]);
    var repro = typeof row[3] === 'string' ? row[3] : table.repro.replace('\u0001', scenario).replace('\u0002', String(row[1]));
    var faults = all.faultKinds.filter(function (kind, bit) { return (row[4] & (1 << bit)) !== 0; }).join(' ');
    var followOns = row[5] || [];
    var names = followOns.map(function (index) { return all.strings[index]; }).filter(function (name, at, list) { return list.indexOf(name) === at; });
    return '<tr data-testid="run" data-scenario="' + tlEsc(scenario) + '" data-seed="' + row[1] + '" data-faults="' + faults + '"' + (i === table.shown ? ' class="shown"' : '') + '>'
      + '<td>' + tlEsc(scenario) + '</td><td class="num">' + row[1] + '</td><td class="msg">' + tlEsc(message)
      + (followOns.length === 0 ? '' : ' <span class="fo" title="follow-on complaints: ' + tlEsc(names.join(', ')) + '">+' + followOns.length + '</span>')
      + '</td><td><button type="button" class="rp" title="copy the whole repro command" data-copy="' + tlEsc(repro) + '">' + tlEsc(repro.slice(table.prefix.length)) + '</button></td></tr>';
  });
  host.innerHTML = '<table class="grid runs"><thead><tr><th>scenario</th><th class="num">seed</th>'
    + '<th>first violation of the run (+ follow-on complaints)</th><th>repro: <code>' + tlEsc(table.prefix) + '</code>\u2026</th></tr></thead><tbody>' + rows.join('') + '</tbody></table>';
  pcFilter();
}
/** Draws what a card's details element holds the first time it opens. */
function pcOpen(details) {
  if (!details.open || details.getAttribute('data-drawn') === 'true') return;
  if (details.hasAttribute('data-timeline')) pcDrawTimeline(details);
  else if (details.hasAttribute('data-runs')) pcDrawRuns(details);
  else return;
  details.setAttribute('data-drawn', 'true');
}
document.addEventListener('toggle', function (event) {
  if (event.target instanceof Element && event.target.matches('details')) pcOpen(event.target);
}, true);

function pcListHas(list, value) {
  return value === '' || (' ' + (list || '') + ' ').indexOf(' ' + value + ' ') >= 0;
}
function pcFilter() {
  var chosen = {};
  document.querySelectorAll('select[data-filter]').forEach(function (select) { chosen[select.getAttribute('data-filter')] = select.value; });
  var shown = 0;
  var total = 0;
  document.querySelectorAll('[data-testid="group"], [data-testid="more-group"]').forEach(function (group) {
    var match = pcListHas(group.getAttribute('data-scenarios'), chosen.scenario)
      && (chosen.invariant === '' || group.getAttribute('data-invariant') === chosen.invariant)
      && pcListHas(group.getAttribute('data-faults'), chosen.fault);
    group.hidden = !match;
    total += 1;
    if (match) shown += 1;
    group.querySelectorAll('tr[data-scenario]').forEach(function (row) {
      row.hidden = !(pcListHas(row.getAttribute('data-scenario'), chosen.scenario) && pcListHas(row.getAttribute('data-faults'), chosen.fault));
    });
  });
  var count = document.querySelector('[data-testid="filter-count"]');
  if (total === 0) return;
  if (count) count.textContent = shown === total ? total + ' root causes' : shown + ' of ' + total + ' root causes shown';
}
var pcFilters = document.querySelector('[data-testid="filters"]');
if (pcFilters) {
  pcFilters.hidden = false;
  pcFilters.addEventListener('change', pcFilter);
}
document.querySelectorAll('details[open]').forEach(pcOpen);

document.addEventListener('click', function (event) {
  var button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  var inRow = button.classList.contains('rp');
  var code = inRow ? button : button.parentElement ? button.parentElement.querySelector('code') : null;
  var text = button.getAttribute('data-copy') || (code ? code.textContent : '') || '';
  var label = button.textContent;
  function selectCode() {
    if (!code) return;
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    if (selection) { selection.removeAllRanges(); selection.addRange(range); }
    if (!inRow) button.textContent = 'selected';
  }
  function done() { if (!inRow) button.textContent = 'copied'; }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, selectCode);
  } else {
    selectCode();
  }
  if (!inRow) setTimeout(function () { button.textContent = label; }, 1500);
});
`;

/**
 * A script as the page carries it: without indentation and without the lines that are only a
 * comment. Safe for the scripts of this package, which keep every comment on lines of its own
 * and no multi-line string; it is not a general minifier.
 */
export function compactScript(source: string): string {
  return source.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('//') && !/^\/\*.*\*\/$/.test(line)).join('\n');
}
