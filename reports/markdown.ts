/**
 * summary.md: a short Markdown summary for a CI step summary (GitHub's `$GITHUB_STEP_SUMMARY`,
 * GitLab and Buildkite annotations) or a pull-request comment. It leads with the verdict, how
 * many seeds failed and the root causes with their repro commands (harness/triage.ts: a failing
 * run's first violation is its root cause, its other violations follow-on complaints; runs with
 * the same root cause are one entry), and what to do next, since those are what a reader acts
 * on; figures follow.
 *
 * Step summaries render raw HTML, so every value from the campaign is escaped (escape.ts) and
 * repro commands sit in code spans sized to their content. The list is capped at
 * {@link markdownGroupsMax} root causes, and each lists at most {@link markdownSeedsListedMax}
 * seeds, so a campaign with thousands of failures stays under the size limits CI systems put on
 * summaries (GitHub: 1 MiB); summary.json keeps every violation.
 */
import type { CampaignResult } from '../sim/index.ts';
import { nextShrinkCommand } from '../harness/index.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';
import type { ReportMeta, RootCauseGroup } from './figures.ts';
import {
  coverageCells, determinismLines, reportedFaultKinds, failingSeedCount, followOnCount, formatCount, formatDurationMs, formatRate, groupScenarios, looksLines, missedTargets, nondeterministic, rootCauses, unreachableTargets,
  acknowledgedWord, needsNoFaultLine, runName, unitsPhrase, scenarioRows, sitesOf, subjectLine, totals,
} from './figures.ts';

/** Most root causes listed in summary.md. */
export const markdownGroupsMax = 30;
/** Most seeds listed under one root cause. */
export const markdownSeedsListedMax = 30;

const plural = (count: number, word: string): string => `${formatCount(count)} ${word}${count === 1 ? '' : 's'}`;

/**
 * Renders summary.md.
 * @param result - the campaign result
 * @param meta - the powercut build, printed in the heading line when given
 * @returns GitHub-flavoured Markdown with a trailing newline
 */
