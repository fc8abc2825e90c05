/**
 * The engine's rare branches, named as it takes them (`StoreOptions.onProbe`), as FoundationDB's
 * CODE_PROBE: a campaign that never reaches one has not tested it, whatever else it did. The
 * observer is told the name and nothing else; it never changes what the engine does.
 *
 * - `recovery.refuse.<rule>`: recovery refused to open under a rule of wal/recovery.ts (R1 a bad
 *   frame in a sealed segment, R2 impossible contents, R3 bit rot, R4 evidence the frame was
 *   durable, C1/C2/C3 a missing or misplaced segment, F1–F5 a damaged manifest, snapshot or
 *   header);
 * - `recovery.cut-torn-tail`: a torn tail was cut (R5), its bytes first kept (K4);
 *   `recovery.evidence-reused`: an interrupted earlier recovery had already kept them;
 * - `recovery.remove-orphans` (K1), `recovery.remove-dead` (K2), `recovery.remove-evidence` (K4);
 * - `recovery.rebuild-sidecar.<state>`: a sidecar rebuilt because it was missing, stale, behind or
 *   corrupt (K3);
 * - `commit.enospc-cut-fsynced`: after ENOSPC the partial frames were cut and the cut fsynced;
 * - `store.failed`: the store failed (an fsync or a write it could not undo), until reopened;
 * - `checkpoint.disk-full`: a checkpoint stopped on a full disk, the store still usable.
 */

/** Every probe the engine can name. */
export const engineProbes = [
  'recovery.refuse.R1', 'recovery.refuse.R2', 'recovery.refuse.R3', 'recovery.refuse.R4',
  'recovery.refuse.C1', 'recovery.refuse.C2', 'recovery.refuse.C3',
  'recovery.refuse.F1', 'recovery.refuse.F2', 'recovery.refuse.F3', 'recovery.refuse.F4', 'recovery.refuse.F5',
  'recovery.cut-torn-tail', 'recovery.evidence-reused',
  'recovery.remove-orphans', 'recovery.remove-dead', 'recovery.remove-evidence',
  'recovery.rebuild-sidecar.missing', 'recovery.rebuild-sidecar.stale', 'recovery.rebuild-sidecar.behind', 'recovery.rebuild-sidecar.corrupt',
  'commit.enospc-cut-fsynced', 'store.failed', 'checkpoint.disk-full',
] as const;

/** The name of one probe. */
export type EngineProbe = (typeof engineProbes)[number];
