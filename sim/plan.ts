/**
 * Plans: everything a run does, as plain JSON. A run is (scenario, seed) → plan → result, and
 * running a plan is deterministic, so a plan file reproduces a run anywhere; shrinking edits
 * plans; the regression corpus is a folder of plans.
 */
import type { Op } from '../engine/types.ts';
import type { EngineConfig } from './engine-contract.ts';
import type { FaultProfile } from './disk/faults.ts';
import type { FaultKind } from './types.ts';
import { hexOf } from './hex.ts';

/**
 * One operation of a batch. A value is UTF-8 text, so that plans stay readable, unless its
 * `encoding` is `hex`: then `value` spells its bytes, two hex digits each, for values that are not
 * text (a newline, a zero byte, bytes that are not UTF-8).
 */
export type PlanOp =
  | {
    readonly type: 'put';
    readonly key: string;
    readonly value: string;
    readonly encoding?: 'hex';
    /**
     * The value's size in bytes: `value`'s bytes, then `.` (0x2e) up to it, so that a plan
     * file holds a value of a megabyte as a line. Absent: `value` alone.
     */
    readonly padTo?: number;
  }
  | { readonly type: 'delete'; readonly key: string };

/** A put of a plan. */
export type PlanPut = Extract<PlanOp, { type: 'put' }>;

const textEncoder = new TextEncoder();

/** The bytes a put writes: its text as UTF-8, or the bytes its hex spells. */
export function putBytes(op: PlanPut): Uint8Array {
  const bytes = op.encoding === 'hex' ? hexBytes(op.value) : textEncoder.encode(op.value);
  if (op.padTo === undefined || op.padTo <= bytes.length) return bytes;
  const padded = new Uint8Array(op.padTo).fill(0x2e);
  padded.set(bytes);
  return padded;
}

/** The bytes hex digits spell, two a byte. */
function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** A batch of a plan as the engine takes it. */
export function batchOps(batch: readonly PlanOp[]): Op[] {
  return batch.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: putBytes(op) } : { type: 'delete', key: op.key }));
}

/** A put of `bytes` as a plan spells it: hex digits, two a byte. */
export function hexPut(key: string, bytes: Uint8Array): PlanPut {
  return { type: 'put', key, value: hexOf(bytes), encoding: 'hex' };
}

/**
 * One operation of an `overlap` step. Each is issued `afterMs` of virtual time after the one
 * before it was issued (absent: at once, in the same turn), without waiting for any earlier one
 * to resolve.
 */
export type OverlapOp =
  | { readonly op: 'commit'; readonly batch: readonly PlanOp[]; readonly afterMs?: number }
  | { readonly op: 'get'; readonly key: string; readonly afterMs?: number }
  | { readonly op: 'sync'; readonly afterMs?: number }
  | { readonly op: 'checkpoint'; readonly afterMs?: number }
  | { readonly op: 'close'; readonly afterMs?: number };

/** The operations an `overlap` step can issue. */
export const overlapOps: readonly OverlapOp['op'][] = ['commit', 'get', 'sync', 'checkpoint', 'close'];

/** One step of a workload. */
export type PlanStep =
  /** Commit one batch and wait for it. */
  | { readonly op: 'commit'; readonly batch: readonly PlanOp[] }
  /** Issue several commits at once (group commit) and wait for all of them. */
  | { readonly op: 'concurrent'; readonly batches: readonly (readonly PlanOp[])[] }
  /** Read one key and check it against the model. */
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'checkpoint' }
  | { readonly op: 'sync' }
  /** Clean close, then open again. */
  | { readonly op: 'reopen' }
  /** Crash between operations. */
  | { readonly op: 'crash'; readonly kind: 'kill-9' | 'power-loss' }
  /**
   * Issue several operations (commits, reads, syncs, checkpoints, a close) while the earlier
   * ones are still in flight, and wait for all of them; after a `close` the store is opened
   * again, as after `reopen`. What each may observe and acknowledge: sim/model.ts.
   */
  | { readonly op: 'overlap'; readonly ops: readonly OverlapOp[] };

/** A complete, replayable description of a run. */
/**
 * What a plan was saved for: the violation of the run it was shrunk or kept from. A replay that
 * passes says so (fixed, or the run leaned on something the plan does not record).
 */
export interface PlanFinding {
  readonly invariant: string;
  readonly message: string;
  /**
   * The search that found it: `explore` for an exploration (`powercut explore --out`,
   * `assertExploresClean`), absent for a campaign or a shrink of one. An assertion replays a plan
   * that `POWERCUT_PLAN` names only when its own search found it (api/failure-report.ts).
   */
  readonly by?: 'explore';
  /**
   * The environment variables the code under test had read that were set when it was found, with
   * their values (a planted bug's switch, `LSM_BUG`): a replay that passes without them says so,
   * rather than leaving a teammate to guess which variable the failure needed.
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The test whose assertion found it, by the full name its test runner gives it (Jest's and
   * Vitest's `suite > test`), when the runner says: `POWERCUT_PLAN` replays the plan in that test
   * only, and the file's other assertions run as they would without it (a new user's whole test
   * file replayed one test's plan in every assertion on the same engine).
   */
  readonly test?: string;
}

