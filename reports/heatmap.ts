/**
 * The (engine phase x fault kind) coverage table of report.html, drawn as a heat map: how many
 * faults of each kind were injected while the engine was in each phase. Its purpose is to show
 * what was NOT tested, so the cells a scenario targets but that were never hit are the loudest
 * thing on it (red, hatched, labelled "missed"); targeted cells that were hit carry a dot, and
 * cells nobody targets stay quiet whatever their count.
 *
 * Colour intensity follows log(count), because counts span several orders of magnitude (kill-9 at
 * every I/O point versus a rare bit flip) and a linear scale would leave all but one cell white.
 *
 * Stable hooks: `data-testid="heatmap"` on the table, `heatmap-cell` on each cell (with
 * `data-phase`, `data-kind`, `data-count`, `data-targeted`, and `data-missed` when missed).
 */
import type { CampaignResult } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';
import { escapeHtml } from './escape.ts';
import type { CoverageCell } from './figures.ts';
import { coverageCells, formatCount, sitesOf } from './figures.ts';

/**
 * Renders the heat map table with its row and column totals and a legend.
 * @param result - the campaign result
 * @returns HTML text
 */
export function renderHeatmap(result: CampaignResult): string {
  const cells = coverageCells(result);
  const countMax = Math.max(0, ...cells.map((cell) => cell.count));
  const head = faultKinds.map((kind) => `<th scope="col" class="hm-kind">${escapeHtml(kind)}</th>`).join('');
  const rows = sitesOf(result).map((phase) => {
    const row = cells.filter((cell) => cell.phase === phase);
    const sum = row.reduce((acc, cell) => acc + cell.count, 0);
    return `<tr><th scope="row" class="hm-phase">${escapeHtml(phase)}</th>${row.map((cell) => heatCell(cell, countMax)).join('')}`
      + `<td class="hm-total num">${formatCount(sum)}</td></tr>`;
  });
  const columnTotals = faultKinds.map((kind) => `<td class="hm-total num" data-testid="fault-total" data-kind="${escapeHtml(kind)}">${formatCount(result.faults[kind] ?? 0)}</td>`);
  const all = faultKinds.reduce((acc, kind) => acc + (result.faults[kind] ?? 0), 0);
  return [
    '<div class="hm-wrap">',
    '<table class="heatmap" data-testid="heatmap">',
    `<thead><tr><th class="hm-corner">${result.sites !== undefined && !result.sites.includes('other') ? 'I/O' : 'phase'} \\ fault</th>${head}<th scope="col" class="hm-kind">total</th></tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    `<tfoot><tr><th scope="row" class="hm-phase">all</th>${columnTotals.join('')}<td class="hm-total num"><b>${formatCount(all)}</b></td></tr></tfoot>`,
    '</table>',
    '<div class="hm-legend">',
    '<span><i class="sw sw-scale"></i>faults injected (log scale)</span>',
    '<span><i class="sw sw-target"></i>targeted by a scenario</span>',
    '<span><i class="sw sw-missed"></i>targeted, never hit: untested</span>',
    '<span><i class="sw sw-none"></i>not targeted</span>',
    '</div>',
    '</div>',
  ].join('\n');
}

function heatCell(cell: CoverageCell, countMax: number): string {
  const missed = cell.targeted && cell.count === 0;
  const data = `data-testid="heatmap-cell" data-phase="${escapeHtml(cell.phase)}" data-kind="${escapeHtml(cell.kind)}" data-count="${cell.count}" data-targeted="${cell.targeted}"${missed ? ' data-missed="true"' : ''}`;
  const title = `${cell.phase} × ${cell.kind}: ${formatCount(cell.count)} fault${cell.count === 1 ? '' : 's'} injected`
    + (missed ? ' (targeted by a scenario but NEVER hit: this combination is untested)' : cell.targeted ? ' (targeted)' : ' (not targeted)');
  const classes = ['hm-cell', 'num'];
  let style = '';
  let text: string;
  if (missed) {
    classes.push('hm-missed');
    text = '0 <span class="hm-missed-label">missed</span>';
  } else if (cell.count === 0) {
    classes.push('hm-zero');
    text = '·';
  } else {
    const intensity = countMax <= 1 ? 1 : Math.log1p(cell.count) / Math.log1p(countMax);
    const alpha = 0.08 + 0.82 * intensity;
    style = ` style="background:rgba(37,99,235,${alpha.toFixed(3)})${alpha > 0.5 ? ';color:#fff' : ''}"`;
    text = formatCount(cell.count);
  }
  if (cell.targeted) classes.push('hm-targeted');
  return `<td class="${classes.join(' ')}"${style} ${data} title="${escapeHtml(title)}">${text}</td>`;
}
