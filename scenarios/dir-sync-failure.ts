/**
 * Directory fsyncs that fail. A rename, a create or an unlink is durable only once its directory
 * is synced; when that fsync fails with `EIO`, the journal may have committed some of the
 * directory's operations and not the others, and a power loss before the next directory fsync
 * can lose them. An engine must not acknowledge what rests on a name whose directory fsync
 * failed: a manifest switch, a new segment, a checkpoint's snapshot. Power losses follow the
 * failures closely, and each is looked at on one other crash state too.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, streams, type Scenario } from './scenario.ts';

export const dirSyncFailure: Scenario = {
  name: 'dir-sync-failure',
  description: 'EIO from a directory fsync (some of its operations committed, the rest pending), then power losses before the next one',
  targets: { phases: ['manifest', 'prune', 'segment.rotate', 'recovery'], io: ['dir-sync'], faults: ['dir-sync-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 1024], walSizeBytesMax: [1024, 4096] }),
      faults: { rates: { 'dir-sync-error': 0.15, 'power-loss': 0.01, 'kill-9': 0.005 }, fsyncFailureMode: 'ext4', sectorBytes: 4096 },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 3, crash: 1 } }),
      crashStates: drawCrashStates(params, 8),
      // One look per power loss catches what five do (16 of 100 seeds of a planted bug that drops
      // the error, either way) at half the CPU.
      looks: 1,
    });
  },
};
