/** Crashes while sidecar indexes are rewritten (tmp, fsync, rename, directory fsync). */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { baseEngine, drawCrashStates, makePlan, streams, type Scenario } from './scenario.ts';

export const sidecarRewrite: Scenario = {
  name: 'sidecar-rewrite',
  description: 'power loss and kill -9 while sidecar indexes are rewritten; stale, torn and orphaned sidecars',
  targets: { phases: ['sidecar.rewrite'], io: ['create', 'write', 'fsync', 'rename', 'dir-sync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: { ...baseEngine, sidecarEveryFrames: 1 + params.int(3), segmentSizeBytes: 1024 },
      faults: {
        rates: { 'power-loss': 0.06, 'kill-9': 0.04 }, phases: ['sidecar.rewrite'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40 }),
      crashStates: drawCrashStates(params, 8),
    });
  },
};
