/**
 * The `crash-loop` scenario: one store crashed and recovered dozens of times, so a recovery meets
 * what all the ones before it left. The reference engine's evidence limit (rule K4: at most 8
 * torn-tail evidence files) is reached here, and the self-check holds it to the limit.
 */
import { describe, expect, it } from 'vitest';
import { evidenceWithinLimit, referenceEngine } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { tornEvidenceFilesMax } from '../../engine/limits.ts';

const crashLoop = findScenario('crash-loop')!;

describe('crash-loop', () => {
  it('runs 200 steps without a checkpoint, in sync mode none, with every crash step a power loss', () => {
    const plan = crashLoop.plan(1);
    expect(plan.steps).toHaveLength(200);
    expect(plan.steps.some((step) => step.op === 'checkpoint' || step.op === 'sync')).toBe(false);
    expect(plan.steps.filter((step) => step.op === 'crash').length).toBeGreaterThanOrEqual(20);
    expect(plan.steps.every((step) => step.op !== 'crash' || step.kind === 'power-loss')).toBe(true);
    expect(plan.engine.sync).toBe('none');
  });

  it('cuts more torn tails than the evidence limit keeps, and the reference engine passes', async () => {
    let beyondLimit = 0;
    for (const seed of [1, 2, 3, 4]) {
      const result = await runPlan(crashLoop.plan(seed), referenceEngine);
      expect(result.violations, `seed ${seed}`).toEqual([]);
      if ((result.probes?.['recovery.remove-evidence'] ?? 0) > 0) beyondLimit++;
      expect(result.probes?.['recovery.cut-torn-tail'], `seed ${seed}`).toBeGreaterThan(3);
    }
    expect(beyondLimit).toBeGreaterThanOrEqual(2);
  });
});

describe('the reference self-check of rule K4', () => {
  const evidence = (n: number): string => `00000000000000000002.wal.${String(n).padStart(10, '0')}@${100 * n}.torn`;
  it('accepts as many evidence files as the limit', () => {
    const names = ['MANIFEST', '00000000000000000002.wal', ...Array.from({ length: tornEvidenceFilesMax }, (_, i) => evidence(i + 1))];
    expect(evidenceWithinLimit(names)).toEqual([]);
  });

  it('names a store that keeps one more', () => {
    const names = ['00000000000000000002.wal', ...Array.from({ length: tornEvidenceFilesMax + 1 }, (_, i) => evidence(i + 1))];
    expect(evidenceWithinLimit(names)).toEqual([`${tornEvidenceFilesMax + 1} torn-tail evidence files kept, above the limit of ${tornEvidenceFilesMax} (rule K4)`]);
  });
});
