/**
 * powercut's API, for your own code and your test runner:
 *
 * ```ts
 * import { assertCrashSafe, defineEngine } from 'powercut';
 * // my-engine.ts: export default defineEngine({ name: 'my-log', open: async (env) => ... });
 * it('survives every crash', async () => {
 *   await assertCrashSafe({ engine: new URL('./my-engine.ts', import.meta.url) }, { seeds: 200, jobs: 2 });
 * }, 120_000);
 * ```
 *
 * - Engines: `defineEngine` and the engine contract (sim/engine-contract.ts), written against
 *   the file-system and clock ports (`FileSystem`, `FileHandle`, `Clock`).
 * - Library workloads: `defineWorkload`, `InvariantViolation`, `freshRequire`, `freshImport`, and
 *   `targetFaultRates` (the default rates, to extend in a workload's `faults`).
 * - Campaigns and assertions: `runCampaign`, `assertCrashSafe` (throws `CrashSafetyError` with a
 *   shrunk plan file; `POWERCUT_PLAN=<file>` replays it), and `assertExploresClean` (every crash
 *   point of one seed's first steps, as `powercut explore`; the same error and replay).
 * - The real disk: `runRealCampaign` (an engine) and `runRealTargetCampaign` (a library
 *   workload), killed with SIGKILL in a real child process and checked after every kill.
 * Errors are recognised by their `code` (and `isCrashSafetyError`), never by class identity.
 *
 * @packageDocumentation
 */
export { assertCrashSafe, assertSeedsDefault, assertShrinkRunsDefault, type AssertOptions } from './assert.ts';
export { runCampaign, type RunCampaignOptions } from './campaign.ts';
export { assertExploresClean, exploreScenarioDefault, type ExploreAssertOptions } from './explore.ts';
export { CrashSafetyError, IncompleteError, NothingTestedError, isCrashSafetyError } from './errors.ts';
export { OptionsError } from './options.ts';
export type { SubjectInput } from './subject-input.ts';
export { runRealCampaign, runRealTargetCampaign } from './real.ts';
export {
  type RealCampaignOptions, type RealCampaignResult, type RealTargetOptions, type RealTargetResult, type RealTargetViolation, type RealViolation,
} from '../real/index.ts';
export {
  defineEngine, engineFailureCodes,
  type CommitAck, type DamageContract, type Engine, type EngineConfig, type EngineEnvironment, type EngineFailure, type EngineFailureCode, type EngineHandle, type RecoveryReport, type SizeLimits,
} from '../sim/index.ts';
export { defineWorkload, freshImport, FreshImportError, type FreshImportOptions, freshRequire, InvariantViolation, isInvariantViolation, type Workload, type WorkloadContext, type WorkloadCrash, type WorkloadOperation } from '../targets/index.ts';
export { targetFaultRates } from '../targets/index.ts';
export { IoError, isIoError, joinPath, parentDir, type FileHandle, type FileSystem, type IoErrorCode, type OpenOptions } from '../engine/ports/fs.ts';
export { sleep, type Clock, type Timer } from '../engine/ports/clock.ts';
export type { Op, ReplayStats, SyncMode } from '../engine/types.ts';
export type { CampaignOutcome, CampaignProgress } from '../harness/index.ts';
export type { CampaignResult, DataOrder, DirOrder, FaultKind, FaultProfile, IoClass, LookPlace, SectorWrites, Violation } from '../sim/index.ts';
export type { Rng } from '../sim/index.ts';
