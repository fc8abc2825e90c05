/**
 * `powercut real`: the kill -9 campaign against the engine in a real child process.
 * The CLI wires {@link runRealCampaign}; everything else here is its machinery.
 */
export { runRealCampaign } from './campaign.ts';
export type {
  DurationSummary, RealCampaignOptions, RealCampaignResult, RealCycleFailure, RealCycleReport,
} from './campaign.ts';
export { checkRecovered } from './check.ts';
export type { CycleModel, RealInvariant, RealViolation, RecoveryVerdict, SentBatch } from './check.ts';
export type { CampaignStore, OpenCampaignStore } from './protocol.ts';
export type { KillPlan } from './workload.ts';
