/** Clean and unclean shutdown, and what a closed store refuses. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreClosedError } from '../../engine/errors.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { backends, commitPuts, openCrashable, openStore, put, putsState, rejectionOf, stateOf, type Backend } from './helpers/store.ts';

describe.each(backends)('shutdown on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let dir: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    dir = joinPath(backend.root, 'store');
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  it('reports a clean shutdown after close', async () => {
    const store = await openStore(fs, dir);
    await commitPuts(store, 2);
    await store.close();
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats.uncleanShutdown).toBe(false);
    expect(stateOf(reopened)).toEqual(putsState(2));
    await reopened.close();
  });

  it('reports an unclean shutdown when the store was not closed', async () => {
    const { store, crash } = await openCrashable(fs, dir);
    await commitPuts(store, 2);
    await crash();
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats.uncleanShutdown).toBe(true);
    expect(stateOf(reopened)).toEqual(putsState(2));
    await reopened.close();
  });

  it('reports an unclean shutdown after a crash that followed a clean reopen', async () => {
    const store = await openStore(fs, dir);
    await store.close();
    const { crash } = await openCrashable(fs, dir);
    await crash();
    const reopened = await openStore(fs, dir);
    expect(reopened.replayStats.uncleanShutdown).toBe(true);
    await reopened.close();
  });

  it('refuses commits, reads and sync after close with StoreClosedError', async () => {
    const store = await openStore(fs, dir);
    await store.close();
    expect(await rejectionOf(store.commit([put('a', '1')]))).toBeInstanceOf(StoreClosedError);
    expect(await rejectionOf(store.sync())).toBeInstanceOf(StoreClosedError);
    expect(() => store.get('a')).toThrow(StoreClosedError);
  });

  it('makes commits acknowledged in none mode durable at close', async () => {
    const store = await openStore(fs, dir, { sync: 'none' });
    await commitPuts(store, 3);
    await store.close();
    const reopened = await openStore(fs, dir);
    expect(stateOf(reopened)).toEqual(putsState(3));
    await reopened.close();
  });
});
