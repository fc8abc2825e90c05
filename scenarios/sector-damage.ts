/**
 * Latent sector damage on durable data, met by recovery: a whole sector of a segment, a sidecar,
 * the snapshot or the manifest reads back as zeros or garbage (not one flipped bit, which rule R3
 * classifies). Recovery must refuse (detected) or recover correctly; it may lose only commits
 * nothing vouched for (sim/model.ts). Reopens (clean closes, whose manifest vouches for every
 * frame) and checkpoints (a snapshot and a manifest to damage) are frequent, crashes come from
 * steps and a low power-loss rate, so every recovery has durable files to read.
 *
 * Second looks at rot only: at each crash after something new was synced, a sector of the newest
 * durable data goes bad (sim/second-look.ts), where the run's own damage lands on any durable
 * sector a read covers. Looks at other crash states of its power losses are left out: with them a
 * seed cost 2.03× for little; rot alone costs 1.5× and finds `snapshot-checksum-unchecked` in 51
 * of 600 seeds instead of 15 (README, "Looks at bit rot").
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { baseEngine, drawCrashStates, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const sectorDamage: Scenario = {
  name: 'sector-damage',
  description: 'a durable sector of a segment, sidecar, snapshot or manifest reads back as zeros or garbage during recovery: refuse or recover correctly',
  targets: { phases: ['recovery'], io: ['read'], faults: ['sector-damage'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: {
        ...baseEngine, sync: params.pick(['strict', 'group', 'none'] as const),
        segmentSizeBytes: params.pick([2048, 4096] as const), walSizeBytesMax: 1024 * (8 + params.int(8)),
        sidecarEveryFrames: params.int(3),
      },
      faults: {
        rates: { 'sector-damage': 0.02 + 0.08 * params.next(), 'power-loss': 0.01 },
        fsyncFailureMode: 'ext4', sectorBytes: 512,
      },
      steps: generateSteps(workload, {
        ...defaultShape, steps: 30, keys: 8, valueBytesMax: 1500, weights: { ...defaultShape.weights, checkpoint: 2, reopen: 3, crash: 2 },
      }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
      looksAtOtherStates: false,
    });
  },
};
