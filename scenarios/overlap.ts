/**
 * Every operation overlapping commits: syncs, checkpoints, reads and closes issued while commits
 * (and the automatic checkpoints and sidecar rewrites they trigger) are still in flight, on a
 * disk whose writes may take effect after a later fsync, as a thread pool lets them. A sync
 * that resolves must have made durable every commit acknowledged before it was issued; a read
 * sees a commit in flight or not, nothing else; a close settles every commit before it.
 * Mostly `none` mode, where only a sync makes a commit durable, with power losses to take
 * back what was not, or frequent fsync errors (ext4 ones only with power loss, see
 * withoutKillAfterExt4FsyncErrors).
 */
import { defaultShape, generateSteps, type FaultKind } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, withoutKillAfterExt4FsyncErrors, type Scenario } from './scenario.ts';

/**
 * Half the seeds crash now and then; the other half fail fsyncs often, so that a failure lands
 * while a sync, a checkpoint or a close waits behind the commit or sync whose fsync failed: what a
 * failed store still runs and acknowledges (the finding sync-after-failure-while-closing, which
 * 600 seeds with a rare fsync error never reached).
 */
function overlapRates(failing: boolean): Partial<Record<FaultKind, number>> {
  return failing ? { 'fsync-error': 0.12, 'power-loss': 0.004 } : { 'power-loss': 0.006, 'kill-9': 0.003 };
}

export const overlap: Scenario = {
  name: 'overlap',
  description: 'sync, checkpoint, get and close while commits are in flight; writes that take effect after a later fsync',
  // Not wal.append: its only fsync is the ENOSPC cut's, so an fsync error can never land there.
  targets: { phases: ['wal.sync', 'checkpoint'], io: ['append', 'fsync'], faults: ['power-loss', 'fsync-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return withoutKillAfterExt4FsyncErrors(makePlan(this.name, seed, {
      // Small segments and WAL, so that rotations and automatic checkpoints overlap the syncs.
      engine: drawEngine(params, { sync: ['none', 'none', 'group', 'strict'], segmentSizeBytes: [256, 2048], walSizeBytesMax: [2048, 8192] }),
      faults: {
        rates: overlapRates(params.chance(0.5)),
        fsyncFailureMode: params.pick(['ext4', 'btrfs', 'sticky'] as const), sectorBytes: params.pick([512, 4096] as const),
      },
      ...(params.chance(0.3) ? { latency: { ioMsMax: 1 + params.int(3) } } : {}),
      reorder: { lateWriteProbability: params.pick([0.1, 0.3, 0.6] as const) },
      steps: generateSteps(workload, {
        ...defaultShape, steps: 30, concurrentMax: 8,
        weights: { ...defaultShape.weights, overlap: 6, sync: 2, crash: 1, checkpoint: 1 },
      }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    }));
  },
};
