/**
 * An engine given as a module is run in a pinned environment (targets/environment.ts): its
 * `Math.random`, `Date.now` and global timers follow the seed and the simulated clock, so the same
 * seed gives the same run in any process, a 20 ms `setTimeout` costs no real time, and an
 * interval left running does not outlive the run.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.ts';
import { runPlan } from '../../sim/index.ts';
import { loadEngine, loadSubject } from '../../subjects/index.ts';

const module = 'test/fixtures/engines/reads-globals.ts';

describe('an engine module that reads the time, random numbers and timers outside its ports', () => {
  it('gives one digest per seed, run after run, when run as a subject', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const digests = async (): Promise<string[]> => {
      const out: string[] = [];
      for (let seed = 1; seed <= 3; seed++) out.push((await subject.run(subject.plan('wal-append', seed))).digest);
      return out;
    };
    const first = await digests();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await digests()).toEqual(first);
  });

  it('gives the same digest with second looks as without: a look pins its own world, and the run then goes on with its own random numbers and timers', async () => {
    const looked = await loadSubject({ kind: 'engine', module });
    const plain = await loadSubject({ kind: 'engine', module, looks: 0 });
    let looks = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const [a, b] = [await looked.run(looked.plan('wal-append', seed)), await plain.run(plain.plan('wal-append', seed))];
      expect(a.violations).toEqual([]);
      expect(a.digest).toBe(b.digest);
      looks += a.looks ?? 0;
    }
    expect(looks).toBeGreaterThan(3);
  });

  it('takes turns when runs are started together in one thread (two campaigns in one test), each giving its own digest', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const alone = [(await subject.run(subject.plan('wal-append', 1))).digest, (await subject.run(subject.plan('wal-append', 2))).digest];
    const together = await Promise.all([1, 2].map(async (seed) => (await subject.run(subject.plan('wal-append', seed))).digest));
    expect(together).toEqual(alone);
  });

  it('waits on its timers in virtual time: the simulated clock moves by each commit\'s 20 ms', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const result = await subject.run(subject.plan('wal-append', 1), { trace: 'full' });
    // Seed 1 issues its commits one at a time, so their waits add up.
    const commits = result.trace.filter((event) => event.type === 'op' && event.name === 'commit').length;
    expect(commits).toBeGreaterThan(0);
    expect(result.trace.at(-1)!.t).toBeGreaterThanOrEqual(20 * commits);
  });

  it('differs from run to run without the pin (what the pin is for)', async () => {
    const engine = await loadEngine(module);
    const plan = findScenario('wal-append')!.plan(1);
    const unpinned = async (): Promise<string> => (await runPlan(plan, engine)).digest;
    const first = await unpinned();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await unpinned()).not.toBe(first);
  }, 60_000);
});
