/**
 * Whether a `--target` module's export is a workload, said precisely: the one line a user gets
 * names every field that is missing or of the wrong type (the Workload interface, targets/workload.ts),
 * not only that something is.
 */

/** The type of `value` as a user would name it: `undefined`, `null`, `an array`, `a string`... */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'undefined';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

/**
 * What is wrong with `value` as a workload, one phrase per problem (empty: nothing), for the one
 * line a user gets when a `--target` module exports something else: each required field missing
 * or of the wrong type, each optional one of the wrong type, each operation without a name or `run`.
 */
export function workloadProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`it is ${kindOf(value)}, not an object`];
  const workload = value as Record<string, unknown>;
  const problems: string[] = [];
  const expect = (field: string, type: 'string' | 'function' | 'number' | 'boolean' | 'object', optional: boolean): void => {
    const found = workload[field];
    if (found === undefined && optional) return;
    if (typeof found !== type || found === null) problems.push(`${field} must be ${type === 'object' ? 'an object' : `a ${type}`}${optional ? ' when given' : ''} (it is ${kindOf(found)})`);
  };
  expect('name', 'string', false);
  expect('initialState', 'function', false);
  expect('open', 'function', false);
  expect('invariants', 'function', false);
  expect('load', 'function', true);
  expect('setup', 'function', true);
  expect('loadOnce', 'boolean', true);
  expect('operationsCount', 'number', true);
  expect('idleMs', 'number', true);
  expect('faults', 'object', true);
  const operations = workload['operations'];
  if (!Array.isArray(operations) || operations.length === 0) {
    problems.push(`operations must be a non-empty array of { name, run } (it is ${Array.isArray(operations) ? 'empty' : kindOf(operations)})`);
  } else {
    operations.forEach((operation: unknown, index) => {
      const { name, run } = (typeof operation === 'object' && operation !== null ? operation : {}) as Record<string, unknown>;
      if (typeof name !== 'string' || typeof run !== 'function') problems.push(`operations[${index}] must be { name: string, run: function }`);
    });
  }
  return problems;
}