export interface Plan {
  readonly format: 'powercut-plan';
  readonly version: 1;
  readonly scenario: string;
  readonly seed: number;
  /** The violation this plan was saved for (shrink, explore, assertCrashSafe), if any. */
  readonly found?: PlanFinding;
  /**
   * The module whose default export is the engine under test, as the user named it (resolved
   * against the working directory); absent: powercut's reference engine.
   */
  readonly engineModule?: string;
  readonly engine: EngineConfig;
  readonly faults: FaultProfile;
  /** Simulated I/O latency (interleaves concurrent commits); absent: none. */
  readonly latency?: { readonly ioMsMax: number };
  /**
   * Writes that take effect late, after I/O issued after them (an fsync included), as in a
   * thread pool: each write with probability `lateWriteProbability`, and those at the global
   * I/O indexes `lateWrites` (what a run recorded as `lateWrites`, made explicit). Absent: every
   * I/O takes effect when it is issued.
   */
  readonly reorder?: { readonly lateWriteProbability: number; readonly lateWrites?: readonly number[] };
  /** The workload, run with faults on. */
  readonly steps: readonly PlanStep[];
  /** Which post-power-loss state each crash settles on, by crash index (default 0). */
  readonly crashStates?: readonly number[];
  /**
   * Second looks (sim/second-look.ts): at each power loss that left something unsynced, how many
   * other disks it could have left to recover and check as well, each in a world of its own; in
   * a plan that injects bit flips, also up to two disks a crash left with a bit of the newest
   * durable data rotted; after an fsync that failed ext4's way, a power loss at the next two
   * moments between steps; one right after an open that left writes unsynced, settled on crash
   * state 0 and up to `looks` other states; one right after a step or a clean close that promised
   * durability and left more than new names unsynced; one right after a rename of a file whose
   * data was not synced (sim/second-look.ts, PowerLossWatch). Absent or 0: none. A
   * run whose looks find nothing is the run without them, digest included.
   */
  readonly looks?: number;
  /**
   * `false`: of the second looks, only those at rot (bit flips, sector damage) and after failed
   * fsyncs, none at other crash states of a power loss: for a plan about damage or fsync
   * failures, where those cost more than they find (`sector-damage`, `fsync-failure`). Absent:
   * every kind.
   */
  readonly looksAtOtherStates?: boolean;
  /**
   * Media faults the looks at rot try although the plan injects none (its rates say nothing of
   * them): `explore` runs fault-free plans and still looks, at each crash point's kill -9, at one
   * rotted bit in the newest durable data (a checksum never checked shows there). Absent: only the
   * media faults the plan's rates inject get looks at rot.
   */
  readonly looksAtRot?: readonly ('bit-flip' | 'sector-damage')[];
  /** Commits the liveness phase must make durable once faults stop. */
  readonly livenessCommits: number;
  /** Step budget of each simulated run section (a liveness bound, never a hang). */
  readonly stepsMax: number;
}

/**
 * The number of operations and faults in a plan, as shrinking reports it. Faults drawn at rates
 * count as one (`rates` says whether there are any); see {@link faultsSize}.
 */
export function planSize(plan: Plan): { steps: number; ops: number; faults: number; rates: boolean; crashSteps: number } {
  let ops = 0;
  for (const step of plan.steps) {
    if (step.op === 'commit') ops += step.batch.length;
    else if (step.op === 'concurrent') for (const batch of step.batches) ops += batch.length;
    else if (step.op === 'overlap') for (const op of step.ops) ops += op.op === 'commit' ? op.batch.length : 1;
    else ops += 1;
  }
  const rateFaults = Object.values(plan.faults.rates).some((rate) => (rate ?? 0) > 0) ? 1 : 0;
  const crashSteps = plan.steps.filter((step) => step.op === 'crash').length;
  // Late writes are no fault (a thread pool may complete I/O in any order), but each is one
  // more condition a failure may need, which shrinking tries to remove.
  const late = (plan.reorder?.lateWrites?.length ?? 0) + ((plan.reorder?.lateWriteProbability ?? 0) > 0 ? 1 : 0);
  return { steps: plan.steps.length, ops, faults: (plan.faults.scheduled?.length ?? 0) + crashSteps + rateFaults + late, rates: rateFaults > 0, crashSteps };
}

/** Fault kinds a plan can inject (rates or scheduled). */
export function planFaultKinds(plan: Plan): FaultKind[] {
  const kinds = new Set<FaultKind>();
  for (const [kind, rate] of Object.entries(plan.faults.rates)) if ((rate ?? 0) > 0) kinds.add(kind as FaultKind);
  for (const fault of plan.faults.scheduled ?? []) kinds.add(fault.kind);
  for (const step of plan.steps) if (step.op === 'crash') kinds.add(step.kind);
  return [...kinds];
}

/**
 * A size's faults in words: `faults 2`, `faults drawn at rates`, `faults 2 + drawn at rates`,
 * and how many are crash steps, which a plan's list of scheduled faults does not show:
 * `faults 3 (crash steps 1)`.
 */
export function faultsSize(size: { readonly faults: number; readonly rates: boolean; readonly crashSteps?: number }): string {
  const crashSteps = (size.crashSteps ?? 0) > 0 ? ` (crash steps ${size.crashSteps})` : '';
  if (!size.rates) return `faults ${size.faults}${crashSteps}`;
  return size.faults > 1 ? `faults ${size.faults - 1} + drawn at rates${crashSteps}` : 'faults drawn at rates';
}
