/**
 * The shape check of a `--target` module's export (subjects/workload-shape.ts): the one line a
 * user gets names every field that is missing or of the wrong type.
 */
import { describe, expect, it } from 'vitest';
import { workloadProblems } from '../../subjects/workload-shape.ts';

const minimal = { name: 'w', initialState: () => ({}), open: () => undefined, operations: [{ name: 'op', run: () => {} }], invariants: () => {} };

describe('workloadProblems', () => {
  it('accepts the required fields alone: load, setup and the rest are optional', () => {
    expect(workloadProblems(minimal)).toEqual([]);
    expect(workloadProblems({ ...minimal, load: () => 1, setup: () => {}, loadOnce: true, operationsCount: 3, idleMs: 5, faults: {} })).toEqual([]);
  });

  it('names each required field missing, with what was found', () => {
    expect(workloadProblems({ ...minimal, name: undefined, invariants: 'yes' })).toEqual([
      'name must be a string (it is undefined)',
      'invariants must be a function (it is a string)',
    ]);
  });

  it('names an optional field of the wrong type (a misspelt hook is not caught, a mistyped one is)', () => {
    expect(workloadProblems({ ...minimal, setup: 'x', loadOnce: 'yes' })).toEqual([
      'setup must be a function when given (it is a string)',
      'loadOnce must be a boolean when given (it is a string)',
    ]);
  });

  it('names operations that are missing, empty, or lack a name or run', () => {
    expect(workloadProblems({ ...minimal, operations: [] })).toEqual(['operations must be a non-empty array of { name, run } (it is empty)']);
    expect(workloadProblems({ ...minimal, operations: { run() {} } })).toEqual(['operations must be a non-empty array of { name, run } (it is an object)']);
    expect(workloadProblems({ ...minimal, operations: [{ name: 'a', run() {} }, { run() {} }] })).toEqual(['operations[1] must be { name: string, run: function }']);
  });

  it('says what a non-object is', () => {
    expect(workloadProblems(null)).toEqual(['it is null, not an object']);
    expect(workloadProblems(() => {})).toEqual(['it is a function, not an object']);
  });
});
