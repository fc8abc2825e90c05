/**
 * A real failing campaign for the report tests: the naive example engine
 * (examples/naive-engine/), the 11 scenarios the report's size was first measured on (every
 * scenario before the media-damage ones joined), 50 seeds each, run in this thread. It is the
 * campaign of `npx powercut run --engine examples/naive-engine/engine.ts --seeds 50 --scenario`
 * with those 11 and `--looks 0` (second looks came later and find more violations in the same
 * seeds, so the campaign the size was measured on is the one without them): 550 seeds. Runs are deterministic, so everything but the timings is the same
 * from run to run; it takes a few seconds, once per test file.
 */
import { runCampaign } from '../../harness/campaign.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { loadSubject } from '../../subjects/index.ts';

/** The scenarios of the campaign: the size and grouping tests compare with its report before grouping. */
export const naiveCampaignScenarios = [
  'wal-append', 'sidecar-rewrite', 'rotation', 'checkpoint-prune', 'fsync-failure', 'disk-full',
  'kill9-anywhere', 'read-corruption', 'group-commit', 'recovery-crash', 'swarm',
];

/** The engine module, as a user names it with --engine. */
export const naiveEngineModule = 'examples/naive-engine/engine.ts';

let campaign: Promise<CampaignResult> | undefined;

/** The campaign (run once per test file, then shared), without the fields only `run` prints. */
export function naiveCampaign(): Promise<CampaignResult> {
  campaign ??= (async () => {
    const subject = await loadSubject({ kind: 'engine', module: naiveEngineModule, looks: 0 });
    const {
      seedsPlanned: _planned, ioCount: _io, stoppedByTimeBudget: _stopped, jobs: _jobs, determinism: _determinism, ...result
    } = await runCampaign({ subject, units: naiveCampaignScenarios, seeds: 50, invocation: 'npx powercut' });
    return result;
  })();
  return campaign;
}
