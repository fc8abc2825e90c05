import { describe, expect, it } from 'vitest';
import { runSeed, type SeedRun } from '../../harness/seed-run.ts';
import type { CandidateCrash, Subject } from '../../harness/subject.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { loadPlanted, plantedBug } from '../sim/planted.ts';

/** Every crash an exploration of `plan` tries, in its order, state 0 with `looks` second looks (harness/explore.ts). */
async function candidatesOf(subject: Subject<Plan>, plan: Plan, size: number, looks = 16): Promise<{ base: Plan; crashes: CandidateCrash[] }> {
  const base = subject.explore.base(plan, size);
  const clean = await subject.run(base, { trace: 'full' });
  const crashes: CandidateCrash[] = [];
  for (const io of subject.explore.crashPoints(clean.trace)) {
    crashes.push({ io, kind: 'kill-9', crashState: 0 });
    for (let state = 0; state < 5; state++) crashes.push({ io, kind: 'power-loss', crashState: state, ...(state === 0 ? { looks } : {}) });
  }
  for (let state = 0; state < 5; state++) crashes.push({ io: undefined, kind: 'power-loss', crashState: state, ...(state === 0 ? { looks } : {}) });
  return { base, crashes };
}

const verdict = (run: Pick<SeedRun, 'violations' | 'findings'>): unknown => ({ violations: run.violations, findings: run.findings ?? [] });

/** Each candidate through the shortcut, side by side with its run whole. */
async function compare(engine: Engine, unit: string, seed: number, size: number, looks = 16): Promise<{ reused: number; reusedFailing: number; runs: number }> {
  const subject = engineSubject(engine);
  const { base, crashes } = await candidatesOf(subject, subject.plan(unit, seed), size, looks);
  let reused = 0;
  let reusedFailing = 0;
  for (const crash of crashes) {
    const short = await runSeed(subject, { unit, seed, candidate: { base, crash } });
    const whole = await subject.run(subject.explore.candidate(base, crash)!);
    expect(verdict(short), `${unit} seed ${seed}, ${crash.kind} state ${crash.crashState} at I/O ${crash.io ?? 'end'}`).toEqual(verdict(whole));
    if (short.reused) {
      reused++;
      if (short.violations.length + (short.findings?.length ?? 0) > 0) reusedFailing++;
    }
  }
  return { reused, reusedFailing, runs: crashes.length };
}

describe('exploration runs crash states that leave the same state once', () => {
  it('gives a reused candidate the outcome of running it whole, on the reference engine', async () => {
    let reused = 0;
    let runs = 0;
    for (const [unit, seed] of [['wal-append', 1], ['checkpoint-prune', 2], ['swarm', 3], ['rotation', 4]] as const) {
      const counts = await compare(referenceEngine, unit, seed, 8);
      reused += counts.reused;
      runs += counts.runs;
    }
    // Most crash points have little or nothing unsynced: their states coincide.
    expect(reused).toBeGreaterThan(runs / 4);
  });

  it('gives a reused candidate the violations and findings of running it whole, on engines that fail', async () => {
    let reusedFailing = 0;
    for (const bug of ['stage-no-fsync', 'segment-no-dirsync', 'enospc-cut-unsynced']) {
      const engine = await loadPlanted(plantedBug(bug));
      for (const [unit, seed] of [['wal-append', 1], ['rotation', 2], ['swarm', 5]] as const) {
        reusedFailing += (await compare(engine, unit, seed, 8)).reusedFailing;
      }
    }
    expect(reusedFailing).toBeGreaterThan(0);
  });

  it('lets a state without looks reuse a run with looks (state 0\'s) of the same state, without what its looks found: as many reused as with no looks at all', async () => {
    for (const [unit, seed] of [['wal-append', 1], ['swarm', 3]] as const) {
      const looked = await compare(referenceEngine, unit, seed, 8, 16);
      const plain = await compare(referenceEngine, unit, seed, 8, 0);
      expect(looked.reused, `${unit} seed ${seed}`).toBe(plain.reused);
    }
  });

  it('never shortcuts a kill -9: the model holds the engine to more after it than after a power loss on the same disk', async () => {
    const subject = engineSubject(referenceEngine);
    const { base, crashes } = await candidatesOf(subject, subject.plan('wal-append', 1), 6);
    for (const crash of crashes.filter((candidate) => candidate.kind === 'kill-9')) {
      expect((await runSeed(subject, { unit: 'wal-append', seed: 1, candidate: { base, crash } })).reused).toBeUndefined();
    }
  });
});

describe('the runner\'s stop after the first power loss (RunPlanOptions.afterFirstPowerLoss)', () => {
  const subject = engineSubject(referenceEngine);
  const base = subject.explore.base(subject.plan('wal-append', 1), 8);

  it('asks once, right after the first power loss, and stops the run there when told', async () => {
    const keys: string[] = [];
    const plan = subject.explore.candidate(base, { io: 12, kind: 'power-loss', crashState: 1 })!;
    const whole = await runPlan(plan, referenceEngine, { afterFirstPowerLoss: (key) => { keys.push(key); return 'go-on'; } });
    expect(keys).toHaveLength(1);
    expect(whole.stoppedAfterFirstPowerLoss).toBeUndefined();
    expect(whole.digest).toBe((await runPlan(plan, referenceEngine)).digest);
    const stopped = await runPlan(plan, referenceEngine, { afterFirstPowerLoss: () => 'stop' });
    expect(stopped.stoppedAfterFirstPowerLoss).toBe(true);
    expect(stopped.crashes).toBe(1);
    expect(stopped.ioCount).toBeLessThan(whole.ioCount);
  });

  it('does not ask after a kill -9', async () => {
    let asked = 0;
    const plan = subject.explore.candidate(base, { io: 12, kind: 'kill-9', crashState: 0 })!;
    await runPlan(plan, referenceEngine, { afterFirstPowerLoss: () => { asked++; return 'stop'; } });
    expect(asked).toBe(0);
  });

  it('keys the state by what survived: states that keep different unsynced writes differ, and the same state gives the same key', async () => {
    const keyOf = async (io: number, crashState: number): Promise<string> => {
      let key = '';
      await runPlan(subject.explore.candidate(base, { io, kind: 'power-loss', crashState })!, referenceEngine, { afterFirstPowerLoss: (k) => { key = k; return 'stop'; } });
      return key;
    };
    const differing: number[] = [];
    for (let io = 1; io < 30; io++) {
      // State 1 keeps nothing unsynced, state 2 everything.
      if ((await keyOf(io, 1)) !== (await keyOf(io, 2))) differing.push(io);
      expect(await keyOf(io, 1)).toBe(await keyOf(io, 1));
    }
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.length).toBeLessThan(29);
  });
});
