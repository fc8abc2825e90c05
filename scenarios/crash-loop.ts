/**
 * A store that crashes again and again, as a service in a restart loop does: short sessions of
 * appends that are mostly not yet synced, each ended by a power loss (now and then a kill -9),
 * and no checkpoint between them, so every recovery meets what all the ones before it left: torn
 * tails cut again and again (the reference engine keeps each cut as evidence and drops the oldest
 * past its limit, rule K4), temporary files of interrupted work, numbers a recovery must not hand
 * out twice. Bugs that need many recoveries of one store fail here (a limit on kept files that
 * only the ninth cut reaches; state that only the n-th recovery forgets); the other scenarios
 * crash a store a few times per seed.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, streams, type Scenario } from './scenario.ts';

export const crashLoop: Scenario = {
  name: 'crash-loop',
  description: 'crash after crash: short sessions of mostly unsynced appends, each ended by a power loss or a kill -9, no checkpoints: one store recovered dozens of times',
  targets: { phases: ['wal.append', 'recovery'], io: ['append', 'read'], faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    // 200 steps, a fifth of them crashes, and power losses inside commits: about 80 crashes and 10
    // torn tails cut a seed (values up to 600 B span 512 B sectors, so a frame can tear).
    const shape = { ...defaultShape, steps: 200, valueBytesMax: 600, weights: { ...defaultShape.weights, checkpoint: 0, sync: 0, crash: 3 } };
    return makePlan(this.name, seed, {
      // Large segments and WAL: the tails cut pile up in few segments, and no automatic checkpoint clears them.
      engine: drawEngine(params, { sync: ['none'], segmentSizeBytes: [4096, 8192], walSizeBytesMax: [1 << 20, 1 << 20] }),
      faults: { rates: { 'power-loss': 0.005, 'kill-9': 0.002 }, fsyncFailureMode: 'ext4', sectorBytes: 512 },
      // Every crash step a power loss: a kill -9 keeps every write, so it tears no tail.
      steps: generateSteps(workload, shape).map((step) => (step.op === 'crash' ? { op: 'crash', kind: 'power-loss' } : step)),
      crashStates: drawCrashStates(params, 64),
    });
  },
};
