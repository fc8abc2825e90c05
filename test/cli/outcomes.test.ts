/**
 * Never green when nothing was tested: each way a command could pass vacuously is a distinct
 * outcome with its own exit code and one line on stderr (exit codes in cli/errors.ts).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-outcomes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const oneLine = (stderr: string): string[] => stderr.trim().split('\n').filter((line) => line.startsWith('powercut:'));

describe('nothing was tested: exit 4', () => {
  it('run with no seed', async () => {
    const result = await cli('run', '--scenario', 'wal-append', '--seeds', '0', '--jobs', '1');
    expect(result.code).toBe(4);
    expect(oneLine(result.stderr)).toEqual(['powercut: nothing was tested: the campaign holds no seed (--seeds 0, or a shard with no seed)']);
    // The summary claims no coverage either (a new user read "every targeted cell was hit" here),
    // nor "violations: none" before the line that says nothing was tested (another read it as a pass).
    expect(result.stdout).not.toContain('every targeted cell was hit');
    expect(result.stdout).not.toMatch(/^violations: none$/m);
    expect(result.stdout).toContain('violations: none found, because no seed ran');
  });

  it('run of a workload none of whose I/O reaches the simulated disk (kept in memory, or through a native addon)', async () => {
    const report = join(dir, 'r-memory-only');
    const result = await cli('run', '--target', 'test/cli/fixtures/memory-only-workload.ts', '--seeds', '3', '--jobs', '1', '--report', report);
    expect(result.code).toBe(4);
    expect(await readFile(join(report, 'summary.md'), 'utf8')).toMatch(/^## powercut: ⚠️ nothing tested\n\n> \[!CAUTION\]\n> The command failed \(nothing tested\) although no seed did:\n> - no I\/O of the 3 seeds reached the simulated disk/m);
    expect(oneLine(result.stderr)).toContainEqual(expect.stringMatching(/^powercut: nothing was tested: no I\/O of the 3 seeds reached the simulated disk \(does the code under test write under ctx\.root\? A native addon's I\/O.*powercut real --target\)$/));
  });

  it('run of a workload whose open is a coding error: exit 3, one root cause naming the TypeError, and no table of zeros', async () => {
    const result = await cli('run', '--target', 'test/cli/fixtures/misnamed-export-workload.ts', '--seeds', '3', '--jobs', '1');
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/open did not complete with faults off: TypeError: .* \(a coding error, in the workload's open or in the library it calls: no fault was on\)/);
    expect(result.stdout).toContain('no fault injected, nothing acknowledged: every run ended at the root cause above before it tested anything');
    expect(result.stdout).not.toContain('coverage (faults injected by site and kind)');
    expect(result.stderr).not.toContain('targeted cells no seed could hit');
  });

  it('run of a workload every operation of which fails: no promise was ever made, so nothing was tested', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/every-operation-fails.ts', '--seeds', '3', '--jobs', '1');
    expect(result.code).toBe(4);
    expect(oneLine(result.stderr)).toContainEqual(expect.stringMatching(/^powercut: nothing was tested: no operation of the 3 seeds succeeded: every one rejected, so no promise was made to check \(repro a seed to see the first error/));
    // Said where the summary says there was no violation, not only in the last line after the tables.
    expect(result.stdout).toContain('violations: none, but nothing was tested: no operation of the 3 seeds succeeded');
  });

  it('run of an engine that never calls env.fs: its lost commits are violations (exit 1), and the line says none of its I/O reached the disk', async () => {
    const result = await cli('run', '--engine', 'test/cli/fixtures/memory-only-engine.ts', '--scenario', 'wal-append', '--seeds', '3', '--jobs', '1');
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain('powercut: warning: no I/O of the 3 seeds reached the simulated disk (does the engine reach storage only through env.fs?)');
  });

  it('ci with an empty regression corpus', async () => {
    const corpus = join(dir, 'empty-corpus');
    await mkdir(corpus);
    const result = await cli('ci', '--scenario', 'wal-append', '--seeds', '1', '--corpus', corpus, '--report', join(dir, 'r1'));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`nothing was replayed: the regression corpus ${corpus} is missing or empty`);
    // Refused before the campaign is paid for, and never said to pass.
    expect(result.stdout).not.toContain('seeds run');
    // The reports a CI step uploads say so: a failing gate case, no seed run.
    const junit = await readFile(join(dir, 'r1', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="powercut\.gate" tests="1" failures="1"/);
    expect(junit).toContain('type="nothing-tested"');
    expect(JSON.parse(await readFile(join(dir, 'r1', 'summary.json'), 'utf8'))).toMatchObject({ seeds: 0, gate: { verdict: 'nothing tested' } });
    expect(result.stdout).not.toContain('regression corpus: 0 plans replayed');
  });

  it('ci with a corpus of a library workload\'s plan and no --target: the note names --target, the flag that module needs', async () => {
    const corpus = join(dir, 'target-corpus');
    await mkdir(corpus);
    await writeFile(join(corpus, 'lowdb.json'), await readFile('targets/findings/lowdb-no-fsync-before-rename.json', 'utf8'));
    const result = await cli('ci', '--scenario', 'wal-append', '--seeds', '1', '--corpus', corpus, '--no-check-determinism');
    expect(oneLine(result.stderr).join('\n')).toMatch(/give --target \S*lowdb\.ts to run its workload too/);
    expect(result.stdout).toContain('regression corpus: 1 plan replayed from');
  });

  it('ci with a corpus plan that fails: a run of its own in every report, counted, with the line that replays it', async () => {
    const corpus = join(dir, 'failing-corpus');
    await mkdir(corpus);
    await writeFile(join(corpus, 'drops.json'), await readFile('test/fixtures/plans/drops-every-second-commit.json', 'utf8'));
    const report = join(dir, 'r-corpus');
    const result = await cli('ci', '--scenario', 'wal-append', '--seeds', '2', '--corpus', corpus, '--no-check-determinism', '--report', report);
    expect(result.code).toBe(1);
    // No --engine: the campaign is the reference engine's, which a project that forgot --engine is told.
    expect(oneLine(result.stderr)).toContain("powercut: note: the campaign runs powercut's reference engine (no --engine or --target given), while the corpus's plans ran on test/fixtures/engines/drops-every-second-commit.ts: give --engine test/fixtures/engines/drops-every-second-commit.ts to run its scenarios too");
    // The corpus's plans are planned seeds too: no time budget ran out.
    expect(result.stdout).toMatch(/^seeds run: 3 \(1 of them a regression plan replayed\) in /m);
    const summary = JSON.parse(await readFile(join(report, 'summary.json'), 'utf8')) as { seeds: number; failingSeeds: number; scenarios: string[]; violations: { scenario: string; seed: number; repro: string; message: string }[] };
    expect(summary).toMatchObject({ seeds: 3, failingSeeds: 1, scenarios: ['wal-append', 'regressions'] });
    // Reported as the corpus's plan 1, its message names the plan's own scenario and seed.
    expect(summary.violations[0]).toMatchObject({ scenario: 'regressions', seed: 1, message: expect.stringMatching(/^\[regression drops\] wal-append seed 1: /) });
    expect(result.stdout).toMatch(/^ +plan 1: \[regression drops\] wal-append seed 1: /m);
    expect(summary.violations[0]!.repro).toMatch(new RegExp(`replay ${join(corpus, 'drops.json')}$`));
    const junit = await readFile(join(report, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="powercut\.regressions" tests="1" failures="1"/);
    // Its plans are plans, each failing one named.
    expect(junit).toContain('<testcase name="all 1 regression plan hold their invariants" classname="powercut.regressions">');
    expect(junit).toContain('<failure message="1 of 1 regression plan failed: drops" type="violations">');
  });

  it('ci notes corpus plans that replay with the same digest: one run kept twice', async () => {
    const corpus = join(dir, 'twice-corpus');
    await mkdir(corpus);
    const entry = await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8');
    await writeFile(join(corpus, 'a.json'), entry);
    await writeFile(join(corpus, 'b.json'), entry);
    const result = await cli('ci', '--scenario', 'wal-append', '--seeds', '1', '--corpus', corpus, '--no-check-determinism', '--report', join(dir, 'r-twice'));
    expect(result.stdout).toContain(`  note: ${join(corpus, 'a.json')}, ${join(corpus, 'b.json')} replay with the same digest: the same run, kept 2 times`);
  });

  it('ci takes one plan file for the corpus, and notes a plan that passes without a variable it was found with', async () => {
    const document = JSON.parse(await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8')) as { plan: { found?: object } };
    const plan = join(dir, 'found-with-switch.json');
    await writeFile(plan, JSON.stringify({ ...document, plan: { ...document.plan, found: { invariant: 'durability', message: 'm', env: { PC_TEST_NEVER_SET: 'on' } } } }));
    const result = await cli('ci', '--scenario', 'wal-append', '--seeds', '1', '--corpus', plan, '--no-check-determinism');
    expect(result.stdout).toContain(`regression corpus: 1 plan replayed from ${plan}`);
    expect(result.stdout).toContain(`  note: ${plan} passes, but it was found with PC_TEST_NEVER_SET=on set (here PC_TEST_NEVER_SET is not set): it tests other code than it was found in`);
  });

  it('ci of an engine whose runs depend on what ran before them in a thread: exit 3, named in the reports', async () => {
    const report = join(dir, 'r-nondeterministic');
    const result = await cli('ci', '--engine', 'test/fixtures/engines/remembers-runs.ts', '--scenario', 'wal-append', '--seeds', '60', '--jobs', '2', '--no-corpus', '--report', report);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^NONDETERMINISM: \d+ of \d+ seeds rerun in a fresh worker gave another digest/m);
    expect(await readFile(join(report, 'summary.md'), 'utf8')).toMatch(/^## powercut: ❌ nondeterministic: /m);
  });

  it('verify and inspect of a folder that holds no store', async () => {
    const empty = join(dir, 'no-store');
    await mkdir(empty);
    for (const command of ['verify', 'inspect']) {
      const result = await cli(command, empty);
      expect(result.code, command).toBe(4);
      expect(oneLine(result.stderr)).toEqual([`powercut: nothing was checked: ${empty} holds no store of the reference engine (no manifest, snapshot or segment; inspect and verify read only its files: check your own engine's files with its selfCheck)`]);
    }
  });
});

describe('something promised was not exercised: exit 5', () => {
  it('ci when a targeted cell is never hit', async () => {
    const report = join(dir, 'r2');
    const result = await cli('ci', '--engine', 'test/fixtures/engines/no-phases.ts', '--seeds', '1', '--no-corpus', '--report', report);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('incomplete: 4 targeted cells were never hit: read x read-error, read x bit-flip, append x misdirected-write, other x lost-entry');
    // The reports say what the exit code says: a CI page must not show a pass for a failed job.
    const reason = '4 targeted cells were never hit: read x read-error, read x bit-flip, append x misdirected-write, other x lost-entry';
    expect(JSON.parse(await readFile(join(report, 'summary.json'), 'utf8'))).toMatchObject({ gate: { verdict: 'incomplete', reasons: [reason] } });
    expect(await readFile(join(report, 'summary.md'), 'utf8')).toMatch(/^## powercut: ⚠️ incomplete\n\n> \[!CAUTION\]\n> The command failed \(incomplete\) although no seed did:\n> - 4 targeted cells were never hit/m);
    const junit = await readFile(join(report, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="powercut\.gate" tests="1" failures="1"/);
    expect(junit).toContain(`<failure message="incomplete: ${reason}" type="incomplete">`);
  });

  it('but not for a targeted cell no I/O could take: a library that never fsyncs a file or a directory is told so, once, under fsync-error and dir-sync-error', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/careless-writer.ts', '--seeds', '3');
    expect(result.stdout).toContain("targeted, but no seed's I/O could take it (not counted): fsync x fsync-error, dir-sync x dir-sync-error");
    expect(result.stdout).toMatch(/^ {2}fsync +0 +0 +0- /m);
    expect(oneLine(result.stderr).filter((line) => line.includes('fsync-error'))).toEqual([
      'powercut: note: 2 targeted cells no seed could hit, since no I/O there could take its fault: fsync x fsync-error, dir-sync x dir-sync-error (not counted as missed)',
    ]);
  });

  it('replay of a plan whose scheduled fault never fires', async () => {
    const entry = JSON.parse(await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8')) as { plan: { faults: { scheduled: unknown[] } } };
    entry.plan.faults.scheduled.push({ io: 9_999_999, kind: 'kill-9' });
    const file = join(dir, 'unfired.json');
    await writeFile(file, JSON.stringify(entry.plan));
    const result = await cli('replay', file);
    expect(result.code).toBe(5);
    expect(oneLine(result.stderr)).toEqual(['powercut: incomplete: 1 scheduled fault never fired (kill-9@9999999): the plan no longer reaches the I/O it was written for']);
    // Saved from a failure, it is not said to pass now (fixed?): it no longer tests what it was kept for.
    const found = join(dir, 'unfired-found.json');
    await writeFile(found, JSON.stringify({ ...entry.plan, found: { invariant: 'durability', message: 'lost' } }));
    const kept = await cli('replay', found);
    expect(kept.code).toBe(5);
    expect(oneLine(kept.stderr)).toEqual(['powercut: incomplete: 1 scheduled fault never fired (kill-9@9999999): the plan no longer reaches the I/O it was written for']);
    // Found with a variable set otherwise (a bug planted behind it), it says so: the I/O it aimed at may be that setting's only.
    const withEnv = join(dir, 'unfired-env.json');
    await writeFile(withEnv, JSON.stringify({ ...entry.plan, found: { invariant: 'durability', message: 'lost', env: { PC_TEST_PLANTED_BUG: 'early-prune' } } }));
    const planted = await cli('replay', withEnv);
    expect(planted.code).toBe(5);
    expect(oneLine(planted.stderr)).toEqual([expect.stringMatching(/^powercut: incomplete: 1 scheduled fault never fired \(kill-9@9999999\): the plan no longer reaches the I\/O it was written for; it was found with PC_TEST_PLANTED_BUG=early-prune set, here PC_TEST_PLANTED_BUG is not set: the I\/O it aimed at may be that setting's only \(rerun it as found with `PC_TEST_PLANTED_BUG=early-prune .* replay \S+unfired-env\.json`\)$/)]);
    // shrink --plan of it has nothing to shrink, and says why the plan passes: exit 5 too.
    const shrink = await cli('shrink', '--plan', file, '--out', join(dir, 'unfired-shrunk.json'));
    expect(shrink.code).toBe(5);
    expect(shrink.stdout).toContain(`the plan ${file} (checkpoint-prune seed`);
    expect(oneLine(shrink.stderr)).toEqual([expect.stringMatching(/^powercut: incomplete: 1 of its scheduled faults never fired \(kill-9@9999999\): the code changed under the plan\. Shrink the bug from its seed instead \(--scenario \S+ --seed \d+\) on the new code with the bug put back$/)]);
  });

  it('shrink asked for an invariant the seed does not fail says which it does fail, and writes nothing', async () => {
    const out = join(dir, 'bogus.json');
    const result = await cli('shrink', '--engine', 'test/fixtures/engines/drops-every-second-commit.ts', '--scenario', 'wal-append', '--seed', '1', '--invariant', 'bogus', '--out', out);
    expect(result.stdout).toMatch(/^wal-append seed 1 does not fail the bogus invariant \(it fails [\w-]+(, [\w-]+)*: --invariant [\w-]+\): nothing to shrink, nothing written$/m);
    await expect(readFile(out, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ci over a corpus entry whose scheduled fault never fires: exit 5, saying why and what to do', async () => {
    const entry = JSON.parse(await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8')) as { plan: { faults: { scheduled: unknown[] } } };
    entry.plan.faults.scheduled.push({ io: 9_999_999, kind: 'kill-9' });
    const corpus = join(dir, 'corpus');
    await mkdir(corpus, { recursive: true });
    await writeFile(join(corpus, 'unfired.json'), JSON.stringify(entry));
    const report = join(dir, 'r-unfired');
    const result = await cli('ci', '--corpus', corpus, '--scenario', 'wal-append', '--seeds', '2', '--report', report);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/incomplete: 1 regression plan no longer fires its scheduled faults \(\S*unfired\.json: kill-9@9999999\): the code changed under it, so it no longer reaches the I\/O it was written for .*Shrink the bug again from its seed on the new code with the bug put back .*or remove the plan/);
    expect(await readFile(join(report, 'junit.xml'), 'utf8')).toMatch(/<failure message="incomplete: 1 regression plan no longer fires its scheduled faults \(\S*unfired\.json: kill-9@9999999\)" type="incomplete">/);
    // Found with a bug's variable set, the plan says so: the I/O it aimed at may exist only with it.
    await writeFile(join(corpus, 'unfired.json'), JSON.stringify({ ...entry, plan: { ...(entry.plan as object), found: { invariant: 'durability', message: 'lost', env: { PC_TEST_PLANTED_BUG: 'early-prune' } } } }));
    const planted = await cli('ci', '--corpus', corpus, '--scenario', 'wal-append', '--seeds', '2', '--report', join(dir, 'r-unfired-env'));
    expect(planted.code).toBe(5);
    expect(planted.stderr).toMatch(/\(\S*unfired\.json: kill-9@9999999, found with PC_TEST_PLANTED_BUG=early-prune set, here PC_TEST_PLANTED_BUG is not set\)/);
  });
});

describe('ci over a corpus with a failing plan and a plan whose faults no longer fire', () => {
  it('says both in the corpus line, not only the failure', async () => {
    const entry = JSON.parse(await readFile('scenarios/regressions/stage-no-fsync.json', 'utf8')) as { plan: { faults: { scheduled: unknown[] } } };
    const corpus = join(dir, 'corpus-both');
    await mkdir(corpus, { recursive: true });
    await writeFile(join(corpus, 'fails.json'), JSON.stringify(entry));
    entry.plan.faults.scheduled.push({ io: 9_999_999, kind: 'kill-9' });
    await writeFile(join(corpus, 'unfired.json'), JSON.stringify(entry));
    const result = await cli('ci', '--corpus', corpus, '--engine', 'test/fixtures/engines/drops-every-second-commit.ts', '--scenario', 'wal-append', '--seeds', '1');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^regression corpus: 2 plans replayed from \S+, 2 FAIL; 1 no longer fires its scheduled faults$/m);
  });
});

describe('bad input is refused before any work: exit 2', () => {
  it('a --report path that is a file', async () => {
    const result = await cli('run', '--scenario', 'wal-append', '--seeds', '1000000', '--report', 'README.md');
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toEqual(['powercut: --report README.md: is a file, not a folder']);
  });

  it('a program to exec that is missing, or a folder', async () => {
    const missing = await cli('exec', 'nope.js', '--root', '/sim/app', '--image', join(dir, 'i.json'));
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toEqual(['powercut: nope.js: no such file']);
    const folder = await cli('exec', dir, '--root', '/sim/app', '--image', join(dir, 'i.json'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain('not a file');
  });

  it('an engine module that does not exist or exports no engine', async () => {
    const missing = await cli('run', '--engine', 'no-such-engine.ts', '--seeds', '1');
    expect(missing.code).toBe(2);
    expect(oneLine(missing.stderr)).toEqual(['powercut: --engine no-such-engine.ts: no such file']);
    const notEngine = await cli('run', '--engine', 'targets/lowdb.ts', '--seeds', '1');
    expect(notEngine.code).toBe(2);
    expect(oneLine(notEngine.stderr)).toEqual(['powercut: --engine targets/lowdb.ts: the default export is a library workload: give it with --target']);
  });

  it('scenarios given comma-separated, as space-separated: both run; an unknown one is named', async () => {
    const both = await cli('run', '--scenario', 'wal-append,rotation', '--seeds', '1');
    expect(both.code).toBe(0);
    expect(both.stdout).toContain('scenarios wal-append, rotation');
    const unknown = await cli('run', '--scenario', 'wal-append,nope', '--seeds', '1');
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toEqual(['powercut: unknown scenario "nope" (see: powercut list)']);
  });

  it('a module with no default export: says so and what it exports, not that its default export is no engine', async () => {
    await writeFile(join(dir, 'named-only.mjs'), 'export const engine2 = { name: "x", async open() { throw new Error("never"); } };\n');
    const run = await cli('run', '--engine', join(dir, 'named-only.mjs'), '--seeds', '1');
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toEqual([`powercut: --engine ${join(dir, 'named-only.mjs')}: no default export (it exports engine2): export the engine as the default, or as \`engine\` (see defineEngine)`]);
  });

  it('an engine whose damage contract is misspelt', async () => {
    await writeFile(join(dir, 'misspelt-damage.mjs'), 'export default { name: "x", damage: "detect", async open() { throw new Error("never"); } };\n');
    const run = await cli('run', '--engine', join(dir, 'misspelt-damage.mjs'), '--seeds', '1');
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toEqual([`powercut: --engine ${join(dir, 'misspelt-damage.mjs')}: damage must be 'point-in-time' or 'detects', found "detect"`]);
  });

  it('an engine whose sector writes are misspelt', async () => {
    await writeFile(join(dir, 'misspelt-sectors.mjs'), 'export default { name: "x", sectorWrites: "atomics", async open() { throw new Error("never"); } };\n');
    const run = await cli('run', '--engine', join(dir, 'misspelt-sectors.mjs'), '--seeds', '1');
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toEqual([`powercut: --engine ${join(dir, 'misspelt-sectors.mjs')}: sectorWrites must be 'torn' or 'atomic', found "atomics"`]);
  });

  it('an engine module with a syntax error: the line says where, in TypeScript and in JavaScript', async () => {
    await writeFile(join(dir, 'broken.ts'), 'export default { name: "x" ; }\n');
    await writeFile(join(dir, 'broken.mjs'), 'const a = 1;\nexport default { name: "x" ; }\n');
    const ts = await cli('run', '--engine', join(dir, 'broken.ts'), '--seeds', '1');
    expect(ts.code).toBe(2);
    expect(oneLine(ts.stderr)).toEqual([`powercut: --engine ${join(dir, 'broken.ts')}: cannot load it (TransformError: Expected "}" but found ";" (line 1, column 27))`]);
    const js = await cli('run', '--engine', join(dir, 'broken.mjs'), '--seeds', '1');
    expect(js.code).toBe(2);
    expect(oneLine(js.stderr)).toEqual([`powercut: --engine ${join(dir, 'broken.mjs')}: cannot load it (SyntaxError: Unexpected token ';' (line 2))`]);
  });

  it('a --target module that exports an engine, or a workload with a field misspelt (named, not taken for an engine)', async () => {
    const engine = await cli('run', '--target', 'examples/careful-engine/engine.ts', '--seeds', '1');
    expect(engine.code).toBe(2);
    expect(oneLine(engine.stderr)).toEqual(['powercut: --target examples/careful-engine/engine.ts: the default export is an engine, not a library workload: give it with --engine']);
    const misspelt = await cli('run', '--target', 'test/fixtures/workloads/misspelt-operations.ts', '--seeds', '1');
    expect(misspelt.code).toBe(2);
    expect(oneLine(misspelt.stderr)).toEqual(['powercut: --target test/fixtures/workloads/misspelt-operations.ts: the default export is not a workload: operations must be a non-empty array of { name, run } (it is undefined) (see defineWorkload)']);
  });
});

describe('probes', () => {
  it('ci fails (5) when a declared probe is never hit, naming it; run only warns', async () => {
    const ci = await cli('ci', '--engine', 'test/fixtures/engines/probes.ts', '--scenario', 'wal-append', '--seeds', '3', '--no-corpus', '--report', join(dir, 'r3'));
    expect(ci.code).toBe(5);
    expect(ci.stderr).toContain('incomplete: 1 declared probe was never hit: never.taken');
    expect(ci.stdout).toMatch(/rare branches hit \(engine probes\): commit\.multi-op [1-9]\d*, never\.taken 0/);
    const run = await cli('run', '--engine', 'test/fixtures/engines/probes.ts', '--scenario', 'wal-append', '--seeds', '3', '--jobs', '1');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: 1 declared probe was never hit: never.taken');
  });
});
