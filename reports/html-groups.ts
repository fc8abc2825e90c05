/**
 * The root causes section of report.html: a filter bar, one card per root cause (harness/
 * triage.ts) and, past {@link htmlGroupsDetailedMax}, a table of the rest with their messages.
 *
 * A card shows the root cause as the invariant and the message shape, how many seeds it failed
 * and where; then the run it is shown by (its first run with a trace): the run's first
 * violation with its repro command, the follow-on complaints of that run, its timeline (drawn
 * when opened; the first card's is open on load, scrolled so the failed check is in view), and
 * a table of every run of the group with its own first message and its repro arguments.
 *
 * Sizes: the page carries one timeline per root cause and one compact row per run, as data
 * (a `<script type="application/json">`), drawn when their card opens them: a row's message
 * travels as the values that fill its root cause's message template, its repro as what follows
 * the group's common command prefix (written once; the copy button puts the command together).
 *
 * Stable hooks (`data-testid`): `filters`, `filter-count`, `group` (with `data-invariant`,
 * `data-scenarios`, `data-faults`), `group-seeds`, `violation-message`, `repro`, `follow-ons`,
 * `group-timeline`, `group-runs`, `run` (a table row, with `data-scenario`, `data-seed`),
 * `more-groups`.
 */
import { faultKinds } from '../sim/index.ts';
import type { CampaignResult } from '../sim/index.ts';
import { escapeHtml, scriptJson } from './escape.ts';
import type { FailingRun, RootCauseGroup } from './figures.ts';
import { formatCount, needsNoFaultLine, runName, groupScenarios, messageParts, representativeRun, runFaultKindsOf } from './figures.ts';
import { PageStrings, timelineData, type TimelineData } from './timeline.ts';

/** Root causes shown as cards; the rest are rows of one table. */
export const htmlGroupsDetailedMax = 40;
/** Runs listed in a card's table of runs; the rest are listed by seed only. */
export const htmlRunsPerGroupMax = 50;
/** Follow-on complaints of the shown run listed with their messages. */
const followOnsListedMax = 5;

const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

/**
 * A card's table of runs as the page embeds it, drawn when opened: `prefix` is the start every
 * repro command of the group shares (the table shows what follows it), `template` the message of
 * its first run with each varying part a U+0000 (harness/triage.ts), `repro` its repro command
 * with the scenario a U+0001 and the seed a U+0002, `shown` the index of the run the card shows.
 * A row is `[scenario, seed, message, repro, faults, followOns]`: the scenario a string index,
 * the message the template's values (or the whole message when its template differs), the repro
 * 0 when the pattern gives it (else the whole command), faults a bit mask over `faultKinds`,
 * follow-ons the string indices of their invariants (left off when none).
 */
interface RunTableData {
  readonly prefix: string;
  readonly template: string;
  readonly repro: string;
  readonly shown: number;
  readonly rows: readonly (readonly unknown[])[];
}

/** What the section embeds besides its markup. */
interface SectionState {
  readonly strings: PageStrings;
  readonly timelines: TimelineData[];
  readonly runTables: RunTableData[];
}

/**
 * Renders the root causes section: filters, cards, the table of the rest, and the timeline data.
 * @param groups - the campaign's root causes, largest first
 */
export function renderGroups(result: CampaignResult, groups: readonly RootCauseGroup[]): string {
  const state: SectionState = { strings: new PageStrings(), timelines: [], runTables: [] };
  const cards = groups.slice(0, htmlGroupsDetailedMax).map((group, index) => groupCard(group, index, state));
  const rest = groups.slice(htmlGroupsDetailedMax);
  return [
    filterBar(result, groups),
    '<noscript><div class="more">The page\'s script is off: timelines, the tables of runs and the filters need it; summary.json holds everything.</div></noscript>',
    `<section data-testid="violations" class="groups">${cards.join('\n')}${rest.length === 0 ? '' : moreGroups(rest)}</section>`,
    `<script type="application/json" id="pc-data">${scriptJson({ faultKinds, strings: state.strings.list, timelines: state.timelines, runTables: state.runTables })}</script>`,
  ].join('\n');
}

