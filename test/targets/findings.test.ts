/**
 * The shrunk plans of the findings the README reports (targets/findings/): each replays to the
 * violation it documents, with no injected fault but the final power loss (and for the truncated
 * file, one short write), so each finding is a fact anyone can rerun (`powercut replay
 * targets/findings/FILE.json`).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkTargetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { loadWorkload as workloadOf } from '../../subjects/load.ts';

const findings = [
  { file: 'write-file-atomic-no-directory-fsync.json', invariant: 'durable', crashState: 4, message: /config\.json holds version 0, but the write of version 1 was acknowledged/ },
  { file: 'lowdb-no-fsync-before-rename.json', invariant: 'opens', crashState: 3, message: /Unexpected end of JSON input/ },
  { file: 'lowdb-no-directory-fsync.json', invariant: 'durable', crashState: 4, message: /db\.json holds 0 items, but the write of 1 was acknowledged/ },
];

/** The finding caused by an injected fault, not by the crash: a power loss keeping everything still shows it. */
const shortWriteFinding = {
  file: 'write-file-atomic-unchecked-write-count.json', invariant: 'whole', crashState: 2,
  message: /^config\.json is truncated: 1024 of 1522 bytes of version 1 \(after the final power-loss, crash state 2\); earlier in the run a write to \/powercut-target\/config\.json\.\d+ landed 1024 of 1522 bytes \(I\/O #\d+\) and nothing wrote the rest: /,
};

describe('targets/findings', () => {
  it.each(findings)('$file: one acknowledged operation, then a power loss in crash state $crashState, breaks $invariant', async ({ file, invariant, crashState, message }) => {
    const path = `targets/findings/${file}`;
    const plan = checkTargetPlan(JSON.parse(await readFile(path, 'utf8')), path);
    expect(plan.operations).toHaveLength(1);
    expect(plan.faults.scheduled).toEqual([]);
    const result = await runTargetPlan(await workloadOf(plan.target), plan);
    expect(result.acknowledged).toBe(1);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ invariant, crash: { kind: 'power-loss', crashState, final: true } });
    expect(result.violations[0]!.message).toMatch(message);
  });

  it('the same plans pass when the power loss keeps every unsynced write and name (crash state 2): the missing fsync is the cause', async () => {
    for (const { file } of findings) {
      const path = `targets/findings/${file}`;
      const plan = checkTargetPlan(JSON.parse(await readFile(path, 'utf8')), path);
      const result = await runTargetPlan(await workloadOf(plan.target), { ...plan, crashStates: [2] });
      expect(result.violations).toEqual([]);
    }
  });

  it(`${shortWriteFinding.file}: one write that landed short, its count unchecked, renamed into place: truncated whatever the crash keeps`, async () => {
    const path = `targets/findings/${shortWriteFinding.file}`;
    const plan = checkTargetPlan(JSON.parse(await readFile(path, 'utf8')), path);
    expect(plan.operations).toHaveLength(1);
    expect(plan.faults.scheduled).toEqual([{ kind: 'short-write', io: 11, arg: 1024 }]);
    const workload = await workloadOf(plan.target);
    const result = await runTargetPlan(workload, plan);
    expect(result.acknowledged).toBe(1);
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toMatchObject({ invariant: shortWriteFinding.invariant, crash: { kind: 'power-loss', crashState: shortWriteFinding.crashState, final: true } });
    expect(result.violations[0]!.message).toMatch(shortWriteFinding.message);
    // Without the short write, the same plan passes.
    const whole = await runTargetPlan(workload, { ...plan, faults: { ...plan.faults, scheduled: [] } });
    expect(whole.violations).toEqual([]);
  });
});
