/**
 * Where explore makes a sync fail (harness/explore.ts): each sync of the clean run that is a
 * crash point, and each among the first {@link exploreRecoverySyncsDepth} I/Os after each crash
 * point's kill -9, which the kill -9's run shows when it is run once with its trace.
 */
import type { TraceEvent } from '../sim/index.ts';
import type { BasePlan, Subject, SyncFault } from './subject.ts';

/**
 * How many I/Os after each crash point's kill -9 have their syncs failed (ExploreOptions.syncFaults).
 * A rollback journal's recovery syncs the data file it rolled back 13 I/Os after the kill -9 (its
 * user's `rollback-nosync` bug, which only that failure shows); few of a recovery's I/Os are syncs,
 * so the depth costs little.
 */
export const exploreRecoverySyncsDepth = 32;

/** A sync that fails in a run of its own: at a clean run's I/O, or at an I/O of the recovery after a crash point's kill -9. */
export interface SyncPoint {
  readonly io: number;
  readonly kind: SyncFault;
  /** For a sync inside a recovery: its offset from the kill -9 at `io` (0: the recovery's first I/O). */
  readonly offset?: number;
}

/** The sync fault an I/O the trace names `name` can fail with, if it is a sync. */
function syncFaultOf(name: string): SyncFault | undefined {
  return name === 'sync' || name === 'datasync' ? 'fsync-error' : name === 'syncDir' ? 'dir-sync-error' : undefined;
}

/** The syncs among `trace`'s I/Os that can fail with one of `kinds` and whose global index `wanted` accepts, with their index. */
function syncsIn(trace: readonly TraceEvent[], kinds: ReadonlySet<SyncFault>, wanted: (io: number) => boolean): { io: number; kind: SyncFault }[] {
  const syncs: { io: number; kind: SyncFault }[] = [];
  let io = 0;
  for (const event of trace) {
    if (event.type !== 'io') continue;
    const kind = syncFaultOf(event.name);
    if (kind !== undefined && kinds.has(kind) && wanted(io)) syncs.push({ io, kind });
    io++;
  }
  return syncs;
}

/**
 * The syncs to fail: the clean run's among its crash points, and those among the first
 * {@link exploreRecoverySyncsDepth} I/Os after each crash point's kill -9, found by running each
 * such kill -9 once here with its trace (the same run as its candidate's).
 */
export async function syncPointsOf<P extends BasePlan>(subject: Subject<P>, base: P, cleanTrace: readonly TraceEvent[], points: readonly number[], kinds: ReadonlySet<SyncFault>): Promise<{ syncs: SyncPoint[]; runs: number }> {
  const crashPoints = new Set(points);
  const syncs: SyncPoint[] = syncsIn(cleanTrace, kinds, (io) => crashPoints.has(io));
  let runs = 0;
  for (const io of points) {
    const plan = subject.explore.candidate(base, { io, kind: 'kill-9', crashState: 0 });
    if (plan === undefined) continue;
    const run = await subject.run(plan, { trace: 'full' });
    runs++;
    for (const sync of syncsIn(run.trace, kinds, (at) => at > io && at <= io + exploreRecoverySyncsDepth)) syncs.push({ io, kind: sync.kind, offset: sync.io - io - 1 });
  }
  return { syncs, runs };
}
