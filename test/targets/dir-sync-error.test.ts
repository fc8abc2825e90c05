/**
 * A library workload's default faults include failed directory fsyncs (`dir-sync-error`): a
 * writer that drops the error of its directory fsync (best effort, as code written for Windows
 * often is) is caught losing an acknowledged version in a power loss, and the same writer that
 * lets the error fail the operation passes the same seeds.
 */
import { describe, expect, it } from 'vitest';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';

const seeds = Array.from({ length: 30 }, (_, i) => i + 1);

async function run(module: string, name: string): Promise<{ durable: string[]; dirSyncErrors: number }> {
  const subject = await loadSubject({ kind: 'library', module });
  const durable: string[] = [];
  let dirSyncErrors = 0;
  for (const seed of seeds) {
    const plan = subject.plan(name, seed) as TargetPlan;
    expect(plan.faults.rates['dir-sync-error']).toBeGreaterThan(0);
    const result = await subject.run(plan);
    durable.push(...result.violations.filter((v) => v.invariant === 'durable').map((v) => v.message));
    dirSyncErrors += result.faults['dir-sync-error'];
  }
  return { durable, dirSyncErrors };
}

describe('failed directory fsyncs in a library workload', () => {
  it('catch a writer that drops the error of its directory fsync', async () => {
    const { durable, dirSyncErrors } = await run('test/targets/fixtures/best-effort-dir-sync.ts', 'best-effort-dir-sync');
    expect(dirSyncErrors).toBeGreaterThan(0);
    expect(durable.length).toBeGreaterThan(0);
    expect(durable[0]).toMatch(/doc\.json holds version \d+, but version \d+ was acknowledged.*a failed directory fsync had left pending/);
  });

  it('pass the writer that lets the error fail the operation', async () => {
    const { durable, dirSyncErrors } = await run('test/targets/fixtures/checked-dir-sync.ts', 'checked-dir-sync');
    expect(dirSyncErrors).toBeGreaterThan(0);
    expect(durable).toEqual([]);
  });
});
