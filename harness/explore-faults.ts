/**
 * Where explore makes an I/O fail (harness/explore.ts): each sync, write, growing write and read of
 * the clean run that is a crash point, and each among the first {@link exploreRecoverySyncsDepth} I/Os
 * after each crash point's kill -9, which the kill -9's run shows when it is run once with its
 * trace.
 */
import { defaultBlockBytes, type TraceEvent } from '../sim/index.ts';
import type { BasePlan, ExploreFault, Subject } from './subject.ts';

/**
 * How many I/Os after each crash point's kill -9 have their syncs, writes and reads failed
 * (ExploreOptions.syncFaults, writeFaults, readFaults). A rollback journal's recovery syncs
 * the data file it rolled back 13 I/Os after the kill -9 (its user's `rollback-nosync` bug, which
 * only that failure shows); few of a recovery's I/Os are syncs or writes (more are reads), so the
 * depth costs little.
 */
export const exploreRecoverySyncsDepth = 32;

/** An I/O that fails in a run of its own: at a clean run's I/O, or at an I/O of the recovery after a crash point's kill -9. */
export interface FaultPoint {
  readonly io: number;
  readonly kind: ExploreFault;
  /** For an I/O inside a recovery: its offset from the kill -9 at `io` (0: the recovery's first I/O). */
  readonly offset?: number;
}

/** `@12 len=40 ok` → [12, 40]; undefined where the detail has no offset or length. */
function extentOf(detail: string | undefined): { offset: number; length: number } | undefined {
  const match = /^@(\d+) len=(\d+)/.exec(detail ?? '');
  return match === null ? undefined : { offset: Number(match[1]), length: Number(match[2]) };
}

/**
 * The faults an I/O of `trace` can fail with, in a stable order: a sync's error for a file's or a
 * directory's fsync; an I/O error for a read; for a write of at least one byte, an I/O error
 * (`write-error`), a short count if it has two bytes or more (`short-write`), and, when it
 * adds a block of `blockBytes` to its file as far as the trace tells (the largest end written to
 * that path so far, carried by renames; a write takes space only for the blocks it adds,
 * sim/disk/disk.ts), a full disk (`disk-full`). `ends` keeps that largest end by path, across
 * calls. Where the trace misleads (a file that held data before the run, a truncating open), a run
 * may fail nothing, and is not counted (ExploreResult.writeFaults).
 */
function faultsOf(event: TraceEvent, ends: Map<string, number>, blockBytes: number): ExploreFault[] {
  if (event.name === 'sync' || event.name === 'datasync') return ['fsync-error'];
  if (event.name === 'syncDir') return ['dir-sync-error'];
  if (event.name === 'read') return ['read-error'];
  const extent = extentOf(event.detail);
  const path = event.path ?? '';
  if (event.name === 'truncate' && extent === undefined) {
    const size = /^@(\d+)/.exec(event.detail ?? '');
    if (size !== null) ends.set(path, Number(size[1]));
    return [];
  }
  if ((event.name !== 'write' && event.name !== 'append') || extent === undefined || extent.length === 0) return [];
  const blocks = (bytes: number): number => Math.ceil(bytes / blockBytes);
  const end = extent.offset + extent.length;
  const before = ends.get(path) ?? 0;
  ends.set(path, Math.max(before, end));
  // A write of one byte cannot land short.
  const short: ExploreFault[] = extent.length > 1 ? ['short-write'] : [];
  return blocks(end) > blocks(before) ? ['write-error', 'disk-full', ...short] : ['write-error', ...short];
}

/** A rename (traced as `from -> to`) takes the file's largest end to its new name, over whatever was there. */
function movedEnd(ends: Map<string, number>, path: string): void {
  const [from, to] = path.split(' -> ');
  if (from === undefined || to === undefined) return;
  const end = ends.get(from);
  ends.delete(from);
  if (end === undefined) ends.delete(to);
  else ends.set(to, end);
}

