import { describe, expect, it } from 'vitest';
import { campaignExitCode } from '../../cli/commands/run.ts';
import type { CampaignOutcome } from '../../harness/campaign.ts';
import type { Violation } from '../../sim/types.ts';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBin, packageRoot } from './helpers.ts';

const violation = (invariant: string): Violation => ({ scenario: 's', seed: 1, invariant, message: 'm', repro: 'r' });
const outcome = (violations: Violation[], mismatches = 0, seeds = 10, tested = { ioCount: 100, acknowledged: 5 }): CampaignOutcome => ({
  violations, seeds, ioCount: tested.ioCount, perScenario: { s: { commitsAcknowledged: tested.acknowledged } },
  ...(mismatches ? { determinism: { checked: 1, mismatches: [{ scenario: 's', seed: 1, digest: 'a', rerunDigest: 'b' }] } } : {}),
}) as unknown as CampaignOutcome;

describe('campaign exit codes', () => {
  it('is 0 without violations, 1 with, 3 with a harness violation or a digest mismatch, 4 when no seed ran', () => {
    expect(campaignExitCode(outcome([]))).toBe(0);
    expect(campaignExitCode(outcome([], 0, 0))).toBe(4);
    expect(campaignExitCode(outcome([violation('durability')]))).toBe(1);
    expect(campaignExitCode(outcome([violation('durability'), violation('harness')]))).toBe(3);
    expect(campaignExitCode(outcome([], 1))).toBe(3);
  });

  it('is 4 when the seeds tested nothing: no I/O reached the simulated disk, or nothing was ever acknowledged; violations still come first', () => {
    expect(campaignExitCode(outcome([], 0, 10, { ioCount: 0, acknowledged: 5 }))).toBe(4);
    expect(campaignExitCode(outcome([], 0, 10, { ioCount: 100, acknowledged: 0 }))).toBe(4);
    expect(campaignExitCode(outcome([violation('durability')], 0, 10, { ioCount: 100, acknowledged: 0 }))).toBe(1);
  });
});

describe('bin/powercut.mjs', () => {
  const launch = (...args: string[]) => launchBin(args);

  it('runs the CLI from another folder', async () => {
    const result = await launch('list');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('wal-append');
  });

  it('replays a plan kept in a project from another folder: its engine module is found from the plan\'s folder up', async () => {
    // The plan names test/fixtures/engines/drops-every-second-commit.ts, as shrink wrote it in the package root.
    const result = await launch('replay', `${packageRoot}test/fixtures/plans/drops-every-second-commit.json`);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('[durability] commit #1, acknowledged, is missing');
  });

  it('says which plan field names a module found nowhere, not a flag the user never gave', async () => {
    const plan = join(await mkdtemp(join(tmpdir(), 'powercut-plan-')), 'lost.json');
    const document = JSON.parse(await readFile(`${packageRoot}test/fixtures/plans/drops-every-second-commit.json`, 'utf8')) as Record<string, unknown>;
    await writeFile(plan, JSON.stringify({ ...document, engineModule: './gone.ts' }));
    const result = await launch('replay', plan);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`powercut: ${plan}: the plan's engineModule ./gone.ts is neither in the working directory nor in the plan's folder or one above it: replay it from the folder it was made in; or give the engine with --engine FILE`);
  });

  it('exits 3 from run and from repro alike when a workload\'s open never completes with faults off, one line from repro', async () => {
    const target = `${packageRoot}test/targets/fixtures/thenable-open.ts`;
    const run = await launch('run', '--target', target, '--seeds', '2', '--jobs', '1');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('open did not complete with faults off: stuck; open returned an object with a then method');
    const repro = await launch('repro', '--target', target, '--seed', '1');
    expect(repro.code).toBe(3);
    expect(repro.stderr.trim()).toMatch(/^powercut: thenable-open seed 1: open did not complete with faults off: stuck; open returned an object with a then method[^\n]*$/);
  });

  it('exits 4 from explore when its time budget is spent before the first crash candidate starts (never a pass), and 2 on a budget that is no number of seconds', async () => {
    // The budget counts from the process's start: the clean run alone takes longer than a millisecond.
    const spent = await launch('explore', '--scenario', 'wal-append', '--seed', '1', '--steps', '2', '--time-budget', '0.001');
    expect(spent.code).toBe(4);
    expect(spent.stdout).toMatch(/^the time budget \(0\.001 s\) ran out: 0 of (\d+) crash candidates run, spread over every crash point and kind; the other \1 were not run/m);
    expect(spent.stdout).not.toMatch(/no violation/);
    expect(spent.stderr.trim()).toMatch(/^powercut: nothing was tested: the time budget was spent before the first crash candidate started \([\d.]+ s; give a larger --time-budget\)$/);
    const refused = await launch('explore', '--scenario', 'wal-append', '--seed', '1', '--time-budget', 'soon');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('keeps in a shrunk plan the variables the engine read (a planted bug\'s switch), and a replay that passes without them says which, with the line that reruns it as found', async () => {
    const plan = join(await mkdtemp(join(tmpdir(), 'powercut-env-plan-')), 'planted.json');
    const engine = `${packageRoot}test/fixtures/engines/planted-by-env.ts`;
    const shrunk = await launchBin(['shrink', '--engine', engine, '--scenario', 'wal-append', '--seed', '1', '--out', plan], { PC_TEST_PLANTED: '1' });
    expect(shrunk.code).toBe(1);
    const found = (JSON.parse(await readFile(plan, 'utf8')) as { found: { env?: Record<string, string> } }).found;
    expect(found.env).toEqual({ PC_TEST_PLANTED: '1' });
    const without = await launchBin(['replay', plan]);
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(new RegExp(`^powercut: note: this plan was saved from a run that failed [\\w-]+ with PC_TEST_PLANTED=1 set, and it passes now, here PC_TEST_PLANTED is not set: rerun it as found with \`PC_TEST_PLANTED=1 \\S+ replay ${plan.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\`$`, 'm'));
    // With the switch, it fails again; another value of it is not the one it was found with.
    expect((await launchBin(['replay', plan], { PC_TEST_PLANTED: '1' })).code).toBe(1);
    expect((await launchBin(['replay', plan], { PC_TEST_PLANTED: '0' })).stderr).toContain('with PC_TEST_PLANTED=1 set, and it passes now');
  });

  it('passes the exit code through', async () => {
    const result = await launch('run', '--seeds', 'abc');
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
