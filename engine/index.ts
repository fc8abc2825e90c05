/**
 * powercut's reference engine: a write-ahead-log key-value store written only against the
 * file-system and clock ports, so the same code runs on the real disk and in the simulator.
 *
 * @example
 * ```ts
 * const fs = await import('node:fs');
 * import { Store, NodeFileSystem, SystemClock } from 'powercut/engine';
 * const store = await Store.open({ dir: '/var/lib/app', fs: new NodeFileSystem(fs), clock: new SystemClock(), sync: 'group' });
 * const { lsn } = await store.commit([{ type: 'put', key: 'a', value: new TextEncoder().encode('1') }]);
 * await store.close();
 * ```
 */
export { Store } from './store.ts';
export type { Op, SyncMode, StoreOptions, ReplayStats, StoreMetrics, EnginePhase } from './types.ts';
export { enginePhases } from './types.ts';
export { engineProbes, type EngineProbe } from './probes.ts';
export {
  StoreError, CorruptionError, StoreFailedError, DiskFullError, LimitExceededError,
  UnsupportedVersionError, StoreClosedError, InvalidArgumentError, isStoreError,
  type StoreErrorCode,
} from './errors.ts';
export { AssertionError } from './assert.ts';
export { IoError, isIoError, type FileSystem, type FileHandle, type OpenOptions, type IoErrorCode } from './ports/fs.ts';
export { type Clock, type Timer, sleep } from './ports/clock.ts';
export * as limits from './limits.ts';
export {
  inspect, verify, type InspectReport, type VerifyReport, type VerifyProblem, type SegmentInfo, type EvidenceInfo,
} from './inspect.ts';
export { analyzeStore } from './analysis.ts';
export type { RecoveryPlan, RecoveryAction, Refusal, SegmentAnalysis, SidecarState } from './recovery-plan.ts';
export { recoveryRules, type RecoveryRule } from './wal/recovery.ts';
export { NodeFileSystem, SystemClock } from './node/index.ts';
