/**
 * Where powercut itself is installed, for the few files it finds at run time (its package.json,
 * the preload in bin/, a worker's entry module). The same code runs from source (through tsx,
 * in powercut's own checkout and tests) and compiled (dist/, in an installed package), so paths
 * are found by walking up to the package.json, never by counting folders.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether this copy of powercut runs from its TypeScript source (tsx), not from dist/. */
export const runningFromSource = import.meta.url.endsWith('.ts');

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'powercut') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('powercut: cannot find its own package.json');
    dir = parent;
  }
}

/** The folder holding powercut's package.json. */
export const packageRoot = findPackageRoot();

/** powercut's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
