/**
 * `assertExploresClean`: every crash point of one seed's first steps as one assertion, with the
 * plan of a failure written and replayable, and never a pass when nothing was crashed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assertCrashSafe, assertExploresClean, isCrashSafetyError, type CrashSafetyError } from '../../api/index.ts';
import { partialPass } from '../../api/failure-report.ts';
import { thrown } from './thrown.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-api-explore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('assertExploresClean', () => {
  it('passes the reference engine and returns the exploration: every crash point tried, and syncs, writes and reads failed', async () => {
    const result = await assertExploresClean({}, { steps: 4 });
    expect(result?.crashPoints).toBeGreaterThan(0);
    expect(result?.syncFaults).toBeGreaterThan(0);
    expect(result?.writeFaults).toBeGreaterThan(0);
    expect(result?.violations).toEqual([]);
  });

  it('throws on a library that ignores the count fs.write returns, naming the crash, with a plan file that replays it', async () => {
    const target = 'test/targets/fixtures/unchecked-count.ts';
    const error = await thrown(assertExploresClean({ target }, { failuresDir: dir }));
    expect(isCrashSafetyError(error)).toBe(true);
    const failure = error as CrashSafetyError;
    expect(failure.code).toBe('POWERCUT_VIOLATION');
    expect(failure.planFile).toMatch(/unchecked-count-1-explore\.json$/);
    expect(failure.message).toMatch(/found by explore: \S+.*, first at I\/O \d+ \(\d+ of \d+ runs\)/);
    expect(failure.message).toContain(`rerun exactly this: POWERCUT_PLAN=${failure.planFile}`);
    const plan = JSON.parse(await readFile(failure.planFile!, 'utf8')) as { found: { invariant: string; by: string } };
    expect(plan.found).toMatchObject({ invariant: failure.invariant, by: 'explore' });
    const again = (await thrown(assertExploresClean({ target }, { plan: failure.planFile! }))) as CrashSafetyError;
    expect(again.message).toMatch(new RegExp(`replayed from the plan file; invariants broken: .*${failure.invariant}`));
    // The library that writes the rest passes the same exploration.
    expect((await assertExploresClean({ target: 'test/targets/fixtures/checked-count.ts' }))?.violations).toEqual([]);
    // Its plan, rerun through POWERCUT_PLAN on the library that writes the rest, passes, and says so.
    const fixed = join(dir, 'fixed-explore.json');
    const document = JSON.parse(await readFile(failure.planFile!, 'utf8')) as Record<string, unknown>;
    await writeFile(fixed, JSON.stringify({ ...document, target: 'test/targets/fixtures/checked-count.ts' }));
    const said: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => {
      said.push(String(line));
    });
    process.env['POWERCUT_PLAN'] = fixed;
    try {
      expect(await assertExploresClean({ target: 'test/targets/fixtures/checked-count.ts' })).toBeUndefined();
      expect(said).toEqual([`powercut: POWERCUT_PLAN=${fixed} passes now: fixed, or that run leaned on something the plan does not record (an environment variable, a file outside the simulated root)`]);
      // An exploration's plan (found.by) is not replayed by the campaign assertion on the same library: it runs its seeds.
      expect((await assertCrashSafe({ target: 'test/targets/fixtures/checked-count.ts' }, { seeds: 2 }))?.seeds).toBe(2);
    } finally {
      spy.mockRestore();
      delete process.env['POWERCUT_PLAN'];
    }
  });

  it('never passes when the steps explored did no I/O to crash', async () => {
    const error = await thrown(assertExploresClean({ target: 'test/targets/fixtures/every-operation-fails.ts' }));
    expect(error).toMatchObject({ code: 'POWERCUT_NOTHING_TESTED', message: 'powercut: nothing was tested: the first 4 steps of every-operation-fails seed 1 did no I/O that could be crashed' });
  });

  it('never passes when its time budget is spent before the first crash candidate starts', async () => {
    const error = await thrown(assertExploresClean({}, { steps: 2, timeBudgetSec: 0.000_001 }));
    expect(error).toMatchObject({ code: 'POWERCUT_NOTHING_TESTED', message: 'powercut: nothing was tested: the time budget (0.000001 s) was spent before the first crash candidate of wal-append seed 1 started' });
  });

  it('says, as a budgeted search passes, how much of it ran: those passed, the rest did not run', () => {
    expect(partialPass(15, 114, 5032, 'crash candidates of wal-append seed 1')).toBe('powercut: the time budget (15 s) was spent after 114 of 5032 crash candidates of wal-append seed 1: those passed, the rest did not run');
  });

  it('refuses an unknown scenario in one line', async () => {
    expect(await thrown(assertExploresClean({}, { scenario: 'no-such' }))).toMatchObject({ message: expect.stringMatching(/^unknown scenario no-such \(one of wal-append, /) as unknown });
  });
});
