/**
 * The edge workload (`edge-values`): the values and keys engines get wrong, how a plan spells a
 * value that is not text, and what a subject that keeps values as text is told.
 */
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine, EngineHandle } from '../../sim/engine-contract.ts';
import { formatValue, readAsText } from '../../sim/checkers/values.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import { batchOps, hexPut, putBytes, type Plan, type PlanOp, type PlanPut } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { Rng } from '../../sim/rng.ts';
import { defaultShape, generateSteps } from '../../sim/workload.ts';
import { messageShape } from '../../harness/triage.ts';
import { shrinkPlan } from '../../harness/shrink.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { findScenario } from '../../scenarios/index.ts';
import type { Op } from '../../engine/types.ts';

const edgeScenario = findScenario('edge-values')!;

function puts(plan: Plan): PlanPut[] {
  const ops: PlanOp[] = [];
  for (const step of plan.steps) {
    if (step.op === 'commit') ops.push(...step.batch);
    if (step.op === 'concurrent') ops.push(...step.batches.flat());
  }
  return ops.filter((op): op is PlanPut => op.type === 'put');
}

const edgePuts = Array.from({ length: 40 }, (_, seed) => puts(edgeScenario.plan(seed))).flat();
const bytesOf = (op: PlanPut): Uint8Array => putBytes(op);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const isUtf8 = (bytes: Uint8Array): boolean => {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** The reference engine, keeping every value as UTF-8 text: what an engine that stores `TextDecoder` output does. */
const keepsValuesAsText: Engine = {
  ...referenceEngine,
  name: 'keeps-values-as-text',
  async open(env) {
    const handle = await referenceEngine.open(env);
    const asText = (ops: readonly Op[]): Op[] => ops.map((op) => (op.type === 'put' ? { ...op, value: new TextEncoder().encode(new TextDecoder().decode(op.value)) } : op));
    const commit: EngineHandle['commit'] = (ops) => handle.commit(asText(ops));
    return { ...handle, commit, replayStats: handle.replayStats };
  },
};

describe('the edge workload', () => {
  it('draws empty values, multi-byte values and keys, long values and values that are not text', () => {
    expect(edgePuts.some((op) => op.value === '')).toBe(true);
    expect(edgePuts.some((op) => op.encoding === undefined && /[^\x00-\x7f]/.test(op.value))).toBe(true);
    expect(edgePuts.some((op) => /[^\x00-\x7f]/.test(op.key))).toBe(true);
    expect(edgePuts.some((op) => bytesOf(op).length >= 2048)).toBe(true);
    const binary = edgePuts.filter((op) => op.encoding === 'hex').map(bytesOf);
    expect(binary.length).toBeGreaterThan(edgePuts.length / 20);
    expect(binary.some((bytes) => bytes.includes(0x0a))).toBe(true);
    expect(binary.some((bytes) => bytes.includes(0x00))).toBe(true);
    expect(binary.filter((bytes) => !isUtf8(bytes)).length).toBeGreaterThan(binary.length / 2);
  });

  it('starts a value that is not text with its key and step, so a misplaced one is still recognisable', () => {
    const binary = edgePuts.filter((op) => op.encoding === 'hex');
    for (const op of binary) expect(new TextDecoder().decode(bytesOf(op))).toMatch(new RegExp(`^${op.key}@[0-9/.]+:`));
  });

  it('leaves a workload without the edge shape as it was: text values only', () => {
    const steps = generateSteps(new Rng(7), defaultShape);
    const plain = puts({ ...edgeScenario.plan(0), steps });
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.every((op) => op.encoding === undefined && op.value !== '')).toBe(true);
  });
});

