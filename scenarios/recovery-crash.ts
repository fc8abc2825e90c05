/** Crashes inside recovery itself: recovery must be idempotent. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { baseEngine, drawCrashStates, makePlan, streams, type Scenario } from './scenario.ts';

export const recoveryCrash: Scenario = {
  name: 'recovery-crash',
  description: 'power loss and kill -9 inside recovery (truncation, sidecar rebuild, orphan removal), then recover again',
  targets: { phases: ['recovery'], io: ['open', 'read'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: { ...baseEngine, sync: params.pick(['strict', 'group', 'none'] as const), segmentSizeBytes: 512 },
      faults: {
        rates: { 'power-loss': 0.08, 'kill-9': 0.04 }, phases: ['recovery'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 30, weights: { ...defaultShape.weights, crash: 3 } }),
      crashStates: drawCrashStates(params, 16),
    });
  },
};
