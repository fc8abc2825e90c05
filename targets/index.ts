/**
 * Library workloads' door: the workload API (what a user writes), target plans, the runner that
 * runs one plan on the fs facade, and the library subject that puts a workload under the harness.
 * The shipped workloads (lowdb.ts, write-file-atomic.ts) are modules of their own, loaded by path.
 */
export {
  defineWorkload, freshRequire, InvariantViolation, isInvariantViolation,
  type Workload, type WorkloadContext, type WorkloadCrash, type WorkloadOperation,
} from './workload.ts';
export { freshImport, FreshImportError, type FreshImportOptions } from './fresh-import.ts';
export {
  checkTargetPlan, isTargetPlanJson, targetCrashStates, targetFaultKinds, targetFaultRates, targetFaults, targetPlan, targetPlanSize, targetStepsMax,
  type TargetPlan,
} from './plan.ts';
export { nativeAddonsLine, watchNativeAddons } from './native-addons.ts';
export { describeCrash, messageOf, reopenCrashesMax, runTargetPlan, targetRoot, TargetSetupError, TargetUnsupportedError, type TargetCrash, type TargetRunOptions } from './runner.ts';
export { checkThrewMessage, isCodingError } from './coding-error.ts';
export { librarySubject } from './subject.ts';
export { consoleNoteCharsMax, inPinnedTurn, pinEnvironment, pinnedEpochMs, pinnedPid, pinnedPpid } from './environment.ts';
