/**
 * A quicker killing suite for per-file Stryker runs (`stryker.engine.json`, see
 * bench/results/mutation.md): the engine's own tests, or only the globs in MUT_TESTS
 * (comma-separated). The simulation runner is left out, so a score measured with it is a lower
 * bound of what `npm run mutation` reports: a mutant killed by a subset is killed by the whole.
 */
import { defineConfig } from 'vitest/config';

const include = (process.env['MUT_TESTS'] ?? 'test/engine/**/*.test.ts').split(',');

export default defineConfig({
  test: {
    include,
    exclude: ['test/engine/node/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup.ts'],
  },
});
