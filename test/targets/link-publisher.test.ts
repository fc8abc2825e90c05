/**
 * A library that publishes by switching a symbolic link (test/targets/link-publisher.ts): the
 * careful publisher passes, and each careless one is caught as what it loses.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';

async function campaign(fixture: string, seeds: number) {
  const subject = await loadSubject({ kind: 'library', module: `test/targets/fixtures/${fixture}.ts` });
  return runCampaign({ subject, seeds, jobs: 1, workerScript, invocation: 'npx powercut' });
}

describe('a link publisher (v<N>/ written and synced, then current.tmp -> v<N> renamed over current)', () => {
  it('passes when it fsyncs the directory after the switch', async () => {
    const result = await campaign('link-publisher-careful', 100);
    expect(result.perScenario['link-publisher']!.crashes).toBeGreaterThan(100);
    expect(result.violations).toEqual([]);
  });

  it('is caught without the fsync after the switch: a power loss takes the new link back', async () => {
    const result = await campaign('link-publisher-unsynced-switch', 40);
    const durable = result.violations.filter((v) => v.invariant === 'durable');
    expect(durable.length).toBeGreaterThan(0);
    expect(durable[0]!.message).toMatch(/current -> v\d+: version \d+ < acknowledged \d+/);
  });

  it('is caught switching the link before the version is written: a crash leaves it pointing at no data', async () => {
    const result = await campaign('link-publisher-link-first', 40);
    const whole = result.violations.filter((v) => v.invariant === 'whole');
    expect(whole.length).toBeGreaterThan(0);
    expect(whole[0]!.message).toMatch(/current -> v\d+, which holds no data\.json/);
  });
});
