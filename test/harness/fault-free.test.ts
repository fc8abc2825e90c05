/**
 * A root cause that needs no fault says so: the first run of each root cause is run again with
 * every fault removed and one crash after its last operation that loses nothing written, and
 * when that run breaks the same invariant with the same message, the campaign marks the root
 * (Violation.needsNoFault) and its summary says the crash named is only where it was seen.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { failsTheSameWay, faultFreePlan } from '../../harness/fault-free.ts';
import { crashlessCauseKey } from '../../harness/triage.ts';
import { campaignSummary } from '../../cli/format.ts';
import type { CampaignResult, Violation } from '../../sim/index.ts';
import { loadSubject } from '../../subjects/index.ts';

async function campaignOf(spec: { kind: 'library' | 'engine'; module: string }, seeds: number, units?: string[]): Promise<CampaignResult> {
  const subject = await loadSubject(spec);
  return runCampaign({ subject, seeds, ...(units === undefined ? {} : { units }) });
}

const roots = (result: CampaignResult): Violation[] => result.violations.filter((violation) => violation.indexInRun === 0);

describe('a root cause that needs no fault', () => {
  it('is marked when its run fails the same way with no fault: a gc that deletes a live value (invariant durable)', async () => {
    const result = await campaignOf({ kind: 'library', module: 'test/targets/fixtures/gc-drops-live.ts' }, 12);
    const marked = roots(result).filter((violation) => violation.needsNoFault === true);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((violation) => violation.invariant === 'durable')).toBe(true);
    const summary = campaignSummary(result).join('\n');
    expect(summary).toMatch(/needs no fault: seed \d+ fails the same way with none injected/);
  });

  it('is not marked when only a power loss loses the data: appends never fsynced (invariant durable)', async () => {
    const result = await campaignOf({ kind: 'library', module: 'test/targets/fixtures/loses-every-record.ts' }, 12);
    expect(roots(result).length).toBeGreaterThan(0);
    expect(roots(result).some((violation) => violation.needsNoFault === true)).toBe(false);
    expect(campaignSummary(result).join('\n')).not.toContain('needs no fault');
  });

  it('marks an engine that acknowledges commits it never writes, and not one that needs a failed fsync', async () => {
    const drops = await campaignOf({ kind: 'engine', module: 'test/fixtures/engines/drops-every-second-commit.ts' }, 3, ['wal-append']);
    expect(roots(drops).length).toBeGreaterThan(0);
    expect(roots(drops).some((violation) => violation.needsNoFault === true)).toBe(true);
    const forgets = await campaignOf({ kind: 'engine', module: 'test/fixtures/engines/trusts-forgotten-pages.ts' }, 40, ['fsync-failure']);
    expect(roots(forgets).length).toBeGreaterThan(0);
    expect(roots(forgets).some((violation) => violation.needsNoFault === true)).toBe(false);
  });
});

describe('the fault-free plan and the comparison', () => {
  it('keeps the operations, drops every fault, and ends with a crash that keeps everything written', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/gc-drops-live.ts' });
    const plan = subject.plan('gc-drops-live', 5);
    const free = faultFreePlan(subject, plan)!;
    expect(subject.shrink.stepCount(free)).toBe(subject.shrink.stepCount(plan));
    expect(free.faults.rates).toEqual({});
    expect(free.faults.scheduled ?? []).toEqual([]);
    const run = await subject.run(free);
    expect(run.crashes).toBe(1);
  });

  it('compares messages with their crash clause aside, and the invariant too', () => {
    const root = { invariant: 'durable', message: 'value 3 is gone (after kill-9 during operation 4)' };
    expect(crashlessCauseKey(root.invariant, root.message)).toBe(crashlessCauseKey('durable', 'value 7 is gone (after power-loss)'));
    expect(failsTheSameWay(root, [{ invariant: 'durable', message: 'value 1 is gone (after power-loss)' }])).toBe(true);
    expect(failsTheSameWay(root, [{ invariant: 'opens', message: 'value 1 is gone (after power-loss)' }])).toBe(false);
    expect(failsTheSameWay(root, [{ invariant: 'durable', message: 'the store is empty (after power-loss)' }])).toBe(false);
  });
});
