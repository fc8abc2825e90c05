/**
 * Repro lines carry the environment variables a user's module read (harness/env-reads.ts): a bug
 * planted behind a variable reruns only with it, so the line that reproduces it names it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { envAssignments, envChangedSince, envHere, forgetEnvReads, watchEnvReads } from '../../harness/env-reads.ts';
import { loadSubject } from '../../subjects/index.ts';
import { launchBin } from '../cli/helpers.ts';

afterEach(() => {
  delete process.env['PC_TEST_PLANTED'];
  delete process.env['PC_TEST_READ'];
  delete process.env['PC_TEST_COPIED'];
  delete process.env['PC_TEST_PLANTED_LATE'];
  delete process.env['PC_TEST_LIB_PLANTED'];
  forgetEnvReads();
});

describe('the environment variables a module read', () => {
  it('are noted when read and set, quoted for a shell; names only copied whole, or Node\'s and powercut\'s own, are not', async () => {
    watchEnvReads();
    process.env['PC_TEST_READ'] = 'a b';
    process.env['PC_TEST_COPIED'] = '1';
    await Promise.resolve();
    expect(process.env['PC_TEST_READ']).toBe('a b');
    void process.env['POWERCUT_FAULTS'];
    void process.env['NODE_ENV'];
    void process.env['PC_TEST_UNSET'];
    const copy = { ...process.env };
    expect(copy['PC_TEST_COPIED']).toBe('1');
    expect(envAssignments()).toBe(`PC_TEST_READ='a b' `);
  });

  it('of a plan found with them are told apart from this run\'s: unset here, or set here to another value', () => {
    const found = { A_BUG: 'join-synced', B_MODE: 'fast', C_SAME: 'x' };
    const here = { A_BUG: 'resolve early', C_SAME: 'x' };
    expect(envChangedSince(found, here)).toBe('A_BUG=join-synced B_MODE=fast ');
    expect(envHere(found, here)).toBe("here A_BUG='resolve early', B_MODE is not set");
    expect(envHere(found, { ...found })).toBe('');
  });

  it('keep the real environment\'s rules: a value set becomes a string, a deleted one is gone', () => {
    watchEnvReads();
    process.env['PC_TEST_READ'] = 7 as unknown as string;
    expect(process.env['PC_TEST_READ']).toBe('7');
    delete process.env['PC_TEST_READ'];
    expect('PC_TEST_READ' in process.env).toBe(false);
    expect(envAssignments()).toBe('');
  });

  it('start a campaign\'s repro lines, so that a bug planted behind one reruns', async () => {
    process.env['PC_TEST_PLANTED'] = '1';
    const module = 'test/fixtures/engines/planted-by-env.ts';
    const result = await runCampaign({ subject: await loadSubject({ kind: 'engine', module }), units: ['wal-append'], seeds: 3, invocation: 'npx powercut' });
    expect(result.violations.length).toBeGreaterThan(0);
    for (const violation of result.violations) expect(violation.repro).toBe(`PC_TEST_PLANTED=1 npx powercut repro --engine ${module} --scenario wal-append --seed ${violation.seed}`);
  });

  it('read only by seeds that ran in worker threads (a library campaign\'s, with more than one thread) start its repro lines: the workers tell the main thread', async () => {
    const run = await launchBin(['run', '--target', fileURLToPath(new URL('../targets/fixtures/planted-by-env-in-run.ts', import.meta.url)), '--seeds', '4', '--jobs', '2'], { PC_TEST_LIB_PLANTED: '1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^violations: 4 of 4 seeds failed/m);
    expect(run.stdout).toMatch(/repro: PC_TEST_LIB_PLANTED=1 .* repro --target /);
  });

  it('read late, when the engine opens, still start repro\'s own line: it is made after the run', async () => {
    const module = fileURLToPath(new URL('../fixtures/engines/planted-by-env-late.ts', import.meta.url));
    const run = await launchBin(['repro', '--engine', module, '--scenario', 'wal-append', '--seed', '1'], { PC_TEST_PLANTED_LATE: '1' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`reproduce: PC_TEST_PLANTED_LATE=1 `);
  });

  it('read by a real-disk child process start the parent\'s repro line: the child tells it each name it read', async () => {
    const module = fileURLToPath(new URL('../fixtures/engines/planted-by-env-late.ts', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'powercut-env-real-'));
    try {
      const run = await launchBin(['real', '--engine', module, '--cycles', '5', '--seed', '3', '--dir', join(dir, 'data')], { PC_TEST_PLANTED_LATE: '1' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^reproduce: PC_TEST_PLANTED_LATE=1 .* real --engine /m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
