/** Crashes while sidecar indexes are rewritten (tmp, fsync, rename, directory fsync). */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const sidecarRewrite: Scenario = {
  name: 'sidecar-rewrite',
  description: 'power loss and kill -9 while sidecar indexes are rewritten; stale, torn and orphaned sidecars',
  targets: { phases: ['sidecar.rewrite'], io: ['create', 'write', 'fsync', 'rename', 'dir-sync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      // Every mode: the synced watermark a sidecar records is below the written frames only when
      // commits are acknowledged before their fsync (`none`) or share one (`group`).
      engine: drawEngine(params, { segmentSizeBytes: [512, 2048], sidecarEveryFrames: [1, 2, 3] }),
      faults: {
        rates: { 'power-loss': 0.06, 'kill-9': 0.04 }, phases: ['sidecar.rewrite'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40 }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
