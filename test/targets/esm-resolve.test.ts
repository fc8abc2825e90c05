/**
 * ES module resolution for freshImport (targets/esm-resolve.ts): the same answers as Node's own
 * `import.meta.resolve`, asked of a real Node process, for what libraries use: exports maps with
 * conditions and patterns, imports maps, self-reference, legacy main, built-ins, and npm packages.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EsmResolveError, formatOf, resolveImport } from '../../targets/esm-resolve.ts';

const probe = fileURLToPath(new URL('./fixtures/esm-lib/probe.js', import.meta.url));
const probeUrl = pathToFileURL(probe).href;

const specifiers = [
  'esm-lib', // self-reference: "." with conditions, `require` skipped for `import`
  'esm-lib/features/version', // a subpath pattern
  'esm-lib/data.json',
  '#queue', // the imports map, `node` condition
  './lib/queue.js',
  '../esm-lib/index.js',
  'node:fs', 'fs', 'fs/promises',
  'fast-check', 'commander', 'seedrandom', 'memfs', 'playwright-core', 'vitest', 'esbuild', 'tsx', '@vitest/coverage-v8',
  'esm-lib/not-exported', '#missing', 'no-such-package',
];

/** Node's answers, from a Node process that runs the probe. */
function nodeAnswers(): { resolved: Record<string, string>; namespace: Record<string, unknown> } {
  return JSON.parse(execFileSync(process.execPath, [probe, JSON.stringify(specifiers)], { encoding: 'utf8' })) as never;
}

function ours(specifier: string): string {
  try {
    return resolveImport(specifier, probeUrl).url;
  } catch (error) {
    return `error ${(error as EsmResolveError).code}`;
  }
}

describe('resolveImport', () => {
  const node = nodeAnswers();

  it.each(specifiers)('resolves %s as Node does', (specifier) => {
    expect(ours(specifier)).toBe(node.resolved[specifier]);
  });

  it('says which format each file is: by extension, and by the nearest package.json type for .js', () => {
    const at = (path: string): string => fileURLToPath(new URL(`./fixtures/esm-lib/${path}`, import.meta.url));
    expect([formatOf(at('index.js')), formatOf(at('cjs-dep/index.cjs')), formatOf(at('data.json'))]).toEqual(['module', 'commonjs', 'json']);
    expect(formatOf(fileURLToPath(new URL('../../node_modules/commander/index.js', import.meta.url)))).toBe('commonjs');
    expect(() => formatOf(at('package.ts'))).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_FILE_EXTENSION' }));
  });

  it('names the failure with Node\'s code', () => {
    expect(() => resolveImport('esm-lib/not-exported', probeUrl)).toThrow(expect.objectContaining({ code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' }));
    expect(() => resolveImport('./nowhere.js', probeUrl)).toThrow(expect.objectContaining({ code: 'ERR_MODULE_NOT_FOUND', message: expect.stringContaining('nowhere.js') }));
  });
});

export { nodeAnswers, probeUrl };
