/**
 * The seeded workload, maintenance calls and kill plan of the `real` campaign. Three named random
 * streams come from one seed, so that changing how kills or maintenance are drawn never changes
 * the batches a seed produces.
 *
 * Every value written names the batch that wrote it (`<seq>:<key>:<padding>`), so that a value
 * in a violation says at a glance which commit it came from.
 */
import seedrandom from 'seedrandom';
import type { Op } from '../engine/types.ts';
import type { SizeLimits } from '../sim/contract.ts';

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

const encoder = new TextEncoder();

/**
 * Generates the batches of a campaign from its seed, numbered from 1, within the engine's
 * declared size limits: a batch or a value the engine says it refuses would only be refused
 * (a new user's ring log refused 295 of 395 commits, and the campaign checked 77). The limits
 * cut what is drawn, never the draws, so an engine without limits gets the batches it got before.
 */
export class Workload {
  private readonly random: seedrandom.PRNG;
  private seq = 0;

  constructor(seed: string, private readonly shape: WorkloadShape = workloadShapeDefault, private readonly limits: SizeLimits = {}) {
    this.random = seedrandom(`${seed}/workload`);
  }

  /** The operations of the next batch. */
  next(): Op[] {
    const seq = ++this.seq;
    const count = 1 + Math.floor(this.random() * this.shape.opsPerBatchMax);
    const ops: Op[] = [];
    for (let i = 0; i < count; i++) {
      const key = `k${Math.floor(this.random() * this.shape.keyCount)}`;
      if (this.random() < this.shape.deleteProbability) {
        ops.push({ type: 'delete', key });
      } else {
        const head = `${seq}:${key}:`;
        const padding = Math.min(Math.floor(this.random() * this.shape.valuePaddingBytesMax), Math.max(0, (this.limits.valueBytes ?? Infinity) - head.length));
        ops.push({ type: 'put', key, value: encoder.encode(`${head}${'x'.repeat(padding)}`) });
      }
    }
    // Drawn in full, so that the next batch draws what it would without the limit.
    return ops.slice(0, this.limits.batchOps ?? ops.length);
  }
}

/** One in how many commits is followed by a checkpoint, and one in how many by a sync, where the engine has them. */
const maintenanceEvery = 24;

/**
 * Draws, per commit issued, whether a `checkpoint()` or a `sync()` comes before the next commit
 * (from the seed's `maintenance` stream): the engine's own compaction and its promise to make
 * what was acknowledged durable are driven on the real disk too, and a kill may land inside them
 * (a new user's planted bug in his compaction, which needs no fault, passed `real` unseen: it
 * only ever committed).
 */
export class MaintenancePlanner {
  private readonly random: seedrandom.PRNG;

  constructor(seed: string) {
    this.random = seedrandom(`${seed}/maintenance`);
  }

  /** The call due after this commit, if any, among those the engine `has`. */
  next(has: { readonly sync: boolean; readonly checkpoint: boolean }): 'checkpoint' | 'sync' | undefined {
    const draw = this.random() * maintenanceEvery;
    if (draw < 1) return has.checkpoint ? 'checkpoint' : undefined;
    if (draw < 2) return has.sync ? 'sync' : undefined;
    return undefined;
  }
}

/** When the parent kills the child in one cycle. */
export type KillPlan =
  /**
   * Kill on receiving the `acks`-th answer to a commit (0: as soon as the engine has recovered).
   * Answers are acknowledgements; a rejection counts too, so that an engine rejecting every
   * commit still reaches its kill.
   */
  | { readonly kind: 'after-acks'; readonly acks: number }
  /** Kill `delayMs` after the engine recovered, wherever the workload is. */
  | { readonly kind: 'after-delay'; readonly delayMs: number }
  /**
   * Kill `delayMs` after asking the child to open: while the engine is still recovering if the
   * recovery takes longer, otherwise right after it (then the recovery is checked first).
   */
  | { readonly kind: 'during-recovery'; readonly delayMs: number };

/** Draws one kill plan per cycle from the seed's `kill` stream. */
export class KillPlanner {
  private readonly random: seedrandom.PRNG;

  /**
   * @param acksMax - most acknowledgements before an `after-acks` kill
   * @param delayMsMax - longest wait of an `after-delay` kill
   * @param recoveryDelayMsMax - longest wait of a `during-recovery` kill; a small store recovers
   *   in a few milliseconds, so a larger bound would land most of them after the recovery
   */
  constructor(seed: string, private readonly acksMax = 60, private readonly delayMsMax = 150, private readonly recoveryDelayMsMax = 25) {
    this.random = seedrandom(`${seed}/kill`);
  }

  next(): KillPlan {
    const draw = this.random();
    if (draw < 0.15) return { kind: 'during-recovery', delayMs: Math.floor(this.random() * this.recoveryDelayMsMax) };
    if (draw < 0.55) return { kind: 'after-acks', acks: Math.floor(this.random() * (this.acksMax + 1)) };
    return { kind: 'after-delay', delayMs: Math.floor(this.random() * this.delayMsMax) };
  }
}
