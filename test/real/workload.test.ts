import { describe, expect, it } from 'vitest';
import { KillPlanner, Workload, workloadShapeDefault } from '../../real/workload.ts';

const batches = (seed: string, count: number) => {
  const workload = new Workload(seed);
  return Array.from({ length: count }, () => workload.next());
};

describe('the real campaign workload', () => {
  it('draws the same batches from the same seed', () => {
    expect(batches('s1', 50)).toEqual(batches('s1', 50));
  });

  it('draws different batches from different seeds', () => {
    expect(batches('s1', 20)).not.toEqual(batches('s2', 20));
  });

  it('writes values that name the batch that wrote them', () => {
    const decoder = new TextDecoder();
    batches('s1', 50).forEach((ops, index) => {
      for (const op of ops) if (op.type === 'put') expect(decoder.decode(op.value)).toMatch(new RegExp(`^${index + 1}:${op.key}:`));
    });
  });

  it('keeps within the engine\'s declared limits (batch operations, value bytes), cutting what is drawn, never the draws: the keys and kinds stay those of the same seed without limits', () => {
    const free = batches('s1', 200);
    const limited = new Workload('s1', workloadShapeDefault, { batchOps: 2, valueBytes: 40 });
    const cut = Array.from({ length: 200 }, () => limited.next());
    expect(free.some((ops) => ops.length > 2)).toBe(true);
    expect(free.some((ops) => ops.some((op) => op.type === 'put' && op.value.length > 40))).toBe(true);
    for (const [index, ops] of cut.entries()) {
      expect(ops.length).toBeLessThanOrEqual(2);
      for (const op of ops) if (op.type === 'put') expect(op.value.length).toBeLessThanOrEqual(40);
      expect(ops.map((op) => [op.type, op.key])).toEqual(free[index]!.slice(0, 2).map((op) => [op.type, op.key]));
    }
  });

  it('draws kill plans from their own stream, so drawing them leaves the batches unchanged', () => {
    const interleaved = new Workload('s1');
    const planner = new KillPlanner('s1');
    const drawn = Array.from({ length: 20 }, () => {
      planner.next();
      return interleaved.next();
    });
    expect(drawn).toEqual(batches('s1', 20));
  });

  it('draws all three kinds of kill', () => {
    const planner = new KillPlanner('s1');
    const kinds = new Set(Array.from({ length: 200 }, () => planner.next().kind));
    expect([...kinds].sort()).toEqual(['after-acks', 'after-delay', 'during-recovery']);
  });
});
