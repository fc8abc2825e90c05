/**
 * `powercut run --report DIR`: writes the four report files of a campaign into one folder.
 * Each file is rendered in full before anything is written, so a renderer bug cannot leave a
 * folder with some files from this run and some from an earlier one; each file is then written to
 * a temporary name and renamed into place, so a reader (or a merge of a half-written shard) never
 * sees a truncated summary.json.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CampaignResult } from '../sim/index.ts';
import type { ReportMeta } from './figures.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { summaryFileName } from './read.ts';

/** The names of the files {@link writeReports} writes, in the order it writes them. */
export const reportFileNames = [summaryFileName, 'junit.xml', 'summary.md', 'report.html'] as const;

/**
 * Writes summary.json, junit.xml, summary.md and report.html into `dir` (created if missing,
 * existing files of the same names replaced).
 * @param dir - the report folder
 * @param result - the campaign result
 * @param meta - the powercut build that produced it
 * @returns the paths written, in {@link reportFileNames} order
 * @throws the file system's error if the folder cannot be created or written
 */
export async function writeReports(dir: string, result: CampaignResult, meta: ReportMeta): Promise<string[]> {
  const contents: Record<(typeof reportFileNames)[number], string> = {
    'summary.json': renderJson(result, meta),
    'junit.xml': renderJunit(result),
    'summary.md': renderMarkdown(result, meta),
    'report.html': renderHtml(result, meta),
  };
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const name of reportFileNames) {
    const path = join(dir, name);
    const temporary = `${path}.tmp-${process.pid}`;
    await writeFile(temporary, contents[name], 'utf8');
    await rename(temporary, path);
    written.push(path);
  }
  return written;
}
