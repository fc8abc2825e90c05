/**
 * Workload generation: the steps of a plan, drawn from the `workload` stream of a seed.
 * Keys follow a skewed distribution (a few hot keys, a long tail), values carry their key and
 * step so that a misplaced value is recognisable, and sizes vary so that segments rotate.
 */
import { hexPut, type OverlapOp, type PlanOp, type PlanStep } from './plan.ts';
import type { Rng } from './rng.ts';
import type { SizeLimits } from './engine-contract.ts';

/** Relative weights of the step kinds (0 disables a kind). */
export interface StepWeights {
  readonly commit: number;
  readonly concurrent: number;
  readonly get: number;
  readonly checkpoint: number;
  readonly sync: number;
  readonly reopen: number;
  readonly crash: number;
  /** Several operations issued while the earlier ones are in flight (`overlap` steps). @defaultValue 0 */
  readonly overlap?: number;
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
  /** Most commits issued at once by a `concurrent` step, and most operations of an `overlap` step. */
  readonly concurrentMax: number;
  readonly weights: StepWeights;
  /**
   * Values and keys at the edges engines get wrong ({@link drawEdgePut}): empty values, multi-byte
   * UTF-8 keys and values (a length counted in characters, not bytes), long values, values that
   * are not text (a newline, a zero byte, bytes that are not UTF-8). Off unless set, and then no
   * other draw changes.
   */
  readonly edgeValues?: boolean;
  /**
   * With {@link edgeValues}: the engine's declared limits, drawn at ({@link drawBoundaryPut}):
   * now and then a key or value of exactly the limit or one byte over, and
   * a batch of exactly the most operations or one more. Off unless set, and then no other draw
   * changes.
   */
  readonly limits?: SizeLimits;
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

// `overlap` last: a weight of 0 there leaves every other kind's draws as they were.
const stepKinds = ['commit', 'concurrent', 'get', 'checkpoint', 'sync', 'reopen', 'crash', 'overlap'] as const;

/** A key from a skewed distribution: low indexes are drawn far more often. */
function drawKey(rng: Rng, keys: number): string {
  const r = rng.next();
  return `k${Math.floor(keys * r * r * r)}`;
}

/** Share of an edge workload's puts with an empty value. */
const emptyValueShare = 0.2;
/** Share of an edge workload's puts with a multi-byte UTF-8 value (after the empty ones). */
const wideValueShare = 0.2;
/** Share of an edge workload's puts with a long value, 2–4 KiB (after the wide ones). */
const longValueShare = 0.1;
/** Share of an edge workload's puts with a value that is not text (after the long ones). */
const binaryValueShare = 0.15;
/**
 * Bytes that break values framed or escaped as text: a zero byte, line and field separators,
 * quotes and escapes, and bytes that are not UTF-8 on their own (a continuation byte, a lead
 * byte, 0xfe and 0xff).
 */
const awkwardBytes = [0x00, 0x0a, 0x0d, 0x09, 0x22, 0x5c, 0x2c, 0x3d, 0x7c, 0x80, 0xc3, 0xfe, 0xff];
/** Share of an edge workload's puts drawn at a declared limit ({@link WorkloadShape.limits}). */
const boundaryPutShare = 0.015;
/** Share of an edge workload's batches of exactly the most operations, or one more. */
const boundaryBatchShare = 0.015;
/**
 * Largest limit a value is drawn at: an engine that takes values of gigabytes is tested with
 * keys and batches at its limits, not values.
 */
export const boundaryValueBytesMax = 4 * 1024 * 1024;
/** Largest limit a batch's operation count is drawn at, for the same reason. */
export const boundaryBatchOpsMax = 100_000;
/** Share of an edge workload's keys that carry multi-byte UTF-8 characters. */
const wideKeyShare = 0.3;
/** Characters of 2, 3 and 4 bytes in UTF-8. */
const wideText = 'é✓𝄞';

/** A key of an edge workload ({@link WorkloadShape.edgeValues}): now and then with multi-byte characters. */
function drawEdgeKey(rng: Rng, keys: number): string {
  const key = drawKey(rng, keys);
  return rng.chance(wideKeyShare) ? `${key}-ключ` : key;
}

/**
 * A put of an edge workload ({@link WorkloadShape.edgeValues}): its value empty, multi-byte, long,
 * not text, or as usual. Every non-empty value still starts with its key and step (`head`), so a
 * misplaced value is recognisable.
 */
function drawEdgePut(rng: Rng, shape: WorkloadShape, key: string, head: string): PlanOp {
  const r = rng.next();
  const pad = rng.int(shape.valueBytesMax + 1);
  let share = emptyValueShare;
  if (r < share) return { type: 'put', key, value: '' };
  if (r < (share += wideValueShare)) return { type: 'put', key, value: `${head}:${wideText.repeat(1 + Math.floor(pad / 9))}` };
  if (r < (share += longValueShare)) return { type: 'put', key, value: `${head}${'.'.repeat(2048 + rng.int(2048))}` };
  if (r < share + binaryValueShare) return hexPut(key, drawBinaryValue(rng, `${head}:`, 1 + Math.floor(pad / 4)));
  return { type: 'put', key, value: head + '.'.repeat(Math.max(0, pad - head.length)) };
}

const headEncoder = new TextEncoder();

/** `head` as UTF-8, then `count` bytes, half of them {@link awkwardBytes} and half any byte. */
function drawBinaryValue(rng: Rng, head: string, count: number): Uint8Array {
  const start = headEncoder.encode(head);
  const bytes = new Uint8Array(start.length + count);
  bytes.set(start);
  for (let i = start.length; i < bytes.length; i++) bytes[i] = rng.chance(0.5) ? awkwardBytes[rng.int(awkwardBytes.length)]! : rng.int(256);
  return bytes;
}

/**
 * The sizes a boundary put can be drawn at: each limit and one byte over. (One byte short adds
 * nothing: a limit checked with `>=` for `>` refuses the limit itself, and an engine that takes
 * the limit takes less.)
 */
function boundarySizes(limits: SizeLimits): { readonly part: 'key' | 'value'; readonly bytes: number }[] {
  const sizes: { part: 'key' | 'value'; bytes: number }[] = [];
  const key = limits.keyBytes;
  if (key !== undefined && key >= 1) sizes.push({ part: 'key', bytes: key }, { part: 'key', bytes: key + 1 });
  const value = limits.valueBytes;
  if (value !== undefined && value >= 1 && value <= boundaryValueBytesMax) {
    sizes.push({ part: 'value', bytes: value }, { part: 'value', bytes: value + 1 });
  }
  return sizes;
}

/**
 * A put of exactly a declared limit's size or one byte over: a key of `bytes`
 * UTF-8 bytes (the drawn key, then `#` and `x` up to the size; a key too short to hold the drawn
 * one is `x` alone), or a value padded with `.` to `bytes` (the plan says `padTo`, not the bytes).
 */
function drawBoundaryPut(rng: Rng, limits: SizeLimits, key: string, head: string): PlanOp | undefined {
  const sizes = boundarySizes(limits);
  if (sizes.length === 0) return undefined;
  const { part, bytes } = rng.pick(sizes);
  if (part === 'value') return { type: 'put', key, value: headEncoder.encode(head).length <= bytes ? head : '', padTo: bytes };
  const stem = `${key}#`;
  const long = headEncoder.encode(stem).length <= bytes ? stem + 'x'.repeat(bytes - headEncoder.encode(stem).length) : 'x'.repeat(bytes);
  return { type: 'put', key: long, value: head };
}

/** A batch of exactly the most operations a batch may hold, or one more: short puts and deletes. */
function drawBoundaryBatch(rng: Rng, shape: WorkloadShape, batchOps: number, tag: string): PlanOp[] {
  const count = batchOps + rng.int(2);
  const batch: PlanOp[] = [];
  for (let i = 0; i < count; i++) {
    const key = drawKey(rng, shape.keys);
    batch.push(rng.chance(shape.deleteShare) ? { type: 'delete', key } : { type: 'put', key, value: `${key}@${tag}.${i}` });
  }
  return batch;
}

function drawBatch(rng: Rng, shape: WorkloadShape, tag: string): PlanOp[] {
  const limits = shape.edgeValues === true ? shape.limits : undefined;
  if (limits?.batchOps !== undefined && limits.batchOps >= 1 && limits.batchOps <= boundaryBatchOpsMax && rng.chance(boundaryBatchShare)) return drawBoundaryBatch(rng, shape, limits.batchOps, tag);
  const count = 1 + rng.int(shape.batchOpsMax);
  const batch: PlanOp[] = [];
  for (let i = 0; i < count; i++) {
    const key = shape.edgeValues === true ? drawEdgeKey(rng, shape.keys) : drawKey(rng, shape.keys);
    const boundary = limits !== undefined && rng.chance(boundaryPutShare) ? drawBoundaryPut(rng, limits, key, `${key}@${tag}.${i}`) : undefined;
    if (boundary !== undefined) batch.push(boundary);
    else if (rng.chance(shape.deleteShare)) batch.push({ type: 'delete', key });
    else if (shape.edgeValues === true) batch.push(drawEdgePut(rng, shape, key, `${key}@${tag}.${i}`));
    else {
      const head = `${key}@${tag}.${i}`;
      const pad = rng.int(shape.valueBytesMax + 1);
      batch.push({ type: 'put', key, value: head + '.'.repeat(Math.max(0, pad - head.length)) });
    }
  }
  return batch;
}

/**
 * The operations of an `overlap` step: mostly commits, with reads, syncs and checkpoints among
 * them and now and then a close; half are issued at once after the one before, the others
 * 0–2 ms of virtual time later (0: once everything in flight settled as far as it can without
 * time passing). The first is a commit most of the time, so that the others overlap it.
 */
function drawOverlap(rng: Rng, shape: WorkloadShape, s: number): OverlapOp[] {
  const count = 2 + rng.int(Math.max(1, shape.concurrentMax - 1));
  const ops: OverlapOp[] = [];
  for (let i = 0; i < count; i++) {
    const delay = i > 0 && rng.chance(0.5) ? { afterMs: rng.int(3) } : {};
    const pick = i === 0 && rng.chance(0.8) ? 0 : rng.next();
    if (pick < 0.42) ops.push({ op: 'commit', batch: drawBatch(rng, shape, `${s}/${i}`), ...delay });
    else if (pick < 0.56) ops.push({ op: 'get', key: drawKey(rng, shape.keys), ...delay });
    else if (pick < 0.78) ops.push({ op: 'sync', ...delay });
    else if (pick < 0.9) ops.push({ op: 'checkpoint', ...delay });
    else ops.push({ op: 'close', ...delay });
  }
  return ops;
}

/** Generates the steps of a workload. */
export function generateSteps(rng: Rng, shape: WorkloadShape): PlanStep[] {
  const weights = stepKinds.map((kind) => shape.weights[kind] ?? 0);
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
      case 'overlap':
        steps.push({ op: 'overlap', ops: drawOverlap(rng, shape, s) });
        break;
      default:
        steps.push({ op: kind });
    }
  }
  return steps;
}
