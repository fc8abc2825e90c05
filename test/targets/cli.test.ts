/**
 * The CLI on library workloads, as real child processes: `run --target` with workers and
 * reports, `repro --target`, `shrink --target` then `replay` of the shrunk plan, `explore
 * --target`, and one-line errors with exit 2 for every bad input.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, json } from '../cli/helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-target-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('powercut run --target', () => {
  it('runs a campaign in worker threads, prints repro commands and writes every report', async () => {
    const report = join(dir, 'report');
    const result = await cli('run', '--target', 'targets/lowdb.ts', '--seeds', '4', '--seed-start', '3', '--jobs', '2', '--json', '--report', report);
    expect(result.code).toBe(1);
    const summary = json(result);
    expect(summary).toMatchObject({ scenarios: ['lowdb'], subject: { kind: 'library', name: 'lowdb', module: 'targets/lowdb.ts' }, seeds: 4, exitCode: 1 });
    const violations = summary['violations'] as { invariant: string; seed: number; repro: string }[];
    expect(violations.map((v) => v.invariant)).toContain('opens');
    // Grouped by root cause as summary.json groups them, every failing seed in one group or more.
    const groups = summary['rootCauses'] as { invariant: string; runs: { seed: number }[] }[];
    expect(groups.map((group) => group.invariant)).toContain('opens');
    expect(new Set(groups.flatMap((group) => group.runs.map((run) => run.seed)))).toEqual(new Set(violations.map((v) => v.seed)));
    expect(JSON.parse(await readFile(join(report, 'summary.json'), 'utf8')).rootCauses).toEqual(groups);
    // Run as `node --import tsx cli/main.ts`: the repro line reruns the same file through tsx.
    expect(violations[0]!.repro).toBe(`npx tsx ./cli/main.ts repro --target targets/lowdb.ts --seed ${violations[0]!.seed}`);
    const html = await readFile(join(report, 'report.html'), 'utf8');
    expect(html).toContain('repro --target targets/lowdb.ts');
    expect(JSON.parse(await readFile(join(report, 'summary.json'), 'utf8'))).toMatchObject({ subject: { kind: 'library', module: 'targets/lowdb.ts' } });
    expect(await readFile(join(report, 'junit.xml'), 'utf8')).toContain('opens');
  });

  it('exits 0 on a workload that keeps every invariant', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/careful-writer.ts', '--seeds', '20', '--jobs', '1');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('library workload careful-writer (test/targets/fixtures/careful-writer.ts): workload careful-writer');
    expect(result.stdout).toContain('violations: none');
  });
});

describe('repro, shrink, replay and explore --target', () => {
  it('repro prints the violation, the crash state and the trace; shrink writes a plan that replay reproduces', async () => {
    const repro = await cli('repro', '--target', 'targets/write-file-atomic.ts', '--seed', '1');
    expect(repro.code).toBe(1);
    expect(repro.stdout).toMatch(/\[durable\] config\.json holds version \d+, but the write of version \d+ was acknowledged \(after .*crash state 4\)/);
    expect(repro.stdout).toMatch(/trace events \d+\.\.\d+ of \d+, around the failed check/);
    // The check's I/O and its verdict are labelled with the part of the run they belong to.
    expect(repro.stdout).toMatch(/^> #\d+ t=\d+ check check durable violated/m);

    const planFile = join(dir, 'wfa.json');
    const shrunk = await cli('shrink', '--target', 'targets/write-file-atomic.ts', '--seed', '1', '--out', planFile);
    expect(shrunk.code).toBe(1);
    expect(shrunk.stdout).toMatch(/after: {2}operations 1, faults 0/);
    // The first line is the shrunk plan's failure, said to be its.
    expect(shrunk.stdout).toMatch(/^write-file-atomic seed 1, shrunk: durable: config\.json holds version/m);
    const plan = JSON.parse(await readFile(planFile, 'utf8')) as { format: string; operations: number[] };
    expect(plan).toMatchObject({ format: 'powercut-target-plan', target: 'targets/write-file-atomic.ts', workload: 'write-file-atomic' });
    // It records what it was saved for.
    expect(plan).toMatchObject({ found: { invariant: 'durable', message: expect.stringMatching(/^config\.json holds version/) } });

    const replay = await cli('replay', planFile);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain('[durable]');
  });

  it('replay --target reruns a workload\'s plan on a fixed copy of its module, even under another name, and says so', async () => {
    const planFile = join(dir, 'careless.json');
    expect((await cli('shrink', '--target', 'test/targets/fixtures/careless-writer.ts', '--seed', '1', '--out', planFile)).code).toBe(1);
    const fixed = await cli('replay', planFile, '--target', 'test/targets/fixtures/careful-writer.ts');
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain(`powercut: ${planFile}: the plan was made for workload "careless-writer" (test/targets/fixtures/careless-writer.ts); running it on "careful-writer" (test/targets/fixtures/careful-writer.ts)`);
    // A plan saved from a failure that passes says so: fixed, or the failure leaned on something unrecorded.
    expect(fixed.stderr).toMatch(/powercut: note: this plan was saved from a run that failed \S+, and it passes now: fixed, or that run leaned on something the plan does not record/);
    const same = await cli('replay', planFile, '--target', 'test/targets/fixtures/careless-writer.ts');
    expect(same.code).toBe(1);
    expect(same.stdout).toContain(`replay ${planFile} --target test/targets/fixtures/careless-writer.ts`);
    expect((await cli('replay', planFile, '--engine', 'examples/careful-engine/engine.ts')).stderr).toMatch(/the plan is a library workload's .*give the module to run it on with --target, not --engine/);
  });

  it('ci --target with a corpus holding another workload\'s plan replays it on its own module, and says so', async () => {
    const corpus = join(dir, 'mixed-corpus');
    await mkdir(corpus, { recursive: true });
    expect((await cli('shrink', '--target', 'test/targets/fixtures/careless-writer.ts', '--seed', '1', '--out', join(corpus, 'careless.json'))).code).toBe(1);
    const result = await cli('ci', '--target', 'test/targets/fixtures/careful-writer.ts', '--seeds', '2', '--corpus', corpus, '--no-check-determinism');
    expect(result.stderr).toContain('powercut: note: the corpus holds plans of other subjects than --target test/targets/fixtures/careful-writer.ts: each was replayed on the module it names (test/targets/fixtures/careless-writer.ts), and the campaign runs test/targets/fixtures/careful-writer.ts only');
    expect(result.stdout).toMatch(/\[regression careless\] careless-writer seed 1: /);
    expect(result.code).toBe(1);
  });

  it('repro of a library that makes a call the facade does not simulate says so in one line, exit 3, not as an internal error', async () => {
    const result = await cli('repro', '--target', 'test/targets/fixtures/opens-as-blob.ts', '--seed', '1');
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^powercut: cannot simulate this run: opens-as-blob seed 1: the library called fs\.openAsBlob/);
  });

  it('repro of a workload whose setup fails quotes what the library printed, and writes the setup\'s trace with --trace (exit 3, one line)', async () => {
    const bare = await cli('repro', '--target', 'test/targets/fixtures/setup-refuses.ts', '--seed', '1');
    expect(bare.code).toBe(3);
    expect(bare.stderr.trim().split('\n')).toHaveLength(1);
    expect(bare.stderr).toMatch(/setup did not complete with faults off: setup write returned false; the library's last console output: "config: TMPDIR is not set, giving up" \(rerun with --trace FILE for the 4 trace events of the setup/);
    const traceFile = join(dir, 'setup.jsonl');
    const traced = await cli('repro', '--target', 'test/targets/fixtures/setup-refuses.ts', '--seed', '1', '--trace', traceFile);
    expect(traced.code).toBe(3);
    expect(traced.stderr).toContain(`(the 4 trace events of the setup are in ${traceFile})`);
    const events = (await readFile(traceFile, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { type: string; name: string; path?: string });
    expect(events.map((event) => `${event.type} ${event.name}`)).toEqual(['io open', 'io write', 'io close', 'note console.warn']);
  });

  it('a campaign whose every seed ended in a setup that throws says so once, and not that no I/O reached the disk (exit 3)', async () => {
    const run = await cli('run', '--target', 'test/targets/fixtures/setup-refuses.ts', '--seeds', '3', '--jobs', '1');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('3 seeds  [harness] the run threw: TargetSetupError: setup-refuses seed N: setup did not complete with faults off');
    expect(run.stderr).not.toContain('reached the simulated disk');
  });

  it('shrink checks the plan it writes fails alone in a fresh thread, and writes the unshrunk one when only that one does', async () => {
    const checked = await cli('shrink', '--target', 'targets/write-file-atomic.ts', '--seed', '1', '--out', join(dir, 'wfa2.json'));
    expect(checked.stdout).toContain('checked: it fails durable in a fresh thread too');
    const planFile = join(dir, 'leaky.json');
    const leaky = await cli('shrink', '--target', 'test/targets/fixtures/thread-state.ts', '--seed', '1', '--out', planFile);
    expect(leaky.code).toBe(1);
    expect(leaky.stderr).toContain('powercut: warning: the shrunk plan does not fail leaky in a fresh thread');
    expect(leaky.stdout).toContain('(the unshrunk plan)');
    expect((JSON.parse(await readFile(planFile, 'utf8')) as { operations: number[] }).operations).toHaveLength(4);
  });

  it('explore crashes every I/O of the first operations: write-file-atomic loses a write, and leaves a truncated file after a short write, the careful writer never does', async () => {
    const found = await cli('explore', '--target', 'targets/write-file-atomic.ts', '--seed', '1', '--steps', '1');
    expect(found.code).toBe(1);
    // A look right after the operation (which left the rename unsynced) shows it too.
    // (With the variants whose notes differ counted under it: one more kind of crash.)
    expect(found.stdout).toMatch(/violation: durable: .*after: power-loss before step 1; power-loss state 0; power-loss state 1; power-loss state 4(; and \d+ more kinds? of crash)?\)/);
    // Its one fs.write, its count unchecked, landing short (as campaigns find it, test/targets/runner.test.ts).
    const whole = found.stdout.split('\n').filter((line) => line.startsWith('violation: whole'));
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatch(/config\.json is truncated: \d+ of \d+ bytes .* a caller that ignores the count it returns leaves a torn file \(first at I\/O \d+, short-write, then power-loss; 1 run, after: short-write, then power-loss\)/);
    // One line to paste: the same exploration writing the plan, then its replay (explore exits 1, hence `;`).
    expect(found.stdout).toMatch(/to reproduce the first violation \(or shrink --plan it\): .* explore --target targets\/write-file-atomic\.ts --seed 1 --steps 1 --out explore-bug\.json; .* replay explore-bug\.json\n/);
    const clean = await cli('explore', '--target', 'test/targets/fixtures/careful-writer.ts', '--seed', '1', '--steps', '2');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('no violation in the first 2 steps (--steps N explores a longer prefix)');
    // It also failed each sync and each write once, and says how many runs each took.
    // (Its faults leave failed reads out, so none is failed.)
    expect(clean.stdout).toMatch(/and runs \d+ in which one sync failed and \d+ in which one write failed \(an I\/O error, a full disk or a short count\), then a power loss/);
    const noWrites = await cli('explore', '--target', 'test/targets/fixtures/careful-writer.ts', '--seed', '1', '--steps', '2', '--no-write-faults', '--no-read-faults');
    expect(noWrites.stdout).toMatch(/and runs \d+ in which one sync failed, then a power loss/);
    expect(noWrites.stdout).not.toMatch(/write failed|read failed/);
  });
});

describe('bad input: one line on stderr, exit 2', () => {
  const expectUsage = (result: { code: number; stderr: string }, pattern: RegExp): void => {
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  };

  it('refuses a missing module, a module that is not a workload, and --target with --scenario', async () => {
    expectUsage(await cli('run', '--target', 'targets/missing.ts', '--seeds', '1'), /--target targets\/missing\.ts: no such file/);
    // A module with no default export says so, and what it exports.
    expectUsage(await cli('run', '--target', 'targets/workload.ts', '--seeds', '1'), /--target targets\/workload\.ts: no default export \(it exports [^)]*\bfreshRequire\b[^)]*\): export the workload as the default, or as `workload` \(see defineWorkload\)/);
    expectUsage(await cli('run', '--target', 'test/fixtures/workloads/misspelt-operations.ts', '--seeds', '1'), /the default export is not a workload: operations must be a non-empty array/);
    expectUsage(await cli('run', '--scenario', 'wal-apend', '--seeds', '1'), /^powercut: unknown scenario "wal-apend" \(did you mean wal-append\?\) \(see: powercut list\)$/m);
    expectUsage(await cli('run', '--target', 'targets/lowdb.ts', '--scenario', 'swarm'), /unknown workload "swarm"/);
    expectUsage(await cli('repro', '--seed', '1'), /--scenario NAME is required/);
    expectUsage(await cli('repro', '--target', 'targets/lowdb.ts', '--scenario', 'swarm', '--seed', '1'), /--scenario has no meaning with --target/);
    expectUsage(await cli('run', '--target', 'targets/lowdb.ts', '--engine', 'x.ts'), /either --engine or --target/);
  });

  it('refuses a target plan with a misspelt field, a plan for another workload, and --real', async () => {
    const good = { format: 'powercut-target-plan', version: 1, target: 'targets/lowdb.ts', workload: 'lowdb', seed: 1, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 512 }, operations: [0], crashStates: [2], stepsMax: 1000 };
    const write = async (name: string, plan: object): Promise<string> => {
      const file = join(dir, name);
      await writeFile(file, JSON.stringify(plan));
      return file;
    };
    expectUsage(await cli('replay', await write('typo.json', { ...good, operation: [0] })), /operation is not a plan field/);
    expectUsage(await cli('replay', await write('other.json', { ...good, workload: 'steno' })), /the plan is for workload "steno", but targets\/lowdb\.ts exports "lowdb"/);
    expectUsage(await cli('replay', await write('real.json', good), '--real'), /--real runs engine plans; .*: on the real disk, run its workload with `powercut real --target FILE`/);
    expect((await cli('replay', await write('good.json', good))).code).toBe(0);
  });

  it('says, of a plan for another workload of the module, which variable chose that workload when it was found', async () => {
    const plan = { format: 'powercut-target-plan', version: 1, found: { env: { PC_TEST_MODE: 'sync' }, invariant: 'x', message: 'y' }, target: 'test/targets/fixtures/mode-by-env.ts', workload: 'mode-sync', seed: 1, faults: { rates: {}, fsyncFailureMode: 'ext4', sectorBytes: 512 }, operations: [0], stepsMax: 1000 };
    const file = join(dir, 'mode-sync.json');
    await writeFile(file, JSON.stringify(plan));
    expectUsage(await cli('replay', file), /the plan is for workload "mode-sync", but test\/targets\/fixtures\/mode-by-env\.ts exports "mode-async"; it was found with PC_TEST_MODE=sync \(here PC_TEST_MODE is not set\): set it to replay it/);
  });
});
