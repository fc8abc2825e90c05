import { describe, expect, it } from 'vitest';
import { checkRead } from '../../../sim/checkers/reads.ts';
import { bytes, del, put, state } from './helpers.ts';

const base = state({ a: '0' });
const candidates = [[put('a', '1')], [del('a')], [put('a', '3')]];

describe('checkRead', () => {
  it('accepts the value after every commit that had to be visible', () => {
    expect(checkRead({ base, candidates, mustInclude: 3, key: 'a', seen: bytes('3') })).toEqual([]);
  });

  it('reports a stale value', () => {
    expect(checkRead({ base, candidates, mustInclude: 3, key: 'a', seen: bytes('1') })).toEqual([
      expect.objectContaining({ invariant: 'reads', key: 'a', expected: '"3" (1 byte)', seen: '"1" (1 byte)' }),
    ]);
  });

  it('reports a deleted key that reads as present', () => {
    expect(checkRead({ base, candidates: candidates.slice(0, 2), mustInclude: 2, key: 'a', seen: bytes('0') })).toHaveLength(1);
  });

  it('accepts any value along the commits still in flight', () => {
    for (const seen of [bytes('1'), undefined, bytes('3')]) {
      expect(checkRead({ base, candidates, mustInclude: 1, key: 'a', seen })).toEqual([]);
    }
  });

  it('reports a value no commit wrote', () => {
    expect(checkRead({ base, candidates, mustInclude: 0, key: 'a', seen: bytes('9') })).toHaveLength(1);
  });
});
