/**
 * A store that lives long: 200 steps with frequent checkpoints and reopens, so an engine makes
 * dozens of segments, snapshots or generations, and their numbers reach two and three digits.
 * Bugs that need an older store than the other scenarios' 40 steps grow (files listed in name
 * order, so `wal-10` sorts before `wal-2`; a counter or a size that wraps; state a checkpoint or a
 * reopen forgets after many of them) fail here, with a few crashes along the way rather than many.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, streams, type Scenario } from './scenario.ts';

export const longHaul: Scenario = {
  name: 'long-haul',
  description: '200 steps with frequent checkpoints and reopens: dozens of files, numbers of two and three digits, a few crashes along the way',
  targets: { phases: ['checkpoint', 'recovery'], io: ['append', 'fsync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 1024], walSizeBytesMax: [1024, 4096] }),
      faults: { rates: { 'power-loss': 0.002, 'kill-9': 0.002 }, fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const) },
      steps: generateSteps(workload, { ...defaultShape, steps: 200, weights: { ...defaultShape.weights, checkpoint: 2, reopen: 2 } }),
      crashStates: drawCrashStates(params, 16),
      looks: 1,
    });
  },
};