export function renderMarkdown(result: CampaignResult, meta?: ReportMeta): string {
  const total = totals(result);
  const groups = rootCauses(result);
  const lines: string[] = [];
  const failed = [
    ...(nondeterministic(result) ? [`nondeterministic: ${formatCount(result.determinism!.mismatches.length)} of ${formatCount(result.determinism!.checked)} seeds rerun gave another digest`] : []),
    ...(total.violations === 0 ? [] : [`${formatCount(failingSeedCount(result))} of ${formatCount(total.seeds)} seeds failed, ${plural(groups.length, 'root cause')}`]),
  ];
  const gate = result.gate;
  const verdict = failed.length > 0 ? `❌ ${failed.join('; ')}` : gate !== undefined ? `⚠️ ${gate.verdict}` : '✅ passed';
  lines.push(`## powercut: ${verdict}`, '');
  // Said where the heading is: a CI job that failed on it must not show a passed campaign.
  if (gate !== undefined) lines.push('> [!CAUTION]', `> The command failed (${gate.verdict}) although no seed did:`, ...gate.reasons.map((reason) => `> - ${escapeMarkdown(reason)}`), '');
  const about = [
    `**${formatCount(total.seeds)} seeds** over ${unitsPhrase(result)}`,
    `${formatDurationMs(result.elapsedMs)}, **${formatRate(result.seedsPerSecond)} seeds/s**`,
    `seeds from ${result.seedStart}`,
    ...(result.shard === undefined ? [] : [`shard ${markdownCode(result.shard)}`]),
    ...(subjectLine(result) === undefined ? [] : [escapeMarkdown(subjectLine(result)!)]),
    `digest ${markdownCode(result.digest)}`,
    ...(meta === undefined ? [] : [`powercut ${escapeMarkdown(meta.version)}${meta.commit === undefined ? '' : ` (${markdownCode(meta.commit)})`}`]),
  ];
  lines.push(about.join(' · '), '');

  lines.push(`| seeds | seeds/s | violations | detected damage | crashes | ${acknowledgedWord(result)} acked | faults injected | targeted cells hit |`);
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  lines.push(`| ${[
    formatCount(total.seeds), formatRate(result.seedsPerSecond), formatCount(total.violations),
    formatCount(total.detected), formatCount(total.crashes), formatCount(total.commitsAcknowledged),
    formatCount(total.faultsInjected), `${total.targetedCellsHit} / ${total.targetedCells}`,
  ].join(' | ')} |`, '');
  for (const line of looksLines(result)) lines.push(`${line[0]!.toUpperCase()}${line.slice(1)}.`, '');
  const determinism = determinismLines(result);
  if (nondeterministic(result)) lines.push('> [!CAUTION]', `> ${escapeMarkdown(determinism[0]!)}`, '', ...determinism.slice(1).map((line) => `- ${escapeMarkdown(line)}`), '');
  else if (determinism.length > 0) lines.push(`${escapeMarkdown(determinism[0]![0]!.toUpperCase() + determinism[0]!.slice(1))}.`, '');

  if (groups.length > 0) lines.push(...rootCauseLines(result, groups));

  const missed = missedTargets(result);
  if (missed.length > 0) {
    const cells = missed.map((cell) => `${markdownCode(cell.phase)} × ${markdownCode(cell.kind)}`).join(', ');
    lines.push(`> [!WARNING]`, `> ${missed.length} targeted cell${missed.length === 1 ? ' was' : 's were'} never hit, so ${missed.length === 1 ? 'it is' : 'they are'} untested: ${cells}`, '');
  }
  const unreachable = unreachableTargets(result);
  if (unreachable.length > 0) {
    const cells = unreachable.map((cell) => `${markdownCode(cell.phase)} × ${markdownCode(cell.kind)}`).join(', ');
    lines.push(`${unreachable.length} targeted cell${unreachable.length === 1 ? '' : 's'} no seed could hit, since no I/O there could take the fault (not counted as targeted): ${cells}.`, '');
  }

  lines.push('### Coverage', '', 'Faults injected per site (engine phase, or I/O class) and fault kind. **Bold**: a scenario targets the cell; ⚠ **0**: targeted but never hit.', '');
  const kinds = reportedFaultKinds(result);
  lines.push(`| site | ${kinds.map((kind) => markdownCode(kind, true)).join(' | ')} | total |`);
  lines.push(`|---|${kinds.map(() => '---:').join('|')}|---:|`);
  const cells = coverageCells(result);
  for (const phase of sitesOf(result)) {
    const row = cells.filter((cell) => cell.phase === phase);
    const rendered = row.map((cell) => {
      if (cell.targeted) return cell.count === 0 ? '⚠ **0**' : `**${formatCount(cell.count)}**`;
      return cell.count === 0 ? '·' : formatCount(cell.count);
    });
    const sum = row.reduce((acc, cell) => acc + cell.count, 0);
    lines.push(`| ${markdownCode(phase, true)} | ${rendered.join(' | ')} | ${formatCount(sum)} |`);
  }
  lines.push(`| **all** | ${kinds.map((kind) => `**${formatCount(result.faults[kind] ?? 0)}**`).join(' | ')} | **${formatCount(total.faultsInjected)}** |`, '');

  lines.push('### Scenarios', '');
  lines.push('| scenario | seeds | violations | invariants broken | detected damage | crashes | faults |');
  lines.push('|---|---:|---:|---|---:|---:|---:|');
  for (const row of scenarioRows(result)) {
    const broken = row.invariants.length === 0 ? '' : row.invariants.map((name) => markdownCode(name, true)).join(', ');
    lines.push(`| ${escapeMarkdown(row.scenario)} | ${formatCount(row.seeds)} | ${row.violations === 0 ? '0' : `**${formatCount(row.violations)}**`} | ${broken} | ${formatCount(row.detected)} | ${formatCount(row.crashes)} | ${formatCount(row.faultsInjected)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

/** The root causes, largest first, each with its seeds and the repro of its first run; then what to do next. */
function rootCauseLines(result: CampaignResult, groups: readonly RootCauseGroup[]): string[] {
  const lines = ['### Root causes', ''];
  const folded = followOnCount(groups);
  lines.push(`${plural(result.violations.length, 'violation')}${result.violationsOmitted === undefined ? '' : ` (and ${plural(result.violationsOmitted, 'violation')} of later seeds, counted, not kept)`}: `
    + `each failing run's first violation is its root cause; ${plural(folded, 'follow-on complaint')} ${folded === 1 ? 'is' : 'are'} folded under ${folded === 1 ? 'it' : 'them'}. `
    + 'Runs whose first violations break the same invariant with the same message (numbers masked as N) are one root cause.', '');
  const first = groups[0]!.runs[0]!;
  const shrink = nextShrinkCommand(first.root);
  lines.push(shrink === undefined ? `**Next:** rerun the first root cause: ${markdownCode(first.root.repro)}` : `**Next:** shrink the first root cause to a minimal plan: ${markdownCode(shrink)}`, '');
  for (const [index, group] of groups.slice(0, markdownGroupsMax).entries()) {
    const run = group.runs[0]!;
    const where = groupScenarios(group).map(({ scenario, runs }) => `${escapeMarkdown(scenario)} ${formatCount(runs)}`).join(', ');
    lines.push(`${index + 1}. ${markdownCode(group.invariant)} ${escapeMarkdown(group.shape)}: **${plural(group.runs.length, 'seed')}** (${where})`);
    lines.push(`   first, ${escapeMarkdown(run.scenario)} ${runName(run.scenario, run.seed)}: ${escapeMarkdown(run.root.message)}${run.followOns.length === 0 ? '' : ` (then ${plural(run.followOns.length, 'follow-on complaint')})`}`);
    lines.push(`   ${markdownCode(run.root.repro)}`);
    const faultFree = needsNoFaultLine(group);
    if (faultFree !== undefined) lines.push(`   ${escapeMarkdown(faultFree)}`);
    if (group.runs.length > 1) lines.push(`   seeds: ${seedList(group)}`);
  }
  if (groups.length > markdownGroupsMax) {
    const rest = groups.slice(markdownGroupsMax);
    lines.push(`- … and ${plural(rest.length, 'more root cause')} (${plural(rest.reduce((sum, group) => sum + group.runs.length, 0), 'seed')}) in report.html and summary.json`);
  }
  lines.push('');
  return lines;
}

/** `wal-append 1, 3, 4; checkpoint-prune 2, … and 12 more`: a root cause's seeds by scenario, at most {@link markdownSeedsListedMax}. */
function seedList(group: RootCauseGroup): string {
  const listed = group.runs.slice(0, markdownSeedsListedMax);
  const byScenario = groupScenarios({ ...group, runs: listed }).map(({ scenario }) =>
    `${escapeMarkdown(scenario)} ${listed.filter((run) => run.scenario === scenario).map((run) => run.seed).join(', ')}`);
  const more = group.runs.length - listed.length;
  return `${byScenario.join('; ')}${more > 0 ? ` … and ${formatCount(more)} more` : ''}`;
}
