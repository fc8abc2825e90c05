/**
 * The real disk: an engine in a real child process on `node:fs`, killed with SIGKILL and judged
 * by the simulator's commit model. Two harnesses share one child (child.ts, session.ts) and one
 * judge (run.ts): the `real` campaign ({@link runRealCampaign}) and `replay --real`
 * ({@link replayPlanReal}). The CLI wires these; everything else here is their machinery.
 */
export { runRealCampaign } from './campaign.ts';
export { runRealTargetCampaign } from './target-campaign.ts';
export type { RealTargetOptions, RealTargetResult, RealTargetViolation } from './target-campaign.ts';
export type { RealCampaignOptions, RealCampaignResult, RealCycleReport } from './campaign.ts';
export type { DurationSummary } from './figures.ts';
export { RealInputError } from './input.ts';
export { replayPlanReal } from './replay.ts';
export type { RealReplayOptions, RealReplayResult } from './replay.ts';
export type { CrashPoint, SkippedFaults } from './replay-points.ts';
export type { RealViolation } from './run.ts';
export type { KillPlan } from './workload.ts';
export { childExecArgv } from './spawn.ts';
