import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRealCampaign } from '../../real/index.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('the real (kill -9) campaign, judged by the commit model', () => {
  it.each(['strict', 'group'] as const)('passes the reference engine in %s mode', async (sync) => {
    const result = await runRealCampaign({ cycles: 3, seed: `ci-reference-${sync}`, sync });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.engine).toBe('powercut-reference');
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.commitsAcknowledged).toBeGreaterThan(0);
    // One recovery per cycle that got that far, and two in the last pass.
    expect(result.recoveries).toBeGreaterThanOrEqual(2);
    expect(result.recovery.count).toBe(result.recoveries);
    expect(result.dirKept).toBe(false);
  });

  it('passes an engine module written outside powercut (a JSON-lines log without checkpoint or phases)', async () => {
    const module = fixture('log-engine.ts');
    const result = await runRealCampaign({ engine: module, cycles: 3, seed: 'ci-log' });
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations).toEqual([]);
    expect(result.engine).toBe('json-lines-log');
    expect(result.module).toBe(module);
    expect(result.commitsAcknowledged).toBeGreaterThan(0);
  });

  it('names a state() of the wrong shape as the simulator does (engine-error), not as a TypeError from inside the child', async () => {
    const result = await runRealCampaign({ engine: fixture('state-as-object-engine.ts'), cycles: 1, seed: 'ci-state-object' });
    expect(result.ok).toBe(false);
    expect(result.violations[0]).toMatchObject({ invariant: 'engine-error', message: expect.stringContaining('state() returned an object (Object), not a Map or an iterable of [key, value] pairs') });
  });

  it('catches acknowledge-before-write planted in an engine module, as a durability violation, and says how to rerun it', async () => {
    const module = fixture('reference-ack-before-write.ts');
    const result = await runRealCampaign({ engine: module, cycles: 3, seed: 'ci-ack-before-write' });
    expect(result.ok).toBe(false);
    expect(result.harnessErrors).toEqual([]);
    expect(result.violations.map((violation) => violation.invariant)).toContain('durability');
    const durability = result.violations.find((violation) => violation.invariant === 'durability')!;
    expect(durability.message).toMatch(/acknowledged.*is missing|acknowledged \(written\) before a kill -9/);
    expect(result.dirKept).toBe(true);
    expect(result.reproduceArgs).toEqual(['real', '--engine', module, '--cycles', '3', '--seed', 'ci-ack-before-write', '--sync', 'strict']);
    await rm(result.dir, { recursive: true, force: true });
  });

  it('calls checkpoint() and sync() between commits, where the engine has them: a checkpoint that writes a stale snapshot, a bug that needs no fault, is caught', async () => {
    const module = fixture('stale-checkpoint-engine.ts');
    const result = await runRealCampaign({ engine: module, cycles: 6, seed: 'ci-stale-checkpoint' });
    expect(result.harnessErrors).toEqual([]);
    expect(result.ok).toBe(false);
    expect(result.violations.map((violation) => violation.invariant)).toContain('durability');
    await rm(result.dir, { recursive: true, force: true });
  });

  it('names the commits in flight in the line that reruns it, as they shape the workload and the kill plan', async () => {
    const result = await runRealCampaign({ engine: fixture('reference-ack-before-write.ts'), cycles: 1, seed: 'in-flight', concurrency: 2 });
    expect(result.reproduceArgs).toEqual(['real', '--engine', fixture('reference-ack-before-write.ts'), '--cycles', '1', '--seed', 'in-flight', '--sync', 'strict', '--concurrency', '2']);
    await rm(result.dir, { recursive: true, force: true });
  });
});
