/**
 * The oracle's verdicts: which invariant failed, what was expected and what was seen. The
 * campaign turns a run's violation into a `Violation` (sim/types.ts) by adding the scenario,
 * the seed, the reproduction command and the trace (harness/violations.ts).
 */
import type { TraceEvent, Violation } from '../types.ts';

/**
 * The invariants the oracle checks:
 * - `durability`: every commit that had to survive (acknowledged in `strict`/`group`, synced or
 *   closed in `none`, or already found by an earlier recovery) is present after recovery;
 * - `prefix`: the recovered state is the state after some in-order prefix of the issued
 *   commits: no hole, no reordering, no invented key or value;
 * - `atomicity`: every batch is recovered whole or not at all;
 * - `no-resurrection`: deleted keys, overwritten values and commits found absent by an earlier
 *   recovery never come back;
 * - `idempotence`: recovering again, with no commit in between, gives the same state;
 * - `reads`: `get` during a run returns the model's value;
 * - `honest-failure`: after a failed fsync nothing is acknowledged until the store is reopened,
 *   a commit rejected as `absent` never appears, and a refusal names the damage;
 * - `false-corruption`: the store refused to open with a `CorruptionError` although no fault
 *   damaged durable data;
 * - `liveness`: once faults stop, the store reopens and commits within a bounded number of steps;
 * - `self-consistency`: what the engine reports (replay statistics, LSNs) agrees with the
 *   recovered state;
 * - `engine-error`: the engine threw a programming error (an assertion, a TypeError, ...) or an
 *   error the contract does not name where one was needed (opening, reading its state);
 * - `harness`: the run itself went wrong (an unexpected exception in powercut); the runner
 *   reports it, no checker here does.
 */
export type InvariantName =
  | 'durability'
  | 'prefix'
  | 'atomicity'
  | 'no-resurrection'
  | 'idempotence'
  | 'reads'
  | 'honest-failure'
  | 'false-corruption'
  | 'liveness'
  | 'self-consistency'
  /** A batch at the engine's declared size limits was refused within them, or acknowledged beyond them. */
  | 'limits'
  /** The engine threw a programming error: a bug in the engine. */
  | 'engine-error'
  /** The run itself went wrong (an unexpected exception): a bug in the engine or in powercut. */
  | 'harness';

/** Every {@link InvariantName}, in a stable order (report columns may follow it). */
export const invariantNames: readonly InvariantName[] = [
  'durability', 'prefix', 'atomicity', 'no-resurrection', 'idempotence',
  'reads', 'honest-failure', 'false-corruption', 'liveness', 'self-consistency', 'limits', 'engine-error', 'harness',
];

/** One failed invariant, before the runner adds where it happened. Plain data (JSON). */
export interface ModelViolation {
  readonly invariant: InvariantName;
  /** One line: what was expected and what was seen. */
  readonly message: string;
  /** The LSN concerned, when known. */
  readonly lsn?: number;
  /** The model's index of the commit concerned (the order of `issue()`, from 0). */
  readonly commit?: number;
  /** The key concerned. */
  readonly key?: string;
  /** What the key (or figure) should have been, in printable form. */
  readonly expected?: string;
  /** What was seen instead, in printable form. */
  readonly seen?: string;
}

/** What messages need to know about a commit. */
export interface CommitLabel {
  /** The model's index (order of `issue()`, from 0). */
  readonly id: number;
  /** The LSN the engine acknowledged it with, if it did. */
  readonly lsn?: number | undefined;
}

/** `commit #3 (lsn 17)`, or `commit #3` when the LSN is not known. */
export function describeCommit(commit: CommitLabel): string {
  return commit.lsn === undefined ? `commit #${commit.id}` : `commit #${commit.id} (lsn ${commit.lsn})`;
}

/** The LSN and commit fields of a violation about `commit`. */
export function commitFields(commit: CommitLabel): { commit: number; lsn?: number } {
  return commit.lsn === undefined ? { commit: commit.id } : { commit: commit.id, lsn: commit.lsn };
}
