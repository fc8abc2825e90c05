/**
 * Misdirected writes (TigerBeetle's model): a write of the WAL, a segment header, a sidecar, the
 * snapshot or the manifest is written back whole sectors away, or into another segment (another
 * snapshot, another sidecar), and the place it was meant for keeps its old bytes. fsync reports
 * success, so the engine acknowledges; a later power loss shows the damage to recovery, which
 * must refuse or recover correctly. Small segments and frequent checkpoints give misdirected
 * writes other files of the same kind to land in.
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { baseEngine, drawCrashStates, makePlan, streams, type Scenario } from './scenario.ts';

export const misdirectedWrite: Scenario = {
  name: 'misdirected-write',
  description: 'writes of segments, sidecars, snapshots and the manifest land elsewhere, the target keeps its old bytes; then power loss',
  targets: {
    phases: ['wal.append', 'segment.rotate', 'sidecar.rewrite', 'checkpoint', 'manifest'], io: ['append', 'write'], faults: ['misdirected-write'],
  },
  plan(seed) {
    const { workload, params } = streams(seed);
    const smallFrames = params.chance(0.5);
    return makePlan(this.name, seed, {
      engine: {
        ...baseEngine, sync: params.pick(['strict', 'group', 'none'] as const),
        segmentSizeBytes: params.pick([512, 1024] as const), walSizeBytesMax: 1024 * (2 + params.int(4)),
        sidecarEveryFrames: params.int(3),
      },
      faults: {
        rates: { 'misdirected-write': 0.01 + 0.04 * params.next(), 'power-loss': 0.02 },
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, {
        ...defaultShape, steps: 40, weights: { ...defaultShape.weights, checkpoint: 2, reopen: 2, crash: 2, sync: 2 },
        // Small frames of one size in half the seeds: many frames per segment, so a write
        // misdirected backwards lands on frames an earlier recovery served, and one misdirected
        // into another segment lands on a frame boundary there (a whole frame in the wrong place).
        ...(smallFrames ? { keys: 10, batchOpsMax: 1, valueBytesMax: 1 } : {}),
      }),
      crashStates: drawCrashStates(params, 8),
    });
  },
};
