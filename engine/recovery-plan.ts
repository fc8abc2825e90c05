/**
 * What recovery would do to a store directory, as plain data: the result of the read-only
 * analysis (analysis.ts). `recover` applies it and decides nothing itself; `inspect` and
 * `verify` report it. Every refusal and every action names the rule of wal/recovery.ts that
 * decided it, so a report can say why.
 */
import type { Manifest } from './manifest.ts';
import type { FrameDamageKind } from './wal/reader.ts';
import type { DamageVerdict, RefusalRule } from './wal/recovery.ts';
import type { SidecarIndex } from './wal/sidecar.ts';

/** A reason recovery refuses to open the store. */
export interface Refusal {
  readonly rule: RefusalRule;
  /** `corruption` becomes a `CorruptionError`; `version` an `UnsupportedVersionError`. */
  readonly kind: 'corruption' | 'version';
  /** Path of the damaged file. */
  readonly file: string;
  /** Byte offset in `file` where the problem starts. */
  readonly offset: number;
  readonly reason: string;
  /** For `version`: the version the file carries. */
  readonly foundVersion?: number;
  /** For `version`: the version this engine reads. */
  readonly supportedVersion?: number;
}

/**
 * A sidecar compared with its segment (rule K3): `ok` is kept, every other state is rebuilt.
 * `behind`: the last segment's sidecar indexes a prefix of its frames, the routine state between
 * rewrites; `stale`: it disagrees otherwise; `corrupt`: it does not decode, is oversized, or
 * names another segment; `missing`: there is none.
 */
export type SidecarState = 'ok' | 'behind' | 'stale' | 'missing' | 'corrupt';

/** `covered`: wholly in the snapshot, removed (rule K2); `sealed`: a live segment before the last. */
export type SegmentRole = 'covered' | 'sealed' | 'last';

/** The first bad frame of a segment, and what the rules say about it (no verdict for a covered segment). */
export interface SegmentDamage {
  readonly kind: FrameDamageKind;
  readonly offset: number;
  readonly detail: string;
  readonly verdict?: DamageVerdict;
}

/** One segment file as the analysis found it. */
export interface SegmentAnalysis {
  readonly name: string;
  /** Its path. */
  readonly file: string;
  readonly seq: number;
  readonly role: SegmentRole;
  /** Bytes in the file as found. */
  readonly bytes: number;
  /** The LSN of its first frame; absent when the header is unreadable. */
  readonly baseLsn?: number;
  readonly headerProblem?: string;
  /** Offsets of its intact frames, in LSN order: the frames recovery keeps. */
  readonly offsets: readonly number[];
  /** Where the segment ends once recovered: past the last intact frame if a torn tail is cut. */
  readonly endOffset: number;
  readonly damage?: SegmentDamage;
  readonly sidecar: SidecarState;
  /** The synced watermark of its sidecar, when one decodes for this segment. */
  readonly sidecarSyncedLsn?: number;
}

/** The snapshot recovery starts from. */
export interface SnapshotFound {
  readonly name: string;
  readonly lsn: number;
  readonly entries: number;
  readonly bytes: number;
}

/** Cutting a torn tail (rule R5), with its evidence kept first (rule K4). */
export interface CutTornTail {
  readonly kind: 'cut-torn-tail';
  readonly rule: 'R5';
  /** The segment's path. */
  readonly file: string;
  /** Where the cut starts: the first bad frame. */
  readonly offset: number;
  readonly reason: string;
  /** The bytes cut off, from `offset` to the end of the file as found. */
  readonly tail: Uint8Array;
  /** Path of the evidence file that holds `tail`. */
  readonly evidence: string;
  /** True when an interrupted earlier recovery already kept exactly `tail` there. */
  readonly evidenceKept: boolean;
}

/** One step of recovery, in the order `recover` applies them. */
export type RecoveryAction =
  | { readonly kind: 'remove-orphans'; readonly rule: 'K1'; readonly files: readonly string[] }
  | { readonly kind: 'create-manifest'; readonly rule: 'K6'; readonly manifest: Manifest }
  | { readonly kind: 'remove-dead'; readonly rule: 'K2'; readonly files: readonly string[] }
  | CutTornTail
  | { readonly kind: 'remove-evidence'; readonly rule: 'K4'; readonly files: readonly string[] }
  | { readonly kind: 'create-segment'; readonly rule: 'K6'; readonly seq: number; readonly baseLsn: number }
  | { readonly kind: 'sync-segment'; readonly rule: 'K5'; readonly file: string }
  | {
    readonly kind: 'rebuild-sidecar'; readonly rule: 'K3'; readonly file: string;
    readonly state: Exclude<SidecarState, 'ok'>; readonly index: SidecarIndex;
  }
  | { readonly kind: 'mark-open'; readonly rule: 'K7'; readonly manifest: Manifest };

/** What replaying the log on top of the snapshot gives. */
export interface ReplayResult {
  /** The state after every intact live frame: what the store serves once open. */
  readonly state: Map<string, Uint8Array>;
  /** The LSN of the last commit recovered (the snapshot's when the log adds none). */
  readonly lastLsn: number;
  /** Frames applied on top of the snapshot. */
  readonly recordsApplied: number;
  /** Bytes of live segments read. */
  readonly bytesReplayed: number;
}

/** The whole analysis of a store directory. */
export interface RecoveryPlan {
  readonly dir: string;
  /** The manifest as found; absent when there is none or it is unreadable. */
  readonly manifest?: Manifest;
  /** Whether a manifest file exists (readable or not). */
  readonly manifestFound: boolean;
  readonly snapshot?: SnapshotFound;
  /** The snapshot LSN recovery starts from (0: none). */
  readonly snapshotLsn: number;
  /** Every segment file, in sequence order. */
  readonly segments: readonly SegmentAnalysis[];
  /** Names of the temporary and dead files found (rule K1). */
  readonly orphans: readonly string[];
  /** Names of the torn-tail evidence files found, oldest first (rule K4). */
  readonly evidence: readonly string[];
  /** Why recovery refuses to open, in the order it meets them; empty when it opens. */
  readonly refusals: readonly Refusal[];
  /** What recovery does when it opens, in order (meaningless when it refuses). */
  readonly actions: readonly RecoveryAction[];
  readonly replay: ReplayResult;
}
