/**
 * The oracle's repair after a refusal (sim/runner.ts `#repairAfterRefusal`): a refusal must leave
 * the store as it found it. One flipped bit or damaged sector that made an open refuse is
 * repaired, and the store must then open with everything acknowledged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

afterAll(() => removeMutantCopies());

const plan = findScenario('read-corruption')!.plan(3);

describe('a refusal must leave the store as it found it', () => {
  it('repairs the damage behind the reference engine\'s refusal, and the store opens again with everything acknowledged', async () => {
    const result = await runPlan(plan, referenceEngine, { trace: 'full' });
    expect(result.violations).toEqual([]);
    expect(result.trace.some((event) => event.type === 'check' && event.name === 'detected')).toBe(true);
    expect(result.trace.some((event) => event.type === 'check' && event.name === 'repaired')).toBe(true);
  });

  it('fails an engine that cuts its log at the damage before it refuses, saying the refusal did not leave the store as it found it', async () => {
    const engine = await loadMutant(mutants.find((mutant) => mutant.id === 'refusal-cuts-damage')!);
    const [first] = (await runPlan(plan, engine)).violations;
    expect(first?.invariant).toBe('false-corruption');
    expect(first?.message).toMatch(/; an earlier open refused for damage, and powercut then repaired that damage .*: a refusal must leave the store as it found it, and this one did not/);
  });
});
