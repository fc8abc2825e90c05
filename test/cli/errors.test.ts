import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { cli } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-cli-errors-'));
  const plan = findScenario('wal-append')!.plan(1);
  await writeFile(join(dir, 'bad.json'), '{ "format": "powercut-plan", ');
  await writeFile(join(dir, 'wrong-format.json'), JSON.stringify({ ...plan, format: 'something-else' }));
  await writeFile(join(dir, 'wrong-version.json'), JSON.stringify({ ...plan, version: 2 }));
  await writeFile(join(dir, 'unknown-field.json'), JSON.stringify({ ...plan, faultz: {} }));
  await writeFile(join(dir, 'bad-step.json'), JSON.stringify({ ...plan, steps: [{ op: 'explode' }] }));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bad usage and bad input: one line on stderr, exit 2, no stack trace', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unknown scenario', () => ['run', '--scenario', 'no-such', '--seeds', '1'], /unknown scenario "no-such"/],
    ['a malformed seed count', () => ['run', '--seeds', 'abc'], /--seeds.*abc/],
    ['a shard index above the count', () => ['run', '--shard', '3/2'], /--shard.*3\/2/],
    ['a malformed shard', () => ['run', '--shard', 'x'], /--shard.*'x'/],
    ['an unknown option', () => ['run', '--sed', '3'], /unknown option '--sed'/],
    ['an unknown command', () => ['explode'], /unknown command/],
    ['repro of an unknown scenario', () => ['repro', '--scenario', 'no-such', '--seed', '1'], /unknown scenario/],
    ['repro with a malformed seed', () => ['repro', '--scenario', 'wal-append', '--seed', '1x'], /--seed/],
    ['a missing plan file', () => ['replay', join(dir, 'missing.json')], /missing\.json: cannot read plan file \(no such file\)/],
    ['malformed plan JSON', () => ['replay', join(dir, 'bad.json')], /bad\.json: not valid JSON/],
    ['a plan of another format', () => ['replay', join(dir, 'wrong-format.json')], /format must be "powercut-plan"/],
    ['a plan of another version', () => ['replay', join(dir, 'wrong-version.json')], /version must be 1/],
    ['a plan with an unknown field', () => ['replay', join(dir, 'unknown-field.json')], /faultz is not a plan field/],
    ['a plan with an unknown step', () => ['replay', join(dir, 'bad-step.json')], /steps\[0\]\.op is not a known step/],
    ['verify of a missing folder', () => ['verify', join(dir, 'nowhere')], /no such directory/],
    ['merge of a folder without summary.json', () => ['merge', dir, '--out', join(dir, 'out')], /summary\.json/],
    ['real in a folder that is not empty', () => ['real', '--cycles', '1', '--dir', dir], /not empty/],
    ['a negative number of second looks', () => ['run', '--looks', '-1'], /--looks.*-1/],
    ['ci of an unknown scenario, before the corpus is replayed', () => ['ci', '--scenario', 'wal-apend', '--seeds', '1', '--report', join(dir, 'r-ci')], /unknown scenario "wal-apend"/],
    ['shrink --out naming a folder, before any work', () => ['shrink', '--scenario', 'wal-append', '--seed', '1', '--out', dir], /--out .*: is a folder, not a file/],
    ['a --trace file whose folder cannot be made', () => ['repro', '--scenario', 'wal-append', '--seed', '1', '--trace', join(dir, 'bad.json', 'trace.jsonl')], /--trace .*trace\.jsonl: cannot create its folder \((EEXIST|ENOTDIR)\)/],
    ['second looks with a plan file, which holds its own', () => ['shrink', '--plan', join(dir, 'bad-step.json'), '--looks', '1', '--out', join(dir, 'out.json')], /a plan file holds its own second looks/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const result = await cli(...args());
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^powercut: /);
      expect(lines[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});

describe('help', () => {
  it('exits 0 on --help', async () => {
    const result = await cli('run', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--check-determinism');
  });
});

describe('files a command writes', () => {
  it('creates the folder of shrink --out, as mkdir -p does (test/regressions/ in a project without it yet)', async () => {
    const out = join(dir, 'test', 'regressions', 'naive.json');
    const result = await cli('shrink', '--engine', 'examples/naive-engine/engine.ts', '--scenario', 'checkpoint-prune', '--seed', '2', '--out', out);
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ format: 'powercut-plan', seed: 2 });
  });
});

