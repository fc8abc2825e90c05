/**
 * The mutant catalogue: every planted bug still applies to the current engine, and the
 * simulator catches every one within a fixed seed budget of its target scenarios.
 *
 * Budgets are 3× the seeds `npm run bench:mutants` measured to the first failure, or 200,
 * whichever is larger, capped at 600. A mutant the simulator does not catch fails this test: the fix is a
 * stronger fault model or oracle, never a shorter catalogue.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mutants, type Mutant } from './catalogue.ts';
import { explicitPlan, searchMutant, searchPlan } from './campaign.ts';
import { runPlan } from '../../sim/runner.ts';
import { applyPatch, loadMutant, patchedSources, removeMutantCopies, StalePatternError } from './loader.ts';

/** Seeds to the first failure measured by bench:mutants (full fault model, 2,000-seed budget). */
const measuredSeeds: Record<string, number> = {
  'segment-no-dir-sync': 2,
  'rotate-without-sync': 2,
  'prune-before-manifest': 1,
  'strict-ack-before-fsync': 1,
  'fsync-error-ignored': 1,
  'fsync-error-retried': 1,
  'last-frame-unchecked': 126,
  'corruption-truncated': 20,
  'torn-tail-kept': 3,
  'truncation-not-synced': 199,
  'stale-sidecar-trusted': 1,
  'sidecar-in-place': 1,
  'orphan-sidecar-adopted': 1,
  'group-ack-uncovered': 1,
  'enospc-partial-kept': 14,
  'snapshot-not-synced': 1,
  'batch-two-frames': 3,
};

/** Keeps the whole file under 90 s on two cores. */
const budgetMax = 600;

function budgetOf(mutant: Mutant): number {
  return Math.min(budgetMax, Math.max(200, 3 * (measuredSeeds[mutant.id] ?? budgetMax)));
}

afterAll(() => removeMutantCopies());

describe('mutant catalogue', () => {
  it('has at least 16 mutants, each naming the real bug it models and its target scenarios', () => {
    expect(mutants.length).toBeGreaterThanOrEqual(16);
    expect(new Set(mutants.map((m) => m.id)).size).toBe(mutants.length);
    for (const mutant of mutants) {
      expect(mutant.models.length, mutant.id).toBeGreaterThan(0);
      expect(mutant.scenarios.length, mutant.id).toBeGreaterThan(0);
    }
  });

  it('applies every mutant to the current engine (each pattern matches exactly once)', () => {
    for (const mutant of mutants) expect(() => patchedSources(mutant), mutant.id).not.toThrow();
  });

  it('fails loudly, naming the mutant, when a pattern no longer matches', () => {
    const patch = { file: 'store.ts', find: 'no such text in the engine', replace: '' };
    expect(() => applyPatch('gone', 'source', patch)).toThrow(StalePatternError);
    expect(() => applyPatch('gone', 'source', patch)).toThrow(/mutant gone/);
    expect(() => applyPatch('twice', 'a a', { ...patch, find: 'a' })).toThrow(/matches 2 times/);
  });

  it('loads an unpatched copy that behaves like the shipped engine (no violation in 40 seeds)', async () => {
    const control: Mutant = { id: 'control', title: 'no change', models: '-', patches: [], scenarios: ['wal-append', 'rotation', 'checkpoint-prune', 'swarm'] };
    const result = await searchMutant(control, await loadMutant(control), 'full', 40);
    expect(result.caught).toBe(false);
  });

  it('rechecks the shipped engine on the very run a mutant failed: its explicit faults and crash states replay it exactly', async () => {
    const mutant = mutants.find((candidate) => candidate.id === 'segment-no-dir-sync')!;
    const engine = await loadMutant(mutant);
    const plan = searchPlan(mutant, 2);
    const run = await runPlan(plan, engine);
    const explicit = explicitPlan(plan, run);
    expect(explicit.faults.rates).toEqual({});
    expect(explicit.crashStates).toEqual(run.crashStates);
    expect((await runPlan(explicit, engine)).digest).toBe(run.digest);
  });

  for (const mutant of mutants) {
    it(`catches ${mutant.id} (${mutant.models}) within ${budgetOf(mutant)} seeds`, async () => {
      const result = await searchMutant(mutant, await loadMutant(mutant), 'full', budgetOf(mutant));
      expect(result.caught, `${mutant.id} survived ${result.seeds} seeds of ${mutant.scenarios.join(', ')}`).toBe(true);
    });
  }
});