function filterBar(result: CampaignResult, groups: readonly RootCauseGroup[]): string {
  const scenarios = result.scenarios.filter((scenario) => groups.some((group) => group.runs.some((run) => run.scenario === scenario)));
  const invariants = [...new Set(groups.map((group) => group.invariant))];
  const kinds = faultKinds.filter((kind) => groups.some((group) => group.runs.some((run) => runFaultKindsOf(run).includes(kind))));
  const select = (name: string, label: string, values: readonly string[]): string =>
    `<label>${label} <select data-filter="${name}"><option value="">all</option>${values.map((value) => `<option>${escapeHtml(value)}</option>`).join('')}</select></label>`;
  // Hidden until the page script runs: without it the filters would do nothing.
  return `<div class="filters" data-testid="filters" hidden>${select('scenario', 'scenario', scenarios)}${select('invariant', 'invariant', invariants)}`
    + `${select('fault', 'fault kind', kinds)}<span class="count" data-testid="filter-count">${plural(groups.length, 'root cause')}</span></div>`;
}

function groupCard(group: RootCauseGroup, index: number, state: SectionState): string {
  const shown = representativeRun(group);
  const kinds = faultKinds.filter((kind) => group.runs.some((run) => runFaultKindsOf(run).includes(kind)));
  const where = groupScenarios(group).map(({ scenario, runs }) => `${escapeHtml(scenario)} ${formatCount(runs)}`).join(', ');
  return [
    `<article class="group panel" data-testid="group" data-invariant="${escapeHtml(group.invariant)}" `
      + `data-scenarios="${escapeHtml(groupScenarios(group).map(({ scenario }) => scenario).join(' '))}" data-faults="${kinds.join(' ')}">`,
    `<div class="g-head"><span class="g-rank">${index + 1}</span><span class="badge">${escapeHtml(group.invariant)}</span>`
      + `<span class="g-shape">${escapeHtml(group.shape)}</span>`
      + `<span class="g-seeds" data-testid="group-seeds">${plural(group.runs.length, 'seed')}</span></div>`,
    '<div class="g-body">',
    `<div class="g-where">seeds by scenario: ${where}${kinds.length === 0 ? '' : ` · faults injected: ${kinds.join(', ')}`}</div>`,
    needsNoFaultLine(group) === undefined ? '' : `<div class="facts" data-testid="needs-no-fault">${escapeHtml(needsNoFaultLine(group)!)}</div>`,
    shownRun(shown),
    timelineSection(shown, state, index === 0),
    runsTable(group, shown, state),
    '</div></article>',
  ].join('');
}

function shownRun(run: FailingRun): string {
  const followOns = run.followOns.slice(0, followOnsListedMax).map((violation) =>
    `<li><code>${escapeHtml(violation.invariant)}</code> ${escapeHtml(violation.message)}</li>`);
  const more = run.followOns.length - followOnsListedMax;
  return [
    `<p class="v-msg"><span class="g-run">${escapeHtml(run.scenario)} ${runName(run.scenario, run.seed)}</span> <span data-testid="violation-message">${escapeHtml(run.root.message)}</span></p>`,
    `<div class="repro"><code data-testid="repro">${escapeHtml(run.root.repro)}</code><button type="button" data-copy title="copy the repro command">copy</button></div>`,
    run.followOns.length === 0 ? '' : `<div class="follow" data-testid="follow-ons">then ${plural(run.followOns.length, 'follow-on complaint')} in the same run:<ul>${followOns.join('')}`
      + `${more > 0 ? `<li>… and ${formatCount(more)} more (summary.json)</li>` : ''}</ul></div>`,
  ].join('');
}

function timelineSection(run: FailingRun, state: SectionState, open: boolean): string {
  const data = timelineData(run.root, state.strings, `${run.scenario} ${runName(run.scenario, run.seed)}`);
  if (data === undefined) return '<div class="facts">no trace kept for this run (the campaign traces one run per root cause first, up to its budget)</div>';
  state.timelines.push(data);
  const around = data.events.length < data.total ? `: the last ${formatCount(data.events.length)} of ${formatCount(data.total)} events up to the failure` : `: ${formatCount(data.total)} events`;
  return `<details class="g-tl" data-testid="group-timeline" data-timeline="${state.timelines.length - 1}"${open ? ' open' : ''}>`
    + `<summary>timeline${around}</summary><div class="tl-host"></div></details>`;
}

