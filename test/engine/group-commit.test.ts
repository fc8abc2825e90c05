/** Durability modes: how many fsyncs a burst of commits costs, and when commits are acknowledged. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinPath } from '../../engine/ports/fs.ts';
import type { Store } from '../../engine/store.ts';
import type { StoreOptions } from '../../engine/types.ts';
import { WrappingFileSystem } from './helpers/wrapping-fs.ts';
import { backends, openStore, put, stateOf, type Backend } from './helpers/store.ts';

const burst = 16;

describe.each(backends)('durability modes on %s', (_name, makeBackend) => {
  let backend: Backend;
  let wrapper: WrappingFileSystem;
  let store: Store | undefined;

  beforeEach(async () => {
    backend = await makeBackend();
    wrapper = new WrappingFileSystem(backend.fs);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await backend.cleanup();
  });

  /** Opens a store, zeroes the counters (recovery's own fsyncs are not the subject), and commits a burst concurrently. */
  async function commitBurst(options: Partial<StoreOptions>): Promise<number[]> {
    store = await openStore(wrapper, joinPath(backend.root, 'store'), options);
    wrapper.resetCounts();
    const commits = Array.from({ length: burst }, (_, i) => store!.commit([put(`k${i}`, `v${i}`)]));
    return (await Promise.all(commits)).map(({ lsn }) => lsn);
  }

  const inCallOrder = Array.from({ length: burst }, (_, i) => i + 1);

  it('shares few fsyncs among concurrent commits in group mode, with consecutive LSNs in call order', async () => {
    const lsns = await commitBurst({ sync: 'group' });
    expect(lsns).toEqual(inCallOrder);
    expect(wrapper.segmentCalls.datasync).toBeGreaterThanOrEqual(1);
    expect(wrapper.segmentCalls.datasync).toBeLessThan(burst);
    expect(store!.metrics()).toMatchObject({ durableLsn: burst, commits: burst });
  });

  it('never lets one group fsync cover more than groupCommitMaxBatch commits', async () => {
    const lsns = await commitBurst({ sync: 'group', groupCommitMaxBatch: 4 });
    expect(lsns).toEqual(inCallOrder);
    expect(wrapper.segmentCalls.datasync).toBeGreaterThanOrEqual(burst / 4);
  });

  it('fsyncs once per commit in strict mode', async () => {
    const lsns = await commitBurst({ sync: 'strict' });
    expect(lsns).toEqual(inCallOrder);
    expect(wrapper.segmentCalls.datasync).toBe(burst);
    expect(store!.metrics().fsyncCount).toBe(burst);
  });

  it('does not fsync in none mode until sync() is called', async () => {
    const lsns = await commitBurst({ sync: 'none' });
    expect(lsns).toEqual(inCallOrder);
    expect(wrapper.segmentCalls.datasync).toBe(0);
    expect(store!.metrics()).toMatchObject({ writtenLsn: burst, durableLsn: 0 });
    await store!.sync();
    expect(wrapper.segmentCalls.datasync).toBe(1);
    expect(store!.metrics().durableLsn).toBe(burst);
  });

  it('applies every acknowledged commit of a burst to the state', async () => {
    await commitBurst({ sync: 'group' });
    expect(Object.keys(stateOf(store!))).toHaveLength(burst);
  });
});
