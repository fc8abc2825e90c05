/**
 * Size limits (sim/checkers/limits.ts): an engine that declares the largest key, value and batch
 * it takes gets them drawn at the edge by `edge-values`, and is held to them.
 */
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine, EngineHandle, SizeLimits } from '../../sim/engine-contract.ts';
import { beyondLimits } from '../../sim/checkers/limits.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import { putBytes, type Plan, type PlanOp, type PlanPut } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { Rng } from '../../sim/rng.ts';
import { boundaryValueBytesMax, defaultShape, generateSteps, type WorkloadShape } from '../../sim/workload.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import type { Op } from '../../engine/types.ts';
import { keyBytesMax, valueBytesMax } from '../../engine/limits.ts';
import { runCampaign } from '../../harness/campaign.ts';
import { looksLines } from '../../reports/figures.ts';

const small: SizeLimits = { keyBytes: 64, valueBytes: 300, batchOps: 20 };
const utf8 = new TextEncoder();
const keyBytes = (op: PlanOp): number => utf8.encode(op.key).length;

function batches(steps: Plan["steps"]): (readonly PlanOp[])[] {
  return steps.flatMap((step) => (step.op === 'commit' ? [step.batch] : step.op === 'concurrent' ? step.batches : []));
}

const edgeShape = (limits?: SizeLimits): WorkloadShape => ({ ...defaultShape, steps: 36, keys: 10, valueBytesMax: 200, edgeValues: true, ...(limits ? { limits } : {}) });
const drawn = (limits: SizeLimits | undefined, seeds = 150): (readonly PlanOp[])[] =>
  Array.from({ length: seeds }, (_, seed) => batches(generateSteps(new Rng(seed), edgeShape(limits)))).flat();

describe('the edge workload at declared limits', () => {
  const withLimits = drawn(small);
  const ops = withLimits.flat();
  const puts = ops.filter((op): op is PlanPut => op.type === 'put');

  it('draws keys of exactly the largest size and one byte over', () => {
    expect(ops.some((op) => keyBytes(op) === 64)).toBe(true);
    expect(ops.some((op) => keyBytes(op) === 65)).toBe(true);
    expect(ops.every((op) => keyBytes(op) <= 65)).toBe(true);
  });

  it('draws values of exactly the largest size and one byte over, spelt as padding in the plan', () => {
    const sizes = puts.filter((op) => op.padTo !== undefined).map((op) => putBytes(op).length);
    expect(sizes).toContain(300);
    expect(sizes).toContain(301);
    expect(sizes.every((size) => size === 300 || size === 301)).toBe(true);
  });

  it('draws batches of exactly the most operations and one more', () => {
    expect(withLimits.some((batch) => batch.length === 20)).toBe(true);
    expect(withLimits.some((batch) => batch.length === 21)).toBe(true);
  });

  it('draws no size at a limit it was not given, and no value above 4 MiB', () => {
    const unlimited = drawn(undefined).flat();
    expect(unlimited.some((op) => op.type === 'put' && op.padTo !== undefined)).toBe(false);
    expect(Math.max(...unlimited.map(keyBytes))).toBeLessThan(40);
    const huge = drawn({ valueBytes: boundaryValueBytesMax + 1 }).flat();
    expect(huge.some((op) => op.type === 'put' && op.padTo !== undefined)).toBe(false);
  });

  it('fits the reference engine\'s edge-values plans to its own limits (1 KiB keys, 1 MiB values)', () => {
    const subject = engineSubject(referenceEngine);
    const all = Array.from({ length: 60 }, (_, seed) => batches(subject.plan('edge-values', seed).steps)).flat(2);
    expect(all.some((op) => keyBytes(op) === keyBytesMax)).toBe(true);
    expect(all.some((op) => op.type === 'put' && op.padTo === valueBytesMax)).toBe(true);
  });
});

describe('a plan value padded to its size', () => {
  it('is the value\'s bytes, then dots up to padTo', () => {
    expect(new TextDecoder().decode(putBytes({ type: 'put', key: 'k', value: 'ab', padTo: 5 }))).toBe('ab...');
    expect(putBytes({ type: 'put', key: 'k', value: '6869', encoding: 'hex', padTo: 3 })).toEqual(new Uint8Array([0x68, 0x69, 0x2e]));
  });

  it('is refused in a plan file above 64 MiB, with one line naming the field', () => {
    const plan = engineSubject(referenceEngine).plan('edge-values', 1);
    const file = (padTo: unknown): unknown => JSON.parse(JSON.stringify({ ...plan, steps: [{ op: 'commit', batch: [{ type: 'put', key: 'k', value: 'v', padTo }] }] }));
    expect(() => checkPlan(file(1024), 'p.json')).not.toThrow();
    expect(() => checkPlan(file(2 ** 40), 'p.json')).toThrow(/p\.json: steps\[0\]\.batch\[0\]\.padTo must be at most/);
    expect(() => checkPlan(file(-1), 'p.json')).toThrow(/padTo must be an integer/);
  });
});

describe('beyondLimits', () => {
  const put = (key: string, bytes: number): Op => ({ type: 'put', key, value: new Uint8Array(bytes) });
  it('names the first declared limit a batch goes beyond', () => {
    expect(beyondLimits([put('k', 301)], small)).toBe('a value of 301 bytes, above the declared 300');
    expect(beyondLimits([put('é'.repeat(33), 1)], small)).toBe('a key of 66 bytes, above the declared 64');
    expect(beyondLimits(Array.from({ length: 21 }, () => put('k', 1)), small)).toBe('21 operations, above the declared 20');
  });

  it('finds nothing within every limit, or for a limit not declared', () => {
    expect(beyondLimits([put('é'.repeat(32), 300)], small)).toBeUndefined();
    expect(beyondLimits(Array.from({ length: 20 }, () => ({ type: 'delete' as const, key: 'k' })), small)).toBeUndefined();
    expect(beyondLimits([put('k'.repeat(5000), 10 ** 6)], { batchOps: 3 })).toBeUndefined();
  });
});

