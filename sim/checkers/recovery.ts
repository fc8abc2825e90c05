/**
 * Explains why a recovered state matches none of the legal prefixes.
 *
 * Verifies, once prefix-search.ts has found that no allowed prefix matches, key by key:
 * - durability: a commit that had to survive is missing on some key it wrote;
 * - no-resurrection: a key deleted by such a commit came back; a key holds a value that a
 *   durable commit overwrote, or a value of a commit an earlier recovery found absent;
 * - atomicity: a batch is present on one key and absent on another, or a key holds a value that
 *   its own batch overwrote;
 * - prefix: a hole (a commit absent while a later one is present), a key or value no commit
 *   wrote;
 * - honest-failure: a value of a commit the engine rejected as `absent`.
 * At most one violation per invariant, the earliest commit first, so a report stays short.
 *
 * Does not verify: whether the state matches (call it only when it does not), replay statistics
 * (self-consistency.ts), or anything about reads during a run (reads.ts).
 *
 * Method: for each key, the values it takes along the candidate sequence are v0 (base), v1..vL
 * (after each commit that writes it). The indices m with vm equal to the recovered value say
 * which of those commits must be present (m >= their index for every match) and which must be
 * absent (m < their index for every match). A value found at no index is traced to its origin
 * in the whole history.
 */
import type { Op } from '../../engine/types.ts';
import { commitFields, describeCommit } from './violation.ts';
import type { CommitLabel, InvariantName, ModelViolation } from './violation.ts';
import { differenceNote, finalWrites, firstDifferingKey, formatKey, formatValue, readAsText, readAsTextNote, valuesEqual } from './values.ts';
import type { KvState, Value } from './values.ts';

/** Why a commit had to survive the crash. */
export type SurvivalReason = 'acknowledged' | 'synced' | 'closed' | 'kill-9' | 'full-disk' | 'recovered';

/** A commit not yet decided by any recovery, in the order it was issued. */
export interface CandidateCommit extends CommitLabel {
  readonly ops: readonly Op[];
  /** Why it had to survive; `undefined` while it is in doubt. */
  readonly mustSurvive?: SurvivalReason | undefined;
  /** How its call ended, when known: a commit rejected in doubt is told apart in a hole's message. */
  readonly status?: 'in-flight' | 'acked' | 'rejected-absent' | 'rejected-unknown';
}

/**
 * Said of a missing commit the engine rejected with an error that leaves it in doubt: an engine
 * that rejects a commit before applying any of it says so (a new user's commit failed on a read
 * error before writing, and the hole it left read as a lost commit).
 */
const rejectedInDoubt = { said: ', rejected with an error that leaves it in doubt,', advice: `; an engine that knows it applied none of a commit it rejects says so (commitOutcome 'absent'), and then it is no hole` };

/** Any commit ever issued, with what is known of it. */
export interface PastCommit extends CommitLabel {
  readonly ops: readonly Op[];
  /**
   * `present`/`absent`: decided by recovery number `decidedBy`; `rejected-absent`: the engine
   * said it never will appear; `pending`: still a candidate.
   */
  readonly fate: 'present' | 'absent' | 'rejected-absent' | 'pending';
  readonly decidedBy?: number | undefined;
}

/** What {@link diagnoseRecovery} needs. */
export interface RecoveryDiagnosisInput {
  /** The state every recovery must start from (after the commits already decided present). */
  readonly base: KvState;
  /** The undecided commits, in order. */
  readonly candidates: readonly CandidateCommit[];
  /** How many leading candidates had to be present (one past the last that had to survive). */
  readonly mustInclude: number;
  /** The state the engine recovered. */
  readonly recovered: KvState;
  /** The state after the closest allowed prefix, used for "expected" in messages. */
  readonly expected: KvState;
  /** Every commit ever issued, ordered by id (for tracing a value to its origin). */
  readonly history: readonly PastCommit[];
}

const reasonText: Record<SurvivalReason, string> = {
  acknowledged: 'acknowledged',
  synced: 'acknowledged and synced',
  closed: 'acknowledged before a clean close',
  'kill-9': 'acknowledged (written) before a kill -9',
  'full-disk': 'acknowledged (written) before a write met a full disk and failed the store (ENOSPC from a write takes nothing from the page cache) and it was reopened',
  recovered: 'found by an earlier recovery',
};

