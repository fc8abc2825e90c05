/**
 * The crash a library workload's run ends with: a power loss, or, for a workload whose rates
 * inject no power loss, a kill -9 (TargetPlan.finalCrash). Such a workload promises only what a
 * kill -9 leaves: no power loss reaches it, not at the end, not in a look, not in exploration.
 */
import { describe, expect, it } from 'vitest';
import { explorePlan, exploreRecoveryCrashesDefault } from '../../harness/index.ts';
import { PlanFileError } from '../../sim/plan-file.ts';
import { loadSubject } from '../../subjects/index.ts';
import { checkTargetPlan, type TargetPlan } from '../../targets/plan.ts';
import { librarySubject } from '../../targets/subject.ts';
import type { Workload } from '../../targets/workload.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);

describe('the final crash of a library workload', () => {
  it('is a kill -9 when the workload injects no power loss, and a writer safe across a kill -9 then passes', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unsynced-rename.ts' });
    let crashes = 0;
    for (const seed of seeds) {
      const plan = subject.plan('unsynced-rename', seed) as TargetPlan;
      expect(plan.finalCrash).toBe('kill-9');
      expect(subject.describePlan(plan).join('\n')).toContain('no power loss: the run ends with a kill -9');
      const result = await subject.run(plan);
      expect(result.violations, `seed ${seed}`).toEqual([]);
      expect(result.crashKinds?.at(-1)).toBe('kill-9');
      expect(result.crashKinds).not.toContain('power-loss');
      crashes += result.crashes;
    }
    expect(crashes).toBeGreaterThan(seeds.length);
  });

  it('is a power loss when the workload injects power losses, which catch the same writer', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unsynced-rename-power-loss.ts' });
    const violations = [];
    for (const seed of seeds) {
      const plan = subject.plan('unsynced-rename-power-loss', seed) as TargetPlan;
      expect(plan.finalCrash).toBeUndefined();
      const result = await subject.run(plan);
      expect(result.crashKinds?.at(-1)).toBe('power-loss');
      violations.push(...result.violations);
    }
    expect(violations.length).toBeGreaterThan(0);
  });

  it('is the only crash exploration adds at the end, and exploration crashes such a workload by kill -9 only', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unsynced-rename.ts' });
    const result = await explorePlan(subject, subject.plan('unsynced-rename', 1), { size: 3 });
    expect(result.violations).toEqual([]);
    // Each crash point's kill -9, and its recovery crashed again by kill -9 only.
    // No failed sync either: what it loses is lost only at a power loss.
    expect(result.syncFaults).toBe(0);
    // Failed writes and reads end with the kill -9 too.
    expect(result.statesExplored).toBe(result.crashPoints + result.recoveryCrashes + 1 + result.writeFaults + result.readFaults);
    expect(result.recoveryCrashes).toBeGreaterThanOrEqual(result.crashPoints * exploreRecoveryCrashesDefault);
    expect(result.powerLossStates).toBe(0);
    const withPowerLoss = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unsynced-rename-power-loss.ts' });
    const explored = await explorePlan(withPowerLoss, withPowerLoss.plan('unsynced-rename-power-loss', 1), { size: 3, states: 4 });
    expect(explored.violations.length).toBeGreaterThan(0);
    expect(explored.powerLossStates).toBe(4);
  });

  it('ends exploration\'s runs with a failed write with a kill -9 too: a short write nothing finished is found in a workload without power losses', async () => {
    const { countWorkload } = await import('./fixtures/unchecked-count.ts');
    const workload = { ...countWorkload('unchecked-count-kill-9', false), faults: { rates: { 'kill-9': 0.05, 'short-write': 0.05 } } };
    const subject = librarySubject(workload as unknown as Workload<unknown, unknown>, 'test');
    const plan = subject.plan('unchecked-count-kill-9', 1) as TargetPlan;
    expect(plan.finalCrash).toBe('kill-9');
    const result = await explorePlan(subject, plan, { size: 2 });
    expect(result.powerLossStates).toBe(0);
    expect(result.syncFaults).toBe(0);
    expect(result.writeFaults).toBeGreaterThan(0);
    const truncated = result.violations.find((v) => v.invariant === 'whole');
    expect(truncated?.message).toMatch(/^settings\.json is truncated: /);
    expect(truncated?.crashes).toContain('short-write, then kill-9');
  });

  it('is checked in a plan file: only a kill -9 may be named', () => {
    const plan = JSON.parse(JSON.stringify({ format: 'powercut-target-plan', version: 1, target: 'w.ts', workload: 'w', seed: 1, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 512 }, operations: [0], stepsMax: 10 })) as Record<string, unknown>;
    expect(checkTargetPlan({ ...plan, finalCrash: 'kill-9' }, 'p.json')).toMatchObject({ finalCrash: 'kill-9' });
    expect(() => checkTargetPlan({ ...plan, finalCrash: 'power-loss' }, 'p.json')).toThrow(PlanFileError);
    expect(() => checkTargetPlan({ ...plan, finalCrash: 'power-loss' }, 'p.json')).toThrow(/finalCrash must be one of "kill-9"/);
  });
});
