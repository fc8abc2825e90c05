/**
 * The checker of the `real` campaign: compares the state a restarted store recovered with what
 * the parent sent and what the child acknowledged since the last verified state.
 *
 * Verifies:
 * - durability: every operation of every acknowledged batch is reflected (the key holds that
 *   batch's value or a later batch's, or is absent because of a later delete);
 * - no resurrection: a key deleted by an acknowledged batch does not hold an older value;
 * - prefix: the state equals the effect of the first k batches sent, for some k that covers every
 *   acknowledged batch (batches are atomic and applied in order, nothing invented).
 *
 * Does not verify: durability of batches never acknowledged (they may or may not survive), nor
 * anything a kill -9 cannot show: the OS keeps the page cache, so a missing fsync goes unseen
 * here (that is the simulator's job).
 */
import { writerSeq } from './workload.ts';
import type { WireOp } from './protocol.ts';

/** A batch the parent sent. */
export interface SentBatch {
  readonly seq: number;
  readonly ops: readonly WireOp[];
}

/** What the parent knows about one cycle, for checking the state recovered after it. */
export interface CycleModel {
  /** The state verified at the start of the cycle. */
  readonly before: ReadonlyMap<string, string>;
  /** The batches sent in the cycle, in send (and so commit-call) order. */
  readonly sent: readonly SentBatch[];
  /** The sequence numbers the child acknowledged. */
  readonly acked: ReadonlySet<number>;
}

/** The invariants the checker verifies. */
export type RealInvariant = 'durability' | 'resurrection' | 'prefix';

/** One broken invariant. */
export interface RealViolation {
  readonly invariant: RealInvariant;
  readonly detail: string;
}

/** The checker's answer for one recovered state. */
export interface RecoveryVerdict {
  /** How many of the sent batches the state reflects; undefined if it matches no prefix. */
  readonly prefixLength: number | undefined;
  /** Acknowledged batches not (fully) reflected in the state, in seq order. */
  readonly lostSeqs: readonly number[];
  readonly violations: readonly RealViolation[];
}

/** Applies one batch to `state` in place. */
export function applyBatch(state: Map<string, string>, ops: readonly WireOp[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

/** Checks `recovered` against `model`; see the module comment for what that means. */
export function checkRecovered(model: CycleModel, recovered: ReadonlyMap<string, string>): RecoveryVerdict {
  const violations: RealViolation[] = [];
  const lost = new Set<number>();

  model.sent.forEach((batch, index) => {
    if (!model.acked.has(batch.seq)) return;
    for (const [key, op] of lastOpPerKey(batch.ops)) {
      const value = recovered.get(key);
      const writer = value === undefined ? undefined : writerSeq(value);
      const deletedLater = model.sent.slice(index + 1).some((b) => b.ops.some((o) => o.key === key && o.type === 'delete'));
      if (op.type === 'put') {
        if (writer !== undefined && writer >= batch.seq) continue;
        if (writer === undefined && deletedLater) continue;
        lost.add(batch.seq);
        violations.push({
          invariant: 'durability',
          detail: `acknowledged batch ${batch.seq} put '${key}', but it ${writer === undefined ? 'is absent' : `holds the value of batch ${writer}`}`,
        });
      } else {
        if (writer === undefined || writer > batch.seq) continue;
        lost.add(batch.seq);
        violations.push({
          invariant: 'resurrection',
          detail: `acknowledged batch ${batch.seq} deleted '${key}', but it came back with the value of batch ${writer}`,
        });
      }
    }
  });

  const { prefixLength, nearest } = matchPrefix(model, recovered);
  const lastAckedIndex = model.sent.findLastIndex((b) => model.acked.has(b.seq));
  if (prefixLength === undefined) {
    violations.push({
      invariant: 'prefix',
      detail: `the state matches no prefix of the ${model.sent.length} batches sent; nearest is the first ${nearest.length} (differs at ${nearest.differingKeys.slice(0, 5).map((k) => `'${k}'`).join(', ')})`,
    });
  } else if (prefixLength <= lastAckedIndex && lost.size === 0) {
    // Unreachable when durability holds op by op, but say so rather than pass silently.
    violations.push({
      invariant: 'prefix',
      detail: `the state is the first ${prefixLength} batches, short of acknowledged batch ${model.sent[lastAckedIndex]!.seq}`,
    });
  }
  return { prefixLength, lostSeqs: [...lost].sort((a, b) => a - b), violations };
}

/** The last operation on each key of a batch: what the batch leaves behind. */
function lastOpPerKey(ops: readonly WireOp[]): Map<string, WireOp> {
  const last = new Map<string, WireOp>();
  for (const op of ops) last.set(op.key, op);
  return last;
}

/**
 * The longest prefix of the sent batches whose effect equals `recovered`, and otherwise the
 * prefix with the fewest differing keys (for the report).
 */
function matchPrefix(
  model: CycleModel,
  recovered: ReadonlyMap<string, string>,
): { prefixLength: number | undefined; nearest: { length: number; differingKeys: string[] } } {
  const state = new Map(model.before);
  let prefixLength: number | undefined;
  let nearest = { length: 0, differingKeys: differingKeys(state, recovered) };
  for (let length = 0; length <= model.sent.length; length++) {
    if (length > 0) applyBatch(state, model.sent[length - 1]!.ops);
    const differing = differingKeys(state, recovered);
    if (differing.length === 0) prefixLength = length;
    if (differing.length <= nearest.differingKeys.length) nearest = { length, differingKeys: differing };
  }
  return { prefixLength, nearest };
}

/** Keys whose values differ between two states, sorted. */
function differingKeys(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((key) => a.get(key) !== b.get(key)).sort();
}
