/** What the harness reads from an engine's acknowledgement (sim/engine-contract.ts lsnOf). */
import { describe, expect, it } from 'vitest';
import { lsnOf } from '../../sim/engine-contract.ts';

describe('lsnOf: the LSN a commit acknowledged', () => {
  it('reads a number, a bigint while it is exact, or either inside { lsn }', () => {
    expect([lsnOf(7), lsnOf(7n), lsnOf({ lsn: 7 }), lsnOf({ lsn: 7n })]).toEqual([7, 7, 7, 7]);
  });

  it('gives undefined for no LSN, and for a bigint a number cannot hold exactly (the LSN checks are then skipped, not wrong)', () => {
    expect([lsnOf(undefined), lsnOf({}), lsnOf(2n ** 60n), lsnOf(-1n)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
