/**
 * The simulator's door: everything outside sim/ reaches the simulated world, its oracle and its
 * plain-data vocabulary through this module, never through sim/disk/'s internals.
 *
 * - the world: {@link SimWorld} (disk, clock, scheduler, faults, trace), disk images, the
 *   synchronous port for Node's `fs.*Sync` calls;
 * - fault profiles and kinds, I/O classes, trace events, run results and campaign results;
 * - the engine contract, engine plans and the engine runner, the commit model;
 * - the harness's own real adapters (wall clock, plan files, powercut's install).
 *
 * A process that runs an engine but no simulation (a real-disk child) uses the light door,
 * contract.ts, instead.
 */
export {
  SimWorld, noFaults, namedCrashStates, powerLossNote, shortWriteNote, unwrittenTailNote,
  type CrashKind, type DiskImage, type FsyncFailureMode, type GarbageRange, type LatencyProfile,
  type DiskCopy, type PowerLossReport, type ReorderProfile, type RestartOptions, type RunOptions, type RunOutcome, type ScheduledFault, type SimWorldOptions, type TraceMode,
} from './world.ts';
export type { FaultProfile } from './disk/faults.ts';
export { keepHearingUncaught, onProgress, unhandledRejectionsPending } from './scheduler.ts';
export { anchorToSteps, blockSizes, kindsOfMask, scheduledLabel, unanchored, zeroCounts } from './disk/faults.ts';
export { crashStateWords, dataOrders, dirOrders, keepEverythingState, namesWithoutDataState, nothingUnsyncedState, nameSyncs, sectorWritesKinds, type DataOrder, type DirOrder, type NameSync, type SectorWrites } from './disk/crash-policy.ts';
export { defaultBlockBytes } from './disk/disk.ts';
export { DiskImageError, diskImageFormat, diskImageVersion } from './disk/image.ts';
export { deadCallsQuiet, onDeadCalls, ProcessCrashedError, SyncFile, SyncFileSystem, type SyncStat } from './disk/sync-port.ts';
export {
  facadeFaultKinds, faultKinds, ioClasses, mediaFaultKinds, powerLossLooks, strikesInStep,
  type CampaignGate, type CampaignResult, type Coverage, type DeterminismCheck, type DigestMismatch, type FaultKind, type IoClass, type LookPlace, type PowerLossLook, type ScenarioSummary, type SubjectInfo, type TraceEvent, type TracePhase, type Violation,
} from './types.ts';
export { copyCoverage, type CrashInfo, type RunResult, type RunViolation } from './run-result.ts';
// The engine contract, the reference engine and runningFromSource: the light door (contract.ts).
export * from './contract.ts';
export { batchOps, faultsSize, hexPut, overlapOps, planFaultKinds, planSize, putBytes, type OverlapOp, type Plan, type PlanFinding, type PlanOp, type PlanPut, type PlanStep } from './plan.ts';
export { checkFaultProfile, checkFinding, checkPlan, planChecks, PlanFileError, readJsonDocument, readPlanFile, type PlanChecks } from './plan-file.ts';
export { runPlan, storeDir, type RunPlanOptions } from './runner.ts';
export { defaultLooks, disksToLookAt, PowerLossWatch, lookable, lookPrefix, lookWhere, primaryStateOf, RotWatch, settleForLooks, withRotRead, WorldPin, type CrashToLookAt } from './second-look.ts';
export type { RotFault } from './disk/kernel.ts';
export { CommitModel } from './model.ts';
export { invariantNames, type InvariantName, type ModelViolation } from './checkers/violation.ts';
export { boundaryValueBytesMax, defaultShape, generateSteps, type StepWeights, type WorkloadShape } from './workload.ts';
export { runLogWorkload } from './file-workload.ts';
export { Rng } from './rng.ts';
export { wallClockEpochMs } from './clock.ts';
export { Digest64 } from './digest.ts';
export { wallClockMs } from './node/wall-clock.ts';
export { listDirectory, readTextFile } from './node/files.ts';
export { packageRoot, packageVersion } from './node/package-root.ts';
