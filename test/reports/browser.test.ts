/**
 * Opens report.html in a real headless Chromium and checks what a person would see: the totals,
 * the heat map with its missed cells, timelines whose markers have real size and run left to
 * right in trace order; and, on a real failing campaign with many violations (the naive example
 * engine, 50 seeds of every scenario), the grouped view: one card per root cause, the first
 * card's timeline open with the failed check in view, lane names that stay when the timeline
 * scrolls, labels never cut, every run's message, filters that work, and a page of bounded
 * height. Also: no console errors, no request for anything but the file itself, and screenshots
 * (written to {@link screenshotDir}).
 *
 * The browser is found by ./browser.ts: a system Chromium when there is one, else the one that
 * ships in the `@sparticuz/chromium` dev dependency, so `npm ci && npm test` needs nothing
 * installed by hand. When none starts these tests FAIL rather than skip: a report nobody has
 * seen render is not tested.
 */
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../reports/write.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { launchChromium } from './browser.ts';
import { rootCauses } from '../../reports/figures.ts';
import { durabilityViolation, failingResult, greenResult } from './fixtures.ts';
import { naiveCampaign } from './real-campaign.ts';

/** Runs inside the page; declared here because the project compiles without the DOM library. */
declare const getComputedStyle: (element: unknown) => { outlineColor: string; backgroundColor: string };
declare const document: { documentElement: { scrollHeight: number } };

/** Where the screenshots go: `POWERCUT_SCREENSHOTS`, else `powercut-screenshots` in the temporary folder. */
export const screenshotDir = process.env['POWERCUT_SCREENSHOTS'] ?? join(tmpdir(), 'powercut-screenshots');

interface Box { readonly x: number; readonly y: number; readonly width: number; readonly height: number }

/** Whether `inner` lies within `outer` from left to right (half a pixel of rounding allowed). */
const withinX = (inner: Box, outer: Box): boolean => inner.x >= outer.x - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5;

const meta = { version: '0.1.0', commit: 'cd02355e1f0a9b7c' };

interface OpenedReport {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly foreignRequests: string[];
  readonly dir: string;
}

let browser: Browser | undefined;
let launchError: Error | undefined;

beforeAll(async () => {
  try {
    browser = (await launchChromium()).browser;
  } catch (error) {
    launchError = error as Error;
  }
});

afterAll(async () => {
  await browser?.close();
});

