/**
 * The `long-haul` scenario: a store that lives five times longer than the other scenarios', so
 * an engine's file numbers reach two digits (bugs of name order, wrapping counters, state a
 * checkpoint or a reopen forgets after many), with a few crashes along the way.
 */
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';

/** The highest segment number a run's trace names (`/db/00000000000000000012.wal` is 12). */
function lastSegment(trace: readonly { readonly path?: string | undefined }[]): number {
  let last = 0;
  for (const event of trace) {
    const match = /\/(\d{20})\.wal$/.exec(event.path ?? '');
    if (match !== null) last = Math.max(last, Number(match[1]));
  }
  return last;
}

describe('long-haul', () => {
  it('runs 200 steps, with many checkpoints and reopens, and only a few crashes', () => {
    const plan = findScenario('long-haul')!.plan(1);
    expect(plan.steps).toHaveLength(200);
    expect(plan.steps.filter((step) => step.op === 'checkpoint' || step.op === 'reopen').length).toBeGreaterThanOrEqual(30);
    expect((plan.faults.rates['power-loss'] ?? 0) + (plan.faults.rates['kill-9'] ?? 0)).toBeLessThan(0.01);
  });

  it('takes the reference engine past segment 20 on every seed, where 40 steps of wal-append stay below 10, and it passes', async () => {
    for (const seed of [1, 2, 3]) {
      const long = await runPlan(findScenario('long-haul')!.plan(seed), referenceEngine, { trace: 'full' });
      expect(long.violations, `seed ${seed}`).toEqual([]);
      expect(lastSegment(long.trace), `seed ${seed}`).toBeGreaterThanOrEqual(20);
      const short = await runPlan(findScenario('wal-append')!.plan(seed), referenceEngine, { trace: 'full' });
      expect(lastSegment(short.trace), `wal-append seed ${seed}`).toBeLessThan(10);
    }
  });
});