/**
 * Names the invariants a recovered state breaks. Call only for a state that matches no allowed
 * prefix; it always returns at least one violation (a generic `prefix` one when no key-level
 * cause is found, e.g. a key whose values repeat along the sequence).
 */
export function diagnoseRecovery(input: RecoveryDiagnosisInput): ModelViolation[] {
  const { base, candidates, recovered } = input;
  const timelines = new Map<string, { index: number; value: Value }[]>();
  candidates.forEach((commit, index) => {
    for (const [key, value] of finalWrites(commit.ops)) {
      const timeline = timelines.get(key) ?? [];
      timeline.push({ index, value });
      timelines.set(key, timeline);
    }
  });
  const keys = [...new Set([...base.keys(), ...recovered.keys(), ...timelines.keys()])].sort();
  // Present: a key shows the commit applied (it holds this commit's value or a later one's);
  // holds: a key holds the very value this commit wrote; absent: a key shows it not applied.
  const present = new Map<number, string>();
  const holds = new Map<number, string>();
  const absent = new Map<number, { key: string; wrote: Value }>();
  const traced: ModelViolation[] = [];
  for (const key of keys) {
    const seen = recovered.get(key);
    const writes = timelines.get(key) ?? [];
    const values = [base.get(key), ...writes.map((w) => w.value)];
    const matches = values.flatMap((value, m) => (valuesEqual(value, seen) ? [m] : []));
    const minMatch = matches[0];
    const maxMatch = matches[matches.length - 1];
    if (minMatch === undefined || maxMatch === undefined) {
      traced.push(traceOrigin(input, key, seen));
      continue;
    }
    writes.forEach((write, i) => {
      const m = i + 1;
      if (m <= minMatch && !present.has(write.index)) present.set(write.index, key);
      if (m <= minMatch && matches.includes(m) && !holds.has(write.index)) holds.set(write.index, key);
      if (m > maxMatch && !absent.has(write.index)) absent.set(write.index, { key, wrote: write.value });
    });
  }

  const found: ModelViolation[] = [];
  candidates.forEach((commit, index) => {
    const missing = absent.get(index);
    if (commit.mustSurvive === undefined || missing === undefined) return;
    const seen = recovered.get(missing.key);
    const what = `${describeCommit(commit)}, ${reasonText[commit.mustSurvive]}`;
    found.push(missing.wrote === undefined
      ? violation('no-resurrection', `key ${formatKey(missing.key)} was deleted by ${what}, but came back as ${formatValue(seen)}`, commit, missing.key, missing.wrote, seen)
      : violation('durability', `${what}, is missing: key ${formatKey(missing.key)} should be ${formatValue(missing.wrote)} but is ${formatValue(seen)}`, commit, missing.key, missing.wrote, seen));
  });
  // Torn only when a key holds the commit's own value: a key that holds a later commit's value
  // says nothing of this one if the commit was lost whole (that is a hole, below), and a new
  // user's LSM engine, which skipped a whole batch in replay, was told the batch was torn.
  candidates.forEach((commit, index) => {
    const presentKey = holds.get(index);
    const missing = absent.get(index);
    if (presentKey === undefined || missing === undefined) return;
    const seen = recovered.get(missing.key);
    found.push(violation('atomicity', `${describeCommit(commit)} is torn: key ${formatKey(presentKey)} has its value, key ${formatKey(missing.key)} should be ${formatValue(missing.wrote)} but is ${formatValue(seen)}`, commit, missing.key, missing.wrote, seen));
  });
  const firstAbsent = Math.min(...absent.keys());
  const laterPresent = [...present.keys()].filter((i) => i > firstAbsent).sort((a, b) => a - b)[0];
  const hole = candidates[firstAbsent];
  const later = laterPresent === undefined ? undefined : candidates[laterPresent];
  const holeWrite = absent.get(firstAbsent);
  if (hole !== undefined && later !== undefined && holeWrite !== undefined && laterPresent !== undefined) {
    const seen = recovered.get(holeWrite.key);
    const ended = hole.status === 'rejected-unknown' ? rejectedInDoubt : { said: '', advice: '' };
    found.push(violation('prefix', `hole: ${describeCommit(hole)}${ended.said} is missing (key ${formatKey(holeWrite.key)} should be ${formatValue(holeWrite.wrote)} but is ${formatValue(seen)}) while the later ${describeCommit(later)} is present (key ${formatKey(present.get(laterPresent)!)})${ended.advice}`, hole, holeWrite.key, holeWrite.wrote, seen));
  }
  found.push(...traced);
  if (found.length === 0) {
    const key = firstDifferingKey(input.expected, recovered);
    const expected = key === undefined ? undefined : input.expected.get(key);
    const seen = key === undefined ? undefined : recovered.get(key);
    const where = key === undefined ? '' : `: key ${formatKey(key)} should be ${formatValue(expected)} but is ${formatValue(seen)}`;
    found.push({
      invariant: 'prefix',
      message: `the recovered state is not the state after any allowed prefix of the commits; closest differs${where}`,
      ...(key === undefined ? {} : { key, expected: formatValue(expected), seen: formatValue(seen) }),
    });
  }
  return firstPerInvariant(found);
}

