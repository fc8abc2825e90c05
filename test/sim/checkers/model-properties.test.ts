/**
 * Properties of the model's recovery check against a brute-force oracle: for random commit
 * sequences, outcomes and crashes, every legal recovered state passes, and a mutated state is
 * reported exactly when no allowed prefix explains it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op, SyncMode } from '../../../engine/types.ts';
import { CommitModel } from '../../../sim/model.ts';
import type { CrashKind } from '../../../sim/model.ts';
import { applyOps, valuesEqual } from '../../../sim/checkers/values.ts';
import { bytes } from './helpers.ts';

type Outcome = 'acked' | 'in-flight' | 'rejected-absent' | 'rejected-unknown';

interface PlannedCommit {
  readonly ops: readonly Op[];
  readonly outcome: Outcome;
  /** In `none` mode: call `synced()` right after this commit resolves. */
  readonly syncAfter: boolean;
}

interface Round {
  readonly commits: readonly PlannedCommit[];
  readonly crash: CrashKind;
  /** Picks the recovered prefix among the legal ones. */
  readonly pick: number;
  /** Recover a second time with no commit in between. */
  readonly recoverTwice: boolean;
}

const keyArb = fc.constantFrom('a', 'b', 'c', 'd');
const valueArb = fc.constantFrom('1', '2', '3').map(bytes);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: keyArb, value: valueArb }),
  fc.record({ type: fc.constant('delete' as const), key: keyArb }),
);
const commitArb: fc.Arbitrary<PlannedCommit> = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 3 }),
  outcome: fc.constantFrom<Outcome>('acked', 'acked', 'acked', 'in-flight', 'rejected-absent', 'rejected-unknown'),
  syncAfter: fc.boolean(),
});
const roundArb: fc.Arbitrary<Round> = fc.record({
  commits: fc.array(commitArb, { maxLength: 8 }),
  crash: fc.constantFrom<CrashKind>('power-loss', 'kill-9'),
  pick: fc.nat(),
  recoverTwice: fc.boolean(),
});
const modeArb = fc.constantFrom<SyncMode>('strict', 'group', 'none');

type Mutation = { readonly kind: 'drop'; readonly key: string } | { readonly kind: 'set'; readonly key: string; readonly value: Uint8Array };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), key: keyArb }),
  fc.record({ kind: fc.constant('set' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'new'), value: fc.constantFrom('1', '2', '3', 'X').map(bytes) }),
);

/** Plays a round's commits into the model; returns the candidates and how many had to survive. */
function play(model: CommitModel, mode: SyncMode, round: Round, lsn: { next: number }): { candidates: Op[][]; mustInclude: number } {
  const candidates: Op[][] = [];
  let mustInclude = 0;
  let syncedThrough = 0;
  const acked: boolean[] = [];
  for (const planned of round.commits) {
    const id = model.issue(planned.ops);
    const assigned = lsn.next++;
    if (planned.outcome === 'rejected-absent') {
      model.rejected(id, 'absent');
      continue;
    }
    candidates.push([...planned.ops]);
    acked.push(planned.outcome === 'acked');
    if (planned.outcome === 'acked') expect(model.acked(id, assigned)).toEqual([]);
    if (planned.outcome === 'rejected-unknown') model.rejected(id, 'unknown');
    if (mode === 'none' && planned.syncAfter) {
      expect(model.synced()).toEqual([]);
      syncedThrough = candidates.length;
    }
  }
  acked.forEach((isAcked, i) => {
    const survives = isAcked && (mode !== 'none' || i < syncedThrough || round.crash === 'kill-9');
    if (survives) mustInclude = i + 1;
  });
  model.crashed(round.crash);
  return { candidates, mustInclude };
}

function after(base: ReadonlyMap<string, Uint8Array>, candidates: readonly Op[][], length: number): Map<string, Uint8Array> {
  const result = new Map(base);
  for (const ops of candidates.slice(0, length)) applyOps(result, ops);
  return result;
}

function statesEqual(a: ReadonlyMap<string, Uint8Array>, b: ReadonlyMap<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (!valuesEqual(value, b.get(key))) return false;
  return true;
}

