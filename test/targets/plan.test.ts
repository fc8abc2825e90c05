/** Target plans: what a fresh plan holds, fault changes from the workload, and the file checks. */
import { describe, expect, it } from 'vitest';
import { PlanFileError } from '../../sim/plan-file.ts';
import { checkTargetPlan, isTargetPlanJson, targetFaultKinds, targetPlan } from '../../targets/plan.ts';
import { freshRequire } from '../../targets/workload.ts';
import { carefulWriter } from './writers.ts';

describe('targetPlan', () => {
  it('lists every operation of a seed and the default faults', () => {
    const plan = targetPlan(carefulWriter, 'w.ts', 9);
    expect(plan).toMatchObject({ format: 'powercut-target-plan', version: 1, target: 'w.ts', workload: 'careful-writer', seed: 9 });
    expect(plan.operations).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.faults).toMatchObject({ sectorBytes: 512, fsyncFailureMode: 'ext4' });
    expect(targetFaultKinds(carefulWriter)).toEqual(['power-loss', 'kill-9', 'fsync-error', 'disk-full', 'short-write', 'dir-sync-error', 'write-error']);
  });

  it('takes changes to the fault profile from the workload', () => {
    const workload = { ...carefulWriter, faults: { rates: { 'read-error': 0.5 }, sectorBytes: 4096 as const } };
    expect(targetPlan(workload, 'w.ts', 1).faults).toMatchObject({ rates: { 'read-error': 0.5 }, sectorBytes: 4096 });
    expect(targetFaultKinds(workload)).toEqual(['read-error']);
  });
});

describe('checkTargetPlan', () => {
  const good = JSON.parse(JSON.stringify(targetPlan(carefulWriter, 'w.ts', 1))) as Record<string, unknown>;

  it('accepts a plan written by targetPlan and tells it from an engine plan', () => {
    expect(checkTargetPlan(good, 'p.json')).toEqual(good);
    expect(checkTargetPlan({ ...good, found: { invariant: 'durable', message: 'lost' } }, 'p.json')).toMatchObject({ found: { invariant: 'durable' } });
    expect(isTargetPlanJson(good)).toBe(true);
    expect(isTargetPlanJson({ format: 'powercut-plan' })).toBe(false);
  });

  it.each([
    [{ ...good, version: 2 }, /version must be 1/],
    [{ ...good, extra: 1 }, /extra is not a plan field/],
    [{ ...good, operations: [0, -1] }, /operations\[1\] must be an integer >= 0/],
    [{ ...good, crashStates: [-1] }, /crashStates\[0\] must be an integer >= 0/],
    [{ ...good, looks: -1 }, /looks must be an integer >= 0/],
    [{ ...good, faults: { rates: { meteor: 1 }, fsyncFailureMode: 'ext4', sectorBytes: 512 } }, /faults\.rates\.meteor is not a plan field/],
    [{ ...good, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 512, dataOrder: 'writeback' } }, /faults\.dataOrder must be one of "posix", "ordered"/],
    [{ ...good, target: '' }, /target must be a non-empty string/],
    [{ ...good, found: 'durable' }, /found must be an object/],
    [{ ...good, found: { invariant: 'durable' } }, /found\.message must be a string/],
    [{ ...good, found: { invariant: 'durable', message: 'm', seed: 1 } }, /found\.seed is not a plan field/],
  ])('refuses a wrong field with one line naming it (%#)', (plan, message) => {
    expect(() => checkTargetPlan(plan, 'p.json')).toThrow(PlanFileError);
    expect(() => checkTargetPlan(plan, 'p.json')).toThrow(message);
  });
});

describe('freshRequire', () => {
  it('loads a CommonJS package afresh each time, resolved from the module given', () => {
    const first = freshRequire<object>('write-file-atomic', import.meta.url);
    const second = freshRequire<object>('write-file-atomic', import.meta.url);
    expect(typeof first).toBe('function');
    expect(second).not.toBe(first);
    expect(() => freshRequire('no-such-package-here', import.meta.url)).toThrow(/Cannot find module/);
  });
});