describe('a value that is not text, in a plan', () => {
  it('is spelt in hex, two digits a byte, and reaches the engine as those bytes', () => {
    const op = hexPut('k1', new Uint8Array([0x6b, 0x00, 0x0a, 0xff]));
    expect(op).toEqual({ type: 'put', key: 'k1', value: '6b000aff', encoding: 'hex' });
    expect([...(batchOps([op])[0] as Extract<Op, { type: 'put' }>).value]).toEqual([0x6b, 0x00, 0x0a, 0xff]);
    expect([...putBytes({ type: 'put', key: 'k', value: 'é' })]).toEqual([0xc3, 0xa9]);
  });

  it('is accepted by a plan file, and bad hex or an unknown encoding is refused naming the field', () => {
    const plan = JSON.parse(JSON.stringify(edgeScenario.plan(3))) as Plan;
    const withHex = { ...plan, steps: [{ op: 'commit', batch: [hexPut('k1', new Uint8Array([1, 2]))] }] };
    expect(checkPlan(withHex, 'plan.json').steps[0]).toEqual({ op: 'commit', batch: [{ type: 'put', key: 'k1', value: '0102', encoding: 'hex' }] });
    const oddHex = { ...plan, steps: [{ op: 'commit', batch: [{ type: 'put', key: 'k1', value: '010', encoding: 'hex' }] }] };
    expect(() => checkPlan(oddHex, 'plan.json')).toThrow(/steps\[0\]\.batch\[0\]\.value must be hex digits/);
    const base64 = { ...plan, steps: [{ op: 'commit', batch: [{ type: 'put', key: 'k1', value: 'AQI=', encoding: 'base64' }] }] };
    expect(() => checkPlan(base64, 'plan.json')).toThrow(/steps\[0\]\.batch\[0\]\.encoding must be one of "hex"/);
  });

  it('prints its text start quoted, then its bytes in hex, and masks as one value in a shape', () => {
    const value = new Uint8Array([...new TextEncoder().encode('k3@12.0:'), 0x00, 0xff, 0x0a]);
    expect(formatValue(value)).toBe('"k3@12.0:"+0x00ff0a (11 bytes)');
    expect(formatValue(new Uint8Array([0xff, 0x61]))).toBe('0xff61 (2 bytes)');
    const shape = messageShape(`key k3 should be ${formatValue(value)} but is absent`);
    expect(shape).toBe('key kN should be 0x… (N bytes) but is absent');
    expect(shape).toBe(messageShape(`key k5 should be ${formatValue(new TextEncoder().encode('k5@2.0......'))} but is absent`));
  });
});

describe('a subject that keeps values as text', () => {
  it('is caught by edge-values, and told its value came back read as UTF-8 text', async () => {
    let caught = 0;
    let told = 0;
    for (let seed = 0; seed < 10; seed++) {
      const result = await runPlan(edgeScenario.plan(seed), keepsValuesAsText);
      if (result.violations.length > 0) caught++;
      if (result.violations.some((v) => /read as UTF-8 text: a value that is not text does not survive/.test(v.message))) told++;
    }
    expect(caught).toBeGreaterThanOrEqual(8);
    expect(told).toBeGreaterThanOrEqual(8);
  });

  it('shrinks to one put whose value is one byte that is not text, which still fails', async () => {
    const subject = engineSubject(keepsValuesAsText);
    const failing = subject.plan('edge-values', 1);
    const result = await shrinkPlan(subject, failing, { runsMax: 400 });
    const kept = puts(result.plan);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.encoding).toBe('hex');
    const bytes = putBytes(kept[0]!);
    expect(bytes).toHaveLength(1);
    expect(bytes[0]!).toBeGreaterThanOrEqual(0x80);
    expect((await subject.run(result.plan)).violations.length).toBeGreaterThan(0);
  });

  it('is told nothing of text when the value it returned is simply another one', () => {
    const written = new Uint8Array([0x61, 0xff]);
    expect(readAsText(written, new Uint8Array([0x61, 0xef, 0xbf, 0xbd]))).toBe(true);
    expect(readAsText(written, new Uint8Array([0x61]))).toBe(false);
    expect(readAsText(new Uint8Array([0x61]), new Uint8Array([0x61]))).toBe(false);
  });

  it('is the reference engine, which keeps bytes and passes the same plans: the catch is the values', async () => {
    for (let seed = 0; seed < 4; seed++) {
      const result = await runPlan(edgeScenario.plan(seed), referenceEngine);
      expect(result.violations).toEqual([]);
    }
  });
});
