/**
 * Workload generation: the steps of a plan, drawn from the `workload` stream of a seed.
 * Keys follow a skewed distribution (a few hot keys, a long tail), values carry their key and
 * step so that a misplaced value is recognisable, and sizes vary so that segments rotate.
 */
import type { PlanOp, PlanStep } from './plan.ts';
import type { Rng } from './rng.ts';

/** Relative weights of the step kinds (0 disables a kind). */
export interface StepWeights {
  readonly commit: number;
  readonly concurrent: number;
  readonly get: number;
  readonly checkpoint: number;
  readonly sync: number;
  readonly reopen: number;
  readonly crash: number;
}

/** Shape of a generated workload. */
export interface WorkloadShape {
  readonly steps: number;
  /** Size of the key space. */
  readonly keys: number;
  readonly batchOpsMax: number;
  readonly valueBytesMax: number;
  /** Share of operations that are deletes. */
  readonly deleteShare: number;
  /** Most commits issued at once by a `concurrent` step. */
  readonly concurrentMax: number;
  readonly weights: StepWeights;
}

/** A reasonable default shape; scenarios override parts of it. */
export const defaultShape: WorkloadShape = {
  steps: 40,
  keys: 24,
  batchOpsMax: 4,
  valueBytesMax: 96,
  deleteShare: 0.2,
  concurrentMax: 6,
  weights: { commit: 10, concurrent: 0, get: 3, checkpoint: 1, sync: 1, reopen: 1, crash: 0 },
};

const stepKinds = ['commit', 'concurrent', 'get', 'checkpoint', 'sync', 'reopen', 'crash'] as const;

/** A key from a skewed distribution: low indexes are drawn far more often. */
function drawKey(rng: Rng, keys: number): string {
  const r = rng.next();
  return `k${Math.floor(keys * r * r * r)}`;
}

function drawBatch(rng: Rng, shape: WorkloadShape, tag: string): PlanOp[] {
  const count = 1 + rng.int(shape.batchOpsMax);
  const batch: PlanOp[] = [];
  for (let i = 0; i < count; i++) {
    const key = drawKey(rng, shape.keys);
    if (rng.chance(shape.deleteShare)) batch.push({ type: 'delete', key });
    else {
      const head = `${key}@${tag}.${i}`;
      const pad = rng.int(shape.valueBytesMax + 1);
      batch.push({ type: 'put', key, value: head + '.'.repeat(Math.max(0, pad - head.length)) });
    }
  }
  return batch;
}

/** Generates the steps of a workload. */
export function generateSteps(rng: Rng, shape: WorkloadShape): PlanStep[] {
  const weights = stepKinds.map((kind) => shape.weights[kind]);
  const total = weights.reduce((a, b) => a + b, 0);
  const steps: PlanStep[] = [];
  for (let s = 0; s < shape.steps; s++) {
    let pick = rng.next() * total;
    let kind: (typeof stepKinds)[number] = 'commit';
    for (let i = 0; i < stepKinds.length; i++) {
      pick -= weights[i]!;
      if (pick < 0) {
        kind = stepKinds[i]!;
        break;
      }
    }
    switch (kind) {
      case 'commit':
        steps.push({ op: 'commit', batch: drawBatch(rng, shape, `${s}`) });
        break;
      case 'concurrent': {
        const n = 2 + rng.int(Math.max(1, shape.concurrentMax - 1));
        steps.push({ op: 'concurrent', batches: Array.from({ length: n }, (_, i) => drawBatch(rng, shape, `${s}/${i}`)) });
        break;
      }
      case 'get':
        steps.push({ op: 'get', key: drawKey(rng, shape.keys) });
        break;
      case 'crash':
        steps.push({ op: 'crash', kind: rng.chance(0.5) ? 'power-loss' : 'kill-9' });
        break;
      default:
        steps.push({ op: kind });
    }
  }
  return steps;
}
