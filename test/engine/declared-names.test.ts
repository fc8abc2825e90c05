/**
 * The names the engine declares for tools outside it: the probes (`onProbe`), the I/O phases
 * (`probe`) and the recovery rules. Coverage tables, traces and reports key on these exact
 * strings, so the lists are pinned here and a change to them is a visible, deliberate change.
 */
import { describe, expect, it } from 'vitest';
import { engineProbes } from '../../engine/probes.ts';
import { enginePhases } from '../../engine/types.ts';
import { recoveryRules } from '../../engine/wal/recovery.ts';

describe('declared names', () => {
  it('the probes, in order', () => {
    expect(engineProbes).toEqual([
      'recovery.refuse.R1', 'recovery.refuse.R2', 'recovery.refuse.R3', 'recovery.refuse.R4',
      'recovery.refuse.C1', 'recovery.refuse.C2', 'recovery.refuse.C3',
      'recovery.refuse.F1', 'recovery.refuse.F2', 'recovery.refuse.F3', 'recovery.refuse.F4', 'recovery.refuse.F5',
      'recovery.cut-torn-tail', 'recovery.evidence-reused',
      'recovery.remove-orphans', 'recovery.remove-dead', 'recovery.remove-evidence',
      'recovery.rebuild-sidecar.missing', 'recovery.rebuild-sidecar.stale', 'recovery.rebuild-sidecar.behind', 'recovery.rebuild-sidecar.corrupt',
      'commit.enospc-cut-fsynced', 'store.failed', 'checkpoint.disk-full',
    ]);
  });

  it('the I/O phases, in order', () => {
    expect(enginePhases).toEqual(['wal.append', 'wal.sync', 'sidecar.rewrite', 'segment.rotate', 'checkpoint', 'prune', 'manifest', 'recovery']);
  });

  it('every recovery rule, each with a reason that says why', () => {
    expect(Object.keys(recoveryRules)).toEqual([
      'R1', 'R2', 'R3', 'R4', 'R5', 'C1', 'C2', 'C3', 'F1', 'F2', 'F3', 'F4', 'F5', 'K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7',
    ]);
    for (const reason of Object.values(recoveryRules)) expect(reason.length).toBeGreaterThan(40);
  });
});
