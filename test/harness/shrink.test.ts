import { describe, expect, it } from 'vitest';
import { shrinkPlan } from '../../harness/shrink.ts';
import type { BasePlan, Subject } from '../../harness/subject.ts';
import { noFaults } from '../../sim/world.ts';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';
import type { Plan, RunResult, RunViolation } from '../../sim/index.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { planSize } from '../../sim/plan.ts';
import { acknowledgesWithoutWriting } from '../sim/broken-engines.ts';
import { loadPlanted, plantedBug } from '../sim/planted.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

/** The first seed's plan of `unit` that fails on `subject`. */
async function firstFailing(subject: Subject<Plan>, unit: string): Promise<Plan> {
  for (let seed = 1; seed < 200; seed++) {
    const plan = subject.plan(unit, seed);
    if ((await subject.run(plan)).violations.length > 0) return plan;
  }
  throw new Error(`no failing seed of ${unit}`);
}

describe('shrinkPlan on the engine subject', () => {
  it('tells its caller after every run how many runs it made and the smallest failing plan yet (the progress line)', async () => {
    const subject = engineSubject(acknowledgesWithoutWriting(2, false));
    const seen: { runs: number; size: string }[] = [];
    const result = await shrinkPlan(subject, await firstFailing(subject, 'wal-append'), { onRun: (runs, current) => seen.push({ runs, size: subject.shrink.describeSize(current as Plan) }) });
    expect(seen.map((call) => call.runs)).toEqual(Array.from({ length: result.runs }, (_, i) => i + 1));
    expect(seen[0]!.size).toBe(result.before);
    expect(seen.at(-1)!.size).toBe(result.after);
  });

  it('shrinks a planted missing directory sync to 2 steps that fail with the same invariant and explicit faults', async () => {
    const subject = engineSubject(await loadPlanted(plantedBug('segment-no-dirsync')));
    const original = subject.plan('wal-append', 37);
    const result = await shrinkPlan(subject, original);
    expect(result.violation).toMatchObject({ invariant: 'durability', message: expect.stringMatching(/^commit #0 \(lsn 1\), acknowledged, is missing/) });
    expect(result.explicitFaults).toBe(true);
    // Faults drawn at rates are one condition before; pinned, each fault that fired is one.
    expect(result.before).toBe('steps 40, ops 67, faults drawn at rates');
    expect(result.explicit).toMatch(/^steps \d+, ops \d+, faults \d+( \(crash steps \d+\))?$/);
    expect(planSize(result.plan).steps).toBeLessThanOrEqual(2);
    expect(result.after).toBe(subject.shrink.describeSize(result.plan));
    expect(Object.values(result.plan.faults.rates).every((rate) => (rate ?? 0) === 0)).toBe(true);
    const again = await subject.run(result.plan);
    expect(again.violations.map((v) => v.invariant)).toContain('durability');
  });

  it('moves a violation a second look found onto the run\'s own path: the shrunk plan has no looks, the look\'s crash state, and fails itself', async () => {
    const subject = engineSubject(await loadMutant(mutants.find((m) => m.id === 'batch-two-frames')!));
    const original = subject.plan('wal-append', 44);
    expect((await subject.run(original)).violations[0]?.look).toEqual({ crash: 0, crashState: 9, io: 30 });
    const result = await shrinkPlan(subject, original);
    expect(result.violation?.invariant).toBe('atomicity');
    expect(result.violation?.look).toBeUndefined();
    expect(result.plan.looks).toBeUndefined();
    expect(result.plan.crashStates).toEqual([9]);
    expect(planSize(result.plan).steps).toBeLessThanOrEqual(3);
    const again = await subject.run(result.plan);
    expect(again.violations[0]).toMatchObject({ invariant: 'atomicity' });
    expect(again.violations[0]?.look).toBeUndefined();
    removeMutantCopies();
  });

  it('moves a violation a look at bit rot found onto the run\'s own path: the bit flips at the read that met it, and the shrunk plan fails itself', async () => {
    const subject = engineSubject(await loadMutant(mutants.find((m) => m.id === 'corruption-truncated')!));
    const original = subject.plan('read-corruption', 26);
    const look = (await subject.run(original)).violations[0]?.look;
    expect(look).toEqual({ crash: 0, crashState: 0, io: 20, rot: { fault: 'bit-flip', path: '/db/00000000000000000001.wal', at: 1066, read: 32, arg: 1066 } });
    const result = await shrinkPlan(subject, original);
    expect(result.violation?.invariant).toBe('durability');
    expect(result.violation?.look).toBeUndefined();
    expect(result.plan.looks).toBeUndefined();
    expect(result.plan.faults.scheduled).toContainEqual(expect.objectContaining({ io: 32, kind: 'bit-flip' }));
    const again = await subject.run(result.plan);
    expect(again.violations[0]).toMatchObject({ invariant: 'durability' });
    expect(again.violations[0]?.look).toBeUndefined();
    removeMutantCopies();
  });

  it('removes a crash whose recovery moved the I/O of the faults after it: fsync-error-ignored swarm seed 22 (3 crash steps, 12 faults once made explicit) shrinks to 2 steps and 2 faults, re-anchoring faults on the way', async () => {
    const subject = engineSubject(await loadMutant(mutants.find((m) => m.id === 'fsync-error-ignored')!));
    const result = await shrinkPlan(subject, subject.plan('swarm', 22));
    expect(result.violation?.invariant).toBeDefined();
    expect(result.reanchored).toBeGreaterThan(0);
    expect(planSize(result.plan).steps).toBeLessThanOrEqual(2);
    expect(planSize(result.plan).faults).toBeLessThanOrEqual(2);
    // As many crash states as crashes: each removed crash took its own state with it.
    const again = await subject.run(result.plan);
    expect(again.violations.map((v) => v.invariant)).toContain(result.violation!.invariant);
    expect(result.plan.crashStates ?? []).toEqual(again.crashStates.slice(0, result.plan.crashStates?.length ?? 0));
    // Keys renamed (k0, k1, ...), and each drawn value named by its own key, as drawn: a new
    // user read "key k0 should be \"k3@25.0\"" as a value written under the wrong key.
    const puts = result.plan.steps.flatMap((step) => (step.op === 'commit' ? step.batch : step.op === 'concurrent' ? step.batches.flat() : []))
      .filter((op) => op.type === 'put' && op.encoding !== 'hex' && op.value.includes('@'));
    expect(puts.length).toBeGreaterThan(0);
    for (const op of puts) expect(op.type === 'put' && op.value.startsWith(`${op.key}@`), JSON.stringify(op)).toBe(true);
    removeMutantCopies();
  });

  it('shrinks a workload-only bug (no faults needed) to a handful of steps', async () => {
    const subject = engineSubject(acknowledgesWithoutWriting(3, false));
    const result = await shrinkPlan(subject, subject.plan('wal-append', 37));
    expect(result.violation?.invariant).toBeDefined();
    expect(planSize(result.plan).steps).toBeLessThanOrEqual(5);
  });

  it('sets the engine settings a failure does not need to the plainest (strict, no sidecar, no group-commit wait), and keeps one it needs', async () => {
    const subject = engineSubject(acknowledgesWithoutWriting(3, false));
    const original = subject.plan('wal-append', 37);
    const drawn = { ...original, engine: { ...original.engine, sync: 'group' as const, sidecarEveryFrames: 2, groupCommitMaxDelayMs: 2 } };
    const result = await shrinkPlan(subject, drawn);
    expect(result.plan.engine).toMatchObject({ sync: 'strict', sidecarEveryFrames: 0, groupCommitMaxDelayMs: 0 });
    // A missing sidecar needs sidecars: the planted bug's plan keeps them.
    const sidecars = engineSubject(await loadMutant(mutants.find((m) => m.id === 'stale-sidecar-trusted')!));
    const found = await firstFailing(sidecars, 'sidecar-rewrite');
    const kept = await shrinkPlan(sidecars, found);
    expect(kept.violation).toBeDefined();
    expect(kept.plan.engine.sidecarEveryFrames).toBeGreaterThan(0);
  });

  it('returns the plan unchanged with no violation when the plan does not fail', async () => {
    const subject = engineSubject(referenceEngine);
    const original = subject.plan('wal-append', 1);
    const result = await shrinkPlan(subject, original);
    expect(result.violation).toBeUndefined();
    expect(result.plan).toBe(original);
    expect(result.runs).toBe(1);
  });

  it('stops at the run budget and still returns a failing plan', async () => {
    const subject = engineSubject(await loadPlanted(plantedBug('segment-no-dirsync')));
    const result = await shrinkPlan(subject, subject.plan('wal-append', 37), { runsMax: 6 });
    expect(result.runs).toBeLessThanOrEqual(6);
    expect(result.budgetExhausted).toBe(true);
    const again = await subject.run(result.plan);
    expect(again.violations.map((v) => v.invariant)).toContain(result.violation!.invariant);
  });

  it('keeps the named invariant failing when it is not the first one', async () => {
    // The first violation of this run is durability; self-consistency comes later.
    const subject = engineSubject(await loadPlanted(plantedBug('segment-no-dirsync')));
    const result = await shrinkPlan(subject, subject.plan('wal-append', 37), { invariant: 'self-consistency' });
    expect(result.violation?.invariant).toBe('self-consistency');
    const again = await subject.run(result.plan);
    expect(again.violations.map((v) => v.invariant)).toContain('self-consistency');
  });

  it('finds nothing to shrink for an invariant that does not fail', async () => {
    const subject = engineSubject(await loadPlanted(plantedBug('segment-no-dirsync')));
    const result = await shrinkPlan(subject, subject.plan('wal-append', 37), { invariant: 'reads' });
    expect(result.violation).toBeUndefined();
    expect(result.runs).toBe(1);
  });
});

/** A plan of a made-up subject: steps, and second looks. */
interface LookPlan extends BasePlan {
  readonly steps: readonly number[];
  readonly looks?: number;
}

/** How the made-up subjects below shrink: by steps only, which the plan lists. */
const madeUpSteps = {
  stepCount: (plan: LookPlan) => plan.steps.length,
  keepSteps: (plan: LookPlan, keep: readonly number[]) => ({ ...plan, steps: keep.map((index) => plan.steps[index]!) }),
  isStepStart: () => false,
};

/**
 * A made-up subject whose runs fail `whole` on their own path when step 3 runs, and whose second
 * looks (when the plan takes them) find `durable` first; `explicit` records the first violation
 * it is shown, and pins a look as a real subject does (no looks left).
 */
function lookFirstSubject(shown: string[]): Subject<LookPlan> {
  const whole: RunViolation = { invariant: 'whole', message: 'not JSON', step: 0 };
  const durable: RunViolation = { invariant: 'durable', message: 'k1 is missing', step: 0, look: { crash: 0, crashState: 1, io: 4 } };
  const run = async (plan: LookPlan): Promise<RunResult> => ({
    violations: [...((plan.looks ?? 0) > 0 ? [durable] : []), ...(plan.steps.includes(3) ? [whole] : [])],
    crashes: 0, faultsFired: [], crashStates: [], trace: [],
  } as unknown as RunResult);
  return {
    run,
    shrink: {
      ...madeUpSteps,
      explicit: (plan: LookPlan, result: RunResult) => {
        shown.push(result.violations[0]?.invariant ?? 'none');
        return result.violations[0]?.look === undefined ? plan : { ...plan, looks: 0 };
      },
      describeSize: (plan: LookPlan) => `steps ${plan.steps.length}`,
    },
  } as unknown as Subject<LookPlan>;
}

describe('shrinkPlan of a violation the run found itself, while a look found another invariant first', () => {
  const plan: LookPlan = { format: 'made-up', version: 1, seed: 1, faults: { rates: {} } as LookPlan['faults'], stepsMax: 100, steps: [0, 1, 2, 3, 4], looks: 5 };

  it('pins nothing of the look (the subject is shown only the violation shrunk) and drops the looks, so a replay leads with it', async () => {
    const shown: string[] = [];
    const result = await shrinkPlan(lookFirstSubject(shown), plan, { invariant: 'whole', reanchor: false });
    expect(result.violation?.invariant).toBe('whole');
    expect(shown.every((invariant) => invariant === 'whole')).toBe(true);
    expect(result.plan.looks).toBeUndefined();
    expect(result.plan.steps).toEqual([3]);
  });
});

/**
 * A made-up library-like subject: its document is torn after a kill -9 (a torn in-place write),
 * and, with no kill -9 left, torn after the final power loss too (a missing fsync): two bugs of
 * one invariant, told apart by the crash they follow.
 */
function tornEitherWay(): Subject<LookPlan> {
  const run = async (plan: LookPlan): Promise<RunResult> => {
    const fired = plan.faults.scheduled ?? [];
    const killed = fired.some((fault) => fault.kind === 'kill-9');
    const message = killed ? 'doc.json is torn (0 bytes) (after kill-9 during operation 0)' : 'doc.json is torn (0 bytes) (after the final power-loss, crash state 1)';
    return { violations: [{ invariant: 'whole', message, step: 0 }], crashes: fired.length + 1, faultsFired: fired, crashStates: [], trace: [] } as unknown as RunResult;
  };
  return {
    run,
    shrink: {
      ...madeUpSteps,
      describeSize: (plan: LookPlan) => `steps ${plan.steps.length}, faults ${plan.faults.scheduled?.length ?? 0}`,
    },
  } as unknown as Subject<LookPlan>;
}

describe('shrinkPlan of a violation that followed a kill -9', () => {
  const plan: LookPlan = { format: 'made-up', version: 1, seed: 1, faults: { rates: {}, scheduled: [{ io: 3, kind: 'kill-9' }, { io: 5, kind: 'fsync-error' }] } as unknown as LookPlan['faults'], stepsMax: 100, steps: [0, 1, 2] };

  it('keeps the kill -9: a shrunk plan whose violation follows only a power loss shows another bug of the same invariant', async () => {
    const result = await shrinkPlan(tornEitherWay(), plan, { reanchor: false });
    expect(result.plan.faults.scheduled).toEqual([{ io: 3, kind: 'kill-9' }]);
    expect(result.violation?.message).toMatch(/after kill-9/);
  });

  it('drifts to the power loss when asked for the invariant only (sameCrashKinds: false)', async () => {
    const result = await shrinkPlan(tornEitherWay(), plan, { reanchor: false, sameCrashKinds: false });
    expect(result.plan.faults.scheduled).toEqual([]);
    expect(result.violation?.message).toMatch(/after the final power-loss/);
  });
});

/**
 * A made-up library-like subject whose key is lost after its process died of the uncaught error
 * a failed write left (a write-error fault), and, with no such fault, after the final power loss
 * (a missing fsync): two bugs of one invariant.
 */
function diesOrUnsynced(): Subject<LookPlan> {
  const run = async (plan: LookPlan): Promise<RunResult> => {
    const fired = plan.faults.scheduled ?? [];
    const died = fired.some((fault) => fault.kind === 'write-error');
    const message = died ? 'k2 acknowledged but missing (after the process died of an uncaught exception during operation 0)' : 'k2 acknowledged but missing (after the final power-loss, crash state 1)';
    return { violations: [{ invariant: 'durable', message, step: 0 }], crashes: 1, faultsFired: fired, crashStates: [], trace: [], ...(died ? { processDeaths: 1 } : {}) } as unknown as RunResult;
  };
  return { run, shrink: { ...madeUpSteps, describeSize: (plan: LookPlan) => `faults ${plan.faults.scheduled?.length ?? 0}` } } as unknown as Subject<LookPlan>;
}

describe('shrinkPlan of a violation that followed the process\'s death of an uncaught exception', () => {
  it('keeps a fault that kills the process: the bug it showed is not the missing fsync the final power loss shows', async () => {
    const plan: LookPlan = { format: 'made-up', version: 1, seed: 1, faults: { rates: {}, scheduled: [{ io: 3, kind: 'write-error' }, { io: 5, kind: 'fsync-error' }] } as unknown as LookPlan['faults'], stepsMax: 100, steps: [0, 1] };
    const result = await shrinkPlan(diesOrUnsynced(), plan, { reanchor: false });
    expect(result.plan.faults.scheduled).toEqual([{ io: 3, kind: 'write-error' }]);
    expect(result.violation?.message).toMatch(/after the process died of an uncaught exception/);
  });
});

describe('shrinkPlan when an earlier step changes the I/O of a later one', () => {
  it('drops the earlier step, finding the fault one I/O off where re-anchoring put it (a kill -9 between unlink and rename)', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unlink-then-rename.ts' });
    const clean = { ...(subject.plan('unlink-then-rename', 1) as TargetPlan), faults: noFaults(), looks: 0 };
    // The I/O index of the second publish's rename, from a full trace of the run without faults.
    const io = (await subject.run(clean, { trace: 'full' })).trace.filter((event) => event.type === 'io').map((event) => event.name).reduce<number[]>((renames, name, index) => (name === 'rename' ? [...renames, index] : renames), [])[1]!;
    const plan = { ...clean, operations: [0, 1], faults: noFaults({ scheduled: [{ io, kind: 'kill-9' }] }) };
    expect((await subject.run(plan)).violations.map((v) => v.invariant)).toContain('published');
    const result = await shrinkPlan(subject, plan, { invariant: 'published' });
    expect((result.plan as TargetPlan).operations).toEqual([1]);
    expect((await subject.run(result.plan)).violations.map((v) => v.invariant)).toContain('published');
  });
});

/**
 * A made-up subject with one crash: with the seeded random crash state 9 the run fails only with
 * all eight steps (the random choices needed them all), with named state 3 (names without their
 * data) on step 0 alone; with any other state it passes.
 */
function namedStateSubject(kind: 'power-loss' | 'kill-9'): Subject<LookPlan> {
  const run = async (plan: LookPlan): Promise<RunResult> => {
    const state = plan.crashStates?.[0];
    const fails = plan.steps.includes(0) && (state === 3 || (state === 9 && plan.steps.length === 8));
    return {
      violations: fails ? [{ invariant: 'durable', message: 'doc.json lost its data', step: 0 }] : [],
      crashes: 1, crashKinds: [kind], faultsFired: [], crashStates: [state ?? 0], trace: [],
    } as unknown as RunResult;
  };
  return { run, shrink: { ...madeUpSteps, describeSize: (plan: LookPlan) => `steps ${plan.steps.length}` } } as unknown as Subject<LookPlan>;
}

describe('shrinkPlan of a power loss that settled on a seeded random crash state', () => {
  const plan: LookPlan = { format: 'made-up', version: 1, seed: 1, faults: { rates: {} } as LookPlan['faults'], stepsMax: 100, steps: [0, 1, 2, 3, 4, 5, 6, 7], crashStates: [9] };

  it('tries the named states instead, and with the one that still fails drops the steps the random one needed', async () => {
    const result = await shrinkPlan(namedStateSubject('power-loss'), plan, { reanchor: false });
    expect(result.plan.crashStates).toEqual([3]);
    expect(result.plan.steps).toEqual([0]);
  });

  it('leaves a kill -9\'s state alone: it keeps everything whatever its state says', async () => {
    const result = await shrinkPlan(namedStateSubject('kill-9'), plan, { reanchor: false });
    expect(result.plan.crashStates).toEqual([9]);
    expect(result.plan.steps).toHaveLength(8);
  });
});

describe('shrinkPlan of a workload crashed by kill -9 only', () => {
  it('keeps no crash states: a kill -9 keeps the page cache whole, so states there would only send a reader looking for power losses', async () => {
    const { writeBehind } = await import('../targets/fixtures/kill-9-promise.ts');
    const { librarySubject } = await import('../../targets/subject.ts');
    const killOnly = { ...writeBehind, faults: { rates: { 'kill-9': 0.05 } } };
    const subject = librarySubject(killOnly as never, 'test/targets/fixtures/kill-9-promise.ts') as unknown as Subject<TargetPlan>;
    const found = await firstFailing(subject as unknown as Subject<Plan>, writeBehind.name) as unknown as TargetPlan;
    const result = await shrinkPlan(subject, found);
    expect(result.violation?.invariant).toBe('acknowledged-after-kill-9');
    expect(result.plan.crashStates).toBeUndefined();
    expect((await subject.run(result.plan)).violations[0]?.invariant).toBe('acknowledged-after-kill-9');
  });
});
