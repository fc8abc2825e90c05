/**
 * A library workload's `faults.dataOrder`. A log that trusts every line ending in a newline is
 * right on ext4's default `data=ordered` and wrong on a POSIX disk, where an unsynced append's
 * size may survive without its data: with the default `posix` order it is caught and told that
 * the power loss left bytes nothing wrote; with `ordered` the same seeds pass.
 */
import { describe, expect, it } from 'vitest';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';

const seeds = Array.from({ length: 20 }, (_, i) => i + 1);

describe('a library workload by data order', () => {
  it('on a POSIX disk (the default), a log that trusts a newline-ended tail is caught garbled, told of the bytes nothing wrote and of dataOrder', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/line-log.ts' });
    const garbled = [];
    for (const seed of seeds) {
      const plan = subject.plan('line-log', seed) as TargetPlan;
      expect(plan.faults.dataOrder).toBeUndefined();
      garbled.push(...(await subject.run(plan)).violations.filter((v) => v.invariant === 'garbled'));
    }
    expect(garbled.length).toBeGreaterThan(0);
    expect(garbled[0]!.message).toMatch(/line \d+ of \d+ is not the one written .*left \/powercut-target\/log\.txt reading bytes nothing wrote past the size it had on disk .*faults: \{ dataOrder: 'ordered' \}/);
  });

  it('passes the same seeds on a disk held to ext4\'s data=ordered', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/line-log-ordered.ts' });
    for (const seed of seeds) {
      const plan = subject.plan('line-log-ordered', seed) as TargetPlan;
      expect(plan.faults.dataOrder).toBe('ordered');
      expect((await subject.run(plan)).violations, `seed ${seed}`).toEqual([]);
    }
  });

  it('says the data order in the plan lines repro and replay print', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/line-log-ordered.ts' });
    expect(subject.describePlan(subject.plan('line-log-ordered', 1)).join('\n')).toContain('data order ordered (ext4 data=ordered)');
  });
});
