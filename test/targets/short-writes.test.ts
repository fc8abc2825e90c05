/**
 * Short writes and EXDEV in library campaigns: a library that writes with the count unchecked and
 * renames over the good file is caught with a truncated file, the same library writing the rest
 * passes; an in-place fallback taken on EXDEV is exercised, and caught, only when `exdev` is on.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import fs from 'node:fs';
import { targetFaultRates, targetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { defineWorkload, type Workload } from '../../targets/workload.ts';
import exdevFallback from './fixtures/exdev-fallback.ts';

const campaign = async (module: string, seeds: number, jobs = 1) =>
  runCampaign({ subject: await loadSubject({ kind: 'library', module }), seeds, jobs, workerScript });

describe('a write count left unchecked', () => {
  it('is caught: an acknowledged save put a truncated file in place, cut at a page boundary by a short write', async () => {
    const result = await campaign('test/targets/fixtures/unchecked-count.ts', 40);
    expect(result.faults['short-write']).toBeGreaterThan(0);
    const whole = result.violations.filter((violation) => violation.invariant === 'whole');
    expect(whole.length).toBeGreaterThan(0);
    for (const violation of whole) {
      const [, kept, size] = /settings\.json is truncated: (\d+) of (\d+) bytes/.exec(violation.message) ?? [];
      expect(Number(kept)).toBeGreaterThan(0);
      expect(Number(kept)).toBeLessThan(Number(size));
      expect(Number(kept) % 4096).toBe(0);
      // The message names the cause, whatever crash showed it: the short write nothing finished.
      expect(violation.message).toMatch(/earlier in the run a write to \S*settings\.json\.tmp landed \d+ of \d+ bytes \(I\/O #\d+\) and nothing wrote the rest/);
    }
  });

  it('passes when the library writes the rest until the count adds up, with as many short writes', async () => {
    const result = await campaign('test/targets/fixtures/checked-count.ts', 40);
    expect(result.faults['short-write']).toBeGreaterThan(0);
    expect(result.coverage['append']!['short-write']).toBeGreaterThan(0);
    expect(result.targets['append']).toContain('short-write');
    expect(result.violations).toEqual([]);
  });

  it('gives the same digest and violations with --jobs 1 and 2', async () => {
    const one = await campaign('test/targets/fixtures/unchecked-count.ts', 12, 1);
    const two = await campaign('test/targets/fixtures/unchecked-count.ts', 12, 2);
    expect(two.digest).toBe(one.digest);
    expect(two.violations.map((v) => [v.seed, v.message])).toEqual(one.violations.map((v) => [v.seed, v.message]));
  });
});

describe('an in-place fallback taken on EXDEV', () => {
  const workload = exdevFallback as unknown as Workload<unknown, unknown>;
  const seeds = Array.from({ length: 40 }, (_, i) => i + 1);

  it('is exercised and caught when exdev is on; the same seeds pass with it off', async () => {
    let caughtWith = 0;
    let exdevFired = 0;
    for (const seed of seeds) {
      const plan = targetPlan(workload, 'test', seed);
      const withExdev = await runTargetPlan(workload, plan);
      exdevFired += withExdev.faultsFired.filter((fault) => fault.kind === 'exdev').length;
      if (withExdev.violations.length > 0) caughtWith++;
      const { exdev: _off, ...rates } = plan.faults.rates;
      const without = await runTargetPlan(workload, { ...plan, faults: { ...plan.faults, rates } });
      expect(without.faultsFired.some((fault) => fault.kind === 'exdev')).toBe(false);
      expect(without.violations).toEqual([]);
    }
    expect(exdevFired).toBeGreaterThan(0);
    expect(caughtWith).toBeGreaterThan(0);
  });

  it('never fails a rename within one directory with EXDEV, which one file system always holds (a log4js user\'s rotation, app.log to app.log.1, failed so and duplicated its lines)', async () => {
    const sameDir = defineWorkload({
      name: 'renames-in-place',
      description: 'renames a file within its directory',
      operationsCount: 12,
      faults: { rates: { ...targetFaultRates, exdev: 0.9 } },
      initialState: () => ({}),
      open: () => undefined,
      operations: [{
        name: 'rename',
        async run(ctx, _library, index) {
          await fs.promises.writeFile(ctx.path(`a${index}`), 'x');
          await fs.promises.rename(ctx.path(`a${index}`), ctx.path(`b${index}`));
        },
      }],
      invariants() {},
    }) as unknown as Workload<unknown, unknown>;
    for (const seed of [1, 2, 3]) {
      const result = await runTargetPlan(sameDir, targetPlan(sameDir, 'test', seed));
      expect(result.faultsFired.filter((fault) => fault.kind === 'exdev')).toEqual([]);
      expect(result.violations.filter((violation) => /EXDEV/.test(violation.message))).toEqual([]);
    }
  });
});
