/** Bit rot and read errors on durable data, met by recovery: recover intact or refuse, never lie. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const readCorruption: Scenario = {
  name: 'read-corruption',
  description: 'sticky bit flips and EIO on reads during recovery: recover intact or refuse with CorruptionError',
  targets: { phases: ['recovery'], io: ['read'], faults: ['bit-flip', 'read-error'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      // Every mode and sidecar cadence: which evidence recovery holds against damage (a sidecar's
      // synced watermark, later frames' durable LSNs, a snapshot) depends on them.
      engine: drawEngine(params, { segmentSizeBytes: [512, 2048], walSizeBytesMax: [4096, 16384] }),
      faults: {
        rates: { 'bit-flip': 0.01 + 0.02 * params.next(), 'read-error': 0.02, 'power-loss': 0.005 },
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 30, weights: { ...defaultShape.weights, reopen: 4 } }),
      // Rot in the newest durable data at each crash: what tells a torn tail from damage.
      looks: secondLooks,
    });
  },
};
