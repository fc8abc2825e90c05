/**
 * Node's ExperimentalWarning about the loader option freshRequire and freshImport compile with
 * (targets/loader-warning.ts) is powercut's, not the library's: dropped, other warnings kept.
 */
import { describe, expect, it } from 'vitest';
import { isLoaderWarning, quietLoaderWarning } from '../../targets/loader-warning.ts';
import { freshRequire } from '../../targets/workload.ts';

/** The warnings `process` emits while `body` runs and a few turns after. */
async function warningsDuring(body: () => Promise<void> | void): Promise<string[]> {
  const heard: string[] = [];
  const listener = (warning: Error): void => {
    heard.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await body();
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return heard;
}

describe('the loader option\'s warning', () => {
  it('is told apart from other warnings by its message', () => {
    expect(isLoaderWarning('vm.USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature and might change at any time')).toBe(true);
    expect(isLoaderWarning(new Error('vm.USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature'))).toBe(true);
    expect(isLoaderWarning('something else is deprecated')).toBe(false);
  });

  it('is dropped once freshRequire ran, while other warnings still reach the process', async () => {
    quietLoaderWarning();
    const heard = await warningsDuring(() => {
      process.emitWarning('vm.USE_MAIN_CONTEXT_DEFAULT_LOADER is an experimental feature and might change at any time', 'ExperimentalWarning');
      process.emitWarning('powercut test: another warning', 'Warning');
    });
    expect(heard).toEqual(['powercut test: another warning']);
  });

  it('is not printed when a library loaded with freshRequire runs import()', async () => {
    const heard = await warningsDuring(async () => {
      const lib = freshRequire<{ basename(path: string): Promise<string> }>('./fixtures/dynamic-cjs/index.cjs', import.meta.url);
      expect(await lib.basename('/a/b.txt')).toBe('b.txt');
    });
    expect(heard.filter((message) => message.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER'))).toEqual([]);
  });
});
