/**
 * Planted bugs in a user's engine (careful-catalogue.ts: the careful example engine, no phases,
 * no LSNs): each still applies to the example, and powercut catches each within a seed budget of
 * its target scenarios, through the path every engine powercut has not seen takes (faults aimed
 * at kinds of I/O, the generic oracle).
 *
 * Budgets are 3× the seeds `bench/careful-mutants.ts` last measured to the first catch (read from
 * bench/results/careful-mutants.json), or 100, whichever is larger, capped at 400.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Mutant } from './catalogue.ts';
import { carefulMutants } from './careful-catalogue.ts';
import { removeCarefulCopies, writeCarefulCopy } from './careful-loader.ts';
import { searchCarefulMutant } from './careful-search.ts';
import { StalePatternError } from './loader.ts';
import { measuredSeeds } from './measured.ts';

const measured = measuredSeeds('careful-mutants.json');

function budgetOf(mutant: Mutant): number {
  return Math.min(400, Math.max(100, 3 * (measured.seeds[mutant.id] ?? 400)));
}

afterAll(() => removeCarefulCopies());

describe('planted bugs in the careful example engine', () => {
  it('have their budgets from the last bench/careful-mutants.ts run: every bug measured there, and caught', () => {
    expect(carefulMutants.map((mutant) => mutant.id).filter((id) => measured.seeds[id] === undefined)).toEqual([]);
    expect(measured.uncaught).toEqual([]);
  });

  it('apply to the example as it is (each pattern matches exactly once), and a stale one fails loudly', () => {
    for (const mutant of carefulMutants) expect(() => writeCarefulCopy(mutant), mutant.id).not.toThrow();
    const stale: Mutant = { id: 'gone', title: '', models: '', scenarios: ['wal-append'], patches: [{ file: 'store.ts', find: 'no such text', replace: '' }] };
    expect(() => writeCarefulCopy(stale)).toThrow(StalePatternError);
    expect(() => writeCarefulCopy(stale)).toThrow(/in examples\/careful-engine\/store.ts .*update test\/mutants\/careful-catalogue.ts/);
  });

  it('leave an unpatched copy that behaves like the example (no violation in 40 seeds)', async () => {
    const control: Mutant = { id: 'careful-control', title: 'no change', models: '-', patches: [], scenarios: ['wal-append', 'fsync-failure', 'checkpoint-prune', 'swarm'] };
    expect((await searchCarefulMutant(control, 40)).caught).toBe(false);
  });

  for (const mutant of carefulMutants) {
    it(`catches ${mutant.id} (${mutant.models}) within ${budgetOf(mutant)} seeds`, async () => {
      const result = await searchCarefulMutant(mutant, budgetOf(mutant));
      expect(result.caught, `${mutant.id} survived ${result.seeds} seeds of ${mutant.scenarios.join(', ')}`).toBe(true);
      expect(result.referenceFailures).toBe(0);
    }, 120_000);
  }
});
