/**
 * Faults aimed by step (ScheduledFault.step, ioInStep): a shrunk plan kept as a regression test
 * stays aimed at the same step's I/O when the code changes the I/O before it (a fix that adds an
 * fsync to recovery), where a global I/O index would land elsewhere or nowhere.
 */
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { anchorToSteps, beforeFirstStep, sameOperation, scheduledLabel, unanchored } from '../../sim/disk/faults.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { noFaults } from '../../sim/world.ts';
import { ioLabelsOf } from '../../harness/ddmin.ts';
import { shrinkPlan } from '../../harness/shrink.ts';
import { loadSubject } from '../../subjects/index.ts';
import type { TargetPlan } from '../../targets/plan.ts';
import { findScenario } from '../../scenarios/index.ts';

/** The reference engine, asking whether its folder exists once more at every open: one more I/O per open. */
const oneMoreIoAtOpen: Engine = {
  ...referenceEngine,
  name: 'one-more-io-at-open',
  async open(env) {
    await env.fs.exists(env.dir);
    return referenceEngine.open(env);
  },
};

/** The reference engine, asking whether its folder exists before every commit: one more I/O at the start of each commit step. */
const oneMoreIoAtCommit: Engine = {
  ...referenceEngine,
  name: 'one-more-io-at-commit',
  async open(env) {
    const handle = await referenceEngine.open(env);
    return new Proxy(handle, {
      get(target, property) {
        if (property === 'commit') return async (ops: Parameters<typeof handle.commit>[0]) => {
          await env.fs.exists(env.dir);
          return target.commit(ops);
        };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  },
};

const base = findScenario('wal-append')!.plan(3);
const plan: Plan = {
  ...base,
  steps: [
    { op: 'commit', batch: [{ type: 'put', key: 'a', value: 'a1' }] },
    { op: 'reopen' },
    { op: 'commit', batch: [{ type: 'put', key: 'b', value: 'b1' }] },
    { op: 'commit', batch: [{ type: 'put', key: 'c', value: 'c1' }] },
  ],
  faults: noFaults(),
  looks: 0,
};

describe('a fault aimed by step', () => {
  it('strikes the same I/O of its step when the code does more I/O before the step; a global index does not', async () => {
    const clean = await runPlan(plan, referenceEngine);
    const starts = clean.stepStartIo!;
    expect(starts).toHaveLength(4);
    // The second I/O of step 3 (its commit's append), aimed by global index and by step.
    const io = starts[3]! + 1;
    const global = { ...plan, faults: noFaults({ scheduled: [{ io, kind: 'kill-9' as const }] }) };
    const aimed = { ...plan, faults: noFaults({ scheduled: anchorToSteps([{ io, kind: 'kill-9' }], starts) }) };
    expect(aimed.faults.scheduled).toEqual([{ io, kind: 'kill-9', step: 3, ioInStep: 1 }]);
    // On the code it was written for, both are the same run.
    expect((await runPlan(aimed, referenceEngine)).digest).toBe((await runPlan(global, referenceEngine)).digest);
    // On code with one more I/O at each open, the step moved by two (the first open and the reopen).
    const aimedThere = await runPlan(aimed, oneMoreIoAtOpen);
    expect(aimedThere.stepStartIo![3]).toBe(starts[3]! + 2);
    expect(aimedThere.faultsFired).toEqual([{ io: io + 2, kind: 'kill-9' }]);
    expect(aimedThere.unfiredScheduled).toEqual([]);
    const globalThere = await runPlan(global, oneMoreIoAtOpen);
    expect(globalThere.faultsFired).toEqual([{ io, kind: 'kill-9' }]);
    expect(globalThere.faultsFired[0]!.io).toBeLessThan(aimedThere.stepStartIo![3]!);
  });

  it('aimed at an operation, strikes it when the code does more I/O inside the step before it; aimed by position alone, it strikes another', async () => {
    const clean = await runPlan(plan, referenceEngine, { trace: 'full' });
    const starts = clean.stepStartIo!;
    const labels = ioLabelsOf(clean.trace);
    // The second I/O of step 3, aimed by its position in the step, and at the operation.
    const io = starts[3]! + 1;
    const [aimed] = anchorToSteps([{ io, kind: 'kill-9' }], starts, labels);
    expect(aimed).toEqual({ io, kind: 'kill-9', step: 3, ioInStep: 1, at: labels[io] });
    const byPosition = unanchored([aimed!]).map((fault) => ({ ...fault, step: 3, ioInStep: 1 }));
    const atOperation = await runPlan({ ...plan, faults: noFaults({ scheduled: [aimed!] }) }, oneMoreIoAtCommit, { trace: 'full' });
    const atPosition = await runPlan({ ...plan, faults: noFaults({ scheduled: byPosition }) }, oneMoreIoAtCommit, { trace: 'full' });
    const struck = (result: typeof clean): string => ioLabelsOf(result.trace)[result.faultsFired[0]!.io]!;
    expect(struck(atOperation)).toBe(labels[io]);
    expect(atOperation.unfiredScheduled).toEqual([]);
    expect(struck(atPosition)).not.toBe(labels[io]);
    expect(scheduledLabel(aimed!)).toBe(`kill-9@step 3 ${labels[io]}`);
    expect(scheduledLabel({ ...aimed!, nth: 1 })).toBe(`kill-9@step 3 ${labels[io]} (nth 1)`);
  });

  it('aimed at an operation the step no longer does, is named unfired', async () => {
    const result = await runPlan({ ...plan, faults: noFaults({ scheduled: [{ io: 0, kind: 'kill-9', step: 3, ioInStep: 1, at: 'rename /db/none -> /db/gone' }] }) }, referenceEngine);
    expect(result.faultsFired).toEqual([]);
    expect(result.unfiredScheduled).toEqual(['kill-9@step 3 rename /db/none -> /db/gone']);
  });

  it('strikes within its step or not at all, and is then named unfired by its step', async () => {
    const clean = await runPlan(plan, referenceEngine);
    const fault = { io: 0, kind: 'kill-9' as const, step: 0, ioInStep: clean.stepStartIo![1]! + 50 };
    const result = await runPlan({ ...plan, faults: noFaults({ scheduled: [fault] }) }, referenceEngine);
    expect(result.faultsFired).toEqual([]);
    expect(result.unfiredScheduled).toEqual([`kill-9@step 0+${fault.ioInStep}`]);
    expect(scheduledLabel({ io: 7, kind: 'power-loss' })).toBe('power-loss@7');
  });

  it('is read from a plan file, which refuses a step without its ioInStep', () => {
    const document = JSON.parse(JSON.stringify({ ...plan, faults: noFaults({ scheduled: [{ io: 9, kind: 'kill-9', step: 2, ioInStep: 1 }] }) }));
    expect(checkPlan(document, 'p.json').faults.scheduled).toEqual([{ io: 9, kind: 'kill-9', step: 2, ioInStep: 1 }]);
    const half = JSON.parse(JSON.stringify({ ...plan, faults: noFaults({ scheduled: [{ io: 9, kind: 'kill-9', step: 2 }] }) }));
    expect(() => checkPlan(half, 'p.json')).toThrow(/faults\.scheduled\[0\] must give step and ioInStep together/);
    const atOperation = { io: 9, kind: 'kill-9', step: 2, ioInStep: 1, at: 'append /db/00000000000000000001.wal', nth: 1 } as const;
    const document2 = JSON.parse(JSON.stringify({ ...plan, faults: noFaults({ scheduled: [atOperation] }) }));
    expect(checkPlan(document2, 'p.json').faults.scheduled).toEqual([atOperation]);
    const loose = JSON.parse(JSON.stringify({ ...plan, faults: noFaults({ scheduled: [{ io: 9, kind: 'kill-9', at: 'append /x' }] }) }));
    expect(() => checkPlan(loose, 'p.json')).toThrow(/faults\.scheduled\[0\] gives at or nth without step/);
  });

  it('takes a hand-written fault aimed by step and operation alone, without io or ioInStep, and strikes there', async () => {
    // The first operation of step 2, as the trace names it.
    const clean = await runPlan(plan, referenceEngine, { trace: 'full' });
    const io = clean.trace.filter((event) => event.type === 'io');
    const first = io[clean.stepStartIo![2]!]!;
    const at = `${first.name} ${first.path ?? ''}`;
    const document = JSON.parse(JSON.stringify({ ...plan, faults: { ...noFaults(), scheduled: [{ kind: 'kill-9', step: 2, at }] } }));
    const read = checkPlan(document, 'p.json');
    expect(read.faults.scheduled).toEqual([{ io: 0, kind: 'kill-9', step: 2, ioInStep: 0, at }]);
    const result = await runPlan(read, referenceEngine);
    expect(result.faultsFired).toHaveLength(1);
    expect(result.unfiredScheduled).toEqual([]);
  });

  it('is what shrink writes: the same run as the plan aimed by global index', async () => {
    // A library that unlinks, then renames: a kill -9 between them loses the published file.
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unlink-then-rename.ts' });
    const clean = { ...(subject.plan('unlink-then-rename', 1) as TargetPlan), faults: noFaults(), looks: 0 };
    const renames = (await subject.run(clean, { trace: 'full' })).trace.filter((event) => event.type === 'io').map((event, io) => (event.name === 'rename' ? io : -1)).filter((io) => io >= 0);
    const failing = { ...clean, operations: [0, 1], faults: noFaults({ scheduled: [{ io: renames[1]!, kind: 'kill-9' as const }] }) };
    const result = await shrinkPlan(subject, failing, { invariant: 'published' });
    const scheduled = result.plan.faults.scheduled ?? [];
    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled.every((fault) => fault.step !== undefined && fault.ioInStep !== undefined && fault.at !== undefined)).toBe(true);
    const globalPlan = { ...result.plan, faults: { ...result.plan.faults, scheduled: unanchored(scheduled) } };
    const [aimedRun, globalRun] = [await subject.run(result.plan), await subject.run(globalPlan)];
    expect(aimedRun.digest).toBe(globalRun.digest);
    expect(aimedRun.violations.length).toBeGreaterThan(0);
    expect(aimedRun.unfiredScheduled).toEqual([]);
  });

  it('aimed at a temporary name, strikes the operation on that name whatever its random part: as a library names them by a count of its calls (write-file-atomic), which a shrink that removes an operation changes (a node-localstorage user\'s shrink stopped at 3 operations and 3 faults, 1 and 1 since)', async () => {
    expect(sameOperation('write /t/settings.json.0123456789', 'write /t/settings.json.2654435761')).toBe(true);
    expect(sameOperation('open /t/cfg.json.tmp-9f flags=w', 'open /t/cfg.json.tmp-17a3 flags=w')).toBe(true);
    // Names without a random part match exactly.
    expect(sameOperation('fsync /db/MANIFEST-000002', 'fsync /db/MANIFEST-000003')).toBe(false);
    expect(sameOperation('fsync /db/00000000000000000001.wal', 'fsync /db/00000000000000000002.wal')).toBe(false);
    expect(sameOperation('write /t/other.json.0123456789', 'write /t/settings.json.2654435761')).toBe(false);
    // Aimed at the temporary file of a run whose count was 7: struck in a run whose count is 2.
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/counted-tmp-names.ts' });
    const plan = { ...(subject.plan('counted-tmp-names', 1) as TargetPlan), operations: [0], faults: noFaults({ scheduled: [{ io: 0, kind: 'short-write' as const, arg: 4096, step: 0, ioInStep: 1, at: 'write /powercut-target/settings.json.0991146143' }] }), looks: 0 };
    const result = await subject.run(plan, { trace: 'full' });
    expect(result.faultsFired.map((fault) => [fault.kind, ioLabelsOf(result.trace)[fault.io]])).toEqual([['short-write', 'write /powercut-target/settings.json.1013904226']]);
    expect(result.violations.map((violation) => violation.invariant)).toContain('whole');
  });

  it('aimed before the first step (as shrinking aims faults in its own runs), strikes the named operation of the first open, however much I/O comes before it', async () => {
    const clean = await runPlan(plan, referenceEngine, { trace: 'full' });
    const labels = ioLabelsOf(clean.trace);
    const io = labels.indexOf('rename /db/MANIFEST.tmp -> /db/MANIFEST');
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(clean.stepStartIo![0]!);
    const [aimed] = anchorToSteps([{ io, kind: 'kill-9' }], clean.stepStartIo!, labels, { beforeFirstStep: true });
    expect(aimed).toMatchObject({ step: beforeFirstStep, ioInStep: io, at: labels[io] });
    // Without the option, a fault before the first step keeps its global index alone.
    expect(anchorToSteps([{ io, kind: 'kill-9' }], clean.stepStartIo!, labels)).toEqual([{ io, kind: 'kill-9' }]);
    const moved = await runPlan({ ...plan, faults: noFaults({ scheduled: [aimed!] }) }, oneMoreIoAtOpen, { trace: 'full' });
    expect(moved.faultsFired).toHaveLength(1);
    expect(ioLabelsOf(moved.trace)[moved.faultsFired[0]!.io]).toBe(labels[io]);
    expect(moved.faultsFired[0]!.io).toBe(io + 1);
  });
});