/** Explains a key whose recovered value the candidate sequence never gives it. */
function traceOrigin(input: RecoveryDiagnosisInput, key: string, seen: Value): ModelViolation {
  const expected = input.expected.get(key);
  if (seen === undefined) {
    const writer = [...input.history].reverse().find((c) => c.fate === 'present' && finalWrites(c.ops).has(key));
    const by = writer === undefined ? 'the last recovery' : `${describeCommit(writer)}, ${reasonText.recovered}`;
    return violation('durability', `key ${formatKey(key)}, present after ${by}, is missing: it should be ${formatValue(input.base.get(key))}`, writer, key, input.base.get(key), seen);
  }
  const writers = input.history.filter((c) => c.ops.some((op) => op.key === key));
  const wrote = (c: PastCommit, final: boolean): boolean => c.ops.some((op, i) =>
    op.key === key && op.type === 'put' && valuesEqual(op.value, seen)
    && final === !c.ops.slice(i + 1).some((later) => later.key === key));
  const torn = writers.find((c) => c.fate === 'pending' && wrote(c, false));
  if (torn !== undefined) {
    return violation('atomicity', `key ${formatKey(key)} holds ${formatValue(seen)}, a value ${describeCommit(torn)} overwrote within the same batch`, torn, key, expected, seen);
  }
  const older = writers.find((c) => c.fate === 'present' && (wrote(c, true) || wrote(c, false)));
  if (older !== undefined) {
    return violation('no-resurrection', `key ${formatKey(key)} holds ${formatValue(seen)}, written by ${describeCommit(older)} and since overwritten or deleted by a durable commit; it should be ${formatValue(expected)}`, older, key, expected, seen);
  }
  const lost = writers.find((c) => c.fate === 'absent' && (wrote(c, true) || wrote(c, false)));
  if (lost !== undefined) {
    return violation('no-resurrection', `${describeCommit(lost)}, found absent by recovery ${lost.decidedBy ?? '?'}, reappeared: key ${formatKey(key)} holds its value ${formatValue(seen)}; it should be ${formatValue(expected)}`, lost, key, expected, seen);
  }
  const refused = writers.find((c) => c.fate === 'rejected-absent' && (wrote(c, true) || wrote(c, false)));
  if (refused !== undefined) {
    return violation('honest-failure', `${describeCommit(refused)} was rejected as absent, yet key ${formatKey(key)} holds its value ${formatValue(seen)}; it should be ${formatValue(expected)}`, refused, key, expected, seen);
  }
  const what = writers.length === 0 ? 'a key no commit ever wrote' : 'a value no commit wrote to it';
  return violation('prefix', `invented data: key ${formatKey(key)} holds ${formatValue(seen)}, ${what}; it should be ${formatValue(expected)}`, undefined, key, expected, seen);
}

function violation(
  invariant: InvariantName,
  message: string,
  commit: CommitLabel | undefined,
  key: string,
  expected: Value,
  seen: Value,
): ModelViolation {
  return {
    invariant,
    message: `${message}${differenceNote(expected, seen)}${readAsText(expected, seen) ? readAsTextNote : ''}`,
    ...(commit === undefined ? {} : commitFields(commit)),
    key,
    expected: formatValue(expected),
    seen: formatValue(seen),
  };
}

/** Keeps the first violation of each invariant, in the order found. */
function firstPerInvariant(violations: readonly ModelViolation[]): ModelViolation[] {
  const seen = new Set<InvariantName>();
  return violations.filter((v) => {
    if (seen.has(v.invariant)) return false;
    seen.add(v.invariant);
    return true;
  });
}
