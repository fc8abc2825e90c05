/** Crashes while frames are appended and fsynced: torn tails, lost unsynced frames. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const walAppend: Scenario = {
  name: 'wal-append',
  description: 'power loss and kill -9 during WAL appends and fsyncs (torn, zeroed and reordered tails)',
  targets: { phases: ['wal.append', 'wal.sync'], io: ['append', 'fsync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [512, 4096], walSizeBytesMax: [8192, 65536] }),
      faults: {
        rates: { 'power-loss': 0.04, 'kill-9': 0.02 }, phases: ['wal.append', 'wal.sync'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 40, weights: { ...defaultShape.weights, sync: 2 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
