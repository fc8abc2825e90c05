/**
 * The seeded workload and kill plan of the `real` campaign. Two named random streams come from
 * one seed, so that changing how kills are drawn never changes the batches a seed produces.
 *
 * Every value written names the batch that wrote it (`<seq>:<key>:<padding>`), so a checker can
 * tell from a recovered value alone which commit it came from.
 */
import seedrandom from 'seedrandom';
import type { WireOp } from './protocol.ts';

/** The shape of the generated batches. */
export interface WorkloadShape {
  /** Keys are drawn from `k0` … `k{keyCount-1}`; few keys means many overwrites and deletes. */
  readonly keyCount: number;
  readonly opsPerBatchMax: number;
  /** Padding of a value, at most; values are this long plus a short header. */
  readonly valuePaddingBytesMax: number;
  readonly deleteProbability: number;
}

/** The default shape: small enough to check fast, big enough to rotate segments. */
export const workloadShapeDefault: WorkloadShape = {
  keyCount: 64,
  opsPerBatchMax: 6,
  valuePaddingBytesMax: 400,
  deleteProbability: 0.25,
};

/** Generates the batches of a campaign from its seed. */
export class Workload {
  private readonly random: seedrandom.PRNG;

  constructor(seed: string, private readonly shape: WorkloadShape = workloadShapeDefault) {
    this.random = seedrandom(`${seed}/workload`);
  }

  /** The operations of batch `seq` (batches must be drawn in `seq` order for a seed to repeat). */
  batch(seq: number): WireOp[] {
    const count = 1 + Math.floor(this.random() * this.shape.opsPerBatchMax);
    const ops: WireOp[] = [];
    for (let i = 0; i < count; i++) {
      const key = `k${Math.floor(this.random() * this.shape.keyCount)}`;
      if (this.random() < this.shape.deleteProbability) {
        ops.push({ type: 'delete', key });
      } else {
        const padding = 'x'.repeat(Math.floor(this.random() * this.shape.valuePaddingBytesMax));
        ops.push({ type: 'put', key, value: `${seq}:${key}:${padding}` });
      }
    }
    return ops;
  }
}

/** The batch that wrote `value`, read from its header. */
export function writerSeq(value: string): number {
  const seq = Number.parseInt(value.slice(0, value.indexOf(':')), 10);
  if (!Number.isSafeInteger(seq)) throw new Error(`value '${value.slice(0, 40)}' names no batch`);
  return seq;
}

/** When the parent kills the child in one cycle. */
export type KillPlan =
  /** Kill on receiving the `acks`-th acknowledgement (0: as soon as the child is ready). */
  | { readonly kind: 'after-acks'; readonly acks: number }
  /** Kill `delayMs` after the child reported ready, wherever the workload is. */
  | { readonly kind: 'after-delay'; readonly delayMs: number }
  /** Kill `delayMs` after forking, most often while the store is still recovering. */
  | { readonly kind: 'during-recovery'; readonly delayMs: number };

/** Draws one kill plan per cycle from the seed's `kill` stream. */
export class KillPlanner {
  private readonly random: seedrandom.PRNG;

  constructor(seed: string, private readonly acksMax = 60, private readonly delayMsMax = 150) {
    this.random = seedrandom(`${seed}/kill`);
  }

  next(): KillPlan {
    const draw = this.random();
    if (draw < 0.1) return { kind: 'during-recovery', delayMs: Math.floor(this.random() * 400) };
    if (draw < 0.55) return { kind: 'after-acks', acks: Math.floor(this.random() * (this.acksMax + 1)) };
    return { kind: 'after-delay', delayMs: Math.floor(this.random() * this.delayMsMax) };
  }
}
