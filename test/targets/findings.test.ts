/**
 * The shrunk plans of the findings the README reports (targets/findings/): each replays to the
 * violation it documents, with no injected fault but the final power loss, so each finding is a
 * fact anyone can rerun (`powercut replay targets/findings/FILE.json`).
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
});
