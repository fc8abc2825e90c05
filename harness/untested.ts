/**
 * When a campaign tested nothing, and why: a pass is never reported for a campaign that ran no
 * seed, whose I/O never reached the simulated disk, or in which no commit or operation was ever
 * acknowledged (every one failed, so there was no promise to hold the code to: a library the
 * workload cannot call, an engine that refuses everything). The command line exits 4 and the
 * test-runner API throws NothingTestedError; violations, when there are any, come first.
 */
import type { CampaignResult } from '../sim/index.ts';

/** What {@link untestedReason} reads of a campaign. */
export type UntestedInput = Pick<CampaignResult, 'seeds' | 'perScenario' | 'subject'> & { readonly ioCount: number };

/** Commits (or a workload's operations) acknowledged over the whole campaign. */
export function acknowledgedTotal(result: Pick<CampaignResult, 'perScenario'>): number {
  let total = 0;
  for (const summary of Object.values(result.perScenario)) total += summary.commitsAcknowledged;
  return total;
}

/**
 * Why seeds that ran tested nothing, as one clause; undefined when no seed ran (said elsewhere,
 * with the reason it did not) or when they tested something.
 */
export function untestedReason(result: UntestedInput): string | undefined {
  if (result.seeds === 0) return undefined;
  const library = result.subject?.kind === 'library';
  if (result.ioCount === 0) {
    const why = library
      ? "does the code under test write under ctx.root? A native addon's I/O, as better-sqlite3's or classic-level's, bypasses Node's fs: try it on the real disk, powercut real --target"
      : 'does the engine reach storage only through env.fs?';
    return `no I/O of the ${result.seeds} seeds reached the simulated disk (${why})`;
  }
  if (acknowledgedTotal(result) > 0) return undefined;
  return library
    ? `no operation of the ${result.seeds} seeds succeeded: every one rejected, so no promise was made to check (repro a seed to see the first error: a library the workload cannot call as written, or a store that refuses every write)`
    : `no commit of the ${result.seeds} seeds was acknowledged: every one was refused, so no promise was made to check (repro a seed to see why)`;
}
