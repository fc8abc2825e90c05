/** What the harness reads from an engine's acknowledgement (sim/engine-contract.ts lsnOf). */
import { describe, expect, it } from 'vitest';
import { describeError, describeThrown, lsnOf } from '../../sim/engine-contract.ts';
import { messageOf } from '../../targets/runner.ts';

describe('lsnOf: the LSN a commit acknowledged', () => {
  it('reads a number, a bigint while it is exact, or either inside { lsn }', () => {
    expect([lsnOf(7), lsnOf(7n), lsnOf({ lsn: 7 }), lsnOf({ lsn: 7n })]).toEqual([7, 7, 7, 7]);
  });

  it('gives undefined for no LSN, and for a bigint a number cannot hold exactly (the LSN checks are then skipped, not wrong)', () => {
    expect([lsnOf(undefined), lsnOf({}), lsnOf(2n ** 60n), lsnOf(-1n)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('describing what code under test threw', () => {
  /** As Emscripten throws (sql.js's file system): an object of its own class, not an Error. */
  class ErrnoError {
    readonly errno = 44;
    readonly node = { big: 'object' };
  }

  it('names an Error by its name and message', () => {
    expect(describeError(new RangeError('too far'))).toBe('RangeError: too far');
  });

  it('names a thrown object by its class and plain fields, never [object Object]', () => {
    expect(describeThrown(new ErrnoError())).toBe('ErrnoError { errno: 44 }');
    expect(describeError({ code: 'ENOENT', path: '/x' })).toBe('Object { code: "ENOENT", path: "/x" }');
    expect(messageOf(new ErrnoError())).toBe('ErrnoError { errno: 44 }');
  });

  it('keeps a thrown string, number or object with its own text as it is', () => {
    expect(describeThrown('boom')).toBe('boom');
    expect(describeThrown(7)).toBe('7');
    expect(describeThrown({ toString: () => 'custom text' })).toBe('custom text');
    expect(messageOf({ message: 'has a message' })).toBe('has a message');
  });
});
