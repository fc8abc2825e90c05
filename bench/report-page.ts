/**
 * What a report.html costs its reader: its size in bytes and the height of the page, in CSS
 * pixels, as a headless Chromium lays it out in a 1280 x 900 window once its scripts have run.
 * Used to compare the page of one failing campaign before and after a change to the reports.
 *
 * Usage: npx tsx bench/report-page.ts DIR/report.html [more report.html files]
 * The browser is found as the browser tests find it (test/reports/browser.ts).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/reports/browser.ts';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npx tsx bench/report-page.ts DIR/report.html ...\n');
  process.exit(2);
}
const { browser, source } = await launchChromium();
try {
  for (const file of files) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
    const heightPx = await page.evaluate('document.documentElement.scrollHeight') as number;
    const bytes = (await stat(file)).size;
    console.log(`${file}: ${bytes} bytes, page height ${heightPx} px`);
    await page.close();
  }
  console.log(`browser: ${source}`);
} finally {
  await browser.close();
}
