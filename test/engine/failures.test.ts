/**
 * I/O failures while committing: a failed fsync fails the store until it is reopened
 * (fsyncgate: after a failed fsync nothing about the file can be trusted), while a full disk
 * rejects only the commit it hit and leaves no partial frame behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskFullError, StoreFailedError } from '../../engine/errors.ts';
import { IoError, joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import type { Store } from '../../engine/store.ts';
import { isSegmentPath, once, WrappingFileSystem } from './helpers/wrapping-fs.ts';
import {
  backends, commitPuts, openStore, put, putsState, rejectionOf, segmentPath, sizeOf, stateOf, type Backend,
} from './helpers/store.ts';

describe.each(backends)('commit failures on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let wrapper: WrappingFileSystem;
  let dir: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    wrapper = new WrappingFileSystem(fs);
    dir = joinPath(backend.root, 'store');
  });
  afterEach(async () => {
    await wrapper.closeAllHandles();
    await backend.cleanup();
  });

  function failNextSegmentDatasync(): void {
    wrapper.hooks.datasync = once(isSegmentPath, (path) => new IoError('EIO', 'datasync', path, true));
  }

  /** Makes the next segment write apply half its bytes and then throw ENOSPC. */
  function fillDiskOnNextSegmentWrite(): void {
    let fired = false;
    wrapper.hooks.write = (path, _position, data) => {
      if (fired || !isSegmentPath(path)) return undefined;
      fired = true;
      return { prefixBytes: Math.floor(data.length / 2), error: new IoError('ENOSPC', 'write', path, true) };
    };
  }

  describe('a failed fsync', () => {
    let store: Store;

    beforeEach(async () => {
      store = await openStore(wrapper, dir);
      await commitPuts(store, 2);
      failNextSegmentDatasync();
    });

    it('rejects the commit it hit with StoreFailedError whose outcome is unknown', async () => {
      const error = await rejectionOf(store.commit([put('x', '1')]));
      expect(error).toBeInstanceOf(StoreFailedError);
      expect(error).toMatchObject({ code: 'STORE_FAILED', commitOutcome: 'unknown' });
      expect(store.get('x')).toBeUndefined();
    });

    it('rejects every later commit with StoreFailedError whose outcome is absent', async () => {
      await rejectionOf(store.commit([put('x', '1')]));
      for (let i = 0; i < 3; i++) {
        const error = await rejectionOf(store.commit([put(`y${i}`, '1')]));
        expect(error).toBeInstanceOf(StoreFailedError);
        expect(error).toMatchObject({ commitOutcome: 'absent' });
      }
      expect(await rejectionOf(store.sync())).toBeInstanceOf(StoreFailedError);
      expect(await rejectionOf(store.checkpoint())).toBeInstanceOf(StoreFailedError);
    });

    it('rejects the commits queued behind the failed one as absent', async () => {
      const first = store.commit([put('x', '1')]);
      const queued = [store.commit([put('y', '1')]), store.commit([put('z', '1')])];
      expect(await rejectionOf(first)).toMatchObject({ commitOutcome: 'unknown' });
      for (const commit of queued) expect(await rejectionOf(commit)).toMatchObject({ code: 'STORE_FAILED', commitOutcome: 'absent' });
    });

    it('lets a reopened store commit again, with every acknowledged commit kept', async () => {
      await rejectionOf(store.commit([put('x', '1')]));
      // Closing a failed store releases its files but is not a clean close, and says so.
      await expect(store.close()).rejects.toBeInstanceOf(StoreFailedError);
      const reopened = await openStore(fs, dir);
      expect(reopened.replayStats.uncleanShutdown).toBe(true);
      expect(stateOf(reopened)).toMatchObject(putsState(2));
      const { lsn } = await reopened.commit([put('after', 'reopen')]);
      expect(lsn).toBe(reopened.replayStats.lastLsn + 1);
      expect(reopened.get('after')).toBeDefined();
      await reopened.close();
    });
  });

  describe('a full disk', () => {
    it('rejects the commit with DiskFullError and keeps the store usable', async () => {
      const store = await openStore(wrapper, dir);
      await commitPuts(store, 2);
      fillDiskOnNextSegmentWrite();
      const error = await rejectionOf(store.commit([put('x', 'lost')]));
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error).toMatchObject({ code: 'DISK_FULL', commitOutcome: 'absent' });
      expect((await store.commit([put('k3', 'v3'.padEnd(8, '.'))])).lsn).toBe(3);
      expect(stateOf(store)).toEqual(putsState(3));
      await store.close();
    });

    it('removes the partial frame, so the segment ends at the last acknowledged frame', async () => {
      const store = await openStore(wrapper, dir);
      await commitPuts(store, 2);
      const size = await sizeOf(fs, segmentPath(dir));
      fillDiskOnNextSegmentWrite();
      await rejectionOf(store.commit([put('x', 'lost')]));
      expect(await sizeOf(fs, segmentPath(dir))).toBe(size);
    });

    it('fsyncs the cut of a group that landed whole frames before rejecting its commits as absent', async () => {
      const store = await openStore(wrapper, dir, { sync: 'none' });
      await commitPuts(store, 2);
      wrapper.resetCounts();
      // The first of three concurrent commits is written alone; the other two share one write,
      // whose first frame lands whole before the disk is full.
      let writes = 0;
      wrapper.hooks.write = (path, _position, data) => {
        if (!isSegmentPath(path) || ++writes !== 2) return undefined;
        return { prefixBytes: data.length / 2, error: new IoError('ENOSPC', 'write', path, true) };
      };
      const [first, ...group] = [store.commit([put('a', 'x')]), store.commit([put('b', 'x')]), store.commit([put('c', 'x')])];
      expect((await first).lsn).toBe(3);
      for (const commit of group) expect(await rejectionOf(commit)).toMatchObject({ code: 'DISK_FULL', commitOutcome: 'absent' });
      // In none mode nothing else fsyncs the segment: without this fsync the write and the cut
      // are both in the page cache, and a power loss keeping only the write brings them back.
      expect(wrapper.segmentCalls.datasync).toBe(1);
      await store.close();
    });

    it('never replays the partial frame after a crash', async () => {
      const store = await openStore(wrapper, dir);
      await commitPuts(store, 2);
      fillDiskOnNextSegmentWrite();
      await rejectionOf(store.commit([put('x', 'lost')]));
      await commitPuts(store, 1, 3);
      await wrapper.closeAllHandles();
      const reopened = await openStore(fs, dir);
      expect(stateOf(reopened)).toEqual(putsState(3));
      expect(reopened.replayStats).toMatchObject({ lastLsn: 3, truncatedBytes: 0 });
      await reopened.close();
    });
  });
});
