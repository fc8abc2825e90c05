/**
 * A real failing campaign for the report tests: the naive example engine
 * (examples/naive-engine/), every scenario, 50 seeds each, run in this thread. It is the campaign
 * of `npx powercut run --engine examples/naive-engine/engine.ts --seeds 50`: 273 of 550 seeds
 * fail with 571 violations, which come to 17 root causes. Runs are deterministic, so everything
 * but the timings is the same from run to run; it takes a few seconds, once per test file.
 */
import { runCampaign } from '../../harness/campaign.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { loadSubject } from '../../subjects/index.ts';

/** The engine module, as a user names it with --engine. */
export const naiveEngineModule = 'examples/naive-engine/engine.ts';

let campaign: Promise<CampaignResult> | undefined;

/** The campaign (run once per test file, then shared), without the fields only `run` prints. */
export function naiveCampaign(): Promise<CampaignResult> {
  campaign ??= (async () => {
    const subject = await loadSubject({ kind: 'engine', module: naiveEngineModule });
    const {
      seedsPlanned: _planned, ioCount: _io, stoppedByTimeBudget: _stopped, jobs: _jobs, determinism: _determinism, ...result
    } = await runCampaign({ subject, seeds: 50, invocation: 'npx powercut' });
    return result;
  })();
  return campaign;
}