/** The longest start every command shares, cut after a whole word: what the table writes once. */
function commonCommandPrefix(commands: readonly string[]): string {
  let prefix = commands[0] ?? '';
  for (const command of commands) {
    while (!command.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  const cut = prefix.lastIndexOf(' ');
  return cut < 0 ? '' : prefix.slice(0, cut + 1);
}

/** A repro command with its scenario and seed words as U+0001 and U+0002, to be filled in per run. */
function reproPattern(run: FailingRun): string {
  return run.root.repro.split(' ').map((word) => (word === run.scenario ? '\u0001' : word === String(run.seed) ? '\u0002' : word)).join(' ');
}

/** Values that are plain numbers travel as numbers (no quotes); `007` stays a string. */
function compactValues(values: readonly string[]): (string | number)[] {
  return values.map((value) => (/^(0|[1-9]\d{0,14})$/.test(value) ? Number(value) : value));
}

function runsTable(group: RootCauseGroup, shown: FailingRun, state: SectionState): string {
  if (group.runs.length === 1) return '';
  const listed = group.runs.slice(0, htmlRunsPerGroupMax);
  const prefix = commonCommandPrefix(group.runs.map((run) => run.root.repro));
  const template = messageParts(group.runs[0]!.root.message).template;
  const repro = reproPattern(group.runs[0]!);
  const rows = listed.map((run) => {
    const parts = messageParts(run.root.message);
    const mask = runFaultKindsOf(run).reduce((bits, kind) => bits | (1 << faultKinds.indexOf(kind)), 0);
    // A repro that the pattern gives back exactly travels as 0; any other as the whole command.
    const byPattern = repro.replace('\u0001', run.scenario).replace('\u0002', String(run.seed)) === run.root.repro;
    const row: unknown[] = [state.strings.intern(run.scenario), run.seed, parts.template === template ? compactValues(parts.values) : run.root.message, byPattern ? 0 : run.root.repro, mask];
    if (run.followOns.length > 0) row.push(run.followOns.map((violation) => state.strings.intern(violation.invariant)));
    return row;
  });
  state.runTables.push({ prefix, template, repro, shown: group.runs.indexOf(shown), rows });
  const unlisted = group.runs.slice(htmlRunsPerGroupMax);
  const seedsOnly = unlisted.length === 0 ? '' : `<div class="more">${plural(unlisted.length, 'more run')} (messages in summary.json): `
    + `${groupScenarios({ ...group, runs: unlisted }).map(({ scenario }) => `${escapeHtml(scenario)} seeds ${unlisted.filter((run) => run.scenario === scenario).map((run) => run.seed).join(', ')}`).join('; ')}</div>`;
  return `<details class="g-runs" data-testid="group-runs" data-runs="${state.runTables.length - 1}"><summary>all ${plural(group.runs.length, 'run')}, each with its first violation</summary>`
    + `<div class="runs-host"></div>${seedsOnly}</details>`;
}

function moreGroups(rest: readonly RootCauseGroup[]): string {
  const rows = rest.map((group) => {
    const first = group.runs[0]!;
    const kinds = faultKinds.filter((kind) => group.runs.some((run) => runFaultKindsOf(run).includes(kind)));
    return `<tr data-testid="more-group" data-invariant="${escapeHtml(group.invariant)}" data-scenarios="${escapeHtml(groupScenarios(group).map(({ scenario }) => scenario).join(' '))}" data-faults="${kinds.join(' ')}">`
      + `<td><code>${escapeHtml(group.invariant)}</code></td><td class="num">${formatCount(group.runs.length)}</td>`
      + `<td class="msg">${escapeHtml(first.scenario)} ${runName(first.scenario, first.seed)}: ${escapeHtml(first.root.message)}</td><td><code data-testid="repro">${escapeHtml(first.root.repro)}</code></td></tr>`;
  });
  return `<div class="panel" data-testid="more-groups"><div class="more">${plural(rest.length, 'more root cause')}, each by its first run:</div>`
    + `<table class="grid"><thead><tr><th>invariant</th><th class="num">seeds</th><th>first run and its message</th><th>repro</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
