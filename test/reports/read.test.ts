import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReportInputError } from '../../reports/errors.ts';
import { renderJson, summarySchema } from '../../reports/json.ts';
import { parseSummary, readResultDir } from '../../reports/read.ts';
import { failingResult, greenResult, hostileResult } from './fixtures.ts';

const meta = { version: '0.1.0', commit: 'cd02355' };

async function dirWith(summary: string | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'powercut-read-'));
  if (summary !== undefined) await writeFile(join(dir, 'summary.json'), summary);
  return dir;
}

function errorOf(action: () => unknown): ReportInputError {
  try {
    action();
  } catch (error) {
    if (error instanceof ReportInputError) return error;
    throw error;
  }
  throw new Error('expected a ReportInputError');
}

describe('summary.json', () => {
  it('holds the whole result, the build and derived figures', () => {
    const document = JSON.parse(renderJson(failingResult, meta));
    expect(document.schema).toBe(summarySchema);
    expect(document.powercut).toEqual({ version: '0.1.0', commit: 'cd02355' });
    for (const key of Object.keys(failingResult)) expect(document).toHaveProperty(key);
    expect(document.totals.violations).toBe(3);
    expect(document.scenarioFigures).toHaveLength(3);
    expect(document.missedTargets).toEqual([{ phase: 'sidecar.rewrite', kind: 'disk-full' }, { phase: 'prune', kind: 'power-loss' }]);
  });

  it('lists the failing runs by root cause, for machines, and reads back without them', () => {
    const document = JSON.parse(renderJson(failingResult, meta));
    expect(document.rootCauses).toEqual([
      { invariant: 'durability', shape: 'commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent', runs: [{ scenario: 'wal-append', seed: 1337, followOns: 1 }] },
      { invariant: 'no-resurrection', shape: 'key kN was deleted by commit #N, acknowledged, but came back as 0x… (N bytes)', runs: [{ scenario: 'checkpoint-prune', seed: 90210, followOns: 0 }] },
    ]);
    expect(parseSummary(renderJson(failingResult, meta), 'summary.json')).not.toHaveProperty('rootCauses');
  });

  it('records an unknown commit as null', () => {
    expect(JSON.parse(renderJson(greenResult, { version: '0.1.0' })).powercut.commit).toBeNull();
  });

  it('reads back as the same result, traces, hostile strings and second looks included', () => {
    const looked = { ...failingResult, looks: 12, violations: failingResult.violations.map((v, i) => (i === 0 ? { ...v, look: { crash: 1, crashState: 9, io: 40 } } : v)) };
    const rotted = { ...failingResult, looks: 3, violations: failingResult.violations.map((v, i) => (i === 0 ? { ...v, look: { crash: 0, crashState: 0, io: 20, rot: { fault: 'bit-flip' as const, path: '/db/1.wal', at: 783, read: 32, arg: 783 } } } : v)) };
    const forgotten = { ...failingResult, looks: 2, violations: failingResult.violations.map((v, i) => (i === 0 ? { ...v, look: { crash: 0, crashState: 0, io: 21, beforeStep: 2, why: 'open-unsynced' as const } } : v)) };
    const promised = { ...failingResult, looks: 2, violations: failingResult.violations.map((v, i) => (i === 0 ? { ...v, look: { crash: 0, crashState: 1, io: 30, beforeStep: 3, why: 'promise-unsynced' as const } } : v)) };
    const skipped = { ...greenResult, looksSkipped: 7 };
    const gated = { ...greenResult, seedsPerUnit: 1000, gate: { verdict: 'incomplete' as const, reasons: ['1 declared probe was never hit: recovery.refuse.C2'] } };
    const firstFailing = { ...failingResult, perScenario: Object.fromEntries(Object.entries(failingResult.perScenario).map(([unit, row]) => [unit, { ...row, firstFailingSeed: 3 }])) };
    for (const result of [failingResult, greenResult, hostileResult, looked, rotted, forgotten, promised, skipped, gated, firstFailing]) {
      const back = parseSummary(renderJson(result, meta), 'summary.json');
      expect(back).toEqual({ ...result, violations: [...result.violations].sort((a, b) => a.scenario < b.scenario ? -1 : 1) });
    }
  });

  it('refuses a look at a power loss between steps with a reason it does not know, naming the field and the reasons', () => {
    const unknown = { ...failingResult, violations: failingResult.violations.map((v, i) => (i === 0 ? { ...v, look: { crash: 0, crashState: 0, io: 30, beforeStep: 3, why: 'bad-luck' } } : v)) };
    expect(() => parseSummary(renderJson(unknown as never, meta), 'summary.json')).toThrow(/summary\.json: .*\.look\.why must be fsync-failed, open-unsynced, promise-unsynced/);
  });
});

