/**
 * The assertion helper: an invariant that does not hold throws an `AssertionError` (exported by
 * the engine, so a report can tell a bug in powercut from a typed store error) whose name and
 * message say so; one that holds does nothing.
 */
import { describe, expect, it } from 'vitest';
import { assert, AssertionError } from '../../engine/assert.ts';
import { isStoreError } from '../../engine/errors.ts';

describe('assert', () => {
  it('throws an AssertionError named AssertionError, with the message, when the condition is false', () => {
    let thrown: unknown;
    try {
      assert(false, 'segment sequence numbers start at 1');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AssertionError);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ name: 'AssertionError', message: 'segment sequence numbers start at 1' });
    expect(String(thrown)).toBe('AssertionError: segment sequence numbers start at 1');
    expect(isStoreError(thrown)).toBe(false);
  });

  it('does nothing when the condition holds, whatever truthy value it is', () => {
    for (const condition of [true, 1, 'x', {}]) expect(() => assert(condition, 'never thrown')).not.toThrow();
  });

  it('treats every falsy value as a failed condition', () => {
    for (const condition of [false, 0, '', null, undefined, Number.NaN]) expect(() => assert(condition, 'falsy')).toThrow(AssertionError);
  });
});
