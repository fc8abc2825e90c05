/**
 * An asynchronous fs call is in flight until it completes: its work is done on the simulated
 * disk after the caller goes on (as libuv's thread pool does it), not inside the call. A library
 * that acknowledges before the write it started completes (a missing `await`) loses what it
 * acknowledged to a kill -9 that falls in between; when the call did its work at once, no crash
 * could fall there, and the bug passed every seed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { explorePlan } from '../../harness/explore.ts';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';

const module = 'test/targets/fixtures/unawaited-append.ts';

async function explored() {
  const subject = await loadSubject({ kind: 'library', module });
  return explorePlan(subject, subject.plan('unawaited-append', 1) as TargetPlan);
}

afterEach(() => {
  delete process.env['PC_TEST_AWAITED'];
});

describe('an asynchronous fs call', () => {
  it('takes effect after the caller goes on: an append acknowledged before it completes is lost to a kill -9 in between', async () => {
    const result = await explored();
    expect(result.violations.map((violation) => violation.invariant)).toContain('acknowledged-after-kill-9');
    expect(result.violations[0]!.message).toMatch(/^0 lines, 1 acknowledged \(after kill-9 during operation 0\)/);
  });

  it('that the library waits for before it acknowledges loses nothing it acknowledged', async () => {
    process.env['PC_TEST_AWAITED'] = '1';
    const result = await explored();
    expect(result.statesExplored).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});
