import { describe, expect, it } from 'vitest';
import { KillPlanner, Workload, writerSeq } from '../../real/workload.ts';

describe('the real campaign workload', () => {
  it('draws the same batches from the same seed', () => {
    const a = new Workload('s1');
    const b = new Workload('s1');
    for (let seq = 1; seq <= 50; seq++) expect(a.batch(seq)).toEqual(b.batch(seq));
  });

  it('draws different batches from different seeds', () => {
    const a = Array.from({ length: 20 }, (_, i) => new Workload('s1').batch(i + 1));
    const b = Array.from({ length: 20 }, (_, i) => new Workload('s2').batch(i + 1));
    expect(a).not.toEqual(b);
  });

  it('writes values that name the batch that wrote them', () => {
    const workload = new Workload('s1');
    for (let seq = 1; seq <= 50; seq++) {
      for (const op of workload.batch(seq)) if (op.type === 'put') expect(writerSeq(op.value)).toBe(seq);
    }
  });

  it('draws kill plans from their own stream, so drawing them leaves the batches unchanged', () => {
    const plain = new Workload('s1');
    const interleaved = new Workload('s1');
    const planner = new KillPlanner('s1');
    for (let seq = 1; seq <= 20; seq++) {
      planner.next();
      expect(interleaved.batch(seq)).toEqual(plain.batch(seq));
    }
  });

  it('draws all three kinds of kill', () => {
    const planner = new KillPlanner('s1');
    const kinds = new Set(Array.from({ length: 200 }, () => planner.next().kind));
    expect([...kinds].sort()).toEqual(['after-acks', 'after-delay', 'during-recovery']);
  });
});
