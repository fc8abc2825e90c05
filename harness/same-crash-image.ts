/**
 * Exploration's shortcut: crash states that leave the same disk are run once.
 *
 * The candidates of one exploration crash the same fault-free base at the same I/O operation in
 * up to five power-loss crash states. Up to that power loss their runs are the same operation
 * for operation; the crash state only decides which unsynced writes and directory entries
 * survive. Where two states leave the same world (the same disk image, the same garbage, see
 * `SimWorld.stateAfterCrashKey`), everything after the crash is the same too (the model, the
 * clock and the random streams do not depend on the crash state), and so are the violations and
 * findings. Most crash points have little or nothing unsynced, so most of their states coincide.
 *
 * So the first candidate with a given state runs whole and its outcome is kept; a later one that
 * reaches an equal state stops right after its power loss and reuses that outcome. A state is
 * kept as the SHA-256 of its key (an image is kilobytes; a table holds hundreds). A candidate
 * that takes second looks (exploration's state 0) is kept twice: whole, for candidates with the
 * same looks, and without what its looks found, for candidates without (looks never change the
 * run's own path, sim/second-look.ts).
 *
 * The table lives in the thread that runs the candidates, one per base, dropped with it. Each
 * thread skips only what it ran itself, so how the candidates are spread over threads changes
 * what is skipped, never the outcome. What an exploration reports (how many states were the
 * same as an earlier one) is counted from each run's state digest in candidate order, so it does
 * not depend on the threads either.
 *
 * Only the engine runner stops at the gate. A library workload's checks are told the crash state
 * (`ctx.crash.crashState`, targets/workload.ts) and may depend on it, so its runner ignores the
 * gate and runs every state whole.
 */
import { createHash } from 'node:crypto';
import type { CandidateCrash, BasePlan } from './subject.ts';

/** Outcomes (a seed's compact result, harness/seed-run.ts) by crash point and state after the crash, for one base. */
type Table = Map<string, unknown>;

const tables = new WeakMap<BasePlan, Table>();

/** How one candidate run consults and fills the table of its base. */
export interface SameCrashImage<R> {
  /** The gate the run asks after its first power loss (`RunPlanOptions.afterFirstPowerLoss`). */
  readonly gate: (stateKey: string) => 'go-on' | 'stop';
  /** The outcome the stopped run reuses. @throws Error when the run was not stopped by the gate */
  reused(): R;
  /** Keeps the outcome of a run that went on, for the candidates after it. */
  keep(run: R): void;
  /**
   * A digest of the crash point and the state the power loss left (after the run asked the
   * gate): what lets exploration count, whatever the threads skipped, how many candidates left
   * the same state as an earlier one.
   */
  stateDigest(): string | undefined;
}

/**
 * The shortcut for one candidate, or `undefined` where it does not apply: a kill -9 (the model
 * holds the engine to more after a kill -9 than after a power loss, so equal disks do not make
 * equal outcomes across kinds).
 */
export function sameCrashImage<R>(base: BasePlan, crash: CandidateCrash, withoutLooks: (run: R) => R): SameCrashImage<R> | undefined {
  if (crash.kind !== 'power-loss') return undefined;
  let table = tables.get(base);
  if (table === undefined) {
    table = new Map();
    tables.set(base, table);
  }
  const known = table;
  const looks = crash.looks ?? 0;
  let plain: string | undefined;
  let key: string | undefined;
  return {
    gate: (stateKey) => {
      plain = createHash('sha256').update(`${crash.io ?? 'end'}\u0000${stateKey}`).digest('base64');
      key = looks > 0 ? `${plain} looks ${looks}` : plain;
      return known.has(key) ? 'stop' : 'go-on';
    },
    reused: () => {
      const run = key === undefined ? undefined : (known.get(key) as R | undefined);
      if (run === undefined) throw new Error('a candidate stopped after its power loss without an earlier run of the same state');
      return run;
    },
    keep: (run) => {
      // A worker runs several candidates at once: two with the same state may both have gone on
      // (neither was kept yet when each asked). Their outcomes are equal; the first kept stays.
      if (key !== undefined && !known.has(key)) known.set(key, run);
      // Looks leave the run's own path as it is: without what they found, it is the outcome of
      // the same state without looks.
      if (plain !== undefined && plain !== key && !known.has(plain)) known.set(plain, withoutLooks(run));
    },
    stateDigest: () => plain,
  };
}
