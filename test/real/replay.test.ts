import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayPlanReal } from '../../real/replay.ts';
import { crashPointsOf } from '../../real/replay-points.ts';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { cli } from '../cli/helpers.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A wal-append plan with its fault rates off and two crash steps, one of each kind. */
function twoCrashPlan(): Plan {
  const base = findScenario('wal-append')!.plan(1);
  return {
    ...base,
    faults: { ...base.faults, rates: {}, scheduled: [] },
    crashStates: [],
    steps: [
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'concurrent', batches: [[{ type: 'put', key: 'b', value: '2' }], [{ type: 'put', key: 'c', value: '3' }, { type: 'delete', key: 'a' }]] },
      { op: 'crash', kind: 'kill-9' },
      { op: 'get', key: 'b' },
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '4' }] },
      { op: 'checkpoint' },
      { op: 'crash', kind: 'power-loss' },
      { op: 'sync' },
      { op: 'reopen' },
      { op: 'get', key: 'a' },
    ],
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-replay-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('crash points read from the simulated trace', () => {
  it('places crash steps at their own index', async () => {
    const plan = twoCrashPlan();
    const points = crashPointsOf(plan, await runPlan(plan, referenceEngine, { trace: 'full' }));
    expect(points).toEqual([
      { step: 2, simulated: 'kill-9', at: 'crash-step' },
      { step: 6, simulated: 'power-loss', at: 'crash-step' },
    ]);
  });

  it('places an injected crash inside the step it struck, and a crash in recovery before the next step', async () => {
    const plan = findScenario('recovery-crash')!.plan(3);
    const result = await runPlan(plan, referenceEngine, { trace: 'full' });
    const points = crashPointsOf(plan, result);
    expect(points).toHaveLength(result.crashes);
    expect(points.filter((point) => point.at === 'recovery').length).toBeGreaterThan(0);
    for (const point of points) {
      if (point.at === 'crash-step') expect(plan.steps[point.step]?.op).toBe('crash');
      if (point.at === 'in-step') expect(plan.steps[point.step]?.op).not.toBe('crash');
    }
    // wal-append has no crash steps: every crash is an injected fault, inside the step it struck
    // (how many a seed draws depends on the engine's I/O sequence, so only their kind is fixed).
    const walAppend = findScenario('wal-append')!.plan(3);
    const walAppendResult = await runPlan(walAppend, referenceEngine, { trace: 'full' });
    const injected = crashPointsOf(walAppend, walAppendResult);
    expect(injected.length).toBe(walAppendResult.crashes);
    expect(injected.length).toBeGreaterThan(0);
    expect(injected.every((point) => point.at === 'in-step')).toBe(true);
  });
});

describe('replay --real', () => {
  it('replays a plan with two crash steps on the real disk as two kill -9s, with no violation', async () => {
    const result = await replayPlanReal(twoCrashPlan());
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.engine).toBe('powercut-reference');
    expect(result.kills).toBe(2);
    expect(result.crashPoints.map((point) => point.simulated)).toEqual(['kill-9', 'power-loss']);
    expect(result.stepsRun).toBe(10);
    // The plan's 4, then the liveness phase's.
    expect(result.commitsAcknowledged).toBe(4 + twoCrashPlan().livenessCommits);
    // The first open, one after each kill, one after the reopen, the final one, the liveness phase's.
    expect(result.recoveries).toBe(6);
    expect(result.dirKept).toBe(false);
  });

  it('replays the plan of an engine module it names, skipping the checkpoint the engine lacks', async () => {
    const module = fixture('log-engine.ts');
    const result = await replayPlanReal({ ...twoCrashPlan(), engineModule: module });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.engine).toBe('json-lines-log');
    expect(result.module).toBe(module);
    expect(result.kills).toBe(2);
    expect(result.stepsRun).toBe(10);
    expect(result.recoveries).toBe(6);
  });

  it('finds the violation when the engine given in place of the plan\'s drops an acknowledged commit, and keeps the folder', async () => {
    const result = await replayPlanReal(twoCrashPlan(), { engine: fixture('forgets-after-kill.ts') });
    expect(result.ok).toBe(false);
    expect(result.engine).toBe('forgets-after-kill');
    expect(result.violations[0]?.invariant).toBe('durability');
    expect(result.violations[0]?.at).toBe(2);
    expect(result.violations[0]?.place).toBe('step 2');
    expect(result.dirKept).toBe(true);
    await rm(result.dir, { recursive: true, force: true });
  });

  it('runs the simulator\'s liveness phase after the plan\'s steps, so a bug only that phase shows is found on the real disk too (an LSM user\'s replay passed)', async () => {
    const plan = { ...twoCrashPlan(), steps: twoCrashPlan().steps.filter((step) => step.op !== 'crash') };
    const engine = fixture('forgets-first-liveness-commit.ts');
    const result = await replayPlanReal(plan, { engine });
    expect(result.kills).toBe(0);
    expect(result.violations[0]).toMatchObject({ invariant: 'durability', place: 'liveness' });
    expect(result.violations[0]?.message).toContain('live-0');
    expect(result.commitsAcknowledged).toBe(4 + plan.livenessCommits);
    await rm(result.dir, { recursive: true, force: true });
  });

  it('says a failure the simulator shows was not reproduced on the real disk, rather than a bare pass (the naive example loses unsynced commits only at a power loss)', async () => {
    const file = join(dir, 'naive.json');
    await writeFile(file, JSON.stringify({ ...twoCrashPlan(), engineModule: 'examples/naive-engine/engine.ts' }));
    const result = await cli('replay', file, '--real', '--dir', join(dir, 'naive-data'));
    expect(result.stdout).toMatch(/simulated first \([\d.]+ s\): 2 crash points, [1-9]\d* violations/);
    expect(result.stdout).toContain('violations: none');
    expect(result.stderr).toMatch(/^powercut: not reproduced on the real disk: the simulated run of this plan fails \(\d+ violations?\), the real one did not\./);
  });

  it('exits 0 from the CLI on the engine its plan file names, keeps the --dir folder, and says that power loss was replayed as kill -9', async () => {
    const file = join(dir, 'two-crashes.json');
    await writeFile(file, JSON.stringify({ ...twoCrashPlan(), engineModule: fixture('log-engine.ts') }));
    const data = join(dir, 'data');
    const result = await cli('replay', file, '--real', '--dir', data);
    // The log engine never fsyncs its folder: the simulator's power loss takes its log, a kill -9 cannot.
    expect(result.stderr).toMatch(/^powercut: not reproduced on the real disk/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`engine: json-lines-log (${fixture('log-engine.ts')})`);
    expect(result.stdout).toContain('crash points replayed as kill -9: 2 of 2');
    expect(result.stdout).toContain('violations: none');
    expect(result.stdout).toContain('power-loss crash points were replayed as kill -9, which keeps every page the process wrote');
    expect((await readdir(data)).length).toBeGreaterThan(0);
    const again = await cli('replay', file, '--real', '--dir', data);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^powercut: .* is not empty; replay --real needs a missing or empty data folder\n$/);
  });
});
