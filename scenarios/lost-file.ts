/**
 * A lost file: a synced name (a segment, the manifest, the snapshot, a sidecar) is gone when
 * recovery lists the directory, or when a process first opens a file in it by name, as an
 * operator, a buggy file system or a partial restore leaves it. Recovery must notice what the remaining files prove missing (rules C1–C3, F1, F4) and
 * refuse, or recover correctly. Tiny segments make many of them; frequent checkpoints, with
 * crashes aimed at pruning, leave covered segments behind for a lost one to matter.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { baseEngine, drawCrashStates, makePlan, streams, type Scenario } from './scenario.ts';

export const lostFile: Scenario = {
  name: 'lost-file',
  description: 'a synced segment, manifest, snapshot or sidecar name vanishes before recovery lists the directory or opens it by name: refuse or recover correctly',
  targets: { phases: ['recovery'], io: ['other', 'open'], faults: ['lost-entry'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: {
        ...baseEngine, sync: params.pick(['strict', 'group', 'none'] as const),
        segmentSizeBytes: params.pick([256, 512] as const), walSizeBytesMax: 1024 * (1 + params.int(4)),
        sidecarEveryFrames: params.int(3),
      },
      faults: {
        rates: { 'lost-entry': 0.1 + 0.3 * params.next(), 'power-loss': 0.01 },
        fsyncFailureMode: 'ext4', sectorBytes: 4096,
      },
      steps: generateSteps(workload, {
        ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 3, reopen: 3, crash: 2 },
      }),
      crashStates: drawCrashStates(params, 8),
    });
  },
};
