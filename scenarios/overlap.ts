/**
 * Every operation overlapping commits: syncs, checkpoints, reads and closes issued while commits
 * (and the automatic checkpoints and sidecar rewrites they trigger) are still in flight, on a
 * disk whose writes may take effect after a later fsync, as a thread pool lets them. A sync
 * that resolves must have made durable every commit acknowledged before it was issued; a read
 * sees a commit in flight or not, nothing else; a close settles every commit before it.
 * Mostly `none` mode, where only a sync makes a commit durable, with power losses to take
 * back what was not, and fsync errors now and then (ext4 ones only with power loss, see
 * withoutKillAfterExt4FsyncErrors).
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, streams, withoutKillAfterExt4FsyncErrors, type Scenario } from './scenario.ts';

export const overlap: Scenario = {
  name: 'overlap',
  description: 'sync, checkpoint, get and close while commits are in flight; writes that take effect after a later fsync',
  targets: { phases: ['wal.append', 'wal.sync', 'checkpoint'], io: ['append', 'fsync'], faults: ['power-loss', 'fsync-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return withoutKillAfterExt4FsyncErrors(makePlan(this.name, seed, {
      // Small segments and WAL, so that rotations and automatic checkpoints overlap the syncs.
      engine: drawEngine(params, { sync: ['none', 'none', 'group', 'strict'], segmentSizeBytes: [256, 2048], walSizeBytesMax: [2048, 8192] }),
      faults: {
        rates: { 'power-loss': 0.006, 'kill-9': 0.003, ...(params.chance(0.5) ? { 'fsync-error': 0.01 } : {}) },
        fsyncFailureMode: params.pick(['ext4', 'btrfs', 'sticky'] as const), sectorBytes: params.pick([512, 4096] as const),
      },
      ...(params.chance(0.3) ? { latency: { ioMsMax: 1 + params.int(3) } } : {}),
      reorder: { lateWriteProbability: params.pick([0.1, 0.3, 0.6] as const) },
      steps: generateSteps(workload, {
        ...defaultShape, steps: 30,
        weights: { ...defaultShape.weights, overlap: 6, sync: 2, crash: 1, checkpoint: 1 },
      }),
      crashStates: drawCrashStates(params, 8),
    }));
  },
};
