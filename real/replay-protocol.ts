/**
 * What `replay --real` (replay.ts) and its child process (replay-child.ts) say to each other over
 * the IPC channel, and the store interface the child drives. It extends the campaign's protocol
 * (protocol.ts) with the plan's step kinds; values travel as strings, as plan values are text.
 */
import type { EngineConfig } from '../sim/engine-contract.ts';
import type { Op, ReplayStats } from '../engine/types.ts';
import type { WireOp } from './protocol.ts';

/** One plan step the child can run; `crash` steps never reach it (the parent kills instead). */
export type WireStep =
  | { readonly op: 'commit'; readonly batch: readonly WireOp[] }
  | { readonly op: 'concurrent'; readonly batches: readonly (readonly WireOp[])[] }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'checkpoint' }
  | { readonly op: 'sync' }
  /** Close the store cleanly and exit; the parent starts the next child. */
  | { readonly op: 'close' };

/** Parent → child. */
export interface ReplayParentMessage {
  readonly type: 'step';
  /** Index of the plan step, echoed in every answer. */
  readonly step: number;
  readonly run: WireStep;
}

/** How a rejected call failed: the engine's error code and, for commits, its `commitOutcome`. */
export interface WireFailure {
  readonly message: string;
  /** `StoreError.code` when the engine threw one (`STORE_FAILED`, `DISK_FULL`, ...). */
  readonly code?: string;
  readonly commitOutcome?: 'absent' | 'unknown';
}

/** Child → parent. */
export type ReplayChildMessage =
  | {
      readonly type: 'ready';
      /** The whole recovered state, as `[key, value]` pairs. */
      readonly state: ReadonlyArray<readonly [string, string]>;
      readonly stats: ReplayStats;
    }
  /** Every call of the step has been issued to the store (commits in call order). */
  | { readonly type: 'started'; readonly step: number }
  /** Commit `batch` (index within the step) resolved, or was rejected. */
  | { readonly type: 'commit'; readonly step: number; readonly batch: number; readonly lsn: number }
  | { readonly type: 'commit-failed'; readonly step: number; readonly batch: number; readonly failure: WireFailure }
  /** The step finished; `value` is what a `get` returned (null: absent); `failure`: it threw. */
  | { readonly type: 'done'; readonly step: number; readonly value?: string | null; readonly failure?: WireFailure }
  /** The child itself failed (could not open the store, bad message). */
  | { readonly type: 'error'; readonly message: string };

/** The child's one argument, in JSON. */
export interface ReplayChildArgs {
  readonly dir: string;
  readonly engine: EngineConfig;
  /** Absolute path of a module exporting {@link OpenPlanStore} as `openPlanStore`. */
  readonly storeModule: string;
}

/** The part of the store the child uses; the engine's `Store` has this shape. */
export interface PlanStore {
  commit(ops: readonly Op[]): Promise<{ readonly lsn: number }>;
  /** Synchronous in the reference engine (it serves reads from memory); either is fine. */
  get(key: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  entries(): Iterable<readonly [string, Uint8Array]>;
  sync(): Promise<void>;
  checkpoint(): Promise<void>;
  close(): Promise<void>;
  readonly replayStats: ReplayStats;
}

/**
 * The export a store module gives the replay child: opens (and recovers) the store in `dir` on
 * the real disk with the plan's engine configuration. The default is `real/engine-store.ts`;
 * tests plant bugs by passing another module.
 */
export type OpenPlanStore = (options: { readonly dir: string; readonly engine: EngineConfig }) => Promise<PlanStore>;
