import { describe, expect, it } from 'vitest';
import { applyBatch, checkRecovered } from '../../real/check.ts';
import type { CycleModel, SentBatch } from '../../real/check.ts';

const put = (seq: number, key: string) => ({ type: 'put' as const, key, value: `${seq}:${key}:` });
const del = (key: string) => ({ type: 'delete' as const, key });

const before = new Map([['a', '1:a:'], ['b', '1:b:']]);
const sent: SentBatch[] = [
  { seq: 2, ops: [put(2, 'a'), put(2, 'c')] },
  { seq: 3, ops: [del('b')] },
  { seq: 4, ops: [put(4, 'd')] },
];

function stateAfter(count: number): Map<string, string> {
  const state = new Map(before);
  for (const batch of sent.slice(0, count)) applyBatch(state, batch.ops);
  return state;
}

function model(ackedSeqs: number[]): CycleModel {
  return { before, sent, acked: new Set(ackedSeqs) };
}

describe('checkRecovered', () => {
  it('accepts every prefix that covers the acknowledged batches', () => {
    for (const length of [2, 3]) {
      const verdict = checkRecovered(model([2, 3]), stateAfter(length));
      expect(verdict.violations).toEqual([]);
      expect(verdict.prefixLength).toBe(length);
      expect(verdict.lostSeqs).toEqual([]);
    }
  });

  it('lets unacknowledged batches vanish', () => {
    expect(checkRecovered(model([]), stateAfter(0)).violations).toEqual([]);
  });

  it('reports a lost acknowledged put as a durability violation', () => {
    const verdict = checkRecovered(model([2, 3, 4]), stateAfter(3 - 1));
    expect(verdict.lostSeqs).toEqual([4]);
    expect(verdict.violations.map((v) => v.invariant)).toEqual(['durability']);
    expect(verdict.violations[0]!.detail).toContain("batch 4 put 'd'");
  });

  it('reports a deleted key that came back as resurrection', () => {
    const verdict = checkRecovered(model([2, 3]), stateAfter(1));
    expect(verdict.lostSeqs).toEqual([3]);
    expect(verdict.violations.map((v) => v.invariant)).toEqual(['resurrection']);
  });

  it('accepts a put that a later sent batch deleted, when that delete survived', () => {
    const withDelete: SentBatch[] = [...sent, { seq: 5, ops: [del('d')] }];
    const state = stateAfter(3);
    state.delete('d');
    const verdict = checkRecovered({ before, sent: withDelete, acked: new Set([4]) }, state);
    expect(verdict.violations).toEqual([]);
    expect(verdict.prefixLength).toBe(4);
  });

  it('reports a half-applied batch as a prefix violation even when nothing acknowledged is lost', () => {
    const state = stateAfter(1);
    state.delete('c'); // batch 2 put 'a' and 'c'; only 'a' survived
    const verdict = checkRecovered(model([]), state);
    expect(verdict.prefixLength).toBeUndefined();
    expect(verdict.violations.map((v) => v.invariant)).toEqual(['prefix']);
    expect(verdict.violations[0]!.detail).toContain("'c'");
  });

  it('reports batches applied out of order as a prefix violation', () => {
    const state = stateAfter(0);
    applyBatch(state, sent[2]!.ops); // batch 4 without batches 2 and 3
    expect(checkRecovered(model([]), state).violations.map((v) => v.invariant)).toEqual(['prefix']);
  });

  it('judges a batch by its last operation on each key', () => {
    const batches: SentBatch[] = [{ seq: 2, ops: [put(2, 'a'), del('a')] }];
    const state = new Map(before);
    state.delete('a');
    expect(checkRecovered({ before, sent: batches, acked: new Set([2]) }, state).violations).toEqual([]);
  });
});
