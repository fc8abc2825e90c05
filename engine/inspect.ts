/**
 * Read-only tools over a store directory: `inspect` describes what is there, `verify` says for
 * every problem whether recovery would repair it or refuse to open. Both report the same
 * analysis recovery applies (analysis.ts), so neither can disagree with what recovery does.
 */
import { analyzeStore } from './analysis.ts';
import { fileSize } from './files.ts';
import type { Manifest } from './manifest.ts';
import { joinPath, type FileSystem } from './ports/fs.ts';
import type { RecoveryAction, RecoveryPlan, Refusal, SegmentAnalysis, SegmentRole, SidecarState } from './recovery-plan.ts';
import { parseEvidenceName } from './wal/evidence.ts';
import type { DamageVerdict, RecoveryRule } from './wal/recovery.ts';

export type { SidecarState } from './recovery-plan.ts';

/** One segment as found on disk. */
export interface SegmentInfo {
  readonly name: string;
  readonly seq: number;
  /** `covered` by the snapshot (recovery removes it), `sealed`, or the `last` one. */
  readonly role: SegmentRole;
  readonly bytes: number;
  readonly baseLsn?: number;
  /** LSN of the last intact frame (baseLsn - 1 when empty). */
  readonly lastLsn?: number;
  readonly frames: number;
  readonly sidecar: SidecarState;
  readonly sidecarSyncedLsn?: number;
  /** The first bad frame, if any: where, what, and what the rules say about it. */
  readonly damage?: { readonly offset: number; readonly detail: string; readonly verdict?: DamageVerdict };
  readonly headerProblem?: string;
}

/** A torn-tail evidence file: bytes an earlier recovery cut off a segment, kept (rule K4). */
export interface EvidenceInfo {
  readonly name: string;
  readonly segmentSeq: number;
  /** Where in the segment the cut bytes started. */
  readonly offset: number;
  readonly evidenceNumber: number;
  readonly bytes: number;
}

/** What `inspect` reports. */
export interface InspectReport {
  readonly dir: string;
  readonly manifest?: Manifest;
  readonly manifestProblem?: string;
  readonly snapshot?: { readonly name: string; readonly lsn: number; readonly entries: number; readonly bytes: number };
  readonly snapshotProblem?: string;
  readonly segments: readonly SegmentInfo[];
  /** Temporary or dead files an interrupted operation left behind (recovery removes them). */
  readonly orphans: readonly string[];
  /** Torn-tail evidence files, oldest first. Orphan clean-up never removes them. */
  readonly evidence: readonly EvidenceInfo[];
  /** What recovery would do: refuse (the first refusal is the error it throws), or these actions. */
  readonly recovery: { readonly refusals: readonly Refusal[]; readonly actions: readonly RecoveryAction[] };
}

/** One finding of `verify`. */
export interface VerifyProblem {
  /** `corruption`: recovery would refuse to open; `recoverable`: recovery would repair it. */
  readonly severity: 'corruption' | 'recoverable';
  readonly file: string;
  readonly offset: number;
  readonly message: string;
  /** The rule of engine/wal/recovery.ts that decides it. */
  readonly rule: RecoveryRule;
}

/** What `verify` reports. `ok` means recovery would open the store without refusing. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly problems: readonly VerifyProblem[];
  readonly segmentsChecked: number;
  readonly framesChecked: number;
  /** Paths of the torn-tail evidence files present: not problems, kept for examination. */
  readonly evidence: readonly string[];
}

/**
 * Describes a store directory without changing it.
 * @throws IoError if the directory cannot be read
 */
export async function inspect(fs: FileSystem, dir: string): Promise<InspectReport> {
  const plan = await analyzeStore(fs, dir);
  const manifestProblem = plan.manifestFound ? firstReason(plan, ['F2', 'F3']) : 'missing';
  const snapshotProblem = firstReason(plan, ['F4']);
  const evidence: EvidenceInfo[] = [];
  for (const name of plan.evidence) {
    const parsed = parseEvidenceName(name);
    if (parsed === undefined) continue;
    const bytes = await fileSize(fs, joinPath(dir, name));
    evidence.push({ name, segmentSeq: parsed.segmentSeq, offset: parsed.offset, evidenceNumber: parsed.evidenceNumber, bytes });
  }
  return {
    dir, segments: plan.segments.map(segmentInfo), orphans: plan.orphans, evidence,
    recovery: { refusals: plan.refusals, actions: plan.actions },
    ...(plan.manifest ? { manifest: plan.manifest } : {}), ...(manifestProblem !== undefined ? { manifestProblem } : {}),
    ...(plan.snapshot ? { snapshot: plan.snapshot } : {}), ...(snapshotProblem !== undefined ? { snapshotProblem } : {}),
  };
}

