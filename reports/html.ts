/**
 * report.html: one self-contained page for a person triaging a campaign. From the top: the
 * verdict and totals; what failed, as "N of M seeds failed" with the root causes and what to do
 * next (shrink the first); the targeted cells never hit; the coverage heat map (faults injected
 * per probe site and fault kind); then the root causes (html-groups.ts), one card each with a
 * filter by scenario, invariant and fault kind; last, the per-scenario table.
 *
 * A failing run's first violation is its root cause; its other violations are follow-on
 * complaints, folded under it; runs with the same root cause (invariant and message shape) are
 * one card (harness/triage.ts). Timelines travel as compact data and are drawn when opened
 * (timeline.ts), the first card's on load: a campaign with hundreds of failures stays a small
 * page.
 *
 * Self-contained means it opens from a CI artifact or an e-mail attachment with no network: the
 * CSS, the script and the data are inline, fonts are the system's, and the page references no
 * URL at all. Every value from the campaign is escaped with {@link escapeHtml} (or travels as
 * JSON that the page script escapes).
 *
 * Stable hooks for tests and scripts (`data-testid`): `verdict`, `total-<name>` (see
 * {@link totalTestIds}), `triage`, `next-step`, `missed-targets`, `heatmap`, `heatmap-cell`,
 * `violations` (the root causes section), those of html-groups.ts and timeline-script.ts, and
 * `scenarios`.
 */
import type { CampaignResult } from '../sim/index.ts';
import { nextShrinkCommand } from '../harness/index.ts';
import { escapeHtml } from './escape.ts';
import type { ReportMeta, RootCauseGroup } from './figures.ts';
import {
  acknowledgedWord, determinismLines, failingSeedCount, followOnCount, nondeterministic, formatCount, formatDurationMs, formatRate, missedTargets, rootCauses, scenarioRows, subjectLine, totals,
} from './figures.ts';
import { renderGroups } from './html-groups.ts';
import { heatmapCss, renderHeatmap } from './heatmap.ts';
import { compactScript, reportCss, reportScript } from './html-style.ts';
import { timelineScript } from './timeline-script.ts';

export { htmlGroupsDetailedMax, htmlRunsPerGroupMax } from './html-groups.ts';

/** The `data-testid` of each total shown at the top of the page. */
export const totalTestIds = [
  'total-seeds', 'total-seeds-per-second', 'total-violations', 'total-detected', 'total-crashes',
  'total-commits', 'total-faults', 'total-targets', 'total-elapsed',
] as const;

const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

/**
 * Renders report.html.
 * @param result - the campaign result
 * @param meta - the powercut build, shown in the header
 * @returns a complete HTML5 document; the same inputs give the same bytes
 */
