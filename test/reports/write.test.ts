import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../reports/merge.ts';
import { readResultDir } from '../../reports/read.ts';
import { reportFileNames, writeReports } from '../../reports/write.ts';
import { failingResult } from './fixtures.ts';

const meta = { version: '0.1.0', commit: 'cd02355' };

describe('writeReports', () => {
  it('writes the four files into a new nested folder and returns their paths', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'powercut-write-')), 'a', 'b');
    const written = await writeReports(dir, failingResult, meta);
    expect(written).toEqual(reportFileNames.map((name) => join(dir, name)));
    expect((await readdir(dir)).sort()).toEqual([...reportFileNames].sort());
    for (const path of written) expect((await readFile(path, 'utf8')).length).toBeGreaterThan(100);
  });

  it('writes a folder that readResultDir reads back, so merge works on run output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'powercut-write-'));
    await writeReports(dir, { ...failingResult, shard: '1/1' }, meta);
    const back = await readResultDir(dir);
    expect(back.shard).toBe('1/1');
    expect(mergeResults([back]).digest).toBe(failingResult.digest);
  });

  it('replaces the files of an earlier run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'powercut-write-'));
    await writeReports(dir, failingResult, meta);
    await writeReports(dir, { ...failingResult, seeds: 7 }, meta);
    expect((await readResultDir(dir)).seeds).toBe(7);
    expect((await readdir(dir)).some((name) => name.includes('.tmp-'))).toBe(false);
  });
});
