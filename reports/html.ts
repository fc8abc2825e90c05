/**
 * report.html: one self-contained page for a person: the verdict and totals, the targeted cells
 * that were never hit, every violation with its repro command and a timeline of its shrunk trace,
 * the coverage heat map and the per-scenario table.
 *
 * Self-contained means it opens from a CI artifact or an e-mail attachment with no network: the
 * CSS, the small copy-button script and the SVG are inline, fonts are the system's, and the page
 * references no URL at all. Every value from the campaign is escaped with {@link escapeHtml}.
 *
 * Stable hooks for tests and scripts (`data-testid`): `verdict`, `total-<name>` (see
 * {@link totalTestIds}), `missed-targets`, `violations`, `violation`, `repro`, `timeline`,
 * `heatmap`, `heatmap-cell`, `scenarios`.
 */
import type { CampaignResult, Violation } from '../sim/index.ts';
import { escapeHtml } from './escape.ts';
import type { ReportMeta } from './figures.ts';
import {
  formatCount, formatDurationMs, formatRate, missedTargets, scenarioRows, sortedViolations, subjectLine, totals,
} from './figures.ts';
import { renderHeatmap } from './heatmap.ts';
import { reportCss, reportScript } from './html-style.ts';
import { failedCheckSeq, renderTimeline, renderTimelineKey } from './timeline.ts';

/** Violations shown in full; the rest are listed in one table row each. */
export const htmlViolationsDetailedMax = 40;

/** The `data-testid` of each total shown at the top of the page. */
export const totalTestIds = [
  'total-seeds', 'total-seeds-per-second', 'total-violations', 'total-detected', 'total-crashes',
  'total-commits', 'total-faults', 'total-targets', 'total-elapsed',
] as const;

/**
 * Renders report.html.
 * @param result - the campaign result
 * @param meta - the powercut build, shown in the header
 * @returns a complete HTML5 document; the same inputs give the same bytes
 */
