/**
 * The search steps shrinking is made of (harness/shrink.ts): ddmin over a list of items, and
 * re-anchoring of scheduled faults and crash states when steps or faults are removed.
 */
import type { ScheduledFault } from '../sim/index.ts';

/** The global I/O index at which each step began (`-1` for steps that never ran). */
export interface Anchors {
  readonly stepStartIo: readonly number[];
  readonly ioCount: number;
}

/**
 * Step start indexes from a full trace, in which the n-th `io` event is I/O operation n.
 * @param steps - how many steps the plan has
 * @param isStepStart - whether an event marks the start of the next step
 */
export function anchorsOf<E extends { readonly type: string; readonly name: string }>(steps: number, trace: readonly E[], isStepStart: (event: E) => boolean): Anchors {
  const stepStartIo: number[] = [];
  let io = 0;
  for (const event of trace) {
    if (event.type === 'io') io++;
    else if (isStepStart(event) && stepStartIo.length < steps) stepStartIo.push(io);
  }
  while (stepStartIo.length < steps) stepStartIo.push(-1);
  return { stepStartIo, ioCount: io };
}

/** Each I/O operation of a trace as it names it (`rename /db/a -> /db/b`), by global index: what a fault aimed at an operation names (ScheduledFault.at). */
export function ioLabelsOf<E extends { readonly type: string; readonly name: string; readonly path?: string | undefined }>(trace: readonly E[]): string[] {
  const labels: string[] = [];
  for (const event of trace) if (event.type === 'io') labels.push(`${event.name} ${event.path ?? ''}`);
  return labels;
}

/** Where a crash of a run struck. */
export interface CrashSite {
  /**
   * The global index of the I/O operation whose fault caused the crash: a crash fault
   * (`kill-9`, `power-loss`), or one whose failure made the harness crash the process (a power
   * loss before a retry after an fsync failed ext4's way); `-1` when no fault did.
   */
  readonly io: number;
  /** The step it struck in (`-1`: before the first). */
  readonly step: number;
  /** Whether the step was a crash step of the plan (no fault, the step itself). */
  readonly byStep: boolean;
}

/**
 * Each crash of a run, in order, from a full trace: a crash a fault caused comes right after
 * the `io` event of the operation the fault struck; a crash step's crash right after the step's
 * own start. The run's final power loss, and any other crash, has neither.
 * @param isStepStart - whether an event marks the start of the next step
 */
export function crashSitesOf<E extends { readonly type: string; readonly name: string }>(trace: readonly E[], isStepStart: (event: E) => boolean): CrashSite[] {
  const crashes: CrashSite[] = [];
  let io = 0;
  let step = -1;
  let faultIo = -1;
  // The last I/O, step start or crash seen: what a crash follows.
  let last: 'io' | 'step' | 'crash' = 'crash';
  for (const event of trace) {
    if (event.type === 'crash') {
      crashes.push({ io: last === 'io' && faultIo === io - 1 ? faultIo : -1, step, byStep: last === 'step' });
      last = 'crash';
    } else if (event.type === 'fault') faultIo = io;
    else if (event.type === 'io') {
      io++;
      last = 'io';
    } else if (isStepStart(event)) {
      step++;
      last = 'step';
    }
  }
  return crashes;
}

/**
 * The crash states left when some crashes no longer happen: each takes its state with it, so
 * every later crash keeps its own. `undefined` when no crash is gone.
 * @param gone - whether a crash of the run (by its site) is gone from the candidate
 */
export function crashStatesWithout(states: readonly number[] | undefined, crashes: readonly CrashSite[], gone: (crash: CrashSite) => boolean): number[] | undefined {
  if (states === undefined) return undefined;
  const kept = states.filter((_, index) => crashes[index] === undefined || !gone(crashes[index]!));
  return kept.length === states.length ? undefined : kept;
}

/**
 * Faults aimed by step (ScheduledFault.step, as anchorToSteps leaves them) with steps `keep`
 * of the plan left: each fault in a kept step is renumbered with it, faults in removed steps
 * go. Faults before the first step stay.
 */
export function keepAimedSteps(aimed: readonly ScheduledFault[], keep: readonly number[]): ScheduledFault[] {
  const renumbered = new Map(keep.map((step, index) => [step, index]));
  return aimed.flatMap((fault) => {
    if (fault.step === undefined || fault.step < 0) return [fault];
    const step = renumbered.get(fault.step);
    return step === undefined ? [] : [{ ...fault, step }];
  });
}

/**
 * Moves each scheduled fault back by the I/O of the removed steps before it; drops faults that
 * fell inside a removed step. `undefined` when nothing moves.
 */
export function reanchorFaults(scheduled: readonly ScheduledFault[], anchors: Anchors, keep: readonly number[]): ScheduledFault[] | undefined {
  const kept = new Set(keep);
  const starts = anchors.stepStartIo;
  const end = (index: number): number => {
    for (let next = index + 1; next < starts.length; next++) if (starts[next]! >= 0) return starts[next]!;
    return anchors.ioCount;
  };
  const moved: ScheduledFault[] = [];
  let changed = false;
  for (const fault of scheduled) {
    let shift = 0;
    let dropped = false;
    for (let index = 0; index < starts.length; index++) {
      const start = starts[index]!;
      if (start < 0 || start > fault.io) break;
      const stop = end(index);
      if (kept.has(index)) continue;
      if (fault.io < stop) {
        dropped = true;
        break;
      }
      shift += stop - start;
    }
    if (dropped) {
      changed = true;
      continue;
    }
    if (shift !== 0) changed = true;
    moved.push({ ...fault, io: fault.io - shift });
  }
  return changed ? moved : undefined;
}

/**
 * ddmin over `count` items: finds a small subset of indexes for which `test` holds, assuming it
 * holds for all of them. Complements are tried at increasing granularity (subsets alone rarely
 * reproduce a storage bug and cost runs). `test` adopts what it accepts.
 * @param minimum - the fewest items a candidate may keep
 * @returns whether anything was removed
 */
export async function ddmin(count: number, test: (keep: readonly number[]) => Promise<boolean>, minimum = 0): Promise<boolean> {
  let current = range(count);
  let removedAny = false;
  if (minimum === 0 && count > 0 && (await test([]))) return true;
  let granularity = 2;
  while (current.length > minimum) {
    const chunks = split(current, Math.min(granularity, current.length));
    let reduced = false;
    // From the end: later steps are less often needed, and removing them shifts no fault.
    for (let at = chunks.length - 1; at >= 0; at--) {
      const chunk = new Set(chunks[at]);
      const complement = current.filter((index) => !chunk.has(index));
      if (complement.length < minimum) continue;
      if (await test(complement)) {
        current = complement;
        removedAny = true;
        reduced = true;
        granularity = Math.max(granularity - 1, 2);
        break;
      }
    }
    if (!reduced) {
      if (granularity >= current.length) break;
      granularity = Math.min(current.length, granularity * 2);
    }
  }
  return removedAny;
}

export function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (let part = 0; part < parts; part++) {
    const stop = Math.round(((part + 1) * items.length) / parts);
    if (stop > start) chunks.push(items.slice(start, stop));
    start = stop;
  }
  return chunks;
}

