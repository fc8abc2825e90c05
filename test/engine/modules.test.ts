/**
 * Every engine module loads: its import-time checks (engine/limits.ts asserts the limits fit
 * together) and tables (engine/wal/crc32c.ts) are evaluated inside a test. An import that throws
 * in a test file's own imports fails that file without failing any test, which Stryker's vitest
 * runner counts as a surviving mutant; this test turns it into a failure.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const engineDir = resolve(import.meta.dirname, '../../engine');

function engineModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node' ? [] : engineModules(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('engine modules', () => {
  it('all load without throwing (import-time assertions and tables)', async () => {
    const modules = engineModules(engineDir);
    expect(modules.length).toBeGreaterThan(10);
    for (const path of modules) {
      await expect(import(pathToFileURL(path).href), relative(engineDir, path)).resolves.toBeDefined();
    }
  });
});