async function openReport(result: CampaignResult): Promise<OpenedReport> {
  if (launchError) throw launchError;
  if (!browser) throw new Error('Chromium was not launched');
  const dir = await mkdtemp(join(tmpdir(), 'powercut-browser-'));
  await writeReports(dir, result, meta);
  const url = pathToFileURL(join(dir, 'report.html')).href;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('request', (request) => {
    if (request.url() !== url) foreignRequests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, consoleErrors, foreignRequests, dir };
}

describe('report.html in Chromium', () => {
  it('shows the totals of a failing campaign', async () => {
    const { page, consoleErrors, foreignRequests } = await openReport(failingResult);
    expect(await page.getByTestId('verdict').textContent()).toBe('FAIL');
    expect(await page.getByTestId('total-seeds').textContent()).toBe('3,000');
    expect(await page.getByTestId('total-seeds-per-second').textContent()).toBe('213');
    expect(await page.getByTestId('total-violations').textContent()).toBe('3');
    expect(await page.getByTestId('total-targets').textContent()).toBe('12/14');
    expect(await page.title()).toBe('powercut: 3 violations, 2 root causes, 3,000 seeds');
    expect(await page.getByTestId('triage').textContent()).toContain('2 of 3,000 seeds failed');
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  it('draws the heat map with the missed targeted cells standing out in red', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const heatmap = page.getByTestId('heatmap');
    expect(await heatmap.isVisible()).toBe(true);
    expect(await page.getByTestId('heatmap-cell').count()).toBe(9 * 3);
    const missed = page.locator('[data-testid="heatmap-cell"][data-missed="true"]');
    expect(await missed.count()).toBe(2);
    for (const cell of await missed.all()) {
      const box = await cell.boundingBox();
      expect(box?.width).toBeGreaterThan(40);
      expect(box?.height).toBeGreaterThan(15);
      expect(await cell.evaluate((el) => getComputedStyle(el).outlineColor)).toBe('rgb(220, 38, 38)');
      expect(await cell.textContent()).toContain('missed');
    }
    const hot = page.locator('[data-testid="heatmap-cell"][data-phase="wal.append"][data-kind="kill-9"]');
    expect(await hot.textContent()).toBe('1,423');
    expect(await hot.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.getByTestId('missed-targets').textContent()).toContain('sidecar.rewrite × disk-full');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('opens the first root cause\'s timeline on load, with sized markers in trace order', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const cards = page.getByTestId('group');
    expect(await cards.count()).toBe(2);
    const card = cards.first();
    expect(await card.getByTestId('repro').textContent()).toBe(durabilityViolation.repro);
    expect(await card.getByTestId('follow-ons').textContent()).toContain('prefix');
    const svg = card.getByTestId('timeline');
    const svgBox = await svg.boundingBox();
    expect(svgBox?.width).toBeGreaterThan(600);
    expect(svgBox?.height).toBeGreaterThan(200);
    if (!svgBox) return;
    const markers = svg.locator('[data-testid="timeline-marker"], [data-testid="timeline-failed-check"]');
    expect(await markers.count()).toBe(durabilityViolation.trace?.length);
    let previousX = -Infinity;
    for (const marker of await markers.all()) {
      const shapeBox = await marker.locator(':scope > :not(title):not(text)').first().boundingBox();
      expect(shapeBox).not.toBeNull();
      if (!shapeBox) continue;
      expect(shapeBox.width).toBeGreaterThan(4);
      expect(shapeBox.height).toBeGreaterThan(4);
      expect(withinX(shapeBox, svgBox)).toBe(true);
      const centerX = shapeBox.x + shapeBox.width / 2;
      expect(centerX).toBeGreaterThan(previousX);
      previousX = centerX;
    }
    for (const type of ['op', 'io', 'fault', 'crash', 'restart', 'check']) {
      expect(await svg.locator(`[data-type="${type}"]`).count(), `markers of type ${type}`).toBeGreaterThan(0);
    }
    const failed = svg.getByTestId('timeline-failed-check');
    expect(await failed.textContent()).toContain('✗ durability');
    expect(await failed.locator('title').textContent()).toContain('FAILED: this check found the violation');
    expect(await svg.locator('[data-type="crash"]').textContent()).toContain('power-loss');
    // The other card's timeline is drawn only when it is opened.
    const second = cards.nth(1).getByTestId('group-timeline');
    expect(await second.getByTestId('timeline').count()).toBe(0);
    await second.locator('summary').click();
    expect(await second.getByTestId('timeline-failed-check').textContent()).toContain('✗ no-resurrection');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('copies or selects the repro command without an error', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const button = page.getByTestId('group').first().locator('.repro button[data-copy]');
    await button.click();
    // The label changes once the clipboard promise settles (or fails and the text is selected).
    await expect.poll(async () => button.textContent(), { timeout: 5000 }).toMatch(/^(copied|selected)$/);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('shows a green campaign as passed, without root cause cards', async () => {
    const { page, consoleErrors, foreignRequests } = await openReport(greenResult);
    expect(await page.getByTestId('verdict').textContent()).toBe('PASS');
    expect(await page.getByTestId('group').count()).toBe(0);
    expect(await page.getByTestId('violations').textContent()).toContain('No violations');
    expect(await page.getByTestId('missed-targets').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });
});

describe('report.html of a real failing campaign in Chromium (naive engine, 50 seeds of every scenario)', () => {
  let result: CampaignResult;
  let opened: OpenedReport;
  beforeAll(async () => {
    result = await naiveCampaign();
    opened = await openReport(result);
  });
  afterAll(async () => {
    await opened?.page.close();
  });

  it('shows the grouped view: the verdict, the next step, the heat map near the top, one card per root cause', async () => {
    const { page, consoleErrors, foreignRequests } = opened;
    const groups = rootCauses(result);
    // Counted here from the campaign's own violations, not by the report's code.
    const failingRuns = new Set(result.violations.map((violation) => `${violation.scenario}:${violation.seed}`)).size;
    expect(failingRuns).toBeGreaterThan(100);
    const count = (n: number): string => n.toLocaleString('en-US');
    expect(await page.getByTestId('triage').textContent()).toContain(`${count(failingRuns)} of ${count(result.seeds)} seeds failed: ${count(result.violations.length)} violations come to ${groups.length} root causes`);
    expect(await page.getByTestId('next-step').textContent()).toBe(`npx powercut shrink --engine examples/naive-engine/engine.ts --looks 0 --scenario ${groups[0]!.runs[0]!.scenario} --seed ${groups[0]!.runs[0]!.seed} --out bug.json`);
    expect((await page.getByTestId('heatmap').boundingBox())!.y).toBeLessThan(900);
    expect(await page.getByTestId('group').count()).toBe(groups.length);
    expect(await page.getByTestId('group-seeds').allTextContents()).toEqual(groups.map((group) => `${group.runs.length} seed${group.runs.length === 1 ? '' : 's'}`));
    await mkdir(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'report-grouped-top.png') });
    await page.screenshot({ path: join(screenshotDir, 'report-grouped-full.png'), fullPage: true });
    await page.getByTestId('filters').evaluate((element) => (element as unknown as { scrollIntoView(): void }).scrollIntoView());
    await page.screenshot({ path: join(screenshotDir, 'report-grouped-first-card.png') });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const png = await readFile(join(screenshotDir, 'report-grouped-full.png'));
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(1280);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('opens the first root cause\'s timeline with its failed check in the visible part of the timeline', async () => {
    const { page } = opened;
    const first = page.getByTestId('group').first();
    const scroll = first.getByTestId('timeline-scroll');
    const view = (await scroll.boundingBox())!;
    const failed = (await first.getByTestId('timeline-failed-check').locator(':scope > path').boundingBox())!;
    expect(withinX(failed, view)).toBe(true);
    // The timeline is wider than its view, so showing the failure took a scroll.
    expect(await scroll.evaluate((element) => (element as unknown as { scrollWidth: number }).scrollWidth)).toBeGreaterThan(view.width);
    expect(await scroll.evaluate((element) => (element as unknown as { scrollLeft: number }).scrollLeft)).toBeGreaterThan(0);
  });

  it('keeps the lane names in view whichever way the timeline scrolls', async () => {
    const { page } = opened;
    const first = page.getByTestId('group').first();
    const scroll = first.getByTestId('timeline-scroll');
    const frame = (await first.getByTestId('timeline-frame').boundingBox())!;
    const laneLabels = first.getByTestId('timeline-gutter').locator('text');
    expect(await laneLabels.allTextContents()).toEqual(expect.arrayContaining(['operations', 'file I/O', 'checks']));
    const markerX = async (): Promise<number> => (await first.getByTestId('timeline-failed-check').boundingBox())!.x;
    for (const left of [0, 1e6]) {
      const before = await markerX();
      await scroll.evaluate((element, to) => { (element as unknown as { scrollLeft: number }).scrollLeft = to; }, left);
      if (left === 0) expect(await markerX()).not.toBe(before);
      for (const label of await laneLabels.all()) {
        const box = (await label.boundingBox())!;
        expect(withinX(box, frame)).toBe(true);
        expect(box.x).toBeLessThan((await scroll.boundingBox())!.x);
      }
    }
  });

  it('cuts no marker label: each shows a whole name inside its timeline, none overlaps another, and every marker names its event in full on hover', async () => {
    const { page } = opened;
    for (const details of await page.getByTestId('group-timeline').all()) {
      if (await details.getAttribute('open') === null) await details.locator('summary').click();
    }
    const timelines = page.getByTestId('timeline');
    // A timeline is drawn on the toggle event, which follows the click.
    await expect.poll(async () => timelines.count()).toBe(rootCauses(result).length);
    const failures = await timelines.evaluateAll((svgs) => svgs.flatMap((svg) => {
      const problems: string[] = [];
      const element = svg as unknown as { getBoundingClientRect(): Box; querySelectorAll(selector: string): Iterable<{ textContent: string | null; getBoundingClientRect(): Box; parentNode: { querySelector(selector: string): { textContent: string | null } | null }; getAttribute(name: string): string | null }> };
      const frame = element.getBoundingClientRect();
      for (const marker of element.querySelectorAll('[data-testid="timeline-marker"], [data-testid="timeline-failed-check"]')) {
        const title = (marker as unknown as { querySelector(selector: string): { textContent: string | null } | null }).querySelector(':scope > title');
        if (!/^#\d+ {2}t=\S+ ms {2}\S+ \S/.test(title?.textContent ?? '')) problems.push(`marker ${marker.getAttribute('data-seq')} has no hover text naming its event`);
      }
      const placed: Box[] = [];
      for (const label of element.querySelectorAll('[data-testid="timeline-label"]')) {
        const text = label.textContent ?? '';
        const box = label.getBoundingClientRect();
        const title = label.parentNode.querySelector('title')?.textContent ?? '';
        const name = /^#\d+ {2}t=\S+ ms {2}\S+ (.*)$/.exec(title.split('\n')[0]!)?.[1] ?? '';
        if (text.endsWith('…')) problems.push(`cut label ${text}`);
        if (![name, 'restart', `✗ ${name}`].includes(text)) problems.push(`label ${text} is not the name ${name}`);
        if (box.x < frame.x - 0.5 || box.x + box.width > frame.x + frame.width + 0.5) problems.push(`label ${text} runs out of its timeline`);
        for (const other of placed) {
          const overlapX = Math.min(box.x + box.width, other.x + other.width) - Math.max(box.x, other.x);
          const overlapY = Math.min(box.y + box.height, other.y + other.height) - Math.max(box.y, other.y);
          if (overlapX > 1 && overlapY > 2) problems.push(`label ${text} overlaps another`);
        }
        placed.push(box);
      }
      return problems;
    }));
    expect(failures).toEqual([]);
    // Labels are left out only where they have no room: most markers keep theirs.
    const labelled = await page.locator('[data-testid="timeline-label"]').count();
    const markers = await page.locator('[data-testid="timeline-marker"], [data-testid="timeline-failed-check"]').count();
    expect(labelled).toBeGreaterThan(markers / 2);
  });

  it('lists every run of a root cause with its own first message when its table is opened', async () => {
    const { page } = opened;
    const groups = rootCauses(result);
    const tables = page.getByTestId('group-runs');
    for (const summary of await tables.locator('summary').all()) await summary.click();
    for (const [index, group] of groups.entries()) {
      if (group.runs.length === 1) continue;
      const card = page.getByTestId('group').nth(index);
      const rows = card.getByTestId('run');
      const listed = group.runs.slice(0, 50);
      await expect.poll(async () => rows.count()).toBe(listed.length);
      const messages = await rows.locator('td.msg').evaluateAll((cells) => cells.map((cell) => (cell as unknown as { firstChild: { textContent: string } }).firstChild.textContent.trimEnd()));
      expect(messages, `the runs of root cause ${index + 1}`).toEqual(listed.map((run) => run.root.message));
    }
  });

  it('filters root causes by scenario, invariant and fault kind', async () => {
    const { page } = opened;
    const groups = rootCauses(result);
    const visible = async (): Promise<number> => page.locator('[data-testid="group"]:visible').count();
    await page.locator('select[data-filter="invariant"]').selectOption('idempotence');
    expect(await visible()).toBe(groups.filter((group) => group.invariant === 'idempotence').length);
    expect(await page.getByTestId('filter-count').textContent()).toMatch(/^\d+ of \d+ root causes shown$/);
    await page.locator('select[data-filter="invariant"]').selectOption('');
    await page.locator('select[data-filter="scenario"]').selectOption('read-corruption');
    expect(await visible()).toBe(groups.filter((group) => group.runs.some((run) => run.scenario === 'read-corruption')).length);
    await page.locator('select[data-filter="scenario"]').selectOption('');
    await page.locator('select[data-filter="fault"]').selectOption('bit-flip');
    expect(await visible()).toBe(groups.filter((group) => group.runs.some((run) => run.root.runFaultKinds?.includes('bit-flip'))).length);
    await page.locator('select[data-filter="fault"]').selectOption('');
    expect(await visible()).toBe(groups.length);
  });
});

describe('the height of the page of a real failing campaign', () => {
  it('grows with its root causes, not with its violations', async () => {
    const result = await naiveCampaign();
    const { page } = await openReport(result);
    const heightPx = await page.evaluate(() => document.documentElement.scrollHeight);
    // Everything but the cards (header, totals, triage, heat map of 12 sites, filters, the
    // table of 11 scenarios, footer) takes about 1,300 px; a card with its timeline closed at
    // most 320 px (a head and a scenario line of up to two lines each, the message, the repro,
    // five follow-on complaints and a "more" line, two summaries); the first card's open
    // timeline about 400 px more. Before grouping, this campaign's page was 28,466 px high.
    const groups = rootCauses(result).length;
    expect(heightPx).toBeLessThanOrEqual(1_300 + 320 * groups + 400);
    expect(heightPx).toBeLessThan(28_466 / 4);
    await page.close();
  });
});
