/**
 * Shared vocabulary of the simulator, the campaign runner and the reports: fault kinds, trace
 * events, violations and campaign results. Plain data only (everything here is JSON).
 */
import type { EnginePhase } from '../engine/types.ts';

/**
 * The kinds of fault the simulator injects.
 * - `kill-9`: the process dies at an I/O boundary; the OS survives, so every write stays visible.
 * - `power-loss`: the machine dies; unsynced data and directory entries may be lost or torn.
 * - `fsync-error`: `sync`/`datasync` fails with `EIO` (post-failure behaviour: ext4, btrfs, sticky).
 * - `disk-full`: `ENOSPC` on write, append, extension or create; a write may be partly applied.
 * - `read-error`: `EIO` on a read.
 * - `bit-flip`: a read returns a sector with one bit flipped, sticky until the sector is rewritten.
 * - `short-write`: a write through the fs facade lands only a prefix and returns its length, as
 *   `write(2)` may; the caller must write the rest. Facade only (see {@link facadeFaultKinds}).
 * - `exdev`: a rename through the fs facade from one directory to another fails with `EXDEV` and
 *   changes nothing, as a rename across file systems does (never one within a directory, which
 *   one file system holds). Facade only.
 * - `misdirected-write`: a write reaches the page cache where it was meant to go, but written
 *   back (fsync, or a power loss that keeps it) it lands whole sectors away in the same file, or
 *   at the same offset of another file of the same kind; the place it was meant for keeps its
 *   old bytes. Seen once the page cache is dropped (a power loss).
 * - `sector-damage`: a read finds one durable sector reading back whole as zeros or garbage,
 *   sticky until the sector is rewritten.
 * - `lost-entry`: when a directory is listed, one of its synced file names is gone, durable and
 *   page-cache namespace alike (an operator, a buggy file system, a partial restore).
 * - `dir-sync-error`: fsync of a directory fails with `EIO`. The journal may have committed some
 *   of the directory's pending operations before it failed (a prefix, drawn); the rest stay
 *   pending, so a power loss may still lose them, and a later directory fsync commits them.
 * - `write-error`: a write or an append fails with `EIO` (a failing device under the page
 *   cache, `O_DIRECT`, a network file system). Through the engine's port a drawn prefix of whole
 *   pages may have landed in the page cache first, as when a port's write loop fails on a later
 *   chunk; through the fs facade nothing lands, as `write(2)` reports a partial write by its count.
 */
export type FaultKind =
  | 'kill-9' | 'power-loss' | 'fsync-error' | 'disk-full' | 'read-error' | 'bit-flip' | 'short-write' | 'exdev'
  | 'misdirected-write' | 'sector-damage' | 'lost-entry' | 'dir-sync-error' | 'write-error';

/**
 * Every {@link FaultKind}, in a stable order (report columns follow it). New kinds go last: a
 * kind's position is its bit in eligibility masks and the order its rate stream draws in.
 */
export const faultKinds: readonly FaultKind[] = [
  'kill-9', 'power-loss', 'fsync-error', 'disk-full', 'read-error', 'bit-flip', 'short-write', 'exdev',
  'misdirected-write', 'sector-damage', 'lost-entry', 'dir-sync-error', 'write-error',
];

/**
 * Kinds only the fs facade (library workloads) can inject. The engine's port promises whole
 * writes (`FileHandle.write` returns nothing, a failed one throws) and renames inside one
 * directory, so neither a short count nor `EXDEV` means anything there: its operations are never
 * eligible, and engine scenarios do not draw rates for them.
 */
export const facadeFaultKinds: readonly FaultKind[] = ['short-write', 'exdev'];

/**
 * Kinds that destroy or hide bytes a sync made durable (media and namespace damage beyond a
 * flipped bit). The engine must refuse or recover correctly after them, and the oracle excuses
 * commits nothing vouched for (see the durability checker); campaigns draw them rarely.
 */
export const mediaFaultKinds: readonly FaultKind[] = ['misdirected-write', 'sector-damage', 'lost-entry'];

/**
 * A phase of the code under test, as it reports it (the reference engine's are its
 * {@link EnginePhase}s; another engine declares its own), or `other` for I/O outside any phase.
 */
export type TracePhase = EnginePhase | 'other' | (string & {});

