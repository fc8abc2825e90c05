import { describe, expect, it } from 'vitest';
import { engineShrinkAxes } from '../../scenarios/engine-shrink.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { putBytes, type Plan, type PlanPut } from '../../sim/plan.ts';

/** Every put of `plan`, in plan order. */
function putsOf(plan: Plan): PlanPut[] {
  return plan.steps
    .flatMap((step) => (step.op === 'commit' ? step.batch : step.op === 'concurrent' ? step.batches.flat() : []))
    .filter((op): op is PlanPut => op.type === 'put');
}

/** Simplifies `plan` with `fails` standing in for a run of the subject. */
async function simplified(plan: Plan, fails: (candidate: Plan) => boolean): Promise<Plan> {
  let current = plan;
  await engineShrinkAxes.simplify!(() => current, async (candidate) => {
    if (!fails(candidate)) return false;
    current = candidate;
    return true;
  });
  return current;
}

describe('shrinking renames keys, and the heads of the values drawn under them', () => {
  // A drawn plan whose keys have long names (`user-k3`), as a user's workload may draw them.
  const plan = engineSubject(referenceEngine).plan('swarm', 5);
  const drawn: Plan = {
    ...plan,
    steps: plan.steps.map((step) => (step.op === 'commit' ? { ...step, batch: step.batch.map((op) => (op.type === 'put' ? { ...op, key: `user-${op.key}`, value: `user-${op.value}` } : { ...op, key: `user-${op.key}` })) } : step)),
  };
  const longest = Math.max(...putsOf(drawn).map((op) => putBytes(op).length));

  it('keeps a value\'s size when the failure hangs on it, so a kept value still names its own key', async () => {
    // A bug that shows only while some put is exactly as long as the longest drawn one.
    const result = await simplified(drawn, (plan) => putsOf(plan).some((op) => putBytes(op).length === longest));
    const kept = putsOf(result).filter((op) => putBytes(op).length === longest);
    expect(kept.length).toBeGreaterThan(0);
    for (const op of kept) {
      expect(op.key).toMatch(/^k\d+$/);
      expect(op.value.startsWith(`${op.key}@`), JSON.stringify(op)).toBe(true);
    }
  });

  it('renames the heads without padding when the size does not matter', async () => {
    const result = await simplified(drawn, (plan) => putsOf(plan).length > 0);
    const [op] = putsOf(result);
    expect(op?.value).toMatch(new RegExp(`^${op?.key}@\\d+\\.\\d+$`));
  });
});
