/**
 * What the oracle demands when a media fault destroyed durable bytes (sim/model.ts): recover
 * correctly or refuse, except that commits nothing vouched for may be lost silently. Each test
 * names the invariant it expects and the message it carries.
 */
import { describe, expect, it } from 'vitest';
import type { ReplayStats } from '../../../engine/types.ts';
import { CommitModel, damageFloor, excusedFloor } from '../../../sim/model.ts';
import type { DamageContract } from '../../../sim/engine-contract.ts';
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
    const check = model.checkRecovered(state({ a: '1' }), stats(1), { damage: [0] });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage).toEqual([1, 2]);
    expect(check.absent).toEqual([1, 2]);
  });

  it('excuses losing a commit that changes nothing when the replay statistics show it gone (misdirected-write seed 591)', () => {
    const model = new CommitModel({ sync: 'strict' });
    // A delete of a key nobody wrote: the state cannot tell whether its frame survived.
    expect(model.acked(model.issue([{ type: 'delete', key: 'a' }]), 1)).toEqual([]);
    model.crashed('power-loss');
    const check = model.checkRecovered(state({}), stats(0), { damage: [0] });
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

  it('never excuses a commit a clean close vouched for: the engine recorded it, and the violation says so', () => {
    const model = threeAcknowledged();
    model.closed();
    const check = model.checkRecovered(state({ a: '1' }), stats(1), { damage: [0] });
    expect(check.lostToDamage).toEqual([]);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', commit: 1 });
    expect(check.violations[0]?.message).toBe(
      'commit #1 (lsn 2), acknowledged, is missing: key b should be "2" (1 byte) but is absent (media damage destroyed durable bytes, but a clean close after '
      + 'commit #2 was acknowledged recorded it durable (the engine can keep that record, as the reference engine\'s manifest does): recovery keeps every commit up to #2 or refuses to open)',
    );
  });

  it('gives that reason to lost commits only: invented data after damage loses nothing, and its message says nothing of it', () => {
    const model = threeAcknowledged();
    model.closed();
    const check = model.checkRecovered(state({ a: '1', b: '2', c: '3', z: 'rotted' }), stats(3), { damage: [0] });
    const invented = check.violations.find((violation) => violation.message.startsWith('invented data'));
    expect(invented?.message).toMatch(/^invented data: key z holds "rotted"/);
    expect(invented?.message).not.toContain('media damage destroyed durable bytes');
  });

  it('lets damage take what a clean close vouched for when a misdirected write struck the close itself: its record may never have reached its place', () => {
    const model = threeAcknowledged();
    model.closed(false);
    const check = model.checkRecovered(state({ a: '1' }), stats(1), { damage: [0] });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage.length).toBeGreaterThan(0);
    // Without damage the close still promised them all.
    const undamaged = threeAcknowledged();
    undamaged.closed(false);
    expect(undamaged.checkRecovered(state({ a: '1' }), stats(1)).violations.map((v) => v.invariant)).toContain('durability');
  });

  it('never excuses a commit an earlier recovery found: losing it is a durability violation', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    expect(model.checkRecovered(state({ a: '1', b: '2', c: '3' }), stats(3)).violations).toEqual([]);
    expect(model.acked(model.issue([put('d', '4')]), 4)).toEqual([]);
    model.crashed('power-loss');
    // d may be lost to the damage; b, which the last recovery found, may not.
    const check = model.checkRecovered(state({ a: '1' }), undefined, { damage: [0] });
    expect(check.violations.map((v) => v.invariant)).toEqual(['durability']);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', key: 'b' });
    expect(check.violations[0]?.message).toBe('key b, present after commit #1 (lsn 2), found by an earlier recovery, is missing: it should be "2" (1 byte)');
  });

  it('never excuses a hole: a commit lost while a later one is present', () => {
    const model = threeAcknowledged();
    model.crashed('power-loss');
    const check = model.checkRecovered(state({ a: '1', c: '3' }), stats(3), { damage: [0] });
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

/**
 * Commits a=1, b=2, c=3 in strict mode, commit i issued after landing i (the disk's fsync of
 * commit i - 1) and acknowledged: bytes that landing 1 made durable (commit a's) lay before b
 * and c, and a promise (b's acknowledgement) covered them before c was issued.
 */
function threeWithLandings(damage: DamageContract): CommitModel {
  const model = new CommitModel({ sync: 'strict', damage });
  [['a', '1'], ['b', '2'], ['c', '3']].forEach(([key, value], i) => {
    const id = model.issue([put(key!, value!)], i);
    expect(model.acked(id, i + 1)).toEqual([]);
  });
  model.crashed('power-loss');
  return model;
}

describe('the damage contract (Engine.damage)', () => {
  it('point-in-time: losing every commit from the damaged one on is excused, even those issued after a promise covered the damage', () => {
    const check = threeWithLandings('point-in-time').checkRecovered(state({}), stats(0), { damage: [1] });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage).toEqual([0, 1, 2]);
    // What `detects` would have held is told apart, for a finding.
    expect(check.lostDespiteEvidence).toEqual([0, 1, 2]);
  });

  it('point-in-time: a loss no intact bytes could vouch for is no finding either', () => {
    const check = threeWithLandings('point-in-time').checkRecovered(state({ a: '1', b: '2' }), stats(2), { damage: [3] });
    expect(check.lostToDamage).toEqual([2]);
    expect(check.lostDespiteEvidence).toEqual([]);
  });

  it('detects: a commit issued after a promise that covered the destroyed bytes must survive (durability, with the reason)', () => {
    const check = threeWithLandings('detects').checkRecovered(state({}), stats(0), { damage: [1] });
    expect(check.lostDespiteEvidence).toEqual([]);
    expect(check.violations[0]).toMatchObject({ invariant: 'durability', commit: 0 });
    expect(check.violations[0]?.message).toBe(
      'commit #0 (lsn 1), acknowledged, is missing: key a should be "1" (1 byte) but is absent (media damage destroyed durable bytes, but commit #2 '
      + 'was issued after the engine promised a commit written after them durable, so intact bytes could vouch for the damaged ones: under the '
      + 'engine\'s damage contract \'detects\', recovery keeps every commit up to #2 or refuses to open)',
    );
  });

  it('detects: a refusal is still detected damage, and keeping everything passes', () => {
    const model = threeWithLandings('detects');
    expect(model.checkRecovered(state({ a: '1', b: '2', c: '3' }), stats(3), { damage: [1] }).violations).toEqual([]);
  });

  it('detects: damage to bytes that became durable only after the last promise excuses as point-in-time does', () => {
    // Landing 3 made commit c's bytes durable; no promise came after it.
    const check = threeWithLandings('detects').checkRecovered(state({ a: '1', b: '2' }), stats(2), { damage: [3] });
    expect(check.violations).toEqual([]);
    expect(check.lostToDamage).toEqual([2]);
  });

  it('detects: of several damages, the most lenient rules', () => {
    const check = threeWithLandings('detects').checkRecovered(state({}), stats(0), { damage: [1, 3] });
    expect(check.violations).toEqual([]);
  });

  it('damageFloor: one past the last commit that had to survive, issued after the first promise at or after the landing', () => {
    const candidates = [
      { mustSurvive: 'acknowledged' as const, promisesBefore: 0 },
      { mustSurvive: 'acknowledged' as const, promisesBefore: 1 },
      { mustSurvive: undefined, promisesBefore: 2 },
      { mustSurvive: 'acknowledged' as const, promisesBefore: 2 },
    ];
    // Promises: commit 0 (issued at landing 0), commit 1 (issued at landing 1).
    expect(damageFloor(candidates, [0, 1], [1])).toBe(4);
    expect(damageFloor(candidates, [0, 1], [0])).toBe(4);
    expect(damageFloor(candidates, [0, 1], [2])).toBe(0);
    expect(damageFloor(candidates, [0, 1], [])).toBe(0);
    expect(damageFloor(candidates.slice(0, 3), [0, 1], [1])).toBe(0);
  });
});

describe('LSNs after damage (the shadow-paging user\'s misdirected-write seed 352)', () => {
  /**
   * a=1 recovered; then put k (lsn 3) acknowledged and delete k in flight, a power loss. The
   * recovered {a} is both "k put, then deleted" and "k lost to damage, the delete never landed".
   */
  function putThenDeleteInFlight(): CommitModel {
    const model = new CommitModel({ sync: 'strict' });
    expect(model.acked(model.issue([put('a', '1')]), 1)).toEqual([]);
    model.crashed('power-loss');
    expect(model.checkRecovered(state({ a: '1' }), undefined).violations).toEqual([]);
    expect(model.acked(model.issue([put('k', 'v')]), 3)).toEqual([]);
    model.issue([{ type: 'delete', key: 'k' }]);
    model.crashed('power-loss');
    return model;
  }

  it('holds later LSNs only to the shorter reading when damage allows it: an engine that lost the put may hand out its LSN again', () => {
    const model = putThenDeleteInFlight();
    expect(model.checkRecovered(state({ a: '1' }), undefined, { damage: [0] }).violations).toEqual([]);
    expect(model.acked(model.issue([put('b', '2')]), 2)).toEqual([]);
  });

  it('without damage the put had to survive, so an LSN at or below its own is out of issue order (self-consistency)', () => {
    const model = putThenDeleteInFlight();
    expect(model.checkRecovered(state({ a: '1' }), undefined).violations).toEqual([]);
    const violations = model.acked(model.issue([put('b', '2')]), 2);
    expect(violations[0]).toMatchObject({ invariant: 'self-consistency' });
    expect(violations[0]?.message).toBe('commit #3 was acknowledged with lsn 2; LSNs must follow issue order, so it should be > 4');
  });
});
