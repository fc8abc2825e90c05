/**
 * The package as a user gets it: `npm pack`, the tarball installed into a fresh ESM project and
 * a fresh CommonJS project (the `npm init` default), and from each: `npx powercut --help` and
 * `list`, a short campaign on an engine module and on a library workload written in that
 * project (TypeScript, importing `powercut`), the printed repro line run again (the same
 * violation), and a vitest file and a jest file (CommonJS, no flags) that use the API on a failing
 * and on a passing subject.
 * Real processes, a real tarball, real installs (from npm's cache when it has the packages).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../cli/helpers.ts';
import { causeShape } from '../../harness/triage.ts';

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

const userEngine = `import { defineEngine } from 'powercut';

// Appends one JSON line per commit and never fsyncs: a power loss loses acknowledged commits.
export default defineEngine({
  name: 'user-naive',
  async open(env) {
    // A switch read as planted bugs are (it changes nothing here): a failure's rerun line names it when set.
    void process.env.USER_SWITCH;
    await env.fs.mkdir(env.dir);
    const log = await env.fs.open(env.dir + '/log', { create: true });
    const text = new TextDecoder().decode(await log.read(0, await log.size()));
    const state = new Map<string, Uint8Array>();
    for (const line of text.split('\\n')) {
      let ops: { type: string; key: string; value?: string }[];
      try { ops = JSON.parse(line); } catch { break; }
      for (const op of ops) op.type === 'put' ? state.set(op.key, new TextEncoder().encode(op.value)) : state.delete(op.key);
    }
    return {
      async commit(ops) {
        const line = JSON.stringify(ops.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: new TextDecoder().decode(op.value) } : op)));
        await log.append(new TextEncoder().encode(line + '\\n'));
        for (const op of ops) op.type === 'put' ? state.set(op.key, op.value) : state.delete(op.key);
      },
      get: async (key) => state.get(key),
      state: async () => state,
      close: () => log.close(),
    };
  },
});
`;

const userWorkload = `import { writeFile, readFile } from 'node:fs/promises';
import { defineWorkload, InvariantViolation } from 'powercut';

// Rewrites a settings file in place, without fsync: a crash can leave it torn or empty.
export default defineWorkload({
  name: 'user-settings',
  initialState: () => ({ acked: 0 }),
  open: () => undefined,
  async setup(ctx) { await writeFile(ctx.path('settings.json'), JSON.stringify({ version: 0, pad: 'x'.repeat(3000) })); },
  operations: [{
    name: 'save',
    async run(ctx, _lib, index) {
      await writeFile(ctx.path('settings.json'), JSON.stringify({ version: index + 1, pad: 'x'.repeat(3000) }));
      ctx.state.acked = index + 1;
    },
  }],
  async invariants(ctx) {
    const text = await readFile(ctx.path('settings.json'), 'utf8');
    try { JSON.parse(text); } catch { throw new InvariantViolation('whole', 'settings.json does not parse (' + text.length + ' bytes)'); }
  },
});
`;

const userQueue = `// A per-key write queue kept at module level, as atomically's is: a process killed mid-write leaves it held.
let tail = Promise.resolve();
export function enqueue(task) {
  const run = tail.then(task);
  tail = run.catch(() => {});
  return run;
}
`;

const userQueuedWorkload = `import { writeFile } from 'node:fs/promises';
import { defineWorkload, freshImport } from 'powercut';

// Saves through the module-level queue of queue.mjs, loaded afresh in every incarnation as a restarted process would.
export default defineWorkload({
  name: 'user-queued',
  initialState: () => ({}),
  load: () => freshImport<{ enqueue(task: () => Promise<void>): Promise<void> }>('./queue.mjs', import.meta.url),
  open: (_ctx, lib) => lib,
  async setup() {},
  operations: [{ name: 'save', run: (ctx, lib) => lib.enqueue(() => writeFile(ctx.path('a'), 'y')) }],
  async invariants() {},
});
`;

const userCommonJsWorkload = `const { defineWorkload } = require('powercut');
const { writeFileSync, readFileSync } = require('node:fs');

// Plain CommonJS, requiring powercut (an ES module package, through Node's require of ES modules).
module.exports = defineWorkload({
  name: 'user-cjs',
  operationsCount: 4,
  initialState: () => ({}),
  open: () => undefined,
  operations: [{ name: 'save', run: (ctx, _lib, index) => writeFileSync(ctx.path('n.json'), JSON.stringify({ index, pad: 'x'.repeat(2000) })) }],
  invariants(ctx) {
    let text = '';
    try { text = readFileSync(ctx.path('n.json'), 'utf8'); } catch { return; }
    try { JSON.parse(text); } catch { ctx.violate('whole', 'n.json does not parse'); }
  },
});
`;

const userTest = `import { describe, expect, it } from 'vitest';
import { assertCrashSafe, assertExploresClean, isCrashSafetyError } from 'powercut';

describe('powercut from a user project', () => {
  it('passes the reference engine', async () => {
    const outcome = await assertCrashSafe({}, { scenarios: ['wal-append'], seeds: 3 });
    expect(outcome?.violations).toEqual([]);
  }, 120_000);

  it('fails the naive engine with a shrunk plan', async () => {
    let caught: unknown;
    try {
      await assertCrashSafe({ engine: 'src/engine.ts' }, { scenarios: ['wal-append'], seeds: 20, failuresDir: 'failures' });
    } catch (error) {
      caught = error;
    }
    expect(isCrashSafetyError(caught)).toBe(true);
    expect((caught as Error).message).toContain('POWERCUT_PLAN=failures/');
  }, 120_000);

  it('explores the naive engine at every crash point and fails it with a plan', async () => {
    let caught: unknown;
    try {
      await assertExploresClean({ engine: 'src/engine.ts' }, { steps: 4, failuresDir: 'failures-explore' });
    } catch (error) {
      caught = error;
    }
    expect(isCrashSafetyError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/found by explore: .* POWERCUT_PLAN=failures-explore\\//s);
  }, 120_000);
});
`;

/**
 * A jest test file, CommonJS (what jest runs without flags): \`require('powercut')\` must give the
 * package as Node loads it, not jest's transform of it, and its campaigns must run.
 */
