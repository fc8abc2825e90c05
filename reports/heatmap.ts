/**
 * The (engine phase x fault kind) coverage table of report.html, drawn as a heat map: how many
 * faults of each kind were injected while the engine was in each phase. Its purpose is to show
 * what was NOT tested, so the cells a scenario targets but that were never hit are the loudest
 * thing on it (red, hatched, labelled "missed"); targeted cells that were hit carry a dot, and
 * cells nobody targets stay quiet whatever their count.
 *
 * Colour intensity follows log(count), in eight steps, because counts span several orders of magnitude (kill-9 at
 * every I/O point versus a rare bit flip) and a linear scale would leave all but one cell white.
 *
 * Stable hooks: `data-testid="heatmap"` on the table, `heatmap-cell` on each cell (with
 * `data-phase`, `data-kind`, and `data-targeted` / `data-missed` when targeted / missed). Only
 * targeted cells have a hover text, and shades are classes (`hm-1` .. `hm-8`, {@link heatmapCss}),
 * which keeps a wide table small.
 */
import type { CampaignResult } from '../sim/index.ts';
import { escapeHtml } from './escape.ts';
import type { CoverageCell } from './figures.ts';
import { coverageCells, formatCount, reportedFaultKinds, sitesOf } from './figures.ts';

/**
 * Renders the heat map table with its row and column totals and a legend.
 * @param result - the campaign result
 * @returns HTML text
 */
export function renderHeatmap(result: CampaignResult): string {
  const cells = coverageCells(result);
  const countMax = Math.max(0, ...cells.map((cell) => cell.count));
  const kinds = reportedFaultKinds(result);
  const head = kinds.map((kind) => `<th scope="col" class="hm-kind">${escapeHtml(kind)}</th>`).join('');
  const rows = sitesOf(result).map((phase) => {
    const row = cells.filter((cell) => cell.phase === phase);
    const sum = row.reduce((acc, cell) => acc + cell.count, 0);
    return `<tr><th scope="row" class="hm-phase">${escapeHtml(phase)}</th>${row.map((cell) => heatCell(cell, countMax)).join('')}`
      + `<td class="hm-total num">${formatCount(sum)}</td></tr>`;
  });
  const columnTotals = kinds.map((kind) => `<td class="hm-total num" data-testid="fault-total" data-kind="${escapeHtml(kind)}">${formatCount(result.faults[kind] ?? 0)}</td>`);
  const all = kinds.reduce((acc, kind) => acc + (result.faults[kind] ?? 0), 0);
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

/** Colour steps of the scale; `heatmapCss` gives each its shade. */
const heatSteps = 8;

/** The shades of the scale, from faint to full, white text on the darker half. */
export const heatmapCss = Array.from({ length: heatSteps }, (_, i) => {
  const alpha = 0.08 + (0.82 * (i + 1)) / heatSteps;
  return `.heatmap .hm-${i + 1}{background:rgba(37,99,235,${alpha.toFixed(2)})${alpha > 0.5 ? ';color:#fff' : ''}}`;
}).join('\n');

function heatCell(cell: CoverageCell, countMax: number): string {
  const missed = cell.targeted && cell.count === 0;
  // Only targeted cells (and those targeted but unreachable) carry a hover text: the others say all there is with their number.
  const data = `data-testid="heatmap-cell" data-phase="${escapeHtml(cell.phase)}" data-kind="${escapeHtml(cell.kind)}"`
    + `${cell.targeted ? ' data-targeted="true"' : ''}${missed ? ' data-missed="true"' : ''}`;
  const title = cell.unreachable ? ` title="${escapeHtml(`${cell.phase} × ${cell.kind}: targeted by a scenario, but no I/O there could take this fault in any seed`)}"`
    : !cell.targeted ? ''
    : ` title="${escapeHtml(`${cell.phase} × ${cell.kind}: ${formatCount(cell.count)} fault${cell.count === 1 ? '' : 's'} injected, ${missed ? 'targeted by a scenario but NEVER hit: this combination is untested' : 'targeted'}`)}"`;
  const classes: string[] = [];
  let text: string;
  if (missed) {
    classes.push('hm-missed');
    text = '0 <span class="hm-missed-label">missed</span>';
  } else if (cell.count === 0) {
    classes.push('hm-zero');
    text = '·';
  } else {
    const intensity = countMax <= 1 ? 1 : Math.log1p(cell.count) / Math.log1p(countMax);
    classes.push(`hm-${Math.max(1, Math.round(intensity * heatSteps))}`);
    text = formatCount(cell.count);
  }
  if (cell.targeted) classes.push('hm-targeted');
  return `<td${classes.length === 0 ? '' : ` class="${classes.join(' ')}"`} ${data}${title}>${text}</td>`;
}
