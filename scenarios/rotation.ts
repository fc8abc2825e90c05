/** Crashes while the active segment is sealed and the next one created. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const rotation: Scenario = {
  name: 'rotation',
  description: 'power loss and kill -9 during segment rotation, with tiny segments and every sync mode',
  targets: { phases: ['segment.rotate'], io: ['create', 'fsync', 'rename', 'dir-sync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      // Tiny segments rotate often; a WAL of 64 KiB keeps automatic checkpoints out of the way.
      engine: drawEngine(params, { segmentSizeBytes: [256, 512], walSizeBytesMax: [65536, 65536] }),
      faults: {
        rates: { 'power-loss': 0.08, 'kill-9': 0.04 }, phases: ['segment.rotate'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, sync: 2, checkpoint: 0 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