const userJestTest = `const { assertCrashSafe, isCrashSafetyError } = require('powercut');

test('passes the reference engine', async () => {
  const outcome = await assertCrashSafe({}, { scenarios: ['wal-append'], seeds: 3 });
  expect(outcome.violations).toEqual([]);
}, 120000);

test('fails the naive engine, in worker threads, with a shrunk plan', async () => {
  let caught;
  try {
    await assertCrashSafe({ engine: 'src/engine.ts' }, { scenarios: ['wal-append'], seeds: 20, jobs: 2, failuresDir: 'failures-jest' });
  } catch (error) {
    caught = error;
  }
  expect(isCrashSafetyError(caught)).toBe(true);
  expect(caught.message).toContain('POWERCUT_PLAN=failures-jest/');
}, 120000);

// jest runs this file in a sandbox with a copy of process.env: what a test sets there must reach
// the engine, its worker threads and the rerun line, and the plan must name this test.
test('runs with the variable a test set, and names the test', async () => {
  process.env.USER_SWITCH = 'on';
  let caught;
  try {
    await assertCrashSafe({ engine: 'src/engine.ts' }, { scenarios: ['wal-append'], seeds: 20, jobs: 2, failuresDir: 'failures-jest-switch' });
  } catch (error) {
    caught = error;
  } finally {
    delete process.env.USER_SWITCH;
  }
  expect(isCrashSafetyError(caught)).toBe(true);
  expect(caught.message).toContain('USER_SWITCH=on POWERCUT_PLAN=failures-jest-switch/');
  expect(caught.message).toContain("run this test: -t 'runs with the variable a test set, and names the test'");
}, 120000);
`;

let work: string;
let tarball: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'powercut-package-'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], packageRoot);
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, (await readdir(work)).find((name) => name.endsWith('.tgz'))!);
}, 180_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Scripts npm runs when it installs a package (and asks `allowScripts` for). */
const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'];

