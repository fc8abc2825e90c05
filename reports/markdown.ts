/**
 * summary.md: a short Markdown summary for a CI step summary (GitHub's `$GITHUB_STEP_SUMMARY`,
 * GitLab and Buildkite annotations) or a pull-request comment. It leads with the verdict and the
 * repro commands, since those are what a reader acts on; figures follow.
 *
 * Step summaries render raw HTML, so every value from the campaign is escaped (escape.ts) and
 * repro commands sit in code spans sized to their content. The violation list is capped at
 * {@link markdownViolationsMax} entries so a campaign with thousands of failures stays under the
 * size limits CI systems put on summaries (GitHub: 1 MiB); summary.json keeps them all.
 */
import type { CampaignResult } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';
import { escapeMarkdown, markdownCode } from './escape.ts';
import type { ReportMeta } from './figures.ts';
import {
  coverageCells, formatCount, formatDurationMs, formatRate, missedTargets, scenarioRows, sortedViolations,
  sitesOf, subjectLine, totals,
} from './figures.ts';

/** Most violations listed in summary.md. */
export const markdownViolationsMax = 50;

/**
 * Renders summary.md.
 * @param result - the campaign result
 * @param meta - the powercut build, printed in the heading line when given
 * @returns GitHub-flavoured Markdown with a trailing newline
 */
export function renderMarkdown(result: CampaignResult, meta?: ReportMeta): string {
  const total = totals(result);
  const violations = sortedViolations(result);
  const lines: string[] = [];
  const verdict = total.violations === 0
    ? 'passed'
    : `${formatCount(total.violations)} violation${total.violations === 1 ? '' : 's'} in ${total.scenariosFailing} scenario${total.scenariosFailing === 1 ? '' : 's'}`;
  lines.push(`## powercut: ${total.violations === 0 ? '✅' : '❌'} ${verdict}`, '');
  const about = [
    `**${formatCount(total.seeds)} seeds** over ${total.scenarios} scenario${total.scenarios === 1 ? '' : 's'}`,
    `${formatDurationMs(result.elapsedMs)}, **${formatRate(result.seedsPerSecond)} seeds/s**`,
    `seeds from ${result.seedStart}`,
    ...(result.shard === undefined ? [] : [`shard ${markdownCode(result.shard)}`]),
    ...(subjectLine(result) === undefined ? [] : [escapeMarkdown(subjectLine(result)!)]),
    `digest ${markdownCode(result.digest)}`,
    ...(meta === undefined ? [] : [`powercut ${escapeMarkdown(meta.version)}${meta.commit === undefined ? '' : ` (${markdownCode(meta.commit)})`}`]),
  ];
  lines.push(about.join(' · '), '');

  lines.push('| seeds | seeds/s | violations | detected damage | crashes | commits acked | faults injected | targeted cells hit |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  lines.push(`| ${[
    formatCount(total.seeds), formatRate(result.seedsPerSecond), formatCount(total.violations),
    formatCount(total.detected), formatCount(total.crashes), formatCount(total.commitsAcknowledged),
    formatCount(total.faultsInjected), `${total.targetedCellsHit} / ${total.targetedCells}`,
  ].join(' | ')} |`, '');

  if (violations.length > 0) {
    lines.push('### Violations', '');
    for (const violation of violations.slice(0, markdownViolationsMax)) {
      const where = [
        ...(violation.lsn === undefined ? [] : [`lsn ${violation.lsn}`]),
        ...(violation.key === undefined ? [] : [`key ${markdownCode(violation.key)}`]),
      ];
      lines.push(`- **${escapeMarkdown(violation.scenario)}** seed ${violation.seed}, ${markdownCode(violation.invariant)}: ${escapeMarkdown(violation.message)}${where.length === 0 ? '' : ` (${where.join(', ')})`}`);
      lines.push(`  ${markdownCode(violation.repro)}`);
    }
    if (violations.length > markdownViolationsMax) {
      lines.push(`- … and ${formatCount(violations.length - markdownViolationsMax)} more in summary.json and report.html`);
    }
    lines.push('');
  }

  const missed = missedTargets(result);
  if (missed.length > 0) {
    const cells = missed.map((cell) => `${markdownCode(cell.phase)} × ${markdownCode(cell.kind)}`).join(', ');
    lines.push(`> [!WARNING]`, `> ${missed.length} targeted cell${missed.length === 1 ? ' was' : 's were'} never hit, so ${missed.length === 1 ? 'it is' : 'they are'} untested: ${cells}`, '');
  }

  lines.push('### Coverage', '', 'Faults injected per site (engine phase, or I/O class) and fault kind. **Bold**: a scenario targets the cell; ⚠ **0**: targeted but never hit.', '');
  lines.push(`| site | ${faultKinds.map((kind) => markdownCode(kind, true)).join(' | ')} | total |`);
  lines.push(`|---|${faultKinds.map(() => '---:').join('|')}|---:|`);
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
  lines.push(`| **all** | ${faultKinds.map((kind) => `**${formatCount(result.faults[kind] ?? 0)}**`).join(' | ')} | **${formatCount(total.faultsInjected)}** |`, '');

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
