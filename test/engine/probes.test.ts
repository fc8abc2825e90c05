/**
 * The engine names its rare branches as it takes them (engine/probes.ts): each name is declared,
 * the runner counts them, and naming one never changes a run.
 */
import { describe, expect, it } from 'vitest';
import { engineProbes } from '../../engine/probes.ts';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';

/** Probe hits over seeds 1..n of a scenario. */
async function hitsOf(scenario: string, seeds: number): Promise<Record<string, number>> {
  const hits: Record<string, number> = {};
  for (let seed = 1; seed <= seeds; seed++) {
    const result = await runPlan(findScenario(scenario)!.plan(seed), referenceEngine);
    expect(result.violations).toEqual([]);
    for (const [probe, count] of Object.entries(result.probes ?? {})) hits[probe] = (hits[probe] ?? 0) + count;
  }
  return hits;
}

describe('engine probes', () => {
  it('are named once each, and the reference engine declares only named ones', () => {
    expect(engineProbes).toEqual(expect.arrayContaining([...referenceEngine.probes!]));
    expect(new Set(engineProbes).size).toBe(engineProbes.length);
  });

  it('count orphans removed and sidecars rebuilt after power losses during sidecar rewrites (K1, K3)', async () => {
    const hits = await hitsOf('sidecar-rewrite', 10);
    expect(hits['recovery.remove-orphans']).toBeGreaterThan(0);
    expect(hits['recovery.rebuild-sidecar.behind']).toBeGreaterThan(0);
    expect(Object.keys(hits).every((probe) => (engineProbes as readonly string[]).includes(probe))).toBe(true);
  });

  it('count torn tails cut by recovery (R5) when power is lost mid-append on a full disk', async () => {
    const hits = await hitsOf('disk-full', 60);
    expect(hits['recovery.cut-torn-tail']).toBeGreaterThan(0);
  });

  it('count refusals by bit rot (rule R3) when reads flip bits', async () => {
    const hits = await hitsOf('read-corruption', 30);
    expect(hits['recovery.refuse.R3']).toBeGreaterThan(0);
  });

  it('count the ENOSPC cut made durable, and checkpoints stopped on a full disk', async () => {
    const hits = await hitsOf('disk-full', 20);
    expect(hits['commit.enospc-cut-fsynced']).toBeGreaterThan(0);
    expect(hits['checkpoint.disk-full']).toBeGreaterThan(0);
  });

  it('are all declared by the reference engine but R2 and F3 (no fault reaches them)', () => {
    expect(engineProbes.filter((probe) => !referenceEngine.probes!.includes(probe))).toEqual([
      'recovery.refuse.R2', 'recovery.refuse.F3',
    ]);
  });

  it('count evidence files removed beyond the limit (K4) in crash-loop, which tears one store\'s tail again and again', async () => {
    const hits = await hitsOf('crash-loop', 3);
    expect(hits['recovery.remove-evidence']).toBeGreaterThan(0);
  });

  it('count refusals for lost names: a missing segment (C1, C2), a lost last segment (C3), a lost manifest (F1)', async () => {
    const hits = await hitsOf('lost-file', 40);
    expect(hits['recovery.refuse.C1']).toBeGreaterThan(0);
    expect(hits['recovery.refuse.C2']).toBeGreaterThan(0);
    expect(hits['recovery.refuse.C3']).toBeGreaterThan(0);
    expect(hits['recovery.refuse.F1']).toBeGreaterThan(0);
  });

  it('count refusals of damaged frames proven durable (R4) after misdirected writes', async () => {
    const hits = await hitsOf('misdirected-write', 30);
    expect(hits['recovery.refuse.R4']).toBeGreaterThan(0);
  });

  it('never change the run: the same digest with no observer', async () => {
    const plan = findScenario('disk-full')!.plan(3);
    const observed = await runPlan(plan, referenceEngine);
    const { probes: _probes, ...unobserved } = referenceEngine;
    const silent = await runPlan(plan, { ...unobserved, open: (env) => referenceEngine.open({ ...env, hit: () => undefined }) });
    expect(silent.digest).toBe(observed.digest);
    expect(silent.probes).toBeUndefined();
  });
});
