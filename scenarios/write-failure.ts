/**
 * Writes that fail. A write or an append can fail with `EIO` (a failing device under the page
 * cache, `O_DIRECT`, a network file system), after a prefix of whole pages reached the page
 * cache. Nothing says whether the frames it carried are on disk, or will be: an engine must not
 * acknowledge them, must not append after what may be half a frame, and must not tell the
 * caller they are absent unless it made them so. Crashes follow the failures closely, and each
 * power loss is looked at on one other crash state too.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, streams, type Scenario } from './scenario.ts';

export const writeFailure: Scenario = {
  name: 'write-failure',
  description: 'EIO from a write or an append (a prefix of whole pages may have landed), then crashes and reopen',
  targets: { phases: ['wal.append', 'sidecar.rewrite', 'checkpoint', 'recovery'], io: ['append'], faults: ['write-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 2048], walSizeBytesMax: [1024, 8192] }),
      faults: { rates: { 'write-error': 0.03, 'power-loss': 0.01, 'kill-9': 0.01 }, fsyncFailureMode: 'ext4', sectorBytes: 4096 },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 1, crash: 1 } }),
      crashStates: drawCrashStates(params, 8),
      looks: 1,
    });
  },
};
