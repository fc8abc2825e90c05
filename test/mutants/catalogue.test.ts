/**
 * The mutant catalogue: every planted bug still applies to the current engine, and the
 * simulator catches every one within a fixed seed budget of its target scenarios.
 *
 * Budgets are 3× the seeds `npm run bench:mutants` last measured to the first failure (read from
 * bench/results/mutants.json, so the two cannot disagree), or 200,
 * whichever is larger, capped at 600. A mutant the simulator does not catch fails this test: the fix is a
 * stronger fault model or oracle, never a shorter catalogue.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { mutants, type Mutant } from './catalogue.ts';
import { explicitPlan, searchMutant, searchPlan } from './campaign.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { applyPatch, loadMutant, patchedSources, removeMutantCopies, StalePatternError } from './loader.ts';

/** What `npm run bench:mutants` measured last (bench/results/mutants.json, the full fault model). */
interface MeasuredRow {
  readonly id: string;
  readonly results: { readonly full: { readonly caught: boolean; readonly seeds: number } };
}

const measured: readonly MeasuredRow[] = (JSON.parse(readFileSync(new URL('../../bench/results/mutants.json', import.meta.url), 'utf8')) as { rows: MeasuredRow[] }).rows;

/** Seeds to the first failure measured by bench:mutants, by mutant. */
const measuredSeeds: Record<string, number> = Object.fromEntries(measured.map((row) => [row.id, row.results.full.seeds]));

/** Keeps the whole file under 90 s on two cores. */
const budgetMax = 600;

function budgetOf(mutant: Mutant): number {
  return Math.min(budgetMax, Math.max(200, 3 * (measuredSeeds[mutant.id] ?? budgetMax)));
}

afterAll(() => removeMutantCopies());

describe('mutant catalogue', () => {
  it('has its budgets from the last bench:mutants run: every mutant measured there, and caught', () => {
    expect(mutants.map((mutant) => mutant.id).filter((id) => measuredSeeds[id] === undefined)).toEqual([]);
    expect(measured.filter((row) => !row.results.full.caught).map((row) => row.id)).toEqual([]);
  });

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

  it('catches later-frame-evidence-ignored with the engine-agnostic oracle alone under the damage contract \'detects\' (durability), and not under \'point-in-time\'', async () => {
    const mutant = mutants.find((candidate) => candidate.id === 'later-frame-evidence-ignored')!;
    // Without the reference adapter's own file checks: what any engine declaring `detects` gets.
    const { selfCheck: _self, crashCheck: _crash, ...generic } = await loadMutant(mutant);
    // misdirected-write seed 133: a frame's write lands elsewhere, later frames vouch for it.
    const plan = findScenario('misdirected-write')!.plan(133);
    const held = await runPlan(plan, { ...generic, damage: 'detects' });
    expect(held.violations[0]).toMatchObject({ invariant: 'durability' });
    expect(held.violations[0]?.message).toMatch(/under the engine's damage contract 'detects', recovery keeps every commit up to #\d+ or refuses to open\)$/);
    const allowed = await runPlan(plan, { ...generic, damage: 'point-in-time' });
    expect(allowed.violations).toEqual([]);
    // Not a failure under point-in-time, but a finding that names the contract to declare.
    expect(allowed.findings?.[0]).toMatchObject({ invariant: 'lost-to-damage', message: expect.stringContaining("declare damage: 'detects'") });
    const { selfCheck: _shippedSelf, crashCheck: _shippedCrash, ...shipped } = referenceEngine;
    expect((await runPlan(plan, shipped)).violations).toEqual([]);
  });

  it('names the media damage a violation followed (r4-evidence-ignored, misdirected-write seed 4: idempotence)', async () => {
    const mutant = mutants.find((candidate) => candidate.id === 'r4-evidence-ignored')!;
    const run = await runPlan({ ...findScenario('misdirected-write')!.plan(4), looks: 0 }, await loadMutant(mutant));
    expect(run.violations[0]).toMatchObject({ invariant: 'idempotence' });
    expect(run.violations[0]?.message).toContain('; media damage struck durable bytes earlier in this run (the trace\'s misdirected-write, sector-damage or lost-entry fault names it)');
  });

  it('names an acknowledgement over an unreported fsync failure in the violation it leads to (fsync-error-retried, a btrfs revert: false-corruption)', async () => {
    const mutant = mutants.find((candidate) => candidate.id === 'fsync-error-retried')!;
    const run = await runPlan(findScenario('fsync-failure')!.plan(29), await loadMutant(mutant));
    expect(run.violations[0]).toMatchObject({ invariant: 'false-corruption' });
    expect(run.violations[0]?.message).toContain('; earlier, commits were acknowledged after an fsync failed over unsynced writes and before the engine reported any failure');
  });

  for (const mutant of mutants) {
    it(`catches ${mutant.id} (${mutant.models}) within ${budgetOf(mutant)} seeds`, async () => {
      const result = await searchMutant(mutant, await loadMutant(mutant), 'full', budgetOf(mutant));
      expect(result.caught, `${mutant.id} survived ${result.seeds} seeds of ${mutant.scenarios.join(', ')}`).toBe(true);
    });
  }
});
