/**
 * What one run of a plan produced, whatever the subject (an engine under the commit model, or a
 * library workload under its own invariants): one result type for campaigns, repro, replay,
 * shrinking, exploration and the reports. Plain data.
 */
import type { ScheduledFault } from './disk/faults.ts';
import type { Coverage, FaultKind, LookPlace, TraceEvent } from './types.ts';

/** The crash a check followed (library workloads name it; the engine runner's violations may not). */
export interface CrashInfo {
  readonly kind: 'kill-9' | 'power-loss';
  /** The crash state a power loss settled on (meaningless after a kill -9, which keeps everything). */
  readonly crashState: number;
  /** The position in the plan's steps (operations) during which it happened (their count for the final one). */
  readonly afterOperation: number;
  /** The power loss at the end of the run. */
  readonly final: boolean;
  /** The crash struck the first open, the store's creation, before any operation (`afterOperation` 0). */
  readonly firstOpen?: true;
  /**
   * The power failed between two operations: after the one before `afterOperation` returned,
   * before that one began (a second look at the idle moment, sim/second-look.ts).
   */
  readonly between?: boolean;
  /**
   * `uncaught`: no crash was injected; the process died of an exception nobody caught, as Node's
   * does (a library workload), which leaves the disk as a kill -9 does.
   */
  readonly exit?: 'uncaught';
  /** Crashes that then landed in the recovery (reopen) it started, in order, before the check. */
  readonly reopenCrashes?: readonly { readonly kind: 'kill-9' | 'power-loss'; readonly crashState: number }[];
}

/** One failed invariant in one run. */
export interface RunViolation {
  /** The invariant's name: an oracle invariant (`durability`, ...) or one a workload names. */
  readonly invariant: string;
  /** One line: what was expected and what was seen (for a workload, the crash it followed). */
  readonly message: string;
  /** The plan step during which it was found; -1 after the steps (liveness phase, final crash). */
  readonly step: number;
  readonly lsn?: number;
  readonly key?: string;
  /** The model's index of the commit concerned. */
  readonly commit?: number;
  readonly expected?: string;
  readonly seen?: string;
  /** Found by a second look at a crash (sim/second-look.ts), not on the run's own path: where, as {@link LookPlace} says. */
  readonly look?: LookPlace;
  /** The crash the failed check followed, when the runner knows it. */
  readonly crash?: CrashInfo;
  /**
   * For an `engine-error` with a stack: where the code under test threw, its first frames
   * (engine-contract.ts `thrownAt`). Not part of the message nor of the digest.
   */
  readonly thrownAt?: readonly string[];
}

/** What one run produced. */
export interface RunResult {
  /** The scenario, or the workload's name. */
  readonly unit: string;
  readonly seed: number;
  readonly violations: readonly RunViolation[];
  /** Refusals after injected damage to durable data: detected, not violations. */
  readonly detected: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Injected faults by site (the subject's phases, or I/O classes) and kind. */
  readonly coverage: Readonly<Coverage>;
  /**
   * The fault kinds each site's I/O could take while faults were on, as `faultBit` bits, by the
   * same sites as {@link coverage}: a targeted cell no run could hit is not a gap in the seeds.
   */
  readonly reach?: Readonly<Record<string, number>>;
  readonly digest: string;
  readonly ioCount: number;
  readonly crashes: number;
  /** Commits (or a workload's operations) acknowledged. */
  readonly acknowledged: number;
  /** Operations that failed while faults were on: an engine's commits, syncs, checkpoints and closes, a workload's operations (counted, not violations). */
  readonly failedOperations: number;
  /** Every fault injected, replayable as `faults.scheduled` with rates 0. */
  readonly faultsFired: readonly ScheduledFault[];
  /** The I/O index each step of the plan began at, by step (-1 or absent for a step never begun). */
  readonly stepStartIo?: readonly number[];
  /**
   * The plan's scheduled faults that never fired (`kill-9@125`, `kill-9@step 3+7`): a plan that
   * promised a fault it did not deliver tested less than it says.
   */
  readonly unfiredScheduled?: readonly string[];
  /** The crash state each crash settled on, by crash index (replayable as `crashStates`). */
  readonly crashStates: readonly number[];
  /**
   * How each crash struck, by crash index: a kill -9 takes a crash state too (the plan's list is
   * by crash), but keeps everything, so a summary names it instead of its state. Absent: unknown.
   */
  readonly crashKinds?: readonly ('kill-9' | 'power-loss')[];
  /**
   * The run stopped right after its first power loss, as `afterFirstPowerLoss` asked
   * (sim/runner.ts): nothing after that crash ran, so the rest of this result is partial.
   */
  readonly stoppedAfterFirstPowerLoss?: true;
  /**
   * The global I/O indexes of the writes that took effect late (after I/O issued after them),
   * replayable as an engine plan's `reorder.lateWrites`; absent when none did.
   */
  readonly lateWrites?: readonly number[];
  /** Trace events: all with the full trace, else the last ones of a run with violations or findings (none for a run that passed). */
  readonly trace: readonly TraceEvent[];
  /**
   * What checks of the engine's own design found that no user could see (a file the engine
   * publishes atomically, torn right after a crash, which recovery repairs or never reads):
   * reported apart from violations, never failing a run.
   */
  readonly findings?: readonly RunViolation[];
  /** Hits of the rare branches the subject names (engine probes), by name; absent: none named. */
  readonly probes?: Readonly<Record<string, number>>;
  /** Second looks at power losses: other disks recovered and checked (sim/second-look.ts); absent: none. */
  readonly looks?: number;
  /**
   * Crashes that the plan's second looks would have looked at again but did not, because the
   * library workload's `ctx.state` is not plain data (a look works on a copy of it); absent: none.
   */
  readonly looksSkipped?: number;
  /**
   * Commits an engine that declares no size `limits` refused (not as `failed` or `closed`) before
   * any fault but a crash was injected, and with no close issued: a limit, or a bug, that nothing
   * can judge without the limits declared; absent: none.
   */
  readonly refusedUnfaulted?: number;
  /**
   * Times a library workload's process died of an exception nobody caught or a rejection nobody
   * handled (no crash was injected; Node ends such a process); absent: none.
   */
  readonly processDeaths?: number;
}

/** A copy of a coverage table (the world's keeps counting). */
export function copyCoverage(coverage: Readonly<Coverage>): Coverage {
  return Object.fromEntries(Object.entries(coverage).map(([site, kinds]) => [site, { ...kinds }]));
}
