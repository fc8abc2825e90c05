/** What reports say about the build: the package version and, when known, the git commit. */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { ReportMeta } from '../reports/index.ts';
import { packageRoot, packageVersion } from '../sim/index.ts';

export { packageRoot };

/**
 * Version from package.json; commit from `git rev-parse HEAD` when powercut's own folder is the
 * top of a git work tree (a checkout of powercut). Installed under `node_modules` of a user's
 * repository, git would answer with the user's commit, which reports must not call powercut's.
 */
export function reportMeta(): ReportMeta {
  const version = packageVersion();
  const commit = ownCommit(packageRoot);
  return { version, ...(commit ? { commit } : {}), generatedAt: new Date().toISOString() };
}

/** The commit of the git work tree whose top is `root`, or undefined (no git, no repository, or `root` inside another's). */
export function ownCommit(root: string): string | undefined {
  try {
    const folder = realpathSync(root);
    const [top, head] = execFileSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], { cwd: folder, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    if (top === undefined || head === undefined || realpathSync(top) !== folder) return undefined;
    return head || undefined;
  } catch {
    return undefined;
  }
}
