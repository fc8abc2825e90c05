/**
 * The `unordered-names` scenario: a power loss keeps a directory's unsynced operations per name
 * (`dirOrder: 'per-name'`), so an engine that publishes a name and removes what it replaces
 * before one directory sync is caught, where journal order (every other scenario) never can;
 * the violation says why, and the trace names the operations that survived out of order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

const scenario = findScenario('unordered-names')!;
const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
const journal = (plan: Plan): Plan => ({ ...plan, faults: { ...plan.faults, dirOrder: 'journal' } });

afterAll(() => removeMutantCopies());

describe('unordered-names', () => {
  it('keeps each name\'s operations apart, with power losses aimed at namespace I/O', () => {
    const plan = scenario.plan(1);
    expect(plan.faults.dirOrder).toBe('per-name');
    expect(plan.faults.io).toEqual(['create', 'rename', 'unlink', 'dir-sync']);
  });

  it('passes the reference engine, which syncs its directory between publishing a name and removing what it replaces', async () => {
    for (const seed of seeds) expect((await runPlan(scenario.plan(seed), referenceEngine)).violations, `seed ${seed}`).toEqual([]);
  });

  it('catches a manifest renamed into place without a directory sync before the pruning unlinks, says why, and traces which operations', async () => {
    const engine = await loadMutant(mutants.find((mutant) => mutant.id === 'manifest-rename-unsynced')!);
    const failing = [];
    for (const seed of seeds) {
      const result = await runPlan(scenario.plan(seed), engine, { trace: 'full' });
      if (result.violations.length > 0) failing.push(result);
      // The same seed in journal order: the rename always survives with the unlinks made after it.
      expect((await runPlan(journal(scenario.plan(seed)), engine)).violations, `seed ${seed} in journal order`).toEqual([]);
    }
    expect(failing.length).toBeGreaterThan(0);
    const [first] = failing;
    expect(first!.violations[0]!.message).toMatch(/kept a directory's operations out of order, as POSIX allows before the directory is synced/);
    const notes = first!.trace.filter((event) => event.type === 'note' && event.name === 'dir-order').map((event) => event.detail ?? '');
    expect(notes.some((note) => /(the rename|the unlink|the create) .+ survived, .+ made before it did not/.test(note))).toBe(true);
  });
});