export function renderHtml(result: CampaignResult, meta: ReportMeta): string {
  const total = totals(result);
  const failing = total.violations > 0;
  const groups = rootCauses(result);
  const varies = nondeterministic(result);
  const verdicts = [...(varies ? ['NONDETERMINISM'] : []), ...(failing ? [`${plural(total.violations, 'violation')}, ${plural(groups.length, 'root cause')}`] : []), ...(result.gate === undefined ? [] : [result.gate.verdict])];
  const title = `powercut: ${verdicts.length > 0 ? verdicts.join('; ') : 'passed'}, ${formatCount(total.seeds)} seeds`;
  const body = [
    header(result, meta, failing || varies),
    totalsGrid(result),
    gateCallout(result),
    determinismCallout(result),
    triageCallout(result, groups),
    missedCallout(result),
    '<h2>Coverage <span class="count">faults injected per probe site and fault kind</span></h2>',
    renderHeatmap(result),
    `<h2>Root causes <span class="count">${failing ? `${plural(groups.length, 'root cause')} · each failing run's first violation, its follow-on complaints folded under it` : 'none'}</span></h2>`,
    failing ? renderGroups(result, groups) : `<div class="ok" data-testid="violations">No violations: every invariant held on all ${formatCount(total.seeds)} seeds.</div>`,
    `<h2>Scenarios <span class="count">${formatCount(total.scenarios)}</span></h2>`,
    scenariosTable(result),
    `<footer>powercut ${escapeHtml(meta.version)}${meta.generatedAt === undefined ? '' : ` · generated ${escapeHtml(meta.generatedAt)}`} · self-contained report: no network access needed · every violation, with its whole trace, is in summary.json</footer>`,
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
    `<style>${reportCss}${heatmapCss}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    `<script>${compactScript(timelineScript + reportScript)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** What failed and what to do next: the first thing a failing page says after its totals. */
function triageCallout(result: CampaignResult, groups: readonly RootCauseGroup[]): string {
  if (groups.length === 0) return '';
  const first = groups[0]!.runs[0]!;
  const shrink = nextShrinkCommand(first.root);
  const next = shrink ?? first.root.repro;
  const omitted = result.violationsOmitted === undefined ? '' : ` (and ${plural(result.violationsOmitted, 'violation')} of later seeds counted, not kept)`;
  return `<div class="triage panel" data-testid="triage"><div><b>${formatCount(failingSeedCount(result))} of ${formatCount(result.seeds)} seeds failed</b>: `
    + `${plural(result.violations.length, 'violation')}${omitted} come to <b>${plural(groups.length, 'root cause')}</b>; `
    + `${plural(followOnCount(groups), 'follow-on complaint')} ${followOnCount(groups) === 1 ? 'is' : 'are'} folded under the first violation of ${followOnCount(groups) === 1 ? 'its run' : 'their runs'}. `
    + `The largest: <code>${escapeHtml(groups[0]!.invariant)}</code> in ${plural(groups[0]!.runs.length, 'seed')}.</div>`
    + `<div class="repro next"><span class="next-label">next: ${shrink === undefined ? 'rerun it' : 'shrink it to a minimal plan'}</span>`
    + `<code data-testid="next-step">${escapeHtml(next)}</code><button type="button" data-copy title="copy the command">copy</button></div></div>`;
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
  // A gate the command did not pass (nothing tested, incomplete) fails the job as a violation does.
  const word = failing ? 'FAIL' : result.gate !== undefined ? result.gate.verdict.toUpperCase() : 'PASS';
  return `<header><h1>powercut campaign</h1><span class="verdict ${word === 'PASS' ? 'pass' : 'fail'}" data-testid="verdict">${word}</span>`
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
    stat('total-commits', `${acknowledgedWord(result)} acked`, formatCount(total.commitsAcknowledged)),
    stat('total-faults', 'faults injected', formatCount(total.faultsInjected)),
    stat('total-targets', 'targeted cells hit', `${total.targetedCellsHit}/${total.targetedCells}`, total.targetedCellsHit < total.targetedCells),
    stat('total-elapsed', 'elapsed', escapeHtml(formatDurationMs(result.elapsedMs))),
  ].join('')}</section>`;
}

/** What the determinism check found, when the campaign checked it: a failing callout listing the seeds, or one line. */
function determinismCallout(result: CampaignResult): string {
  const lines = determinismLines(result);
  if (lines.length === 0) return '';
  if (!nondeterministic(result)) return `<div class="ok" data-testid="determinism">${escapeHtml(lines[0]!)}.</div>`;
  const seeds = lines.slice(1).map((line) => `<li><code>${escapeHtml(line)}</code></li>`).join('');
  return `<div class="callout" data-testid="determinism"><b>${escapeHtml(lines[0]!)}</b><ul>${seeds}</ul></div>`;
}

/** Why the command did not pass a campaign in which no seed failed (CampaignResult.gate). */
function gateCallout(result: CampaignResult): string {
  const gate = result.gate;
  if (gate === undefined) return '';
  return `<div class="callout" data-testid="gate"><b>${escapeHtml(gate.verdict)}</b>: the command failed although no seed did. `
    + `${gate.reasons.map((reason) => escapeHtml(reason)).join(' ')}</div>`;
}

function missedCallout(result: CampaignResult): string {
  const missed = missedTargets(result);
  if (missed.length === 0) return '';
  const cells = missed.map((cell) => `<code>${escapeHtml(cell.phase)} × ${escapeHtml(cell.kind)}</code>`).join(', ');
  return `<div class="callout" data-testid="missed-targets"><b>${missed.length} targeted cell${missed.length === 1 ? '' : 's'} never hit</b>: `
    + `scenarios aim faults at ${missed.length === 1 ? 'this combination' : 'these combinations'} but the campaign injected none, so ${missed.length === 1 ? 'it is' : 'they are'} untested: ${cells}. Run more seeds or fix the scenario's targeting.</div>`;
}

function scenariosTable(result: CampaignResult): string {
  const rows = scenarioRows(result).map((row) => `<tr class="${row.violations > 0 ? 'failing' : ''}">`
    + `<td>${escapeHtml(row.scenario)}</td><td class="num">${formatCount(row.seeds)}</td><td class="num">${formatCount(row.violations)}</td>`
    + `<td>${row.invariants.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}</td><td class="num">${formatCount(row.detected)}</td>`
    + `<td class="num">${formatCount(row.crashes)}</td><td class="num">${formatCount(row.commitsAcknowledged)}</td><td class="num">${formatCount(row.faultsInjected)}</td></tr>`);
  return `<div class="panel"><table class="grid" data-testid="scenarios"><thead><tr><th>scenario</th><th class="num">seeds</th><th class="num">violations</th><th>invariants broken</th>`
    + `<th class="num">damage detected</th><th class="num">crashes</th><th class="num">${acknowledgedWord(result)} acked</th><th class="num">faults</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
