/**
 * The library workload the README shows (examples/config-workload/): loaded by module name as
 * `--target` loads it, it finds both bugs of write-file-atomic it says it finds.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject } from '../../subjects/index.ts';

const module = 'examples/config-workload/workload.ts';

describe('the README\'s library workload', () => {
  it('finds acknowledged saves lost to a power loss (no directory fsync after the rename), in every seed', async () => {
    const subject = await loadSubject({ kind: 'library', module });
    const result = await runCampaign({ subject, seeds: 4 });
    expect(result.failingSeeds).toBe(4);
    expect(result.violations.map((violation) => violation.invariant)).toContain('durable');
  });

  it('finds a save published truncated after a short write (seed 21): write-file-atomic never looks at the count', async () => {
    const subject = await loadSubject({ kind: 'library', module });
    const run = await subject.run(subject.plan('config-workload', 21));
    expect(run.violations.find((violation) => violation.invariant === 'whole')?.message).toMatch(/is not JSON .* landed \d+ of \d+ bytes/);
  });
});
