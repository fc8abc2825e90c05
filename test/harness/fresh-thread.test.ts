/**
 * The plan a shrink keeps must fail where a user replays it: alone, in a thread that ran nothing
 * else (harness/fresh-thread.ts). Shrinking runs hundreds of candidates in one thread, and code
 * under test that keeps state between them can make a candidate fail that fails nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { failsInFreshThread, planToKeep } from '../../harness/fresh-thread.ts';
import { noFaults } from '../../sim/world.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';

const module = 'test/targets/fixtures/thread-state.ts';

describe('the plan a shrink keeps', async () => {
  const subject = await loadSubject({ kind: 'library', module });
  const full = { ...(subject.plan('thread-state', 1) as TargetPlan), faults: noFaults(), looks: 0 };
  // One operation: fails only after another run in the same thread.
  const cut = { ...full, operations: [0] };

  it('fails in this thread after another run, and not alone in a fresh one (the fixture does what it says)', async () => {
    await subject.run(full);
    expect((await subject.run(cut)).violations.map((v) => v.invariant)).toEqual(['leaky']);
    expect(await failsInFreshThread(subject, cut, 'leaky', workerScript)).toBe(false);
    expect(await failsInFreshThread(subject, full, 'leaky', workerScript)).toBe(true);
  });

  it('is the shrunk plan when it fails alone in a fresh thread', async () => {
    expect(await planToKeep(subject, full, full, 'leaky', workerScript)).toEqual({ plan: full, which: 'shrunk' });
  });

  it('is the unshrunk plan when only that one fails in a fresh thread', async () => {
    expect(await planToKeep(subject, full, cut, 'leaky', workerScript)).toEqual({ plan: full, which: 'unshrunk' });
  });

  it('is the shrunk plan, said to reproduce nowhere, when neither fails in a fresh thread', async () => {
    expect(await planToKeep(subject, cut, cut, 'leaky', workerScript)).toEqual({ plan: cut, which: 'unreproduced' });
  });
});
