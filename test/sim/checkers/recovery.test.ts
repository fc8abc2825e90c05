import { describe, expect, it } from 'vitest';
import type { Op } from '../../../engine/types.ts';
import { diagnoseRecovery } from '../../../sim/checkers/recovery.ts';
import type { CandidateCommit, PastCommit, RecoveryDiagnosisInput } from '../../../sim/checkers/recovery.ts';
import { stateAfter } from '../../../sim/checkers/prefix-search.ts';
import { del, put, state } from './helpers.ts';

/** A diagnosis input where every commit is a candidate; `survive` lists ids that had to survive. */
function input(batches: Op[][], recovered: Map<string, Uint8Array>, survive: number[], extra: PastCommit[] = []): RecoveryDiagnosisInput {
  const candidates: CandidateCommit[] = batches.map((ops, id) => ({ id, lsn: id + 1, ops, mustSurvive: survive.includes(id) ? 'acknowledged' : undefined }));
  const mustInclude = survive.length === 0 ? 0 : Math.max(...survive) + 1;
  return {
    base: new Map(), candidates, mustInclude, recovered,
    expected: stateAfter(new Map(), batches, Math.max(mustInclude, batches.length)),
    history: [...candidates.map((c): PastCommit => ({ ...c, fate: 'pending' })), ...extra],
  };
}

describe('diagnoseRecovery', () => {
  it('names a missing acknowledged commit as durability, with its LSN and key', () => {
    const [v] = diagnoseRecovery(input([[put('a', '1')], [put('b', '1')]], state({ a: '1' }), [0, 1]));
    expect(v).toMatchObject({ invariant: 'durability', commit: 1, lsn: 2, key: 'b', expected: '"1" (1 byte)', seen: 'absent' });
  });

  it('names a lost acknowledged delete as resurrection of the key', () => {
    const [v] = diagnoseRecovery(input([[put('a', '1')], [del('a')]], state({ a: '1' }), [0, 1]));
    expect(v).toMatchObject({ invariant: 'no-resurrection', commit: 1, key: 'a' });
  });

  it('names a hole: an in-doubt commit missing while a later one is present', () => {
    const violations = diagnoseRecovery(input([[put('a', '1')], [put('b', '1')]], state({ b: '1' }), []));
    expect(violations).toEqual([expect.objectContaining({ invariant: 'prefix', commit: 0, key: 'a' })]);
  });

  it('says of a hole whose commit the engine rejected in doubt that it was, and how an engine says it applied none of it', () => {
    const rejected = input([[put('a', '1')], [put('b', '1')]], state({ b: '1' }), []);
    const candidates = rejected.candidates.map((commit, id) => (id === 0 ? { ...commit, status: 'rejected-unknown' as const } : commit));
    const [hole] = diagnoseRecovery({ ...rejected, candidates });
    expect(hole?.message).toMatch(/^hole: commit #0 \(lsn 1\), rejected with an error that leaves it in doubt, is missing .* is present \(key b\); an engine that .* says so \(commitOutcome 'absent'\), and then it is no hole$/);
    // A commit in flight at the crash is no rejection: nothing is said of how it ended.
    expect(diagnoseRecovery(rejected)[0]?.message).not.toContain('rejected');
  });

  it('names a reordering (a later write of a key present, an earlier commit absent) as a hole', () => {
    const violations = diagnoseRecovery(input([[put('a', '1')], [put('b', '1')], [put('a', '2')]], state({ a: '2' }), []));
    expect(violations.map((v) => v.invariant)).toEqual(['prefix']);
    expect(violations[0]?.commit).toBe(1);
  });

  it('names a torn batch as atomicity', () => {
    const violations = diagnoseRecovery(input([[put('x', '1'), put('y', '1')]], state({ y: '1' }), []));
    expect(violations[0]).toMatchObject({ invariant: 'atomicity', commit: 0, key: 'x' });
  });

  it('names a value its own batch overwrote as atomicity', () => {
    const violations = diagnoseRecovery(input([[put('x', '1'), put('x', '2')]], state({ x: '1' }), []));
    expect(violations).toEqual([expect.objectContaining({ invariant: 'atomicity', key: 'x' })]);
  });

  it('names a key no commit wrote as invented data', () => {
    const violations = diagnoseRecovery(input([[put('a', '1')]], state({ a: '1', q: '1' }), [0]));
    expect(violations).toEqual([expect.objectContaining({ invariant: 'prefix', key: 'q' })]);
    expect(violations[0]?.message).toContain('a key no commit ever wrote');
  });

  it('names the value of a commit an earlier recovery found absent as resurrection', () => {
    const lost: PastCommit = { id: 9, ops: [put('k', 'old')], fate: 'absent', decidedBy: 1 };
    const violations = diagnoseRecovery(input([], state({ k: 'old' }), [], [lost]));
    expect(violations).toEqual([expect.objectContaining({ invariant: 'no-resurrection', commit: 9, key: 'k' })]);
  });

  it('names the value of a commit rejected as absent as honest-failure', () => {
    const refused: PastCommit = { id: 4, ops: [put('k', 'v')], fate: 'rejected-absent' };
    const violations = diagnoseRecovery(input([], state({ k: 'v' }), [], [refused]));
    expect(violations).toEqual([expect.objectContaining({ invariant: 'honest-failure', commit: 4 })]);
  });

  it('names an overwritten version of an earlier durable state as resurrection', () => {
    const older: PastCommit = { id: 0, ops: [put('k', 'v1')], fate: 'present', decidedBy: 1 };
    const newer: PastCommit = { id: 1, ops: [put('k', 'v2')], fate: 'present', decidedBy: 1 };
    const violations = diagnoseRecovery({
      base: state({ k: 'v2' }), candidates: [], mustInclude: 0, recovered: state({ k: 'v1' }),
      expected: state({ k: 'v2' }), history: [older, newer],
    });
    expect(violations).toEqual([expect.objectContaining({ invariant: 'no-resurrection', key: 'k', commit: 0 })]);
  });

  it('names a key of the earlier durable state that disappeared as durability', () => {
    const writer: PastCommit = { id: 0, ops: [put('k', 'v')], fate: 'present', decidedBy: 1 };
    const violations = diagnoseRecovery({
      base: state({ k: 'v' }), candidates: [], mustInclude: 0, recovered: new Map(),
      expected: state({ k: 'v' }), history: [writer],
    });
    expect(violations).toEqual([expect.objectContaining({ invariant: 'durability', key: 'k', commit: 0 })]);
  });

  it('falls back to a generic prefix violation when no single key explains the mismatch', () => {
    // Key a allows prefixes {0, 2} (absent before and after), key b only {1}: each key alone is
    // explained by some prefix, both together by none, and no commit is torn or out of order.
    const batches = [[put('a', '1'), put('b', '1')], [del('a'), del('b')]];
    const violations = diagnoseRecovery(input(batches, state({ b: '1' }), []));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'prefix', key: 'b', seen: '"1" (1 byte)', expected: 'absent' });
    expect(violations[0]?.message).toContain('not the state after any allowed prefix');
  });

  it('reports at most one violation per invariant', () => {
    const violations = diagnoseRecovery(input([[put('a', '1')], [put('b', '1')]], new Map(), [0, 1]));
    expect(violations.map((v) => v.invariant)).toEqual(['durability']);
  });
});