describe('readResultDir', () => {
  it('reads the summary of a report folder', async () => {
    const dir = await dirWith(renderJson(greenResult, meta));
    expect(await readResultDir(dir)).toEqual(greenResult);
  });

  it('refuses a folder without summary.json with SUMMARY_MISSING and names the file', async () => {
    const dir = await dirWith(undefined);
    await expect(readResultDir(dir)).rejects.toMatchObject({ code: 'SUMMARY_MISSING', message: expect.stringContaining(join(dir, 'summary.json')) });
  });

  it('refuses a folder that does not exist', async () => {
    const dir = join(await dirWith(undefined), 'nope');
    await expect(readResultDir(dir)).rejects.toBeInstanceOf(ReportInputError);
  });

  it('refuses a summary.json that is a folder', async () => {
    const dir = await dirWith(undefined);
    await mkdir(join(dir, 'summary.json'));
    await expect(readResultDir(dir)).rejects.toMatchObject({ code: 'SUMMARY_MISSING' });
  });

  it('refuses text that is not JSON with SUMMARY_MALFORMED', async () => {
    const dir = await dirWith('{"schema": ');
    await expect(readResultDir(dir)).rejects.toMatchObject({ code: 'SUMMARY_MALFORMED', message: expect.stringMatching(/not valid JSON/) });
  });
});

describe('parseSummary', () => {
  const good = (): Record<string, unknown> => JSON.parse(renderJson(failingResult, meta));

  it('refuses another schema', () => {
    const error = errorOf(() => parseSummary(JSON.stringify({ ...good(), schema: 'other/9' }), 's.json'));
    expect(error.message).toBe('s.json: field schema must be "powercut-summary/2", found "other/9"');
  });

  it('names a missing coverage cell', () => {
    const document = good();
    delete (document['coverage'] as Record<string, Record<string, number>>)['wal.sync']!['bit-flip'];
    expect(errorOf(() => parseSummary(JSON.stringify(document), 's.json')).message)
      .toBe('s.json: field coverage.wal.sync.bit-flip must be an integer');
  });

  it('refuses a digest that is not 16 hex digits', () => {
    expect(errorOf(() => parseSummary(JSON.stringify({ ...good(), digest: 'abc' }), 's.json')).code).toBe('SUMMARY_MALFORMED');
  });

  it('names a look at rot whose bit or sector is not a count, or whose fault is not one a look lets strike', () => {
    const document = good();
    const violations = document['violations'] as Record<string, unknown>[];
    violations[0]!['look'] = { crash: 0, crashState: 0, io: 20, rot: { fault: 'sector-damage', path: '/db/1.wal', at: -1 } };
    expect(errorOf(() => parseSummary(JSON.stringify(document), 's.json')).message)
      .toMatch(/^s\.json: field violations\[0\]\.look\.rot\.at must not be negative$/);
    violations[0]!['look'] = { crash: 0, crashState: 0, io: 20, rot: { fault: 'power-loss', path: '/db/1.wal', at: 1 } };
    expect(errorOf(() => parseSummary(JSON.stringify(document), 's.json')).message)
      .toBe('s.json: field violations[0].look.rot.fault must be bit-flip or sector-damage');
  });

  it('names a bad trace event type', () => {
    const document = good();
    const violations = document['violations'] as { trace: { type: string }[] }[];
    violations[1]!.trace[3]!.type = 'explosion';
    expect(errorOf(() => parseSummary(JSON.stringify(document), 's.json')).message)
      .toMatch(/^s\.json: field violations\[1\]\.trace\[3\]\.type must be one of/);
  });

  it('reads a violation\'s step, place in its run and fault kinds, which triage orders and filters by', () => {
    const document = good();
    const violations = document['violations'] as Record<string, unknown>[];
    Object.assign(violations[0]!, { step: -1, indexInRun: 2, runFaultKinds: ['kill-9', 'power-loss'] });
    const back = parseSummary(JSON.stringify(document), 's.json').violations[0]!;
    expect(back).toMatchObject({ step: -1, indexInRun: 2, runFaultKinds: ['kill-9', 'power-loss'] });
  });

  it('names a fault kind that does not exist in runFaultKinds', () => {
    const document = good();
    (document['violations'] as Record<string, unknown>[])[0]!['runFaultKinds'] = ['meteor'];
    expect(errorOf(() => parseSummary(JSON.stringify(document), 's.json')).message)
      .toMatch(/^s\.json: field violations\[0\]\.runFaultKinds\[0\] must be one of/);
  });

  it('gives one-line messages', () => {
    const error = errorOf(() => parseSummary('[1,2]', 's.json'));
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe('s.json: field (root) must be an object');
  });
});
