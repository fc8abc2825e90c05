/**
 * Moving a violation a second look found (sim/second-look.ts) onto the run's own path, for any
 * subject: the look's crash state at its crash, and, as in the look, no fault after that crash
 * but the fault of a look at rot, at the read that met it, and no looks. Shrinking
 * starts from that plan, so the shrunk plan's trace shows the recovery that failed; if it does
 * not fail, the shrinker keeps the plan with its looks.
 */
import type { RunResult } from '../sim/index.ts';
import type { BasePlan } from './subject.ts';

/** The look of the run's first violation, if a look found it. */
export function firstLook(run: Pick<RunResult, 'violations'>): NonNullable<RunResult['violations'][number]['look']> | undefined {
  return run.violations[0]?.look;
}

/** A plan without its second looks, nor which kinds it takes (the fields are optional, so it is still a `P`). */
function withoutLooks<P extends { readonly looks?: number | undefined }>(plan: P): P {
  const { looks: _looks, looksAtOtherStates: _kinds, looksAtRot: _rot, ...rest } = plan as P & { readonly looksAtOtherStates?: boolean; readonly looksAtRot?: unknown };
  return rest as unknown as P;
}

/** `plan` with `looks` second looks (none for 0), or as it is when `looks` is undefined (`--looks`). */
export function withLooks<P extends { readonly looks?: number | undefined }>(plan: P, looks: number | undefined): P {
  if (looks === undefined) return plan;
  return looks > 0 ? { ...plan, looks } : withoutLooks(plan);
}

/**
 * `plan` with a power loss scheduled right before I/O `io` (argument 0: a write there never
 * reaches the page cache): how a look at a power loss that struck inside a step (between a close
 * and its open, after a rename, at a library operation's start) is pinned on the run's path. The
 * look saw the disk before that I/O; a write that reached the page cache first could change what
 * the power loss keeps (it dirties again the pages a failed fsync forgot).
 */
export function withPowerLossAt<P extends BasePlan>(plan: P, io: number): P {
  return { ...plan, faults: { ...plan.faults, scheduled: [...(plan.faults.scheduled ?? []), { io, kind: 'power-loss', arg: 0 }] } };
}

/** `plan` with the first violation of `run` moved onto its own path; unchanged when the run found it itself. */
export function pinLook<P extends BasePlan & { readonly looks?: number | undefined }>(plan: P, run: Pick<RunResult, 'violations'>): P {
  const look = firstLook(run);
  if (look === undefined) return plan;
  const crashStates = [...(plan.crashStates ?? [])];
  while (crashStates.length <= look.crash) crashStates.push(0);
  crashStates[look.crash] = look.crashState;
  const scheduled = (plan.faults.scheduled ?? []).filter((fault) => fault.io < look.io);
  const rot = look.rot;
  if (rot?.read !== undefined && rot.arg !== undefined) scheduled.push({ io: rot.read, kind: rot.fault, arg: rot.arg });
  return { ...withoutLooks(plan), crashStates, faults: { ...plan.faults, scheduled } };
}
