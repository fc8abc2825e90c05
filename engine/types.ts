/**
 * The public types of the store: options, operations, statistics. Kept apart from store.ts so
 * that the simulator and tools can name them without pulling in the implementation.
 */
import type { Clock } from './ports/clock.ts';
import type { FileSystem } from './ports/fs.ts';
import type { EngineProbe } from './probes.ts';

/**
 * When a commit is acknowledged (its promise resolves):
 * - `strict`: after its own frame is fsynced;
 * - `group`: after an fsync that covers its frame, shared with commits that arrived within
 *   `groupCommitMaxDelayMs`;
 * - `none`: after the write; durable only after {@link Store.sync} or `close()`.
 */
export type SyncMode = 'strict' | 'group' | 'none';

/** One operation of a batch. Keys are strings (at most `keyBytesMax` UTF-8 bytes). */
export type Op =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

/**
 * The part of the engine doing I/O at a moment, reported through {@link StoreOptions.probe} so
 * that a simulator can label its trace. The engine never behaves differently because of it.
 */
export type EnginePhase =
  | 'wal.append'
  | 'wal.sync'
  | 'sidecar.rewrite'
  | 'segment.rotate'
  | 'checkpoint'
  | 'prune'
  | 'manifest'
  | 'recovery';

/** The list of every {@link EnginePhase}, in a stable order. */
export const enginePhases: readonly EnginePhase[] = [
  'wal.append', 'wal.sync', 'sidecar.rewrite', 'segment.rotate',
  'checkpoint', 'prune', 'manifest', 'recovery',
];

/** Options of {@link Store.open}. */
export interface StoreOptions {
  /** The store's directory; created if missing. */
  readonly dir: string;
  /** The file system to run on (`NodeFileSystem` or a simulator's). */
  readonly fs: FileSystem;
  /** The clock for group-commit timers and timings. */
  readonly clock: Clock;
  /** Durability mode. @defaultValue 'strict' */
  readonly sync?: SyncMode;
  /** Rotate the active segment once it passes this size. @defaultValue 4 MiB */
  readonly segmentSizeBytes?: number;
  /** Checkpoint automatically once the WAL passes this size. @defaultValue 64 MiB */
  readonly walSizeBytesMax?: number;
  /** In `group` mode, longest wait for more commits before the shared fsync. @defaultValue 0 */
  readonly groupCommitMaxDelayMs?: number;
  /** In `group` mode, most commits one fsync covers. @defaultValue 128 */
  readonly groupCommitMaxBatch?: number;
  /** Rewrite a segment's sidecar index every this many frames (0: only at rotation and close). @defaultValue 0 */
  readonly sidecarEveryFrames?: number;
  /** Optional observer of engine phases, for simulators' traces. Never changes behaviour. */
  readonly probe?: (phase: EnginePhase) => void;
  /** Optional observer of the rare branches the engine takes (probes.ts). Never changes behaviour. */
  readonly onProbe?: (probe: EngineProbe) => void;
}

/** What recovery did when the store was opened. */
export interface ReplayStats {
  /** Frames (commits) applied from the WAL on top of the snapshot. */
  readonly recordsApplied: number;
  /** The LSN of the last commit recovered (0 for an empty store). */
  readonly lastLsn: number;
  /** Bytes cut off the end of the last segment (a torn or unsynced tail). */
  readonly truncatedBytes: number;
  /**
   * Bytes of a torn tail this recovery copied to an evidence file (`<segment>.<n>@<offset>.torn`)
   * before cutting them. Equal to `truncatedBytes`, except after a recovery interrupted between
   * keeping the evidence and cutting: then the copy exists already and this is 0.
   */
  readonly tornBytesKept: number;
  /** Segments read. */
  readonly segmentsScanned: number;
  /** Sidecar indexes found missing, stale or corrupt and rebuilt from their segment. */
  readonly sidecarsRebuilt: number;
  /** True when the previous run did not end with a clean `close()`. */
  readonly uncleanShutdown: boolean;
  /** The LSN covered by the snapshot that recovery started from (0: none). */
  readonly snapshotLsn: number;
  /** Orphan temporary files removed. */
  readonly orphansRemoved: number;
  /** Clock milliseconds spent recovering. */
  readonly recoveryMs: number;
  /** WAL bytes read during replay. */
  readonly bytesReplayed: number;
}

/** Counters of an open store. */
export interface StoreMetrics {
  /** The LSN of the last commit written to the page cache. */
  readonly writtenLsn: number;
  /** The LSN of the last commit known durable (fsynced). */
  readonly durableLsn: number;
  /** Bytes of WAL in live segments. */
  readonly walBytes: number;
  /** Number of live segments. */
  readonly segmentCount: number;
  /** fsync/fdatasync calls on WAL segments. */
  readonly fsyncCount: number;
  /** Sidecar index rewrites. */
  readonly sidecarRewrites: number;
  /** Checkpoints taken. */
  readonly checkpoints: number;
  /** Segments pruned. */
  readonly segmentsPruned: number;
  /** Commits acknowledged since open. */
  readonly commits: number;
  /** Group-commit fsyncs (one per group). */
  readonly groupSyncs: number;
  /** Number of keys in the store. */
  readonly keyCount: number;
}
