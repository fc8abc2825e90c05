import * as nodeFs from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFileSystem, Store, SystemClock } from '../../engine/index.ts';
import { scenarios, findScenario } from '../../scenarios/index.ts';
import { cli, json } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The fields of `run --json` that must not depend on how the campaign was run. */
function outcome(result: Record<string, unknown>): unknown {
  const { scenarios: names, seeds, violations, faults, coverage, digest, perScenario, targets } = result;
  return { names, seeds, violations, faults, coverage, digest, perScenario, targets };
}

describe('list', () => {
  it('lists every scenario with its description and targets', async () => {
    const result = await cli('list');
    expect(result.code).toBe(0);
    for (const scenario of scenarios) {
      expect(result.stdout).toContain(scenario.name);
      expect(result.stdout).toContain(scenario.description);
    }
    expect(result.stdout).toContain('targets: wal.append x power-loss/kill-9; wal.sync x power-loss/kill-9');
  });

  it('lists the cells by I/O class for an engine that reports no phases', async () => {
    const result = await cli('list', '--engine', 'test/fixtures/engines/no-phases.ts');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('engine no-phases (test/fixtures/engines/no-phases.ts)');
    expect(result.stdout).toContain('targets: append x power-loss/kill-9; fsync x power-loss/kill-9');
    // A scenario whose I/O not every engine does holds no cell against it, and says its faults still come.
    expect(result.stdout).toMatch(/^dir-sync-failure .*\n +targets: none held against this engine \(it declares no phases, so which of dir-sync it does is known only once it runs\); its faults \(dir-sync-error\) are injected wherever it does, and a campaign's coverage table shows where they landed$/m);
  });
});

describe('run', () => {
  it('prints exactly one JSON object with --json', async () => {
    const result = await cli('run', '--scenario', 'wal-append', '--seeds', '2', '--jobs', '1', '--json');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const parsed = json(result);
    expect(parsed).toMatchObject({ scenarios: ['wal-append'], seeds: 2, violations: [], exitCode: 0 });
    expect(parsed['digest']).toMatch(/^[0-9a-f]{16}$/);
    for (const key of ['faults', 'coverage', 'seedsPerSecond', 'elapsedMs']) expect(parsed).toHaveProperty(key);
  });

  it('prints a summary with the coverage table and the seeds per second', async () => {
    const result = await cli('run', '--scenario', 'disk-full', '--seeds', '2', '--jobs', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/seeds run: 2 in .* seeds\/s/);
    expect(result.stdout).toContain('faults by kind:');
    expect(result.stdout).toMatch(/targeted but missed|every targeted cell was hit/);
  });

  it('recovers other disks of each power loss (second looks) by default, none with --looks 0, and the same digest either way', async () => {
    const args = ['run', '--scenario', 'wal-append', '--seeds', '3', '--jobs', '1'];
    const [looked, none] = await Promise.all([cli(...args), cli(...args, '--looks', '0')]);
    expect(looked.code).toBe(0);
    expect(none.code).toBe(0);
    const count = Number(/second looks: (\d+) other disks/.exec(looked.stdout)?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(none.stdout).not.toContain('second looks');
    const digest = (text: string): string | undefined => /digest: (\w+)/.exec(text)?.[1];
    expect(digest(looked.stdout)).toBe(digest(none.stdout));
  });

  it('gives the same digest and results with --jobs 1 and --jobs 2', async () => {
    const args = ['run', '--scenario', 'wal-append', 'rotation', '--seeds', '3', '--json'];
    const [one, two] = await Promise.all([cli(...args, '--jobs', '1'), cli(...args, '--jobs', '2')]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(outcome(json(two))).toEqual(outcome(json(one)));
  });

  it('merges shards 1/2 and 2/2 into the unsharded totals, coverage and digest', async () => {
    const args = ['run', '--scenario', 'wal-append', 'swarm', '--seeds', '3', '--jobs', '1'];
    const [whole, first, second] = await Promise.all([
      cli(...args, '--json'),
      cli(...args, '--shard', '1/2', '--report', join(dir, 'shard-1')),
      cli(...args, '--shard', '2/2', '--report', join(dir, 'shard-2')),
    ]);
    expect([whole.code, first.code, second.code]).toEqual([0, 0, 0]);
    const merged = await cli('merge', join(dir, 'shard-1'), join(dir, 'shard-2'), '--out', join(dir, 'merged'), '--json');
    expect(merged.code).toBe(0);
    expect(outcome(json(merged))).toEqual(outcome(json(whole)));
    expect((await readdir(join(dir, 'merged'))).sort()).toEqual(['junit.xml', 'report.html', 'summary.json', 'summary.md']);
  });

  it('sums up a failing campaign by root cause, points to the report folder and suggests shrinking', async () => {
    const report = join(dir, 'failing');
    const result = await cli('run', '--engine', 'examples/naive-engine/engine.ts', '--scenario', 'wal-append', '--seeds', '10', '--jobs', '1', '--report', report);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^violations: \d+ of 10 seeds failed, \d+ violations; \d+ root causes? \(each run's first violation(?:, and in \d+ runs? the first on its own path after a second look's)?; \d+ follow-on complaints? folded under it\)$/m);
    expect(result.stdout).toMatch(/^ +\d+ seeds? +\[[a-z-]+\] .+ \(wal-append\)$/m);
    expect(result.stdout).toMatch(/^ +repro: .+ repro --engine examples\/naive-engine\/engine\.ts --scenario wal-append --seed \d+$/m);
    expect(result.stdout).toMatch(/^next: shrink the first root cause to a minimal plan: .+ shrink --engine examples\/naive-engine\/engine\.ts --scenario wal-append --seed \d+ --out bug\.json$/m);
    expect(result.stdout).not.toContain('use --report');
  });

  it('reruns a sample with --check-determinism', async () => {
    const result = await cli('run', '--scenario', 'swarm', '--seeds', '2', '--jobs', '2', '--check-determinism', '--json');
    expect(result.code).toBe(0);
    expect(json(result)['determinism']).toEqual({ checked: 1, mismatches: [] });
  });
});

describe('repro and replay', () => {
  it('replay --engine names the engine it ran the plan on, not the one the plan names', async () => {
    const result = await cli('replay', 'test/fixtures/plans/drops-every-second-commit.json', '--engine', 'examples/careful-engine/engine.ts');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^scenario wal-append, seed 1, engine examples\/careful-engine\/engine\.ts$/m);
  });

  it('reruns one seed, prints the plan and the trace tail, and writes the trace as JSON lines', async () => {
    const traceFile = join(dir, 'trace.jsonl');
    const result = await cli('repro', '--scenario', 'wal-append', '--seed', '3', '--trace', traceFile);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('scenario wal-append, seed 3');
    expect(result.stdout).toMatch(/engine: sync=/);
    // Counted while faults were on, whatever failed them (an engine may refuse a value of its own accord).
    expect(result.stdout).toMatch(/\d+ acknowledged, \d+ operations failed while faults were on, \d+ damage detected/);
    expect(result.stdout).toMatch(/last \d+ of \d+ trace events/);
    const lines = (await readFile(traceFile, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(40);
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: 0 });
  });

  it('explores a workload that promises only what a kill -9 leaves with kill -9 alone, and says nothing of second looks at power losses it has none of', async () => {
    const result = await cli('explore', '--target', 'test/targets/fixtures/kill-9-only.ts', '--seed', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^kill-9-only seed 1: 3 steps, \d+ crash points x kill-9 \(the workload has no power losses\)/m);
    expect(result.stdout).not.toContain('second looks');
    expect(result.stdout).toContain('no violation in the first 3 steps');
  });

  it('prints every trace event with --all-events, as many as the trace file holds', async () => {
    const traceFile = join(dir, 'trace-all.jsonl');
    const result = await cli('repro', '--scenario', 'wal-append', '--seed', '3', '--all-events', '--trace', traceFile);
    expect(result.code).toBe(0);
    const written = (await readFile(traceFile, 'utf8')).trim().split('\n').length;
    expect(result.stdout).toContain(`all ${written} trace events:`);
    expect(result.stdout.split('\n').filter((line) => /^  #\d+ /.test(line))).toHaveLength(written);
  });

  it('replays a plan file written from scenario.plan(seed) with the digest of the same seed', async () => {
    const file = join(dir, 'plan.json');
    await writeFile(file, JSON.stringify(findScenario('rotation')!.plan(5)));
    const [replayed, reproduced] = await Promise.all([cli('replay', file), cli('repro', '--scenario', 'rotation', '--seed', '5')]);
    expect(replayed.code).toBe(0);
    const digest = (text: string): string | undefined => /digest ([0-9a-f]{16})/.exec(text)?.[1];
    expect(digest(replayed.stdout)).toBeDefined();
    expect(digest(replayed.stdout)).toBe(digest(reproduced.stdout));
    // A seed that passes says a seed's faults move with the code's I/O; a plan file's run does not.
    expect(reproduced.stderr).toMatch(/note: a seed's faults strike at I\/O counts, so once the code under test makes other I\/O they land elsewhere/);
    expect(replayed.stderr).not.toMatch(/faults strike at I\/O counts/);
  });
});

describe('inspect and verify on a real folder', () => {
  it('passes a fresh store (exit 0) and fails a damaged one (exit 1)', async () => {
    const store = join(dir, 'store');
    await nodeFs.promises.mkdir(store);
    const opened = await Store.open({ dir: store, fs: new NodeFileSystem(nodeFs), clock: new SystemClock(), sync: 'strict' });
    for (let i = 0; i < 40; i++) await opened.commit([{ type: 'put', key: `key-${i}`, value: new TextEncoder().encode(`value ${i}`.repeat(4)) }]);
    await opened.close();

    const inspected = await cli('inspect', store);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/segments: [1-9]/);
    expect((await cli('verify', store)).code).toBe(0);

    // Flip a byte inside an early frame of the first segment: intact frames follow, so this is
    // corruption (recovery refuses), not a torn tail.
    const segment = (await readdir(store)).filter((name) => name.endsWith('.wal')).sort()[0]!;
    const path = join(store, segment);
    const bytes = await readFile(path);
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    await writeFile(path, bytes);
    const verified = await cli('verify', store);
    expect(verified.code, verified.stdout).toBe(1);
    expect(verified.stdout).toMatch(/^NOT OK/);
  });
});
