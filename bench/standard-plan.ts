/**
 * The standard plan of the simulator benchmarks (bench/sim-engine.ts, bench/sim-vs-real.ts).
 */
import type { Plan } from '../sim/index.ts';
import { baseEngine, makePlan } from '../scenarios/scenario.ts';

/** 100 single-put strict commits, then a power loss, recovery and the oracle's checks. */
export function standardPlan(seed: number): Plan {
  const steps = Array.from({ length: 100 }, (_, i) => ({
    op: 'commit' as const, batch: [{ type: 'put' as const, key: `k${i % 32}`, value: `value-${seed}-${i}` }],
  }));
  return makePlan('bench-standard', seed, {
    engine: { ...baseEngine, segmentSizeBytes: 64 * 1024, walSizeBytesMax: 1024 * 1024 },
    faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 4096 },
    steps: [...steps, { op: 'crash', kind: 'power-loss' }],
  });
}

