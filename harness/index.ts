/**
 * The harness: the machinery written once, generic over a {@link Subject}: campaigns (with
 * worker threads, shards, time budgets and a determinism check), shrinking, exhaustive crash
 * exploration, the regression corpus and repro lines.
 */
export type { BasePlan, CandidateCrash, Exploration, RecoveryCrash, ShrinkAxes, Subject, SubjectRunOptions, SubjectSpec, ExploreFault, ReadFault, SyncFault, Targets, WriteFault } from './subject.ts';
export { exploreFaults, faultClassOf, isCrashKind, scheduledAt, violationLine } from './subject.ts';
export {
  runCampaign, tracedRunsMax, traceEventsMax, determinismSampleEvery,
  type CampaignOptions, type CampaignOutcome, type CampaignProgress,
} from './campaign.ts';
export { campaignPairs, pairCount, parseShard, CampaignInputError, type Pair, type Shard } from './pairs.ts';
export { violatingRunsKeptMax } from './aggregate.ts';
export { acknowledgedTotal, untestedReason, type UntestedInput } from './untested.ts';
export { WorkerPool, WorkerStartError } from './pool.ts';
export { InProcessExecutor, type SeedExecutor } from './executor.ts';
export { serveSeeds, type WorkerReply, type WorkerSetup, type WorkerTask } from './worker.ts';
export { seedTimeoutSecDefault, startWatchdog, stopWatchdog, watchRuns, type WatchSeat } from './watchdog.ts';
export { anchorsOf, ddmin, range, reanchorFaults, type Anchors } from './ddmin.ts';
export { Aggregator, findingExamplesMax } from './aggregate.ts';
export { runSeed, seedRunOf, type SeedRun, type SeedTask } from './seed-run.ts';
export { shrinkPlan, shrinkRunsMaxDefault, type ShrinkOptions, type ShrinkResult } from './shrink.ts';
export { failsTheSameWay, faultFreePlan, needsNoFaultWords } from './fault-free.ts';
export { failsInFreshThread, keptPlanNote, planToKeep, type KeptPlan } from './fresh-thread.ts';
export { firstLook, pinLook, withLooks, withPowerLossAt } from './pin-look.ts';
export { threadsExecutor } from './threads.ts';
export { aimedPlan } from './aim.ts';
export { crashName, explorePlan, exploreLooksDefault, exploreRecoveryCrashesDefault, exploreRecoverySyncsDepth, exploreStatesDefault, exploreStatesFor, type ExploreOptions, type ExploreResult, type ExploreViolation } from './explore.ts';
export {
  corpusDirDefault, CorpusInputError, findingOf, loadCorpus, parseEntry, regressionEntry, replayCorpus, stableJson, unfiredFaults, unfiredList,
  type PlanOpener, type RegressionEntry, type RegressionResult,
} from './corpus.ts';
export { commandLine, invocationDefault, replayCommand, reproCommand, nextShrinkCommand, shellQuote, shrinkCommand } from './repro.ts';
export { envAssignments, envChangedSince, envHere, readsDuring, watchEnvReads } from './env-reads.ts';
export { describeAddons, nativeAddonsSeen, noteNativeAddon, onNativeAddon } from './addons-seen.ts';
export { DigestSum, runHash, sumDigests } from './digest-sum.ts';
export { compareStrings, compareViolations, toViolation } from './violations.ts';
export {
  causeShape, failingRuns, hintsOf, ownPathAfterLook, withoutHints, messageParts, messageShape, representativeRun, rootCauseGroups, rootCauseKey, type FailingRun, type RootCauseGroup,
} from './triage.ts';
export type { DeterminismCheck, DigestMismatch } from '../sim/index.ts';
export { nearestName } from './nearest.ts';
