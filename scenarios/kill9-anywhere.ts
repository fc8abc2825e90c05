/** kill -9 at any I/O point of any phase: the OS keeps everything written, synced or not. */
import { enginePhases } from '../engine/types.ts';
import { ioClasses } from '../sim/index.ts';
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawEngine, makePlan, streams, type Scenario } from './scenario.ts';

export const kill9Anywhere: Scenario = {
  name: 'kill9-anywhere',
  description: 'kill -9 at any I/O boundary of any phase, in every sync mode (acknowledged data must never be lost)',
  targets: { phases: enginePhases, io: ioClasses, faults: ['kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [256, 2048], walSizeBytesMax: [2048, 8192] }),
      faults: { rates: { 'kill-9': 0.03 }, fsyncFailureMode: 'ext4', sectorBytes: 4096 },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 2 } }),
    });
  },
};
