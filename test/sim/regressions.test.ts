import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { CorpusInputError, loadCorpus, parseEntry, replayCorpus, stableJson } from '../../sim/regressions.ts';
import { runPlan } from '../../sim/runner.ts';
import { loadPlanted, plantedBugs } from './planted.ts';

const corpusDir = resolve(import.meta.dirname, '../../scenarios/regressions');

describe('regression corpus', () => {
  it('holds at least three entries, each with explicit faults', async () => {
    const corpus = await loadCorpus(corpusDir);
    expect(corpus.length).toBeGreaterThanOrEqual(3);
    for (const { entry } of corpus) expect(Object.values(entry.plan.faults.rates).every((rate) => (rate ?? 0) === 0)).toBe(true);
  });

  it('replays clean on the reference engine', async () => {
    const results = await replayCorpus(corpusDir, referenceEngine);
    for (const result of results) expect(result.violations, result.file).toEqual([]);
  });

  // Under `npm run mutation` (vitest.stryker.config.ts) engine/ is Stryker-instrumented, so the
  // literal find/replace of a planted bug cannot apply; this checks the corpus, not the engine.
  it('fails every entry on the planted bug it was shrunk from', async () => {
    for (const { file, entry } of await loadCorpus(corpusDir)) {
      const bug = plantedBugs.find((candidate) => candidate.name === entry.name);
      expect(bug, `${file} names a planted bug`).toBeDefined();
      const result = await runPlan(entry.plan, await loadPlanted(bug!));
      expect(result.violations.length, file).toBeGreaterThan(0);
    }
  });

  it('refuses an entry of another format with the file named', () => {
    expect(() => parseEntry({ format: 'other' }, 'x.json')).toThrow(CorpusInputError);
    expect(() => parseEntry({ format: 'other' }, 'x.json')).toThrow(/x\.json/);
  });

  it('reads a missing corpus folder as empty', async () => {
    expect(await loadCorpus(resolve(corpusDir, 'no-such-folder'))).toEqual([]);
  });

  it('writes the same bytes whatever the key insertion order', () => {
    expect(stableJson({ steps: [], seed: 1, format: 'powercut-plan', z: { b: 1, a: 2 } }))
      .toBe(stableJson({ z: { a: 2, b: 1 }, format: 'powercut-plan', seed: 1, steps: [] }));
  });
});
