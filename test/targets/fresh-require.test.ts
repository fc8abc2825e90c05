/**
 * freshRequire (targets/fresh-require.ts): a CommonJS package evaluated again, with module
 * state that starts empty, from files read and compiled once per thread.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { freshRequire } from '../../targets/workload.ts';

interface JournalLib {
  registry: { loads: number; sawPartialIndex: boolean; openedCount: number };
  open(dir: string): unknown;
  version: string;
}

const require = createRequire(import.meta.url);
const journal = (): JournalLib => freshRequire<JournalLib>('./fixtures/journal-lib/index.cjs', import.meta.url);

describe('freshRequire', () => {
  it('evaluates every file of the package again: module-level state starts empty each time', () => {
    const first = journal();
    first.open('/a');
    first.open('/b');
    const second = journal();
    expect(second).not.toBe(first);
    expect(second.registry).not.toBe(first.registry);
    expect([first.registry.loads, first.registry.openedCount]).toEqual([1, 2]);
    expect([second.registry.loads, second.registry.openedCount]).toEqual([1, 0]);
  });

  it('puts the fresh modules in require.cache, so a plain require of a package file gets them', () => {
    const fresh = journal();
    expect(require('./fixtures/journal-lib/index.cjs')).toBe(fresh);
    expect(require('./fixtures/journal-lib/registry.cjs')).toBe(fresh.registry);
  });

  it('gives a file in a cycle the partial exports, and JSON files parsed afresh', () => {
    const fresh = journal();
    expect(fresh.registry.sawPartialIndex).toBe(true);
    expect(fresh.version).toBe('journal-lib');
  });

  it('loads a dependency npm hoisted beside the package afresh too, without putting it in require.cache: its state starts empty in every load', () => {
    type LibA = { dep: { salt: string }; next(): number };
    const hoisted = new URL('./fixtures/hoisted/', import.meta.url);
    const first = freshRequire<LibA>('lib-a', hoisted);
    expect([first.next(), first.next()]).toEqual([1, 2]);
    const second = freshRequire<LibA>('lib-a', hoisted);
    expect(second.dep).not.toBe(first.dep);
    expect(second.next()).toBe(1);
    expect(Object.keys(require.cache).some((file) => file.includes('dep-b'))).toBe(false);
  });

  it('reloads an npm package as before: write-file-atomic\'s module-level queue is new each time', () => {
    const first = freshRequire<(...args: unknown[]) => Promise<void>>('write-file-atomic');
    const second = freshRequire<(...args: unknown[]) => Promise<void>>('write-file-atomic');
    expect(typeof first).toBe('function');
    expect(second).not.toBe(first);
  });

  it('is cheaper than Node\'s own reload (drop the files from require.cache, require again), which compiles every file again', () => {
    const main = require.resolve('./fixtures/journal-lib/index.cjs');
    const nodeReload = (): unknown => {
      for (const key of Object.keys(require.cache)) if (key.startsWith(main.slice(0, main.lastIndexOf('/') + 1))) delete require.cache[key];
      return require(main);
    };
    const msPerCall = (reload: () => unknown): number => {
      reload();
      const started = performance.now();
      for (let i = 0; i < 200; i++) reload();
      return (performance.now() - started) / 200;
    };
    const node = msPerCall(nodeReload);
    const fresh = msPerCall(journal);
    // About 3 times cheaper here (0.3 ms against 1 ms under vitest; 0.14 ms under tsx).
    expect(fresh).toBeLessThan(node * 0.75);
  });
});
