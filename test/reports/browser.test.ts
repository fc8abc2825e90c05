/**
 * Opens report.html in a real headless Chromium and checks what a person would see: the totals,
 * the heat map with its missed cells, and violation timelines whose markers have real size and
 * run left to right in trace order. Also: no console errors, no request for anything but the
 * file itself, and a non-empty screenshot.
 *
 * The browser is found by ./browser.ts: a system Chromium when there is one, else the one that
 * ships in the `@sparticuz/chromium` dev dependency, so `npm ci && npm test` needs nothing
 * installed by hand. When none starts these tests FAIL rather than skip: a report nobody has
 * seen render is not tested.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../reports/write.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { launchChromium } from './browser.ts';
import { durabilityViolation, failingResult, greenResult } from './fixtures.ts';

/** Runs inside the page; declared here because the project compiles without the DOM library. */
declare const getComputedStyle: (element: unknown) => { outlineColor: string; backgroundColor: string };

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
    expect(await page.getByTestId('total-violations').textContent()).toBe('2');
    expect(await page.getByTestId('total-targets').textContent()).toBe('15/17');
    expect(await page.title()).toBe('powercut: 2 violations, 3,000 seeds');
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  it('draws the heat map with the missed targeted cells standing out in red', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const heatmap = page.getByTestId('heatmap');
    expect(await heatmap.isVisible()).toBe(true);
    expect(await page.getByTestId('heatmap-cell').count()).toBe(54);
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
    expect(await hot.textContent()).toBe('1,410');
    expect(await hot.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(await page.getByTestId('missed-targets').textContent()).toContain('sidecar.rewrite × bit-flip');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('draws a timeline per violation with sized markers in trace order', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const cards = page.getByTestId('violation');
    expect(await cards.count()).toBe(2);
    const card = page.locator('[data-testid="violation"][data-seed="1337"]');
    expect(await card.getByTestId('repro').textContent()).toBe(durabilityViolation.repro);
    const svg = card.getByTestId('timeline');
    const svgBox = await svg.boundingBox();
    expect(svgBox?.width).toBeGreaterThan(600);
    expect(svgBox?.height).toBeGreaterThan(200);
    if (!svgBox) return;
    const markers = svg.locator('[data-testid="timeline-marker"], [data-testid="timeline-failed-check"]');
    expect(await markers.count()).toBe(durabilityViolation.trace?.length);
    let previousX = -Infinity;
    for (const marker of await markers.all()) {
      const box = await marker.boundingBox();
      expect(box).not.toBeNull();
      if (!box) continue;
      expect(box.width).toBeGreaterThan(4);
      expect(box.height).toBeGreaterThan(4);
      expect(box.x).toBeGreaterThanOrEqual(svgBox.x);
      expect(box.x + box.width).toBeLessThanOrEqual(svgBox.x + svgBox.width + 0.5);
      const shapeBox = await marker.locator(':scope > :not(title):not(text)').first().boundingBox();
      const centerX = (shapeBox?.x ?? 0) + (shapeBox?.width ?? 0) / 2;
      expect(centerX).toBeGreaterThan(previousX);
      previousX = centerX;
    }
    for (const type of ['op', 'io', 'fault', 'crash', 'restart', 'check']) {
      expect(await svg.locator(`[data-type="${type}"]`).count(), `markers of type ${type}`).toBeGreaterThan(0);
    }
    const failed = svg.getByTestId('timeline-failed-check');
    expect(await failed.textContent()).toContain('✗ durability');
    expect(await failed.locator('title').textContent()).toContain('FAILED: lsn 7 acknowledged');
    const crash = svg.locator('[data-type="crash"]');
    expect(await crash.textContent()).toContain('power-loss');
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('copies or selects the repro command without an error', async () => {
    const { page, consoleErrors } = await openReport(failingResult);
    const button = page.getByTestId('violation').first().locator('button[data-copy]');
    await button.click();
    // The label changes once the clipboard promise settles (or fails and the text is selected).
    await expect.poll(async () => button.textContent(), { timeout: 5000 }).toMatch(/^(copied|selected)$/);
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('shows a green campaign as passed, without violation cards', async () => {
    const { page, consoleErrors, foreignRequests } = await openReport(greenResult);
    expect(await page.getByTestId('verdict').textContent()).toBe('PASS');
    expect(await page.getByTestId('violation').count()).toBe(0);
    expect(await page.getByTestId('violations').textContent()).toContain('No violations');
    expect(await page.getByTestId('missed-targets').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  it('takes a non-empty full-page screenshot', async () => {
    const { page, dir } = await openReport(failingResult);
    const path = join(dir, 'report.png');
    await page.screenshot({ path, fullPage: true });
    const png = await readFile(path);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.length).toBeGreaterThan(50_000);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1500);
    await page.close();
  });
});
