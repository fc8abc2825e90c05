import { describe, expect, it } from 'vitest';
import { KillPlanner, Workload } from '../../real/workload.ts';

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
