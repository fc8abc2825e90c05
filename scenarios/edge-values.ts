/**
 * The values and keys engines get wrong, under power loss and kill -9: empty values (an engine
 * that takes an empty value for a missing one, or a zero length for a tombstone), keys and values
 * of multi-byte UTF-8 characters (a length counted in characters, not bytes, frames them wrongly),
 * values that are not text (a newline, a zero byte, a quote, bytes that are not UTF-8: an engine that
 * keeps values as text or frames them by a separator loses them), and values of 2–4 KiB that span segments and sectors, with checkpoints and reopens that carry
 * them through snapshots and replay. An engine that declares its size limits gets keys, values and
 * batches at them, one short and one over, too (sim/workload.ts, `limits`).
 */
import { defaultShape, generateSteps } from '../sim/index.ts';
import { drawCrashStates, drawEngine, makePlan, secondLooks, streams, type Scenario } from './scenario.ts';

export const edgeValues: Scenario = {
  name: 'edge-values',
  description: 'empty values, multi-byte UTF-8 keys and values, binary values, 2-4 KiB values; power loss and kill -9 during appends and checkpoints',
  targets: { phases: ['wal.append', 'wal.sync'], io: ['append', 'fsync'], faults: ['power-loss', 'kill-9'] },
  plan(seed, fit) {
    const { workload, params } = streams(seed);
    return makePlan(this.name, seed, {
      engine: drawEngine(params, { segmentSizeBytes: [1024, 16384], walSizeBytesMax: [16384, 131072] }),
      faults: {
        rates: { 'power-loss': 0.03, 'kill-9': 0.02 }, phases: ['wal.append', 'wal.sync', 'checkpoint', 'manifest'],
        fsyncFailureMode: 'ext4', sectorBytes: params.pick([512, 4096] as const),
      },
      steps: generateSteps(workload, { ...defaultShape, steps: 36, keys: 10, valueBytesMax: 200, edgeValues: true, ...(fit?.limits === undefined ? {} : { limits: fit.limits }), weights: { ...defaultShape.weights, checkpoint: 2, reopen: 2 } }),
      crashStates: drawCrashStates(params, 8),
      looks: secondLooks,
    });
  },
};