function firstReason(plan: RecoveryPlan, rules: readonly RecoveryRule[]): string | undefined {
  return plan.refusals.find((refusal) => rules.includes(refusal.rule))?.reason;
}

function segmentInfo(segment: SegmentAnalysis): SegmentInfo {
  const { name, seq, role, bytes, baseLsn, sidecar, sidecarSyncedLsn, damage, headerProblem } = segment;
  return {
    name, seq, role, bytes, frames: segment.offsets.length, sidecar,
    ...(baseLsn !== undefined ? { baseLsn, lastLsn: baseLsn + segment.offsets.length - 1 } : {}),
    ...(sidecarSyncedLsn !== undefined ? { sidecarSyncedLsn } : {}),
    ...(damage ? { damage: { offset: damage.offset, detail: damage.detail, ...(damage.verdict ? { verdict: damage.verdict } : {}) } } : {}),
    ...(headerProblem !== undefined ? { headerProblem } : {}),
  };
}

/**
 * Checks every checksum and structure of a store directory, read-only, and says for each
 * problem whether recovery would repair it (a torn tail, a stale sidecar, an orphan) or refuse
 * to open (corruption). Never repairs anything. Routine work of every recovery (fsyncing the
 * last segment, marking the store open, bringing the last segment's sidecar up to date) is not
 * a problem, and neither is torn-tail evidence: it is listed in `evidence`.
 * @throws IoError if the directory cannot be read
 */
export async function verify(fs: FileSystem, dir: string): Promise<VerifyReport> {
  const plan = await analyzeStore(fs, dir);
  const problems: VerifyProblem[] = plan.refusals.map((refusal) => ({
    severity: 'corruption', file: refusal.file, offset: refusal.offset, message: refusal.reason, rule: refusal.rule,
  }));
  const last = plan.segments[plan.segments.length - 1];
  for (const action of plan.actions) problems.push(...repairProblems(action, last?.seq));
  const live = plan.segments.filter((segment) => segment.role !== 'covered');
  return {
    ok: plan.refusals.length === 0, problems, segmentsChecked: live.length,
    framesChecked: live.reduce((sum, segment) => sum + segment.offsets.length, 0),
    evidence: plan.evidence.map((name) => joinPath(dir, name)),
  };
}

/** The problems a repair action stands for (none for routine work). */
function repairProblems(action: RecoveryAction, lastSeq: number | undefined): VerifyProblem[] {
  const each = (files: readonly string[], message: string): VerifyProblem[] =>
    files.map((file) => ({ severity: 'recoverable', file, offset: 0, message, rule: action.rule }));
  switch (action.kind) {
    case 'remove-orphans':
      return each(action.files, 'orphan file left by an interrupted operation');
    case 'remove-dead':
      return each(action.files, 'left by an interrupted prune (covered by the snapshot) or without its segment');
    case 'remove-evidence':
      return each(action.files, 'torn-tail evidence beyond the limit, oldest first');
    case 'cut-torn-tail':
      return [{
        severity: 'recoverable', file: action.file, offset: action.offset, rule: action.rule,
        message: `${action.reason}; its ${action.tail.length} bytes are kept in ${action.evidence} before the cut`,
      }];
    case 'rebuild-sidecar': {
      // The last segment's sidecar is rewritten only now and then: missing or behind is routine.
      const routine = action.state === 'behind' || (action.state === 'missing' && action.index.seq === lastSeq);
      return routine ? [] : [{ severity: 'recoverable', file: action.file, offset: 0, message: `sidecar ${action.state}`, rule: action.rule }];
    }
    default:
      return [];
  }
}
