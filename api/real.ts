/**
 * The real-disk campaigns (real/), each run in the test runner's environment (host.ts): the
 * child processes they kill start with the variables a test set.
 */
import { runRealCampaign as realCampaign, runRealTargetCampaign as realTargetCampaign } from '../real/index.ts';
import type { RealCampaignOptions, RealCampaignResult, RealTargetOptions, RealTargetResult } from '../real/index.ts';
import { withHostEnv } from './host.ts';

/**
 * Runs the kill -9 campaign of an engine on the real file system: a child process commits, is
 * killed with SIGKILL, restarted and checked, `cycles` times.
 * @returns the figures and findings; `ok` is false on a violation or a harness failure
 * @throws SubjectLoadError when the engine module cannot be loaded; RealInputError when `dir`
 *   is not empty or the engine does not offer `sync`
 */
export function runRealCampaign(options: RealCampaignOptions = {}): Promise<RealCampaignResult> {
  return withHostEnv(() => realCampaign(options));
}

/**
 * Runs the kill -9 campaign of a library workload on the real file system.
 * @returns the figures and findings; `ok` is false on a violation or a harness failure
 * @throws SubjectLoadError when the workload module cannot be loaded; RealInputError when `dir` is not empty
 */
export function runRealTargetCampaign(options: RealTargetOptions): Promise<RealTargetResult> {
  return withHostEnv(() => realTargetCampaign(options));
}
