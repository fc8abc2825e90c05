/**
 * The name of the test that is running, when the test runner says: Jest's and Vitest's `expect`
 * keep it in their state (`currentTestName`), on the global `expect` or, for Vitest without
 * globals, under the symbol its `expect` registers itself by; under Jest, on the global of the
 * test file's sandbox (host.ts). Node's test runner does not say.
 */
import { hostGlobals } from './host.ts';

interface ExpectLike {
  getState?: () => { currentTestName?: unknown } | undefined;
}

/** The running test's full name (`suite > test`), or undefined when no test runner says. */
export function currentTestName(): string | undefined {
  const expects = hostGlobals().flatMap((global) => [(global as Record<PropertyKey, unknown>)['expect'], (global as Record<PropertyKey, unknown>)[Symbol.for('expect-global')]]);
  for (const candidate of expects as (ExpectLike | undefined)[]) {
    try {
      const name = candidate?.getState?.()?.currentTestName;
      if (typeof name === 'string' && name !== '') return name;
    } catch {
      // A runner's expect that cannot answer outside a test says nothing.
    }
  }
  return undefined;
}
