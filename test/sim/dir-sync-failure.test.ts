/**
 * The `dir-sync-failure` scenario: directory fsyncs fail with `EIO` and power losses follow, so an
 * engine that drops a directory fsync's error (and acknowledges commits resting on a name that
 * is not durable) loses them, where the same seeds without the failures never do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

const scenario = findScenario('dir-sync-failure')!;
const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
const withoutDirSyncErrors = (plan: Plan): Plan => ({ ...plan, faults: { ...plan.faults, rates: { ...plan.faults.rates, 'dir-sync-error': 0 } } });

afterAll(() => removeMutantCopies());

describe('dir-sync-failure', () => {
  it('fails directory fsyncs by rate and aims them at the phases that publish names', () => {
    const plan = scenario.plan(1);
    expect(plan.faults.rates['dir-sync-error']).toBeGreaterThan(0);
    expect(scenario.targets.faults).toEqual(['dir-sync-error']);
    expect(scenario.targets.io).toEqual(['dir-sync']);
  });

  it('passes the reference engine, which fails the store when a directory fsync fails', async () => {
    let fired = 0;
    for (const seed of seeds) {
      const result = await runPlan(scenario.plan(seed), referenceEngine);
      expect(result.violations, `seed ${seed}`).toEqual([]);
      fired += result.faults['dir-sync-error'];
    }
    expect(fired).toBeGreaterThan(0);
  });

  it('catches an engine that drops the error of a directory fsync (durability), and only through the failures', async () => {
    const engine = await loadMutant(mutants.find((mutant) => mutant.id === 'dir-sync-error-ignored')!);
    const failing: string[] = [];
    const messages: string[] = [];
    const notes: string[] = [];
    for (const seed of seeds) {
      const result = await runPlan(scenario.plan(seed), engine, { trace: 'full' });
      failing.push(...result.violations.map((violation) => violation.invariant));
      messages.push(...result.violations.map((violation) => violation.message));
      if (result.violations.length > 0) notes.push(...result.trace.filter((event) => event.type === 'note' && event.name === 'dir-sync-lost').map((event) => event.detail ?? ''));
      expect((await runPlan(withoutDirSyncErrors(scenario.plan(seed)), engine)).violations, `seed ${seed} without directory fsync failures`).toEqual([]);
    }
    expect(failing).toContain('durability');
    // The violation says what the power loss did: it lost what the failed fsync left pending.
    expect(messages.some((message) => /lost directory operations that a failed directory fsync had left pending/.test(message))).toBe(true);
    // The trace names the operation lost, in the run's own power loss or in a look's.
    expect(notes.some((note) => /^(in the look: )?the (create|rename|unlink) .+, left pending by a failed directory fsync, was lost$/.test(note))).toBe(true);
  });
});
