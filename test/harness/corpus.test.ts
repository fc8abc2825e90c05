import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusInputError, loadCorpus, parseEntry, replayCorpus, stableJson, unfiredFaults } from '../../harness/corpus.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import type { Plan } from '../../sim/plan.ts';
import { openPlan } from '../../subjects/load.ts';
import { loadPlanted, plantedBugs } from '../sim/planted.ts';

const corpusDir = resolve(import.meta.dirname, '../../scenarios/regressions');

describe('regression corpus', () => {
  it('holds at least three entries, each with explicit faults', async () => {
    const corpus = await loadCorpus(corpusDir);
    expect(corpus.length).toBeGreaterThanOrEqual(3);
    for (const { entry } of corpus) expect(Object.values(entry.plan.faults.rates).every((rate) => (rate ?? 0) === 0)).toBe(true);
  });

  it('replays clean on the reference engine, every scheduled fault firing', async () => {
    const results = await replayCorpus(corpusDir, (document, source) => openPlan(document, source));
    expect(results.length).toBeGreaterThanOrEqual(3);
    for (const result of results) {
      expect(result.violations, result.file).toEqual([]);
      expect(result.unfired, result.file).toEqual([]);
    }
  });

  // Under `npm run mutation` (vitest.stryker.config.ts) engine/ is Stryker-instrumented, so the
  // literal find/replace of a planted bug cannot apply; this checks the corpus, not the engine.
  it('fails every planted-bug entry on the planted bug it was shrunk from', async () => {
    for (const { file, entry } of await loadCorpus(corpusDir)) {
      const bug = plantedBugs.find((candidate) => candidate.name === entry.name);
      if (bug === undefined) continue;
      const result = await engineSubject(await loadPlanted(bug)).run(entry.plan as Plan);
      expect(result.violations.length, file).toBeGreaterThan(0);
    }
  });

  it('names scheduled faults that never fired', () => {
    const plan = { format: 'x', version: 1, seed: 1, stepsMax: 1, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 4096, scheduled: [{ io: 3, kind: 'kill-9' }, { io: 9, kind: 'disk-full' }] } } as const;
    expect(unfiredFaults(plan, { faultsFired: [{ io: 3, kind: 'kill-9' }] })).toEqual(['disk-full@9']);
  });

  it('refuses an entry of another format with the file named', () => {
    expect(() => parseEntry({ format: 'other' }, 'x.json')).toThrow(CorpusInputError);
    expect(() => parseEntry({ format: 'other' }, 'x.json')).toThrow(/x\.json/);
  });

  it('accepts a bare plan (what shrink writes) as an entry named after its file', () => {
    const entry = parseEntry({ format: 'powercut-plan', seed: 3 }, 'dir/bug.json');
    expect(entry.name).toBe('bug');
    expect(entry.plan).toEqual({ format: 'powercut-plan', seed: 3 });
  });

  it('reads a missing corpus folder as empty', async () => {
    expect(await loadCorpus(resolve(corpusDir, 'no-such-folder'))).toEqual([]);
  });

  it('writes the same bytes whatever the key insertion order', () => {
    expect(stableJson({ steps: [], seed: 1, format: 'powercut-plan', z: { b: 1, a: 2 } }))
      .toBe(stableJson({ z: { a: 2, b: 1 }, format: 'powercut-plan', seed: 1, steps: [] }));
  });
});
