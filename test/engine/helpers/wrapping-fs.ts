/**
 * A FileSystem that wraps another and lets a test watch or break individual calls: count the
 * fsyncs of WAL segments, fail one `datasync` with EIO, or make one segment `write` apply a
 * prefix of its bytes and then throw ENOSPC. Every error it throws is marked `injected`, so a
 * failure report can tell the fault a test asked for from a bug.
 *
 * It only intercepts; the bytes always go to (or come from) the wrapped file system.
 */
import { IoError } from '../../../engine/ports/fs.ts';
import type { FileHandle, FileSystem, OpenOptions } from '../../../engine/ports/fs.ts';
import { InterceptingFileSystem } from './intercepting-fs.ts';

/** What a hook may decide for one call: let it through, or throw this error instead. */
export type Decision = IoError | undefined;

/** Hooks called before the wrapped operation; each returns an error to inject, or nothing. */
export interface Hooks {
  datasync?(path: string): Decision;
  sync?(path: string): Decision;
  /**
   * Called before a write; may return `{ prefixBytes, error }` to write only the first
   * `prefixBytes` of the data and then throw `error` (a short write on a full disk).
   */
  write?(path: string, position: number, data: Uint8Array): { prefixBytes: number; error: IoError } | undefined;
}

/** Counts of calls that reached the wrapped file system, by operation. */
export interface CallCounts {
  datasync: number;
  sync: number;
  write: number;
}

/** Whether `path` names a WAL segment (not its sidecar and not a temporary). */
export function isSegmentPath(path: string): boolean {
  return path.endsWith('.wal');
}

export class WrappingFileSystem extends InterceptingFileSystem {
  /** Calls on WAL segment handles only, so that sidecar and manifest fsyncs do not blur them. */
  readonly segmentCalls: CallCounts = { datasync: 0, sync: 0, write: 0 };
  hooks: Hooks = {};
  /** Handles opened through this wrapper and not yet closed. */
  readonly openHandles = new Set<FileHandle>();

  constructor(inner: FileSystem) {
    super(inner);
    this.interceptor = {
      before: (call, path) => {
        if (call !== 'sync' && call !== 'datasync') return;
        const error = this.hooks[call]?.(path);
        if (error) throw error;
        if (isSegmentPath(path)) this.segmentCalls[call]++;
      },
      aroundWrite: async (path, position, data, write) => {
        const fault = this.hooks.write?.(path, position, data);
        if (fault) {
          await write(position, data.subarray(0, fault.prefixBytes));
          throw fault.error;
        }
        if (isSegmentPath(path)) this.segmentCalls.write++;
        await write(position, data);
      },
    };
  }

  /**
   * Closes every handle still open, as the death of the process would, without syncing. A store
   * dropped after this can no longer touch its files; tests use it to end a "crashed" store.
   */
  async closeAllHandles(): Promise<void> {
    for (const handle of [...this.openHandles]) await handle.close().catch(() => undefined);
  }

  /** Zeroes the counters, typically right after `Store.open` so recovery's fsyncs are not counted. */
  resetCounts(): void {
    this.segmentCalls.datasync = 0;
    this.segmentCalls.sync = 0;
    this.segmentCalls.write = 0;
  }

  override async open(path: string, options?: OpenOptions): Promise<FileHandle> {
    const handle = await super.open(path, options);
    const tracked: FileHandle = {
      ...handle,
      close: () => {
        this.openHandles.delete(tracked);
        return handle.close();
      },
    };
    this.openHandles.add(tracked);
    return tracked;
  }
}

/** A hook that injects `error` on its first matching call only, then lets everything through. */
export function once<A extends unknown[]>(
  matches: (...args: A) => boolean,
  error: (...args: A) => IoError,
): (...args: A) => Decision {
  let fired = false;
  return (...args: A) => {
    if (fired || !matches(...args)) return undefined;
    fired = true;
    return error(...args);
  };
}
