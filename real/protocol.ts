/**
 * What the campaign parent and its child process say to each other over the IPC channel, and
 * the small store interface the child drives. Values travel as strings (the workload only writes
 * ASCII) so that messages stay plain JSON.
 */
import type { Op, SyncMode } from '../engine/types.ts';

/** One operation as it travels over IPC. */
export type WireOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

/** The recovery figures the child reports after opening the store. */
export interface WireReplayStats {
  readonly recoveryMs: number;
  readonly truncatedBytes: number;
  readonly lastLsn: number;
  readonly recordsApplied: number;
  readonly uncleanShutdown: boolean;
}

/** Parent → child. */
export type ParentMessage =
  | { readonly type: 'batch'; readonly seq: number; readonly ops: readonly WireOp[] }
  | { readonly type: 'close' };

/** Child → parent. */
export type ChildMessage =
  | {
      readonly type: 'ready';
      /** The whole recovered state, as `[key, value]` pairs. */
      readonly state: ReadonlyArray<readonly [string, string]>;
      readonly stats: WireReplayStats;
    }
  | { readonly type: 'ack'; readonly seq: number; readonly lsn: number }
  | { readonly type: 'error'; readonly seq?: number; readonly message: string }
  | { readonly type: 'closed' };

/** How the parent tells the child what to open (passed as the child's one argument, in JSON). */
export interface ChildArgs {
  readonly dir: string;
  readonly sync: SyncMode;
  /** Absolute path of a module exporting {@link OpenCampaignStore} as `openStore`. */
  readonly storeModule: string;
  readonly segmentSizeBytes: number;
  readonly walSizeBytesMax: number;
}

/** The part of the store the child uses; the engine's `Store` has this shape. */
export interface CampaignStore {
  commit(ops: readonly Op[]): Promise<{ readonly lsn: number }>;
  entries(): Iterable<readonly [string, Uint8Array]>;
  readonly replayStats: WireReplayStats;
  close(): Promise<void>;
}

/**
 * The export a store module gives the child: opens (and recovers) the store in `dir` on the
 * real disk. The default is `real/engine-store.ts`; tests plant bugs by passing another module.
 */
export type OpenCampaignStore = (options: Omit<ChildArgs, 'storeModule'>) => Promise<CampaignStore>;
