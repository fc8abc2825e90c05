/**
 * The build reports name (cli/meta.ts): powercut's own commit in a checkout of powercut, and none
 * when it is installed inside someone else's repository, whose commit is not powercut's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownCommit } from '../../cli/meta.ts';

const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

describe('the commit a report names', () => {
  it('is the repository\'s HEAD when the folder is the top of its own work tree', () => {
    const repo = mkdtempSync(join(tmpdir(), 'powercut-meta-'));
    try {
      git(repo, 'init', '-q');
      writeFileSync(join(repo, 'a'), 'a');
      git(repo, 'add', 'a');
      git(repo, 'commit', '-q', '-m', 'a');
      expect(ownCommit(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
      // powercut installed in node_modules of that repository: the user's commit is not powercut's.
      const installed = join(repo, 'node_modules', 'powercut');
      mkdirSync(installed, { recursive: true });
      expect(ownCommit(installed)).toBeUndefined();
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('is undefined for a folder in no repository', () => {
    const folder = mkdtempSync(join(tmpdir(), 'powercut-meta-none-'));
    try {
      expect(ownCommit(folder)).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
