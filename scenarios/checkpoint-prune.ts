/** Crashes during checkpoints: snapshot write, manifest switch, pruning of covered segments. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const checkpointPrune: Scenario = {
  name: 'checkpoint-prune',
  description: 'power loss and kill -9 while snapshots are written, the manifest switched and segments pruned',
  targets: { phases: ['checkpoint', 'manifest', 'prune'], io: ['create', 'write', 'truncate', 'rename', 'unlink', 'dir-sync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 1024], walSizeBytesMax: [2048, 6144] }),
      faults: {
        rates: { 'power-loss': 0.08, 'kill-9': 0.04 }, phases: ['checkpoint', 'manifest', 'prune'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 4 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
