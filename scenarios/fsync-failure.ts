/** fsync failures with ext4, btrfs and sticky after-effects, followed by crashes (fsyncgate). */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, withoutKillAfterExt4FsyncErrors, type Scenario } from './scenario.ts';

export const fsyncFailure: Scenario = {
  name: 'fsync-failure',
  description: 'EIO from fsync (ext4: pages marked clean, btrfs: reverted, sticky), then crashes and reopen',
  targets: { phases: ['wal.sync', 'segment.rotate', 'checkpoint', 'sidecar.rewrite'], io: ['fsync'], faults: ['fsync-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return withoutKillAfterExt4FsyncErrors(makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 2048], walSizeBytesMax: [2048, 8192] }),
      faults: {
        rates: { 'fsync-error': 0.04, 'power-loss': 0.01, 'kill-9': 0.01 },
        fsyncFailureMode: params.pick(['ext4', 'btrfs', 'sticky'] as const), sectorBytes: 4096,
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, sync: 2, crash: 1, checkpoint: 2 } }),
      crashStates: drawCrashStates(params, 8),
      // Looks at a power loss while a failed fsync's pages are readable unwritten, only.
      looks: secondLooks, looksAtOtherStates: false,
    }));
  },
};
