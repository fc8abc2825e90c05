/**
 * No function in the engine, the simulator, the harness and the subjects (engine/, sim/,
 * harness/, scenarios/, targets/, facade/, subjects/, real/, api/) is longer than 100 lines
 * (STYLE.md, "small functions": a function that grew past 100 has state that wants to be an
 * object).
 *
 * Verifies, by reading the source text: every function declaration, method, constructor,
 * accessor and arrow function with a block body, from its first line to its closing brace.
 * Comments and the contents of string and template literals are blanked first, so braces in
 * them do not count.
 *
 * Does not verify: functions whose header spans lines before a type literal that itself spans
 * lines, and braces inside regular-expression literals that are not balanced (the engine has
 * neither; a checker test below would need one to be added).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blankComments } from './source-text.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const folders = ['engine', 'sim', 'harness', 'scenarios', 'targets', 'facade', 'subjects', 'real', 'api'];
const functionLinesMax = 100;

const keywords = new Set([
  'if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'await', 'new', 'typeof', 'throw', 'do', 'else', 'case', 'super', 'import', 'export',
]);


/** Whether a (blanked, trimmed) line starts a function. */
function startsFunction(line: string): boolean {
  if (/\bfunction\b/.test(line)) return true;
  if (/=>\s*\(?\{\s*$/.test(line)) return true;
  const method = /^(?:(?:export|public|private|protected|static|async|override|readonly|get|set|abstract)\s+)*(#?[A-Za-z_$][\w$]*)\s*(?:<[^()]*>)?\s*\(/.exec(line);
  return method !== null && !keywords.has(method[1]!);
}

/** One function found: where it starts (1-based line) and how many lines it spans. */
interface FunctionSpan {
  readonly line: number;
  readonly lines: number;
}

/** Every function with a body in a source text. */
function functionSpans(source: string): FunctionSpan[] {
  const lines = blankComments(source, 'blank').split('\n');
  const spans: FunctionSpan[] = [];
  for (let start = 0; start < lines.length; start++) {
    if (!startsFunction(lines[start]!.trim())) continue;
    let depth = 0;
    let opened = false;
    for (let end = start; end < lines.length; end++) {
      const text = lines[end]!;
      for (const c of text) {
        if (c === '{') depth++;
        if (c === '}') depth--;
      }
      if (!opened && depth === 0 && text.includes('{')) {
        spans.push({ line: start + 1, lines: end - start + 1 });
        break;
      }
      if (!opened && depth === 0 && text.trimEnd().endsWith(';')) break;
      if (depth > 0) opened = true;
      if (opened && depth <= 0) {
        spans.push({ line: start + 1, lines: end - start + 1 });
        break;
      }
    }
  }
  return spans;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('function size', () => {
  it.each(folders)(`has no function longer than ${functionLinesMax} lines in %s/`, (folder) => {
    const files = sourceFiles(join(repoRoot, folder));
    expect(files.length).toBeGreaterThan(0);
    const tooLong = files.flatMap((file) =>
      functionSpans(readFileSync(file, 'utf8'))
        .filter((span) => span.lines > functionLinesMax)
        .map((span) => `${relative(repoRoot, file)}:${span.line} (${span.lines} lines)`));
    expect(tooLong).toEqual([]);
  });

  describe('checker', () => {
    const body = (count: number): string => Array.from({ length: count }, (_, i) => `  x += ${i};`).join('\n');

    it('measures declarations, methods and arrows from the first line to the closing brace', () => {
      const source = [
        'export async function f(a: number): Promise<void> {', body(3), '}',
        'class C {', '  private async m(', '    a: string,', '  ): Promise<{ a: 1 } | { b: 2 }> {', body(2), '  }', '}',
        'const g = (a: number) => {', body(1), '};',
      ].join('\n');
      expect(functionSpans(source)).toEqual([{ line: 1, lines: 5 }, { line: 7, lines: 6 }, { line: 14, lines: 3 }]);
    });

    it('finds a function one line over the limit', () => {
      const spans = functionSpans(`function long() {\n${body(functionLinesMax - 1)}\n}\n`);
      expect(spans).toEqual([{ line: 1, lines: functionLinesMax + 1 }]);
    });

    it('ignores braces in comments and strings, calls, control flow and bodiless signatures', () => {
      const source = [
        'function f() {', "  const s = '}}}';", '  // }', '  /* { */', '  if (s) {', '    call(s);', '  }', '}',
        'interface I {', '  m(): void;', '}',
      ].join('\n');
      expect(functionSpans(source)).toEqual([{ line: 1, lines: 8 }]);
    });
  });
});
