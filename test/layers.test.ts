/**
 * The layers, enforced: every source file belongs to a ranked layer, and imports only point down
 * (or sideways within a layer); no circle of files, and no circle of folders.
 *
 * Ranks, from the inside out (an arrow may point from a higher rank to a lower or equal one):
 * 0 engine/ports · 1 engine · 2 sim · 3 harness · 4 scenarios, facade, targets, examples ·
 * 5 subjects, reports · 6 real · 7 api · 8 cli, bench.
 *
 * Verifies, by reading the source text of every `.ts` file outside test/ and node_modules/: each
 * relative import (static, dynamic, `export ... from`, `require`, type-only included, since a
 * type import is a dependency of the design too) goes to a rank no higher than the importer's;
 * the graph of files has no cycle; the graph of folders (top-level, engine/ports apart) has no
 * cycle; outside sim/, harness/, facade/ and targets/, their internals are reached only through
 * their doors: `index.ts`, and for sim/ also the light door `contract.ts` (facade/ and targets/
 * used to reach into sim/disk/); the light door stays light: nothing behind it reaches the
 * simulated world, so a real-disk child that starts once per kill loads none of it. Does not
 * verify: imports built from non-literal strings (worker scripts are passed as URLs by the layer
 * that owns them), nor tests, which may reach anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));

/** The ranked layers: a folder prefix and its rank; the longest matching prefix wins. */
export const layers: readonly (readonly [prefix: string, rank: number])[] = [
  ['engine/ports/', 0],
  ['engine/', 1],
  ['sim/', 2],
  ['harness/', 3],
  ['scenarios/', 4], ['facade/', 4], ['targets/', 4], ['examples/', 4],
  ['subjects/', 5], ['reports/', 5],
  ['real/', 6],
  ['api/', 7],
  ['cli/', 8], ['bench/', 8],
];

/** The layer of a file: its prefix and rank, or undefined outside every layer. */
export function layerOf(file: string): { prefix: string; rank: number } | undefined {
  let best: { prefix: string; rank: number } | undefined;
  for (const [prefix, rank] of layers) {
    if (file.startsWith(prefix) && (best === undefined || prefix.length > best.prefix.length)) best = { prefix, rank };
  }
  return best;
}

/** The folder a file counts in for the folder-cycle check: its top-level folder, engine/ports apart. */
function folderOf(file: string): string {
  return file.startsWith('engine/ports/') ? 'engine/ports' : file.split('/')[0]!;
}

/** Blanks out comments (keeping newlines), so documentation may name what it does not import. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** The relative imports of a source, resolved to repository paths. */
export function importsOf(file: string, source: string): string[] {
  const code = stripComments(source);
  const found: string[] = [];
  const patterns = [/\b(?:from|import)\s*\(?\s*(['"])(\.{1,2}\/[^'"]+)\1/g, /\brequire\s*\(\s*(['"])(\.{1,2}\/[^'"]+)\1/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(normalize(join(dirname(file), match[2]!)).split(sep).join('/'));
  }
  return found;
}

/** One broken rule. */
export interface LayerViolation {
  readonly rule: string;
}

/** Imports that point up: from a file to a file of a higher rank. */
export function upwardImports(graph: ReadonlyMap<string, readonly string[]>): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (from === undefined || to === undefined) continue;
      if (to.rank > from.rank) found.push({ rule: `${file} (rank ${from.rank}) imports ${target} (rank ${to.rank})` });
    }
  }
  return found;
}

/** Every cycle of a directed graph, as its strongly connected components of more than one node (or a self-loop). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Folders whose internals others reach only through their doors: `<folder>/index.ts`, and the light doors listed. */
export const doors: ReadonlyMap<string, readonly string[]> = new Map([
  ['sim', ['sim/index.ts', 'sim/contract.ts']],
  // env-reads.ts: the loader of a user's module (subjects/load-engine.ts) is on the real-disk child's light path.
  ['harness', ['harness/index.ts', 'harness/env-reads.ts']],
  ['facade', ['facade/index.ts']],
  ['targets', ['targets/index.ts']],
]);

/** Imports from outside a door folder that go past its doors into its internals. */
export function pastTheDoor(graph: ReadonlyMap<string, readonly string[]>): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const folder = folderOf(target);
      const open = doors.get(folder);
      if (open === undefined || folderOf(file) === folder || open.includes(target)) continue;
      found.push({ rule: `${file} reaches into ${target} (use ${folder}/index.ts)` });
    }
  }
  return found;
}

