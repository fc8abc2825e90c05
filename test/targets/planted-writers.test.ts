/**
 * Planted bugs in a library (planted-writers.ts): the correct writer passes, and powercut's
 * library path (the fs facade, the workload runner, its second looks) catches each planted
 * mistake within a seed budget: 3× the seeds `npm run bench:library-mutants` last measured
 * (bench/results/library-mutants.json), or 50, whichever is larger.
 */
import { describe, expect, it } from 'vitest';
import { measuredSeeds } from '../mutants/measured.ts';
import { plantedWriters, type PlantedWriter } from './planted-writers.ts';
import { searchWriter } from './planted-search.ts';

const measured = measuredSeeds('library-mutants.json');
const budgetOf = (planted: PlantedWriter): number => Math.max(50, 3 * (measured.seeds[planted.id] ?? 200));

describe('planted bugs in a document writer', () => {
  it('have their budgets from the last bench:library-mutants run: every bug measured there, and caught', () => {
    expect(plantedWriters.map((planted) => planted.id).filter((id) => measured.seeds[id] === undefined)).toEqual([]);
    expect(measured.uncaught).toEqual([]);
  });

  it('leave the writer without flaws passing 100 seeds', async () => {
    expect(await searchWriter('writer-control', {}, 100)).toEqual({ caught: false, seeds: 100 });
  });

  it('leave the writer without flaws passing 100 seeds when it makes a new directory every second version, syncing its parent', async () => {
    expect(await searchWriter('writer-control-generations', {}, 100, 'generations')).toEqual({ caught: false, seeds: 100 });
  }, 120_000);

  for (const planted of plantedWriters) {
    it(`catch ${planted.id} (${planted.models}) within ${budgetOf(planted)} seeds`, async () => {
      const result = await searchWriter(planted.id, planted.flaws, budgetOf(planted), planted.layout);
      expect(result.caught, `${planted.id} survived ${result.seeds} seeds`).toBe(true);
    }, 120_000);
  }
});