/** The I/Os among `trace`'s that can fail with one of `kinds` and whose global index `wanted` accepts, with their index (exported for its spec). */
export function faultsIn(trace: readonly TraceEvent[], kinds: ReadonlySet<ExploreFault>, blockBytes: number, wanted: (io: number) => boolean): { io: number; kind: ExploreFault }[] {
  const points: { io: number; kind: ExploreFault }[] = [];
  const ends = new Map<string, number>();
  let io = 0;
  for (const event of trace) {
    // Faults are off from an engine run's liveness phase on (sim/runner.ts): nothing would fail there.
    if (event.type === 'note' && event.name === 'liveness') break;
    if (event.type !== 'io') continue;
    if (event.name === 'unlink') ends.delete(event.path ?? '');
    if (event.name === 'rename') movedEnd(ends, event.path ?? '');
    for (const kind of faultsOf(event, ends, blockBytes)) if (kinds.has(kind) && wanted(io)) points.push({ io, kind });
    io++;
  }
  return points;
}

/**
 * I/Os of a recovery that change what a crash leaves (data, sizes, names, durability): a second
 * crash anywhere between two of them leaves the disk one of them leaves, so past a recovery's
 * first I/Os only these are worth a crash ({@link recoveryCrashOffsets}). An `open` may create.
 */
const changesTheDisk: ReadonlySet<string> = new Set(['write', 'append', 'truncate', 'sync', 'datasync', 'syncDir', 'rename', 'unlink', 'link', 'symlink', 'mkdir', 'rmdir', 'open']);

/**
 * Where a crash point's kill -9 is followed by a second crash (ExploreOptions.recoveryCrashes):
 * each of the recovery's first `first` I/Os, as before, then each later I/O among the first
 * {@link exploreRecoverySyncsDepth} that changes the disk, `first` more at most. A careful
 * recovery that fsyncs the directory and its data file before it rolls back reaches its first
 * write of the rollback past 8 I/Os (a rollback journal's user saw explore miss a rollback from
 * a journal the killed process never fsynced, found at once with 16).
 * @param trace - the crash point's kill -9 run, traced
 * @param io - the crash point
 * @returns offsets from the kill -9 (0: the recovery's first I/O)
 */
export function recoveryCrashOffsets(trace: readonly TraceEvent[], io: number, first: number): number[] {
  const offsets = Array.from({ length: first }, (_, offset) => offset);
  let at = 0;
  let deeper = 0;
  for (const event of trace) {
    if (event.type === 'note' && event.name === 'liveness') break;
    if (event.type !== 'io') continue;
    const offset = at++ - io - 1;
    if (offset < first || offset >= exploreRecoverySyncsDepth || !changesTheDisk.has(event.name)) continue;
    if (deeper++ >= first) break;
    offsets.push(offset);
  }
  return offsets;
}

/**
 * The I/Os to fail: the clean run's among its crash points, and those among the first
 * {@link exploreRecoverySyncsDepth} I/Os after each crash point's kill -9; and where each crash
 * point's kill -9 takes a second crash ({@link recoveryCrashOffsets}). Found by running each such
 * kill -9 once here with its trace (the same run as its candidate's).
 * @param kinds - the faults to fail I/Os with (none: only the second crashes are wanted)
 * @param recoveryCrashes - the recovery's first I/Os that all take a second crash
 */
export async function faultPointsOf<P extends BasePlan>(subject: Subject<P>, base: P, cleanTrace: readonly TraceEvent[], points: readonly number[], kinds: ReadonlySet<ExploreFault>, recoveryCrashes: number): Promise<{ faults: FaultPoint[]; recoveryOffsets: Map<number, number[]>; runs: number }> {
  const crashPoints = new Set(points);
  const blockBytes = base.faults.blockBytes ?? defaultBlockBytes;
  const faults: FaultPoint[] = faultsIn(cleanTrace, kinds, blockBytes, (io) => crashPoints.has(io));
  const recoveryOffsets = new Map<number, number[]>();
  let runs = 0;
  for (const io of points) {
    const plan = subject.explore.candidate(base, { io, kind: 'kill-9', crashState: 0 });
    if (plan === undefined) continue;
    const run = await subject.run(plan, { trace: 'full' });
    runs++;
    for (const fault of faultsIn(run.trace, kinds, blockBytes, (at) => at > io && at <= io + exploreRecoverySyncsDepth)) faults.push({ io, kind: fault.kind, offset: fault.io - io - 1 });
    recoveryOffsets.set(io, recoveryCrashOffsets(run.trace, io, recoveryCrashes));
  }
  return { faults, recoveryOffsets, runs };
}
