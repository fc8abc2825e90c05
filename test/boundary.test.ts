/**
 * The architecture, enforced: arrows point inward, toward `engine/ports`.
 *
 * Verifies, by reading the source text:
 * - no file in `engine/` imports anything outside `engine/` (no npm packages, no sibling
 *   folders); only `engine/node/` may import Node built-ins (`node:fs`, `fs/promises`,
 *   `child_process`, ...), and no other engine file imports `engine/node/` except the package's
 *   entry point `engine/index.ts`, which re-exports the adapters for users of the store;
 * - no file in `engine/` or `sim/` outside `engine/node/` and `sim/node/` mentions the ambient sources of time,
 *   randomness or process state (`Math.random`, `Date.now`, `new Date(`, `performance.now`,
 *   `setTimeout`, `setInterval`, `setImmediate`, `process.`), except on a line marked
 *   `// allowed`. Comments are ignored, so documentation may name what it avoids.
 *
 * Does not verify: what a module does at run time (a dependency reached through a value passed
 * in is fine, that is what ports are for), nor imports built from non-literal strings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blankComments } from './source-text.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One broken rule: where, and which. */
interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
}

const forbiddenAmbient: ReadonlyArray<readonly [string, RegExp]> = [
  ['Math.random', /\bMath\s*\.\s*random\b/],
  ['Date.now', /\bDate\s*\.\s*now\b/],
  ['new Date(', /\bnew\s+Date\s*\(/],
  ['performance.now', /\bperformance\s*\.\s*now\b/],
  ['setTimeout', /\bsetTimeout\b/],
  ['setInterval', /\bsetInterval\b/],
  ['setImmediate', /\bsetImmediate\b/],
  ['process.', /(?<![\w$.])process\s*\./],
];

const builtins: ReadonlySet<string> = new Set(builtinModules);

/** Whether an import specifier names a Node built-in (`node:fs`, `fs`, `fs/promises`, ...). */
function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]!);
}


