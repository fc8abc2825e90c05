import { describe, expect, it } from 'vitest';
import { hung, neverOpened, refusedWithFaultsOff, stillFailing } from '../../../sim/checkers/liveness.ts';
import { runPlan } from '../../../sim/runner.ts';
import { findScenario } from '../../../scenarios/index.ts';
import type { Plan } from '../../../sim/plan.ts';
import { brokenEngine } from '../broken-engines.ts';
import { referenceEngine } from '../../../sim/adapters/reference.ts';

const clean = (steps: Plan['steps'], stepsMax = 200_000): Plan => {
  const plan = findScenario('wal-append')!.plan(2);
  return { ...plan, faults: { ...plan.faults, rates: {} }, steps, stepsMax };
};

describe('liveness verdicts', () => {
  it('name a deadlocked section, and one over its step budget', () => {
    expect(hung('step 3 (sync)', 'stuck', 100)).toMatchObject({ invariant: 'liveness', message: 'step 3 (sync): deadlocked (nothing pending could make progress)' });
    expect(hung('recovery', 'steps-exceeded', 100)).toMatchObject({ invariant: 'liveness', message: 'recovery: exceeded 100 simulated steps' });
  });

  it('say the store did not open, or kept failing, once faults stopped', () => {
    expect(neverOpened(8)).toMatchObject({ invariant: 'liveness', message: 'with faults off the store did not open in 8 attempts' });
    expect(neverOpened(8, 'Error: boom').message).toBe('with faults off the store did not open in 8 attempts; the last failed with Error: boom');
    expect(stillFailing()).toMatchObject({ invariant: 'liveness', message: 'with faults off the engine still failed to commit' });
    expect(refusedWithFaultsOff('Error: no')).toMatchObject({ invariant: 'liveness', message: 'with faults off, after a fresh open, the engine rejected a commit: Error: no' });
  });
});

describe('liveness, as the runner enforces it', () => {
  it('reports an engine whose open never resolves as a deadlocked recovery', async () => {
    const engine = { ...referenceEngine, name: 'hangs-on-open', open: () => new Promise<never>(() => undefined) };
    const result = await runPlan(clean([]), engine);
    expect(result.violations).toEqual([expect.objectContaining(hung('recovery', 'stuck', 200_000))]);
  });

  it('reports an engine that loops past the step budget', async () => {
    // Endless I/O in commit: every operation counts against the step budget.
    const looping = { ...referenceEngine, name: 'busy-commit', async open(env: Parameters<typeof referenceEngine.open>[0]) {
      const handle = await referenceEngine.open(env);
      return { ...handle, async commit() { for (;;) await env.fs.exists(env.dir); } };
    } };
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }], 500), looping);
    expect(result.violations).toEqual([expect.objectContaining(hung('step 0 (commit)', 'steps-exceeded', 500))]);
  });

  it('reports an engine that keeps reporting failed once faults stopped', async () => {
    const engine = brokenEngine('always-failed', () => ({
      commit: () => Promise.reject(Object.assign(new Error('store failed'), { code: 'failed' })),
    }));
    const result = await runPlan(clean([]), engine);
    expect(result.violations).toContainEqual(expect.objectContaining(stillFailing()));
  });

  it('reports an engine that rejects commits with some other error once faults stopped: a campaign where no commit ever succeeds is not a pass', async () => {
    const engine = brokenEngine('always-rejects', () => ({ commit: () => Promise.reject(new Error('disk on fire')) }));
    const result = await runPlan(clean([]), engine);
    expect(result.violations).toContainEqual(expect.objectContaining(refusedWithFaultsOff('Error: disk on fire')));
  });

  it('does not blame an engine whose commits fail only while faults are on', async () => {
    const result = await runPlan(findScenario('fsync-failure')!.plan(3), referenceEngine);
    expect(result.violations.filter((v) => v.invariant === 'liveness')).toEqual([]);
  });
});