/**
 * What an I/O operation is, whatever phase the code under test was in: the simulator classifies
 * every call, so faults can be aimed at (and coverage counted by) the kind of I/O even in code
 * that reports no phases.
 * - `create`: an open that creates the file; `open`: any other open;
 * - `append`: a write that extends the file; `write`: a write within its current size;
 * - `fsync`: fsync or fdatasync of a file; `dir-sync`: fsync of a directory;
 * - `read`, `truncate`, `rename`, `unlink`, `mkdir`;
 * - `other`: metadata (size, stat, exists, readdir, close) and crashes between operations.
 */
export type IoClass =
  | 'create' | 'open' | 'read' | 'append' | 'write' | 'truncate' | 'fsync' | 'rename' | 'unlink'
  | 'mkdir' | 'dir-sync' | 'other';

/** Every {@link IoClass}, in a stable order (report rows follow it). */
export const ioClasses: readonly IoClass[] = [
  'create', 'open', 'read', 'append', 'write', 'truncate', 'fsync', 'rename', 'unlink', 'mkdir', 'dir-sync', 'other',
];

/** Injected fault counts by site (a phase or an I/O class) and kind. */
export type Coverage = Record<string, Record<FaultKind, number>>;

/** One line of a run's trace. Every field is deterministic for a given plan. */
export interface TraceEvent {
  /** Position in the trace, from 0. */
  readonly seq: number;
  /** Virtual time in ms. */
  readonly t: number;
  /**
   * `io`: a file-system call; `fault`: an injected fault; `crash`: kill-9 or power loss;
   * `restart`: the disk state after a crash was fixed; `op`: a workload operation began or
   * ended; `check`: an oracle check; `note`: anything else.
   */
  readonly type: 'io' | 'fault' | 'crash' | 'restart' | 'op' | 'check' | 'note';
  /** The engine phase the event belongs to. */
  readonly phase?: TracePhase;
  /** For `io`: the call (`open`, `write`, `sync`, ...); for `op`: the operation; for faults: the kind. */
  readonly name: string;
  /** The file or directory concerned. */
  readonly path?: string;
  /** Free-form, deterministic detail (offsets, sizes, outcome). */
  readonly detail?: string;
}

/** One failed invariant, found by a checker. */
export interface Violation {
  /** The unit of the run: its scenario, or the workload's name. */
  readonly scenario: string;
  /** Seed of the run. */
  readonly seed: number;
  /** The invariant's name (`durability`, `prefix`, `no-resurrection`, ...). */
  readonly invariant: string;
  /** One-line description: what was expected and what was seen. */
  readonly message: string;
  /** The exact shell command that reproduces it. */
  readonly repro: string;
  /** The plan step during which it was found (-1: after the steps). */
  readonly step?: number;
  /**
   * Its position among the violations its run found, in the order the checks found them: 0 is
   * the run's first violation, its root cause; the others are follow-on complaints (absent in
   * summaries written before runs were grouped).
   */
  readonly indexInRun?: number;
  /** The fault kinds injected anywhere in its run, and the one a second look added when a look found it (a rot, or a power loss between steps), in {@link faultKinds} order. */
  readonly runFaultKinds?: readonly FaultKind[];
  /** The LSN concerned, if any. */
  readonly lsn?: number;
  /** The key concerned, if any. */
  readonly key?: string;
  /** The trace (shrunk where available) for timelines in reports. */
  readonly trace?: readonly TraceEvent[];
  /** Found by a second look at a crash, not on the run's own path (see RunViolation.look). */
  readonly look?: LookPlace;
  /**
   * A root cause that fails the same way with no fault: its run's operations, then one crash
   * that loses nothing written, break the same invariant with the same message (its crash clause
   * aside). The code's logic is wrong, or it never wrote what it acknowledged; no torn or lost
   * write is needed. Set on the first run of each of a campaign's first root causes only.
   */
  readonly needsNoFault?: true;
  /**
   * Its run spun (gave the simulated world no turn for `--seed-timeout`, or retried a dead
   * process's calls in a loop) and its worker thread was ended: nothing else is known of the run,
   * not its I/O nor its trace, and a shrink would spin again.
   */
  readonly spun?: true;
}

