/**
 * What the oracle demands when a media fault destroyed durable bytes (sim/model.ts): recover
 * correctly or refuse, except that commits nothing vouched for may be lost silently. Each test
 * names the invariant it expects and the message it carries.
 */
import { describe, expect, it } from 'vitest';
import type { ReplayStats } from '../../../engine/types.ts';
import { CommitModel, excusedFloor } from '../../../sim/model.ts';
import { put, state } from './helpers.ts';

function stats(lastLsn: number): Partial<ReplayStats> {
  return { lastLsn, snapshotLsn: 0, recordsApplied: lastLsn };
}

/** A strict model with commits a=1 (lsn 1), b=2 (lsn 2), c=3 (lsn 3) acknowledged, then a power loss. */
function threeAcknowledged(): CommitModel {
  const model = new CommitModel({ sync: 'strict' });
  [['a', '1'], ['b', '2'], ['c', '3']].forEach(([key, value], i) => {
    const id = model.issue([put(key!, value!)]);
    expect(model.acked(id, i + 1)).toEqual([]);
  });
  return model;
}

describe('the oracle after damage to durable data', () => {
  it('excuses losing the last acknowledged commits when nothing vouched for them, and says which', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    const check = model.checkRecovered(state({ a: '1' }), stats(1), { damaged: true });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage).toEqual([1, 2]);
    expect(check.absent).toEqual([1, 2]);
  });

  it('excuses losing a commit that changes nothing when the replay statistics show it gone (misdirected-write seed 591)', () => {
    const model = new CommitModel({ sync: 'strict' });
    // A delete of a key nobody wrote: the state cannot tell whether its frame survived.
    expect(model.acked(model.issue([{ type: 'delete', key: 'a' }]), 1)).toEqual([]);
    model.crashed('power-loss');
    const check = model.checkRecovered(state({}), stats(0), { damaged: true });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage).toEqual([0]);
    expect(check.absent).toEqual([0]);
  });

  it('holds a commit that changes nothing to its replay statistics without damage', () => {
    const model = new CommitModel({ sync: 'strict' });
    expect(model.acked(model.issue([{ type: 'delete', key: 'a' }]), 1)).toEqual([]);
    model.crashed('power-loss');
    const check = model.checkRecovered(state({}), stats(0));
    expect(check.lostToDamage).toEqual([]);
    expect(check.violations[0]).toMatchObject({ invariant: 'self-consistency' });
    expect(check.violations[0]?.message).toBe('replayStats.lastLsn is 0 but the last recovered commit has lsn 1');
  });

  it('excuses nothing without damage: the same state is a durability violation', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    const check = model.checkRecovered(state({ a: '1' }), stats(1));
    expect(check.lostToDamage).toEqual([]);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', commit: 1, lsn: 2, key: 'b' });
    expect(check.violations[0]?.message).toBe('commit #1 (lsn 2), acknowledged, is missing: key b should be "2" (1 byte) but is absent');
  });

  it('never excuses a commit a clean close vouched for: the engine recorded it', () => {
    const model = threeAcknowledged();
    model.closed();
    const check = model.checkRecovered(state({ a: '1' }), stats(1), { damaged: true });
    expect(check.lostToDamage).toEqual([]);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', commit: 1 });
    expect(check.violations[0]?.message).toBe('commit #1 (lsn 2), acknowledged, is missing: key b should be "2" (1 byte) but is absent');
  });

  it('never excuses a commit an earlier recovery found: losing it is a durability violation', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    expect(model.checkRecovered(state({ a: '1', b: '2', c: '3' }), stats(3)).violations).toEqual([]);
    expect(model.acked(model.issue([put('d', '4')]), 4)).toEqual([]);
    model.crashed('power-loss');
    // d may be lost to the damage; b, which the last recovery found, may not.
    const check = model.checkRecovered(state({ a: '1' }), undefined, { damaged: true });
    expect(check.violations.map((v) => v.invariant)).toEqual(['durability']);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', key: 'b' });
    expect(check.violations[0]?.message).toBe('key b, present after commit #1 (lsn 2), found by an earlier recovery, is missing: it should be "2" (1 byte)');
  });

  it('never excuses a hole: a commit lost while a later one is present', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    const check = model.checkRecovered(state({ a: '1', c: '3' }), stats(3), { damaged: true });
    expect(check.violations.map((v) => v.invariant)).toContain('prefix');
    expect(check.violations.find((v) => v.invariant === 'prefix')?.message).toBe('hole: commit #1 (lsn 2) is missing (key b should be "2" (1 byte) but is absent) while the later commit #2 (lsn 3) is present (key c)');
  });

  it('keeps every commit up to the last one with evidence: the floor', () => {
    expect(excusedFloor([])).toBe(0);
    expect(excusedFloor([{ mustSurvive: 'acknowledged' }, { mustSurvive: 'synced' }, { mustSurvive: undefined }])).toBe(0);
    expect(excusedFloor([{ mustSurvive: 'acknowledged', closedAfter: true }, { mustSurvive: 'acknowledged' }])).toBe(1);
    expect(excusedFloor([{ mustSurvive: 'acknowledged' }, { mustSurvive: 'closed' }, { mustSurvive: 'kill-9' }])).toBe(2);
  });
});