/** Plays legal rounds; returns the model and the state after the last recovery. */
function playLegal(mode: SyncMode, rounds: readonly Round[], lsn: { next: number }): { model: CommitModel; recovered: Map<string, Uint8Array> } {
  const model = new CommitModel({ sync: mode });
  let recovered = new Map<string, Uint8Array>();
  for (const round of rounds) {
    const { candidates, mustInclude } = play(model, mode, round, lsn);
    const length = mustInclude + (round.pick % (candidates.length - mustInclude + 1));
    recovered = after(recovered, candidates, length);
    expect(model.checkRecovered(recovered).violations).toEqual([]);
    if (round.recoverTwice) {
      model.crashed('power-loss');
      expect(model.checkRecovered(recovered).violations).toEqual([]);
    }
  }
  return { model, recovered };
}

describe('CommitModel properties', () => {
  it('reports nothing for any legal recovered prefix, over many crashes', () => {
    fc.assert(fc.property(modeArb, fc.array(roundArb, { minLength: 1, maxLength: 5 }), (mode, rounds) => {
      playLegal(mode, rounds, { next: 1 });
    }), { numRuns: 500 });
  });

  it('reports a violation exactly when no allowed prefix explains the recovered state', () => {
    fc.assert(fc.property(
      modeArb, fc.array(roundArb, { maxLength: 3 }), roundArb, fc.array(mutationArb, { minLength: 1, maxLength: 2 }),
      (mode, history, last, mutations) => {
        const lsn = { next: 1 };
        const { model, recovered: base } = playLegal(mode, history, lsn);
        const { candidates, mustInclude } = play(model, mode, last, lsn);
        const length = mustInclude + (last.pick % (candidates.length - mustInclude + 1));
        const mutated = after(base, candidates, length);
        for (const m of mutations) {
          if (m.kind === 'drop') mutated.delete(m.key);
          else mutated.set(m.key, m.value);
        }
        let legal = false;
        for (let p = mustInclude; p <= candidates.length; p++) {
          if (statesEqual(after(base, candidates, p), mutated)) legal = true;
        }
        const violations = model.checkRecovered(mutated).violations;
        expect(violations.length > 0).toBe(!legal);
      },
    ), { numRuns: 1000 });
  });

  it('once it has reported a state, takes that state as the base for the next check', () => {
    fc.assert(fc.property(modeArb, roundArb, (mode, round) => {
      const model = new CommitModel({ sync: mode });
      play(model, mode, round, { next: 1 });
      const odd = new Map([['invented', bytes('!')]]);
      expect(model.checkRecovered(odd).violations.length).toBeGreaterThan(0);
      model.crashed();
      expect(model.checkRecovered(odd).violations).toEqual([]);
    }), { numRuns: 100 });
  });

  it('accepts exactly the acknowledged value on reads with nothing in flight', () => {
    fc.assert(fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { maxLength: 10 }), keyArb, valueArb, (batches, key, other) => {
      const model = new CommitModel({ sync: 'strict' });
      const expected = new Map<string, Uint8Array>();
      batches.forEach((ops, i) => {
        model.acked(model.issue(ops), i + 1);
        applyOps(expected, ops);
      });
      expect(model.checkRead(key, expected.get(key))).toEqual([]);
      if (!valuesEqual(other, expected.get(key))) expect(model.checkRead(key, other)).toHaveLength(1);
      if (expected.has(key)) expect(model.checkRead(key, undefined)).toHaveLength(1);
      expect(statesEqual(model.expectedState(), expected)).toBe(true);
    }));
  });

  it('names durability for a lost acknowledged key and prefix for an invented value', () => {
    fc.assert(fc.property(fc.constantFrom<SyncMode>('strict', 'group'), fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }), (mode, batches) => {
      const full = new Map<string, Uint8Array>();
      for (const ops of batches) applyOps(full, ops);
      const [victim] = [...full.keys()].sort();
      fc.pre(victim !== undefined);
      const setUp = (): CommitModel => {
        const model = new CommitModel({ sync: mode });
        batches.forEach((ops, i) => model.acked(model.issue(ops), i + 1));
        model.crashed();
        return model;
      };
      const lost = new Map(full);
      lost.delete(victim!);
      expect(setUp().checkRecovered(lost).violations.map((v) => v.invariant)).toContain('durability');
      const invented = new Map(full).set(victim!, bytes('never written'));
      expect(setUp().checkRecovered(invented).violations).toEqual([expect.objectContaining({ invariant: 'prefix', key: victim })]);
    }));
  });
});