/** The imports of a source that load something when it runs: type-only ones left out. */
export function runtimeImportsOf(file: string, source: string): string[] {
  return importsOf(file, stripComments(source).replace(/\b(?:import|export)\s+type\s[^;]*?from\s*(['"])[^'"]+\1/g, ''));
}

/** Every file `file` loads, itself included: its import closure in `graph`. */
export function closureOf(graph: ReadonlyMap<string, readonly string[]>, file: string): Set<string> {
  const seen = new Set<string>();
  const visit = (node: string): void => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const target of graph.get(node) ?? []) visit(target);
  };
  visit(file);
  return seen;
}

/** The simulated world: files a light door must never load. */
const simulatedWorld = (file: string): boolean =>
  file.startsWith('sim/disk/') || file.startsWith('sim/checkers/') || ['sim/world.ts', 'sim/runner.ts', 'sim/scheduler.ts', 'sim/model.ts', 'sim/index.ts'].includes(file);

/** The folder graph of a file graph. */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const set = folders.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) set.add(folderOf(target));
    folders.set(from, set);
  }
  return new Map([...folders].map(([folder, targets]) => [folder, [...targets]]));
}

/** Every `.ts` file of the layers, relative to the repository root. */
function sourceFiles(folder = ''): string[] {
  return readdirSync(join(repoRoot, folder)).flatMap((name) => {
    const rel = folder === '' ? name : `${folder}/${name}`;
    if (name === 'node_modules' || name === 'test' || name.startsWith('.') || name === 'dist') return [];
    if (statSync(join(repoRoot, rel)).isDirectory()) return sourceFiles(rel);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && folder !== '' ? [rel] : [];
  });
}

function repositoryGraph(read = importsOf): Map<string, string[]> {
  return new Map(sourceFiles().map((file) => [file, read(file, readFileSync(join(repoRoot, file), 'utf8'))]));
}

describe('the layers', () => {
  const graph = repositoryGraph();

  it('place every source file in a ranked layer', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect([...graph.keys()].filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('have no import that points up', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('have no circle of files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('have no circle of folders', () => {
    expect(cycles(folderGraph(graph))).toEqual([]);
  });

  it('reach sim/, harness/, facade/ and targets/ from outside only through their doors', () => {
    expect(pastTheDoor(graph)).toEqual([]);
  });

  it('keep the simulated world out of the light door and of the real-disk child that uses it', () => {
    const runtime = repositoryGraph(runtimeImportsOf);
    for (const entry of ['sim/contract.ts', 'real/child.ts']) {
      const loaded = closureOf(runtime, entry);
      expect(loaded.has('engine/store.ts')).toBe(true);
      expect([...loaded].filter(simulatedWorld)).toEqual([]);
    }
  });

  describe('checker', () => {
    it('reports a planted upward import, naming both files and ranks', () => {
      const planted = new Map(graph);
      planted.set('sim/runner.ts', [...(graph.get('sim/runner.ts') ?? []), 'harness/campaign.ts']);
      expect(upwardImports(planted)).toEqual([{ rule: 'sim/runner.ts (rank 2) imports harness/campaign.ts (rank 3)' }]);
    });

    it('reports a planted circle of files', () => {
      const planted = new Map(graph);
      planted.set('harness/pairs.ts', [...(graph.get('harness/pairs.ts') ?? []), 'harness/campaign.ts']);
      expect(cycles(planted)).toEqual([['harness/campaign.ts', 'harness/pairs.ts']]);
    });

    it('reports a planted circle of folders made of sideways imports', () => {
      const planted = new Map(graph);
      planted.set('facade/api.ts', [...(graph.get('facade/api.ts') ?? []), 'targets/plan.ts']);
      expect(cycles(folderGraph(planted))).toEqual([['facade', 'targets']]);
    });

    it('reports a planted import past a door', () => {
      const planted = new Map(graph);
      planted.set('facade/core.ts', [...(graph.get('facade/core.ts') ?? []), 'sim/disk/disk.ts']);
      expect(pastTheDoor(planted)).toEqual([{ rule: 'facade/core.ts reaches into sim/disk/disk.ts (use sim/index.ts)' }]);
    });

    it('reports a planted import of the simulated world behind the light door', () => {
      const planted = repositoryGraph(runtimeImportsOf);
      planted.set('sim/adapters/reference.ts', [...(planted.get('sim/adapters/reference.ts') ?? []), 'sim/world.ts']);
      expect([...closureOf(planted, 'real/child.ts')].filter(simulatedWorld)).toContain('sim/world.ts');
    });

    it('leaves type-only imports out of what a file loads when it runs', () => {
      const source = [
        "import type { A } from './a.ts';",
        'import type {\n  B,\n  C,\n} from "./b.ts";',
        "export type { D } from './d.ts';",
        "import { e, type E } from './e.ts';",
      ].join('\n');
      expect(runtimeImportsOf('sim/x.ts', source)).toEqual(['sim/e.ts']);
    });

    it('reads every import form, ignoring comments', () => {
      const source = [
        "import { a } from './a.ts';",
        "import type { B } from '../b/b.ts';",
        "export { c } from './c.ts';",
        "const d = await import('./d.ts');",
        "const e = require('./e.cjs');",
        "// import { f } from './f.ts';",
        "import { g } from 'node:fs';",
      ].join('\n');
      expect(importsOf('sim/x.ts', source)).toEqual(['sim/a.ts', 'b/b.ts', 'sim/c.ts', 'sim/d.ts', 'sim/e.cjs']);
    });
  });
});
