/** What reports say about the build: the package version and, when known, the git commit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReportMeta } from '../reports/index.ts';

/** The package root (the folder holding package.json). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** Version from package.json, commit from `git rev-parse HEAD` if git and a repository exist. */
export function reportMeta(): ReportMeta {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    commit = undefined;
  }
  return { version, ...(commit ? { commit } : {}), generatedAt: new Date().toISOString() };
}
