/**
 * A library that publishes directories by renaming them (test/targets/dir-publisher.ts): the
 * careful publisher passes, and each missing directory fsync is caught as what it loses.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';

async function campaign(fixture: string, seeds: number) {
  const subject = await loadSubject({ kind: 'library', module: `test/targets/fixtures/${fixture}.ts` });
  return runCampaign({ subject, seeds, jobs: 1, workerScript, invocation: 'npx powercut' });
}

describe('a directory publisher (files into v<N>.tmp/, fsync each, rename to v<N>)', () => {
  it('passes when it fsyncs the new directory before the rename and the root after it', async () => {
    const result = await campaign('dir-publisher-careful', 120);
    expect(result.perScenario['dir-publisher']!.crashes).toBeGreaterThan(120);
    expect(result.violations).toEqual([]);
  });

  it('is caught without the fsync of the root: a power loss undoes the rename of the acknowledged version', async () => {
    const result = await campaign('dir-publisher-unsynced-root', 60);
    expect(new Set(result.violations.map((v) => v.invariant))).toEqual(new Set(['durable']));
  });

  it('is caught without the fsync of the new directory: the published name survives without its files', async () => {
    const result = await campaign('dir-publisher-unsynced-dir', 60);
    expect(result.violations.map((v) => v.invariant)).toContain('whole');
    expect(result.violations.find((v) => v.invariant === 'whole')!.message).toMatch(/v\d+\/(data|meta)\.json is missing/);
  });

  it('passes on a disk that commits its names with every fsync (nameSync: journal, ext4 and XFS), where its files\' fsyncs made them durable', async () => {
    const result = await campaign('dir-publisher-unsynced-dir-journal', 60);
    expect(result.perScenario['dir-publisher-unsynced-dir-journal']!.crashes).toBeGreaterThan(60);
    expect(result.violations).toEqual([]);
  });
});