/** The reference engine declaring `limits` (far below its own), its commits passed through `commit`. */
function limited(name: string, limits: SizeLimits, commit: (handle: EngineHandle, ops: readonly Op[]) => ReturnType<EngineHandle['commit']>): Engine {
  return {
    ...referenceEngine,
    name,
    limits,
    async open(env) {
      const handle = await referenceEngine.open(env);
      return { ...handle, commit: (ops) => commit(handle, ops), replayStats: handle.replayStats };
    },
  };
}

const refusal = (): Error => Object.assign(new Error('too large'), { code: 'rejected', commitOutcome: 'absent' });
const largestValue = (ops: readonly Op[]): number => Math.max(0, ...ops.map((op) => (op.type === 'put' ? op.value.length : 0)));

/** Refuses what is beyond `small`, as an engine that keeps its limits does. */
const keepsLimits = limited('keeps-limits', small, (handle, ops) => (beyondLimits(ops, small) === undefined ? handle.commit(ops) : Promise.reject(refusal())));
/** Refuses a value of exactly the limit too: the limit checked with `>=`. */
const refusesTheLimit = limited('refuses-the-limit', small, (handle, ops) => (largestValue(ops) >= 300 || beyondLimits(ops, small) !== undefined ? Promise.reject(refusal()) : handle.commit(ops)));
/** Checks no limit: the reference engine takes values far above the declared 300 bytes. */
const checksNothing = limited('checks-nothing', small, (handle, ops) => handle.commit(ops));

/** The first edge-values seeds (fitted to `engine`) whose plan has a put with `padTo` = `size`. */
function seedsWithValueOf(engine: Engine, size: number, count: number): Plan[] {
  const subject = engineSubject(engine);
  const plans: Plan[] = [];
  for (let seed = 1; plans.length < count; seed++) {
    const plan = subject.plan('edge-values', seed);
    if (batches(plan.steps).flat().some((op) => op.type === 'put' && op.padTo === size)) plans.push(plan);
  }
  return plans;
}

describe('invariant limits', () => {
  it('passes an engine that takes everything within its declared limits and refuses what is beyond', async () => {
    for (const plan of [...seedsWithValueOf(keepsLimits, 300, 2), ...seedsWithValueOf(keepsLimits, 301, 2)]) {
      const result = await runPlan(plan, keepsLimits);
      expect(result.violations, `seed ${plan.seed}`).toEqual([]);
    }
  });

  it('catches an engine that refuses a value of exactly its declared limit', async () => {
    const [plan] = seedsWithValueOf(refusesTheLimit, 300, 1);
    const result = await runPlan(plan!, refusesTheLimit);
    const found = result.violations.find((v) => v.invariant === 'limits');
    expect(found?.message).toMatch(/refused a batch within its declared limits \(\d+ operations?, largest key \d+ bytes, largest value 300 bytes\) with no fault but crashes injected before it/);
  });

  it('catches an engine that acknowledges a value above its declared limit', async () => {
    const [plan] = seedsWithValueOf(checksNothing, 301, 1);
    const result = await runPlan(plan!, checksNothing);
    expect(result.violations.find((v) => v.invariant === 'limits')?.message).toMatch(/acknowledged a batch of a value of 301 bytes, above the declared 300: a batch beyond a declared limit must be refused/);
  });

  it('excuses a refusal within the limits once a fault other than a crash was injected', async () => {
    const [plan] = seedsWithValueOf(refusesTheLimit, 300, 1);
    // fsync errors aimed at the first I/O: those that land on an fsync fail the first open, which
    // is retried; from then on a refusal may rest on them.
    const scheduled = Array.from({ length: 12 }, (_, at) => ({ io: at + 1, kind: 'fsync-error' as const }));
    const result = await runPlan({ ...plan!, faults: { ...plan!.faults, scheduled } }, refusesTheLimit);
    expect(result.faults['fsync-error']).toBeGreaterThan(0);
    expect(result.violations.filter((v) => v.invariant === 'limits')).toEqual([]);
  });
});

describe('an engine that declares no limits and refuses sizes', () => {
  /** The reference engine without its limits, refusing every value above 1 KiB as a page store might. */
  const refusesLongValues: Engine = {
    ...referenceEngine,
    name: 'refuses-long-values',
    limits: undefined,
    async open(env) {
      const handle = await referenceEngine.open(env);
      return { ...handle, commit: (ops) => (largestValue(ops) > 1024 ? Promise.reject(refusal()) : handle.commit(ops)), replayStats: handle.replayStats };
    },
  };

  it('passes edge-values, and the campaign says how many commits it refused with no fault before them', async () => {
    const result = await runCampaign({ subject: engineSubject(refusesLongValues), units: ['edge-values'], seeds: 12, jobs: 1 });
    expect(result.violations).toEqual([]);
    expect(result.refusedUnfaulted).toBeGreaterThan(0);
    expect(looksLines(result, String).join('\n')).toMatch(new RegExp(`^${result.refusedUnfaulted} commits were refused with no fault injected before them, taken as in doubt: a size the engine does not take, or a bug; declare the engine's size limits \\(\`limits\`\\)`, 'm'));
  });

  it('counts nothing for the reference engine, which takes every size it is given', async () => {
    const result = await runCampaign({ subject: engineSubject(referenceEngine), units: ['edge-values'], seeds: 6, jobs: 1 });
    expect(result.refusedUnfaulted).toBeUndefined();
  });
});
