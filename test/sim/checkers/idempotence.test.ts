import { describe, expect, it } from 'vitest';
import { checkIdempotent } from '../../../sim/checkers/idempotence.ts';
import { state } from './helpers.ts';

describe('checkIdempotent', () => {
  it('accepts two equal recovered states', () => {
    expect(checkIdempotent(state({ a: '1', b: '2' }), state({ b: '2', a: '1' }))).toEqual([]);
  });

  it('reports a key that changed between two recoveries', () => {
    expect(checkIdempotent(state({ a: '1', b: '2' }), state({ a: '1', b: '3' }))).toEqual([
      expect.objectContaining({ invariant: 'idempotence', key: 'b', expected: '"2" (1 byte)', seen: '"3" (1 byte)' }),
    ]);
  });

  it('reports a key that the second recovery lost', () => {
    expect(checkIdempotent(state({ a: '1' }), new Map())).toEqual([
      expect.objectContaining({ invariant: 'idempotence', key: 'a', seen: 'absent' }),
    ]);
  });
});
