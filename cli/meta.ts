/** What reports say about the build: the package version and, when known, the git commit. */
import { execFileSync } from 'node:child_process';
import type { ReportMeta } from '../reports/index.ts';
import { packageRoot, packageVersion } from '../sim/index.ts';

export { packageRoot };

/** Version from package.json, commit from `git rev-parse HEAD` if git and a repository exist. */
export function reportMeta(): ReportMeta {
  const version = packageVersion();
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    commit = undefined;
  }
  return { version, ...(commit ? { commit } : {}), generatedAt: new Date().toISOString() };
}