export function renderHtml(result: CampaignResult, meta: ReportMeta): string {
  const total = totals(result);
  const failing = total.violations > 0;
  const violations = sortedViolations(result);
  const title = `powercut: ${failing ? `${total.violations} violation${total.violations === 1 ? '' : 's'}` : 'passed'}, ${formatCount(total.seeds)} seeds`;
  const body = [
    header(result, meta, failing),
    totalsGrid(result),
    missedCallout(result),
    `<h2>Violations <span class="count">${formatCount(violations.length)}</span></h2>`,
    violationsSection(violations, total.seeds),
    '<h2>Coverage <span class="count">faults injected per engine phase and fault kind</span></h2>',
    renderHeatmap(result),
    `<h2>Scenarios <span class="count">${formatCount(total.scenarios)}</span></h2>`,
    scenariosTable(result),
    `<footer>powercut ${escapeHtml(meta.version)}${meta.generatedAt === undefined ? '' : ` · generated ${escapeHtml(meta.generatedAt)}`} · self-contained report: no network access needed</footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // A content policy that forbids loading anything makes "no network" a property of the page,
    // not just of how it was written.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${reportCss}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    `<script>${reportScript}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(result: CampaignResult, meta: ReportMeta, failing: boolean): string {
  const facts = [
    `powercut <b>${escapeHtml(meta.version)}</b>`,
    ...(meta.commit === undefined ? [] : [`commit <b class="mono">${escapeHtml(meta.commit.slice(0, 12))}</b>`]),
    ...(subjectLine(result) === undefined ? [] : [`<span data-testid="subject">${escapeHtml(subjectLine(result)!)}</span>`]),
    result.subject?.kind === 'library'
      ? `workload <b>${escapeHtml(result.scenarios.join(', '))}</b>`
      : `scenarios <b>${escapeHtml(result.scenarios.join(', '))}</b>`,
    `seeds from <b class="mono">${result.seedStart}</b>`,
    ...(result.shard === undefined ? [] : [`shard <b class="mono">${escapeHtml(result.shard)}</b>`]),
    `digest <b class="mono" data-testid="digest">${escapeHtml(result.digest)}</b>`,
  ];
  return `<header><h1>powercut campaign</h1><span class="verdict ${failing ? 'fail' : 'pass'}" data-testid="verdict">${failing ? 'FAIL' : 'PASS'}</span>`
    + `<div class="meta">${facts.map((fact) => `<span>${fact}</span>`).join('')}</div></header>`;
}

function totalsGrid(result: CampaignResult): string {
  const total = totals(result);
  const stat = (id: (typeof totalTestIds)[number], label: string, value: string, bad = false): string =>
    `<div class="stat${bad ? ' bad' : ''}"><div class="v" data-testid="${id}">${value}</div><div class="k">${label}</div></div>`;
  return `<section class="totals" data-testid="totals">${[
    stat('total-seeds', 'seeds', formatCount(total.seeds)),
    stat('total-seeds-per-second', 'seeds / s', formatRate(result.seedsPerSecond)),
    stat('total-violations', 'violations', formatCount(total.violations), total.violations > 0),
    stat('total-detected', 'damage detected', formatCount(total.detected)),
    stat('total-crashes', 'crashes', formatCount(total.crashes)),
    stat('total-commits', 'commits acked', formatCount(total.commitsAcknowledged)),
    stat('total-faults', 'faults injected', formatCount(total.faultsInjected)),
    stat('total-targets', 'targeted cells hit', `${total.targetedCellsHit}/${total.targetedCells}`, total.targetedCellsHit < total.targetedCells),
    stat('total-elapsed', 'elapsed', escapeHtml(formatDurationMs(result.elapsedMs))),
  ].join('')}</section>`;
}

function missedCallout(result: CampaignResult): string {
  const missed = missedTargets(result);
  if (missed.length === 0) return '';
  const cells = missed.map((cell) => `<code>${escapeHtml(cell.phase)} × ${escapeHtml(cell.kind)}</code>`).join(', ');
  return `<div class="callout" data-testid="missed-targets"><b>${missed.length} targeted cell${missed.length === 1 ? '' : 's'} never hit</b>: `
    + `scenarios aim faults at ${missed.length === 1 ? 'this combination' : 'these combinations'} but the campaign injected none, so ${missed.length === 1 ? 'it is' : 'they are'} untested: ${cells}. Run more seeds or fix the scenario's targeting.</div>`;
}

function violationsSection(violations: readonly Violation[], seeds: number): string {
  if (violations.length === 0) {
    return `<div class="ok" data-testid="violations">No violations: every invariant held on all ${formatCount(seeds)} seeds.</div>`;
  }
  const detailed = violations.slice(0, htmlViolationsDetailedMax).map(violationCard);
  const rest = violations.slice(htmlViolationsDetailedMax);
  const restTable = rest.length === 0 ? '' : `<div class="panel"><div class="more">${formatCount(rest.length)} more violations, without timelines:</div>`
    + `<table class="grid"><thead><tr><th>scenario</th><th class="num">seed</th><th>invariant</th><th>repro</th></tr></thead><tbody>${rest.map((violation) =>
      `<tr><td>${escapeHtml(violation.scenario)}</td><td class="num">${violation.seed}</td><td><code>${escapeHtml(violation.invariant)}</code></td><td><code data-testid="repro">${escapeHtml(violation.repro)}</code></td></tr>`).join('')}</tbody></table></div>`;
  return `<section data-testid="violations">${detailed.join('\n')}${restTable}</section>`;
}

function violationCard(violation: Violation): string {
  const facts = [
    ...(violation.lsn === undefined ? [] : [`lsn <code>${violation.lsn}</code>`]),
    ...(violation.key === undefined ? [] : [`key <code>${escapeHtml(violation.key)}</code>`]),
    ...(violation.trace === undefined ? [] : [`trace <code>${violation.trace.length}</code> events`]),
  ];
  const timeline = renderTimeline(violation);
  return [
    `<article class="violation panel" data-testid="violation" data-scenario="${escapeHtml(violation.scenario)}" data-seed="${violation.seed}">`,
    `<div class="v-head"><span class="scenario">${escapeHtml(violation.scenario)}</span><span class="mono">seed ${violation.seed}</span><span class="badge">${escapeHtml(violation.invariant)}</span></div>`,
    '<div class="v-body">',
    `<p class="v-msg" data-testid="violation-message">${escapeHtml(violation.message)}</p>`,
    `<div class="repro"><code data-testid="repro">${escapeHtml(violation.repro)}</code><button type="button" data-copy="${escapeHtml(violation.repro)}" title="copy the repro command">copy</button></div>`,
    facts.length === 0 ? '' : `<div class="facts">${facts.join(' · ')}</div>`,
    timeline === '' ? '' : `<div class="tl-scroll">${timeline}</div>${renderTimelineKey(violation)}`,
    traceTable(violation),
    '</div>',
    '</article>',
  ].join('');
}

function traceTable(violation: Violation): string {
  const trace = violation.trace ?? [];
  if (trace.length === 0) return '';
  const failedSeq = failedCheckSeq(violation);
  const rows = trace.map((event) => {
    const failed = event.type === 'check' && event.seq === failedSeq;
    return `<tr class="t-${event.type}${failed ? ' failed' : ''}"><td class="num">${event.seq}</td><td class="num">${event.t}</td><td>${event.type}</td>`
      + `<td>${escapeHtml(event.phase ?? '')}</td><td>${escapeHtml(event.name)}</td><td>${escapeHtml(event.path ?? '')}</td><td class="detail">${escapeHtml(event.detail ?? '')}</td></tr>`;
  });
  return `<details><summary>trace: ${trace.length} events as text</summary><table class="trace"><thead><tr><th>#</th><th>t ms</th><th>type</th><th>phase</th><th>name</th><th>path</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

function scenariosTable(result: CampaignResult): string {
  const rows = scenarioRows(result).map((row) => `<tr class="${row.violations > 0 ? 'failing' : ''}">`
    + `<td>${escapeHtml(row.scenario)}</td><td class="num">${formatCount(row.seeds)}</td><td class="num">${formatCount(row.violations)}</td>`
    + `<td>${row.invariants.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}</td><td class="num">${formatCount(row.detected)}</td>`
    + `<td class="num">${formatCount(row.crashes)}</td><td class="num">${formatCount(row.commitsAcknowledged)}</td><td class="num">${formatCount(row.faultsInjected)}</td></tr>`);
  return `<div class="panel"><table class="grid" data-testid="scenarios"><thead><tr><th>scenario</th><th class="num">seeds</th><th class="num">violations</th><th>invariants broken</th>`
    + `<th class="num">damage detected</th><th class="num">crashes</th><th class="num">commits acked</th><th class="num">faults</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