/** Every module specifier a source imports, re-exports, dynamically imports or requires. */
function importsOf(code: string): Array<{ specifier: string; line: number }> {
  const found: Array<{ specifier: string; line: number }> = [];
  const patterns = [
    /\b(?:from|import)\s*\(?\s*(['"])([^'"]+)\1/g,
    /\brequire\s*\(\s*(['"])([^'"]+)\1/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const line = code.slice(0, match.index).split('\n').length;
      found.push({ specifier: match[2]!, line });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/**
 * The rules broken by one source file.
 * @param file - the file's path relative to the repository root, with `/` separators
 * @param source - its text
 */
function findViolations(file: string, source: string): Violation[] {
  const violations: Violation[] = [];
  const inEngine = file.startsWith('engine/');
  const inAdapters = file.startsWith('engine/node/');
  const code = blankComments(source, 'keep');

  if (inEngine) {
    for (const { specifier, line } of importsOf(code)) {
      if (isBuiltin(specifier)) {
        if (!inAdapters) violations.push({ file, line, rule: `imports Node built-in '${specifier}'` });
        continue;
      }
      if (!specifier.startsWith('.')) {
        violations.push({ file, line, rule: `imports package '${specifier}'` });
        continue;
      }
      const target = join(dirname(file), specifier).split(sep).join('/');
      if (!target.startsWith('engine/')) {
        violations.push({ file, line, rule: `imports '${specifier}', outside engine/` });
      } else if (!inAdapters && file !== 'engine/index.ts' && target.startsWith('engine/node/')) {
        violations.push({ file, line, rule: `imports the real adapters '${specifier}'` });
      }
    }
  }

  // sim/node/ holds the harness's own real adapters (reading plan files, timing throughput for
  // reports): they sit outside the simulated world, like engine/node/ outside the engine.
  if ((inEngine && !inAdapters) || (file.startsWith('sim/') && !file.startsWith('sim/node/'))) {
    const rawLines = source.split('\n');
    code.split('\n').forEach((text, index) => {
      if (rawLines[index]?.includes('// allowed') === true) return;
      for (const [name, pattern] of forbiddenAmbient) {
        if (pattern.test(text)) violations.push({ file, line: index + 1, rule: `mentions ${name}` });
      }
    });
  }
  return violations;
}

/** Every `.ts` file under `folder` (relative to the repository root), with `/` separators. */
function sourceFiles(folder: string): string[] {
  const absolute = join(repoRoot, folder);
  let names: string[];
  try {
    names = readdirSync(absolute);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(absolute, name);
    const rel = relative(repoRoot, path).split(sep).join('/');
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

describe('the architecture boundary', () => {
  it('is kept by every file in engine/ and sim/', () => {
    const files = [...sourceFiles('engine'), ...sourceFiles('sim')];
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) => findViolations(file, readFileSync(join(repoRoot, file), 'utf8')));
    expect(violations).toEqual([]);
  });

  describe('checker', () => {
    it('reports a Node built-in imported by the engine, in any spelling', () => {
      const source = [
        "import { readFile } from 'node:fs';",
        "import * as fs from 'fs/promises';",
        "const cp = await import('child_process');",
        "const os = require('os');",
      ].join('\n');
      expect(findViolations('engine/store.ts', source).map((v) => v.line)).toEqual([1, 2, 3, 4]);
    });

    it('lets the real adapters import Node built-ins, but not packages', () => {
      expect(findViolations('engine/node/node-fs.ts', "import * as fs from 'node:fs';")).toEqual([]);
      expect(findViolations('engine/node/x.ts', "import { Volume } from 'memfs';")).toHaveLength(1);
    });

    it('reports an engine import that leaves engine/, or reaches the real adapters', () => {
      const fromWal = [
        "import type { Plan } from '../../sim/types.ts';",
        "import { runCli } from '../../cli/main.ts';",
        "import { NodeFileSystem } from '../node/index.ts';",
        "import { assert } from '../assert.ts';",
        "import type { FileSystem } from '../ports/fs.ts';",
      ].join('\n');
      expect(findViolations('engine/wal/writer.ts', fromWal).map((v) => v.rule)).toEqual([
        "imports '../../sim/types.ts', outside engine/",
        "imports '../../cli/main.ts', outside engine/",
        "imports the real adapters '../node/index.ts'",
      ]);
      const fromStore = "import { x } from '../real/child.ts';\nimport { y } from './wal/writer.ts';";
      expect(findViolations('engine/store.ts', fromStore).map((v) => v.line)).toEqual([1]);
      expect(findViolations('engine/index.ts', "export { NodeFileSystem } from './node/index.ts';")).toEqual([]);
    });

    it('reports every ambient source of time, randomness and process state', () => {
      const source = [
        'const a = Math.random();',
        'const b = Date.now();',
        'const c = new Date();',
        'const d = performance.now();',
        'setTimeout(f, 1);',
        'setInterval(f, 1);',
        'setImmediate(f);',
        'const e = process.env.X;',
        'globalThis.setTimeout(f);',
      ].join('\n');
      expect(findViolations('sim/runner.ts', source).map((v) => v.rule)).toEqual([
        'mentions Math.random', 'mentions Date.now', 'mentions new Date(', 'mentions performance.now',
        'mentions setTimeout', 'mentions setInterval', 'mentions setImmediate', 'mentions process.',
        'mentions setTimeout',
      ]);
    });

    it('ignores comments and lines marked allowed, but not strings that hide a comment marker', () => {
      const source = [
        '/** Uses performance.now and setTimeout in the adapter, never here. */',
        'const x = 1; // not Date.now',
        "const url = 'http://x'; const t = Date.now();",
        'const start = Date.now(); // allowed',
        'const subprocess = { exit() {} }; subprocess.exit();',
      ].join('\n');
      expect(findViolations('engine/store.ts', source)).toEqual([
        { file: 'engine/store.ts', line: 3, rule: 'mentions Date.now' },
      ]);
    });

    it('exempts the real adapters and leaves other folders alone', () => {
      expect(findViolations('engine/node/system-clock.ts', 'performance.now(); setTimeout(f);')).toEqual([]);
      expect(findViolations('sim/node/wall-clock.ts', 'performance.now();')).toEqual([]);
      expect(findViolations('sim/campaign.ts', 'performance.now();')).toHaveLength(1);
      expect(findViolations('cli/main.ts', "import fs from 'node:fs'; process.exit(1);")).toEqual([]);
    });
  });
});
