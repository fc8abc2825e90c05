/**
 * The system-under-test interface: how the runner drives a storage engine. The reference engine
 * (sim/adapters/reference.ts) is the first implementation; another engine plugs in by
 * implementing these two interfaces over the same file-system and clock ports.
 *
 * The contract the runner relies on:
 * - `open` recovers from whatever the file system holds and either returns a handle or throws.
 *   Throwing a `CorruptionError` (engine/errors.ts) means "refused: the data is damaged", which
 *   the oracle counts as detected damage, not as a failure to recover.
 * - `commit` resolves only when the engine acknowledges the batch under its durability mode.
 * - `state` returns every live key and value, as reads see them now.
 */
import type { Clock } from '../engine/ports/clock.ts';
import type { FileSystem } from '../engine/ports/fs.ts';
import type { EnginePhase, Op, ReplayStats, SyncMode } from '../engine/types.ts';

/** Engine configuration carried in a plan (plain JSON). */
export interface EngineConfig {
  readonly sync: SyncMode;
  readonly segmentSizeBytes: number;
  readonly walSizeBytesMax: number;
  readonly groupCommitMaxDelayMs: number;
  readonly groupCommitMaxBatch: number;
  readonly sidecarEveryFrames: number;
}

/** What `open` receives. */
export interface SutEnvironment {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly dir: string;
  readonly config: EngineConfig;
  /** Reports engine phases to the simulator's trace. */
  readonly probe?: (phase: EnginePhase) => void;
}

/** An open instance of the system under test. */
export interface SutHandle {
  /** Commits one atomic batch. @returns the commit's LSN */
  commit(ops: readonly Op[]): Promise<number>;
  /** Reads one key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every live key and its value. */
  state(): Promise<Map<string, Uint8Array>>;
  /** Makes every acknowledged commit durable (meaningful in `none` mode). */
  sync(): Promise<void>;
  /** Takes a checkpoint (snapshot and prune). */
  checkpoint(): Promise<void>;
  /** Clean shutdown. */
  close(): Promise<void>;
  /** What recovery reported on open, if the engine reports it. */
  readonly replayStats?: ReplayStats;
}

/** A storage engine the runner can drive. */
export interface SystemUnderTest {
  readonly name: string;
  open(env: SutEnvironment): Promise<SutHandle>;
}

/**
 * Whether a rejected commit is known to be absent from the store for good (`absent`: rejected
 * before anything of it was written, or its partial write was removed), or may still be
 * recovered (`unknown`: e.g. its fsync failed). The oracle treats `unknown` as in doubt.
 */
export type RejectedCommitOutcome = 'absent' | 'unknown';
