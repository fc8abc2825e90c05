/** Many concurrent writers sharing fsyncs, with seeded I/O latency interleaving them. */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const groupCommit: Scenario = {
  name: 'group-commit',
  description: 'concurrent commits in group mode with simulated latency; crashes between write and shared fsync',
  targets: { phases: ['wal.append', 'wal.sync'], io: ['append', 'fsync'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: { ...drawEngine(params, { sync: ['group'], segmentSizeBytes: [512, 4096], walSizeBytesMax: [4096, 32768] }), groupCommitMaxBatch: 2 + params.int(8) },
      faults: {
        rates: { 'power-loss': 0.03, 'kill-9': 0.02 }, phases: ['wal.append', 'wal.sync'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      latency: { ioMsMax: 1 + params.int(3) },
      // Overlap steps: syncs, reads, checkpoints and closes issued while groups are in flight.
      steps: generateSteps(workload, { ...defaultShape, steps: 30, weights: { ...defaultShape.weights, concurrent: 8, overlap: 3 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
