/**
 * A library that watches its directory (test/targets/fixtures/reloads-on-watch.ts) runs under
 * powercut: its watcher hears every write from the run's own timers, across crashes and
 * reopenings, and the same seeds give the same digest in one thread or two.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';

async function campaign(jobs: number) {
  const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/reloads-on-watch.ts' });
  return runCampaign({ subject, seeds: 40, jobs, workerScript, invocation: 'npx powercut' });
}

describe('a library that reloads when fs.watch reports a change', () => {
  it('hears every write it makes, through crashes and reopenings, with no unsupported call', async () => {
    const result = await campaign(1);
    expect(result.perScenario['reloads-on-watch']!.crashes).toBeGreaterThan(40);
    expect(result.violations).toEqual([]);
  });

  it('gives the same digest with one thread and with two', async () => {
    const [one, two] = [await campaign(1), await campaign(2)];
    expect(two.digest).toBe(one.digest);
  });
});
