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
 */
export type FaultKind = 'kill-9' | 'power-loss' | 'fsync-error' | 'disk-full' | 'read-error' | 'bit-flip';

/** Every {@link FaultKind}, in a stable order (report columns follow it). */
export const faultKinds: readonly FaultKind[] = [
  'kill-9', 'power-loss', 'fsync-error', 'disk-full', 'read-error', 'bit-flip',
];

/** A phase of the engine, or `other` for I/O done outside any phase the engine reported. */
export type TracePhase = EnginePhase | 'other';

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
  /** Scenario name. */
  readonly scenario: string;
  /** Seed of the run. */
  readonly seed: number;
  /** The invariant's name (`durability`, `prefix`, `no-resurrection`, ...). */
  readonly invariant: string;
  /** One-line description: what was expected and what was seen. */
  readonly message: string;
  /** The exact shell command that reproduces it. */
  readonly repro: string;
  /** The LSN concerned, if any. */
  readonly lsn?: number;
  /** The key concerned, if any. */
  readonly key?: string;
  /** The trace (shrunk where available) for timelines in reports. */
  readonly trace?: readonly TraceEvent[];
}

/** Per-scenario figures of a campaign. */
export interface ScenarioSummary {
  readonly seeds: number;
  readonly violations: number;
  /** Runs where damage to durable data was detected and refused (counted, not a violation). */
  readonly detected: number;
  readonly faults: Record<FaultKind, number>;
  readonly commitsAcknowledged: number;
  readonly crashes: number;
}

/** The result of a campaign: what `powercut run --json` prints. */
export interface CampaignResult {
  readonly scenarios: readonly string[];
  /** Seeds run in total. */
  readonly seeds: number;
  readonly seedStart: number;
  /** `I/N` when the campaign was one shard of a larger one. */
  readonly shard?: string;
  /** For a campaign on a library workload: its module, as given (`scenarios` holds its name). */
  readonly targetModule?: string;
  readonly violations: readonly Violation[];
  readonly faults: Record<FaultKind, number>;
  /** Injected fault counts by engine phase and fault kind. */
  readonly coverage: Record<TracePhase, Record<FaultKind, number>>;
  /** The (phase, kind) cells the scenarios target, per phase. */
  readonly targets: Record<TracePhase, readonly FaultKind[]>;
  /**
   * Sum modulo 2^64 (16 hex digits) of one hash per run, each hash over (scenario, seed, the
   * run's trace digest). Being commutative, shards merge to the unsharded campaign's digest.
   */
  readonly digest: string;
  readonly seedsPerSecond: number;
  readonly elapsedMs: number;
  readonly perScenario: Record<string, ScenarioSummary>;
}