/**
 * Where a second look at a crash found a violation (sim/second-look.ts): the crash (by index, as
 * in `crashStates`), the crash state looked at, and the global I/O index at which the crash
 * struck; for a look at rot, what it let rot (`fault`: a bit flip of bit `at`, or sector damage
 * of sector `at`, in the file at `path`), and the read that met it (`read`, its global I/O index,
 * and `arg`, the fault's argument there; both absent when no read did). The plan with
 * `crashStates[crash]` set to `crashState`, no fault after `io` but `{ io: read, kind: fault,
 * arg }` (`faults.scheduled`), meets the same disk on its own path.
 */
export interface LookPlace {
  readonly crash: number;
  readonly crashState: number;
  readonly io: number;
  readonly rot?: {
    readonly fault: 'bit-flip' | 'sector-damage';
    readonly path: string;
    readonly at: number;
    readonly read?: number;
    readonly arg?: number;
  };
  /**
   * A look at a power loss striking between steps, the crash numbered `crash` (sim/second-look.ts,
   * PowerLossWatch): the index of the step it struck before, and why it was looked at (`why`).
   */
  readonly beforeStep?: number;
  /**
   * With `beforeStep`: `fsync-failed`, pages an ext4-style fsync failure left unwritten were
   * readable; `open-unsynced`, the open just before left writes unsynced (what it served must
   * survive a power loss); `promise-unsynced`, the step just before promised durability (a commit
   * acknowledged in a durable mode, a `sync()`) and left writes unsynced; `close-unsynced`, a
   * clean close left writes unsynced, and the power loss strikes inside step `beforeStep` (the
   * step that closed), between its close and its open: pinned as a power loss at I/O `io`, the
   * open's first; `rename-unsynced`, a rename inside step `beforeStep` (or the open before it)
   * moved a file whose data was not synced, and the power loss strikes right after it: pinned as
   * a power loss at I/O `io`, the next one (in a library run, inside operation `beforeStep`);
   * `operation-unsynced`, a library's operation just before returned and left writes unsynced
   * (whatever it promised, its workload's invariants judge); `recovery-unsynced`, the open before
   * step `beforeStep` began on writes a crashed process left unsynced and wrote over durable data
   * before an fsync, and the power loss strikes right before that fsync: pinned as a power
   * loss at I/O `io`, the fsync's own.
   */
  readonly why?: PowerLossLook;
}

/** Why a look at a power loss between steps was taken (LookPlace.why). */
export type PowerLossLook = 'fsync-failed' | 'open-unsynced' | 'promise-unsynced' | 'close-unsynced' | 'rename-unsynced' | 'operation-unsynced' | 'recovery-unsynced';

/** Every {@link PowerLossLook}, for readers of reports. */
export const powerLossLooks: readonly PowerLossLook[] = ['fsync-failed', 'open-unsynced', 'promise-unsynced', 'close-unsynced', 'rename-unsynced', 'operation-unsynced', 'recovery-unsynced'];

/** Whether a look at a power loss for `why` strikes inside a step, at an I/O (pinned there), rather than between two steps (pinned as a power-loss step). */
export function strikesInStep(why: PowerLossLook | undefined): boolean {
  return why === 'close-unsynced' || why === 'rename-unsynced' || why === 'recovery-unsynced';
}

/** Per-scenario (per-unit) figures of a campaign. */
export interface ScenarioSummary {
  readonly seeds: number;
  readonly violations: number;
  /** Runs where damage to durable data was detected and refused (counted, not a violation). */
  readonly detected: number;
  readonly faults: Record<FaultKind, number>;
  /** Commits (or a workload's operations) acknowledged. */
  readonly commitsAcknowledged: number;
  readonly crashes: number;
  /**
   * The lowest seed of the unit that failed, kept even when its violations were not (a campaign
   * keeps the first seeds' violations only); absent: none failed, or a summary from before it.
   */
  readonly firstFailingSeed?: number;
}

/** What was tested, as reports name it. */
export interface SubjectInfo {
  /** `engine`: scenarios on an engine; `library`: a library workload. */
  readonly kind: 'engine' | 'library';
  /** The engine's or the workload's name. */
  readonly name: string;
  /** The module it was loaded from, as given (absent: the reference engine). */
  readonly module?: string;
  /** A library workload's `description`: what it checks, in its author's words. */
  readonly description?: string;
}

/** A seed whose rerun in a fresh worker gave another digest (`--check-determinism`). */
export interface DigestMismatch {
  readonly scenario: string;
  readonly seed: number;
  readonly digest: string;
  readonly rerunDigest: string;
}

