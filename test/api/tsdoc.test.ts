/**
 * Every name the package exports carries TSDoc where it is declared: a user reading the types
 * in an editor sees what each export is for.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The names re-exported by one `export { ... } from '...'` clause, with the module path. */
function reExports(source: string): { name: string; from: string }[] {
  const found: { name: string; from: string }[] = [];
  for (const match of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const item of match[1]!.split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim();
      if (name !== '') found.push({ name, from: match[2]! });
    }
  }
  return found;
}

/** Whether `name` is declared in `file` (or a module it re-exports, by name or with `*`) right after a TSDoc block. */
function documented(file: string, name: string, depth = 0): boolean {
  const source = readFileSync(file, 'utf8');
  const declaration = new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function|class|const|let|interface|type|enum)\\s+${name}\\b`, 'm');
  const at = source.search(declaration);
  if (at >= 0) return /\*\/\s*$/.test(source.slice(0, at));
  if (depth > 3) return false;
  const next = reExports(source).find((entry) => entry.name === name);
  if (next !== undefined) return documented(join(dirname(file), next.from), name, depth + 1);
  // `export * from '...'` (sim/index.ts re-exports its light door that way).
  return [...source.matchAll(/export\s+\*\s+from\s*'([^']+)'/g)].some((star) => documented(join(dirname(file), star[1]!), name, depth + 1));
}

/** The exports of a module that lack TSDoc. */
function undocumented(entry: string): string[] {
  const file = join(root, entry);
  return reExports(readFileSync(file, 'utf8'))
    .filter(({ name, from }) => !documented(join(dirname(file), from), name))
    .map(({ name, from }) => `${name} (${from})`);
}

describe('the public API', () => {
  it('documents every export of powercut (api/index.ts) where it is declared', () => {
    expect(undocumented('api/index.ts')).toEqual([]);
  });

  it('documents every export of powercut/engine (engine/index.ts) where it is declared', () => {
    expect(undocumented('engine/index.ts')).toEqual([]);
  });
});
