/**
 * The killing suite of `npm run mutation` (stryker.config.json): the tests that should kill a
 * mutant of engine/ — the simulation runner (every scenario against the reference engine, the
 * engine's own invariants checked by the oracle), the regression corpus replay, and the engine's
 * own tests. Not part of `npm test`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/sim/runner.test.ts', 'test/sim/regressions.test.ts', 'test/engine/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
    // Stryker instruments engine/, so the source patterns of the planted-bug copies no longer
    // match: that one test checks the corpus against planted bugs, not engine mutants.
    testNamePattern: /^(?!.*planted bug it was shrunk from)/,
  },
});