/** `--check-determinism`: how many seeds were rerun in a fresh worker, and those whose digest differed. */
/** See {@link CampaignResult.gate}. */
export interface CampaignGate {
  /** `nothing tested` (exit 4) or `incomplete` (exit 5: something promised was not exercised). */
  readonly verdict: 'nothing tested' | 'incomplete';
  /** Each reason, one line, as the command says it on stderr. */
  readonly reasons: readonly string[];
}

export interface DeterminismCheck {
  readonly checked: number;
  readonly mismatches: readonly DigestMismatch[];
}

/** The result of a campaign: what `powercut run --json` prints. */
export interface CampaignResult {
  /** What was tested (absent in summaries written before subjects were named). */
  readonly subject?: SubjectInfo;
  /** The units seeds were drawn for: scenario names, or the workload's name. */
  readonly scenarios: readonly string[];
  /** Seeds run in total. */
  readonly seeds: number;
  readonly seedStart: number;
  /**
   * The seeds each unit was asked for over the whole campaign (`--seeds`, before any sharding),
   * so that merge refuses shards of campaigns of different sizes; absent in older summaries.
   */
  readonly seedsPerUnit?: number;
  /** `I/N` when the campaign was one shard of a larger one. */
  readonly shard?: string;
  /** Violations, sorted; at most those of the first violating seeds kept in detail (see `violationsOmitted`). */
  readonly violations: readonly Violation[];
  /** Violations counted but not kept in detail (a campaign where almost every seed fails). */
  readonly violationsOmitted?: number;
  /** Seeds with at least one violation. */
  readonly failingSeeds?: number;
  readonly faults: Record<FaultKind, number>;
  /** The coverage table's rows, in order: the subject's phases, or I/O classes. */
  readonly sites?: readonly string[];
  /** Injected fault counts by site and fault kind. */
  readonly coverage: Coverage;
  /** The (site, kind) cells the units target, per site. */
  readonly targets: Record<string, readonly FaultKind[]>;
  /**
   * The fault kinds some I/O at each site could take while faults were on, in any seed
   * (RunResult.reach); absent in summaries written before it existed. A targeted cell outside it
   * could not be hit by any number of seeds.
   */
  readonly reachable?: Record<string, readonly FaultKind[]>;
  /**
   * Findings apart from violations: what checks of the engine's own design saw that no user could
   * (a file published atomically, torn right after a crash, repaired by recovery). Never fails.
   */
  readonly findings?: { readonly count: number; readonly examples: readonly { readonly unit: string; readonly seed: number; readonly message: string }[] };
  /** Hits of every rare branch the subject declares (engine probes), 0 for one never reached. */
  readonly probes?: Readonly<Record<string, number>>;
  /** Second looks: other disks of the campaign's power losses recovered and checked (sim/second-look.ts); absent: none. */
  readonly looks?: number;
  /** Crashes that got no second looks because a library workload's `ctx.state` could not be copied (RunResult.looksSkipped); absent: none. */
  readonly looksSkipped?: number;
  /** Commits refused with no fault injected before them by an engine that declares no size limits (RunResult.refusedUnfaulted); absent: none. */
  readonly refusedUnfaulted?: number;
  /** Processes of a library workload that died of an uncaught exception or an unhandled rejection (RunResult.processDeaths), and how many seeds they died in; absent: none. */
  readonly processDeaths?: number;
  readonly processDeathSeeds?: number;
  /** The lowest seed such a process died in (repro it to see where); absent with no death, or in summaries written before it. */
  readonly processDeathFirstSeed?: number;
  /** Present when the campaign checked its determinism: any mismatch fails it, as a violation does. */
  readonly determinism?: DeterminismCheck;
  /**
   * Why the command that ran the campaign did not pass it although no seed failed, as it exits:
   * written into the reports so that a CI page says what the exit code says; absent: it passed,
   * or it failed on violations or nondeterminism.
   */
  readonly gate?: CampaignGate;
  /**
   * Sum modulo 2^64 (16 hex digits) of one hash per run, each hash over (unit, seed, the
   * run's trace digest). Being commutative, shards merge to the unsharded campaign's digest.
   */
  readonly digest: string;
  readonly seedsPerSecond: number;
  readonly elapsedMs: number;
  readonly perScenario: Record<string, ScenarioSummary>;
}