/** A fresh project of `type` with powercut installed from the tarball and the user's files. */
async function project(type: 'module' | 'commonjs'): Promise<string> {
  const dir = join(work, type);
  await mkdir(join(dir, 'src'), { recursive: true });
  await mkdir(join(dir, 'test'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `user-${type}`, version: '1.0.0', private: true, type }));
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
  expect(installed.code, installed.stderr).toBe(0);
  // The package has nothing to run at install, so npm names no script of it for approval.
  expect(installed.stderr).not.toMatch(/powercut@[^ ]* \(/);
  const manifest = JSON.parse(await readFile(join(dir, 'node_modules', 'powercut', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  expect(Object.keys(manifest.scripts ?? {}).filter((name) => installScripts.includes(name))).toEqual([]);
  await writeFile(join(dir, 'src', 'engine.ts'), userEngine);
  await writeFile(join(dir, 'src', 'workload.ts'), userWorkload);
  await writeFile(join(dir, 'src', 'queue.mjs'), userQueue);
  await writeFile(join(dir, 'src', 'queued.ts'), userQueuedWorkload);
  await writeFile(join(dir, 'src', 'plain.cjs'), userCommonJsWorkload);
  await writeFile(join(dir, 'test', 'crash.test.ts'), userTest);
  await mkdir(join(dir, 'jest'));
  await writeFile(join(dir, 'jest', 'crash.test.cjs'), userJestTest);
  return dir;
}

describe.each(['module', 'commonjs'] as const)('the packed package in a %s project', (type) => {
  let dir: string;
  beforeAll(async () => {
    dir = await project(type);
  }, 180_000);

  it('answers --help and list', async () => {
    const help = await run('npx', ['powercut', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: powercut');
    const list = await run('npx', ['powercut', 'list'], dir);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('wal-append');
  });

  it('catches the project\'s engine in worker threads, and its printed repro line reruns the same violation', async () => {
    const campaign = await run('npx', ['powercut', 'run', '--engine', 'src/engine.ts', '--scenario', 'wal-append', '--seeds', '6', '--jobs', '2'], dir);
    expect(campaign.code, campaign.stderr).toBe(1);
    // The summary gives each root cause with the repro line of its first seed.
    const [, invariant, shape, repro] = /^ +\d+ seeds? +\[([\w-]+)\] (.*?) {2}\(wal-append\)\n(?: +seed \d+: .*\n)? +repro: (npx powercut repro --engine src\/engine\.ts --scenario wal-append --seed \d+)$/m.exec(campaign.stdout) ?? [];
    expect(repro, campaign.stdout).toBeDefined();
    const again = await run('npx', repro!.split(' ').slice(1), dir);
    expect(again.code).toBe(1);
    // The seed's first violation is that root cause: the same invariant, a message of the same shape.
    const first = /^ {2}(?:1\. )?\[([\w-]+)\] (.*) \((?:step \d+|after the steps)/m.exec(again.stdout);
    expect(first?.[1], again.stdout).toBe(invariant);
    // (A second look's violation names its crash state first; the root cause's shape leaves that out.)
    expect(causeShape(first![2]!)).toBe(shape);
  });

  it('catches the project\'s library workload', async () => {
    const campaign = await run('npx', ['powercut', 'run', '--target', 'src/workload.ts', '--seeds', '20', '--jobs', '2'], dir);
    expect(campaign.code, campaign.stderr).toBe(1);
    expect(campaign.stdout).toContain('library workload user-settings (src/workload.ts)');
    expect(campaign.stdout).toMatch(/\[whole\] settings\.json does not parse/);
  });

  it('loads the project\'s ES module afresh in every incarnation with freshImport: no lock outlives a crash', async () => {
    const campaign = await run('npx', ['powercut', 'run', '--target', 'src/queued.ts', '--seeds', '30', '--jobs', '2'], dir);
    expect(campaign.code, campaign.stdout + campaign.stderr).toBe(0);
    expect(campaign.stdout).toMatch(/faults by kind: kill-9 [1-9]/);
  });

  it('loads a plain CommonJS workload that requires powercut, in this thread and in a worker', async () => {
    const campaign = await run('npx', ['powercut', 'run', '--target', 'src/plain.cjs', '--seeds', '20', '--jobs', '2'], dir);
    expect(campaign.stderr).not.toMatch(/cannot load it/);
    expect(campaign.stdout).toContain('library workload user-cjs (src/plain.cjs)');
    expect(campaign.stdout).toMatch(/^seeds run: 20 /m);
  });

  it('kills the project\'s library workload on the real disk (real --target), checking it after every kill', async () => {
    const real = await run('npx', ['powercut', 'real', '--target', 'src/workload.ts', '--cycles', '3', '--seed', '1', '--quiet'], dir);
    // A kill -9 between writeFile's truncation and its write would tear the file: either outcome is a run.
    expect([0, 1], real.stdout + real.stderr).toContain(real.code);
    expect(real.stdout).toMatch(/^(ok|FAILED): workload user-settings \(src\/workload\.ts\), 3 of 3 kill -9 cycles on the real disk, seed 1/);
    expect(real.stdout).toMatch(/checks after a kill: [1-3]$/m);
  });

  it('runs a vitest file that uses the API on a failing and a passing subject', async () => {
    const vitest = join(packageRoot, 'node_modules', 'vitest', 'vitest.mjs');
    const result = await run(process.execPath, [vitest, 'run', '--root', dir, '--dir', 'test'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/3 passed/);
  });

  it('runs a jest file (CommonJS, no flags) that requires powercut, on a failing and a passing subject, with the variables its tests set and their names', async () => {
    const jest = join(packageRoot, 'node_modules', 'jest', 'bin', 'jest.js');
    const result = await run(process.execPath, [jest, '--rootDir', dir, '--roots', '<rootDir>/jest', '--testMatch', '**/*.test.cjs', '--ci'], dir);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // jest reports on stderr.
    expect(result.stderr).toMatch(/Tests: +3 passed, 3 total/);
    expect(await readdir(join(dir, 'failures-jest'))).toHaveLength(1);
  });
});
