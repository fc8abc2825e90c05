/**
 * Time passes across a restart, as it does on a real machine: a minute after a power loss (the
 * machine boots again), a second after a kill -9 (a supervisor starts the process again), none
 * after a clean close. A lock judged stale by its age is stale after a power loss, and still fresh
 * after a kill -9: the store refuses to open then, as proper-lockfile's users see on a real machine.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { restartGapMs, SimWorld } from '../../sim/world.ts';
import { librarySubject } from '../../targets/subject.ts';
import type { Workload } from '../../targets/workload.ts';
import { staleLockWorkload } from './fixtures/stale-lock.ts';

const subjectOfWorkload = (workload: unknown) => librarySubject(workload as Workload<unknown, unknown>, 'test');

describe('the time between a crash and the restart after it', () => {
  it.each([['power-loss', 60_000], ['kill-9', 1_000]] as const)('is %s: %i ms of virtual time', (kind, gapMs) => {
    expect(restartGapMs[kind]).toBe(gapMs);
    const world = new SimWorld({ seed: 1 });
    world.crashNow(kind);
    const before = world.clock.now();
    world.restart();
    expect(world.clock.now() - before).toBe(gapMs);
    expect(world.trace.recent.at(-1)).toMatchObject({ type: 'restart', name: kind, t: before + gapMs });
  });

  it('is none after a clean restart', () => {
    const world = new SimWorld({ seed: 1 });
    world.restart();
    expect(world.clock.now()).toBe(0);
  });
});

describe('a lock judged stale by its age', () => {
  it('is stale after a power loss: the store opens again, every time, and keeps what it acknowledged', async () => {
    const result = await runCampaign({ subject: subjectOfWorkload(staleLockWorkload('power-loss')), seeds: 12, jobs: 1, invocation: 'npx powercut' });
    expect(result.perScenario['stale-lock-power-loss']!.crashes).toBeGreaterThan(6);
    expect(result.violations.map((violation) => violation.message)).toEqual([]);
  });

  it('is fresh a second after a kill -9: the reopen fails with ELOCKED, reported as the library not opening', async () => {
    const result = await runCampaign({ subject: subjectOfWorkload(staleLockWorkload('kill-9')), seeds: 12, jobs: 1, invocation: 'npx powercut' });
    expect(result.perScenario['stale-lock-kill-9']!.crashes).toBeGreaterThan(6);
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations.every((violation) => violation.message.includes('ELOCKED') || violation.message.includes('is locked'))).toBe(true);
  });
});
