import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../engine/errors.ts';
import { refusalOf } from '../../sim/checkers/honest-failure.ts';
import type { ReplayStats } from '../../engine/types.ts';
import { CommitModel } from '../../sim/model.ts';
import type { ModelViolation } from '../../sim/checkers/violation.ts';
import { bytes, del, put, state } from './checkers/helpers.ts';

const invariants = (violations: readonly ModelViolation[]): string[] => violations.map((v) => v.invariant);

/** Issues and acknowledges each batch in turn with LSNs 1, 2, ... */
function ackAll(model: CommitModel, batches: Parameters<CommitModel['issue']>[0][], firstLsn = 1): number[] {
  return batches.map((ops, i) => {
    const id = model.issue(ops);
    expect(model.acked(id, firstLsn + i)).toEqual([]);
    return id;
  });
}

function stats(lastLsn: number, extra: Partial<ReplayStats> = {}): ReplayStats {
  return {
    recordsApplied: lastLsn, lastLsn, truncatedBytes: 0, tornBytesKept: 0, segmentsScanned: 1, sidecarsRebuilt: 0,
    uncleanShutdown: true, snapshotLsn: 0, orphansRemoved: 0, recoveryMs: 0, bytesReplayed: 0, ...extra,
  };
}

describe('CommitModel: recovery in strict mode', () => {
  it('accepts the state after every acknowledged commit', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '2')], [del('a')]]);
    model.crashed();
    const check = model.checkRecovered(state({ b: '2' }), stats(3));
    expect(check.violations).toEqual([]);
    expect(check.prefixLength).toBe(3);
  });

  it('reports durability when the last acknowledged commit is missing, naming its LSN and key', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    model.crashed();
    const [violation] = model.checkRecovered(state({ a: '1' })).violations;
    expect(violation).toMatchObject({ invariant: 'durability', lsn: 2, commit: 1, key: 'b', seen: 'absent' });
    expect(violation?.expected).toBe('"2" (1 byte)');
  });

  it('accepts an in-flight commit either present or absent', () => {
    for (const recovered of [state({ a: '1' }), state({ a: '1', b: '2' })]) {
      const model = new CommitModel({ sync: 'strict' });
      ackAll(model, [[put('a', '1')]]);
      model.issue([put('b', '2')]);
      model.crashed();
      expect(model.checkRecovered(recovered).violations).toEqual([]);
    }
  });

  it('reports a hole when commit 3 is missing and commit 4 is present', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    model.issue([put('c', '3')]);
    model.issue([put('d', '4')]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: '2', d: '4' })).violations;
    expect(invariants(violations)).toEqual(['prefix']);
    expect(violations[0]).toMatchObject({ commit: 2, key: 'c' });
    expect(violations[0]?.message).toContain('hole');
  });

  it('reports atomicity when half of a batch is recovered', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.issue([put('x', '1'), put('y', '1')]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', x: '1' })).violations;
    expect(invariants(violations)).toContain('atomicity');
    expect(violations.find((v) => v.invariant === 'atomicity')).toMatchObject({ commit: 1, key: 'y' });
  });

  it('reports a batch lost whole as a hole, not as torn, when a later commit overwrote one of its keys', () => {
    // Commit #1 {k2, k0} skipped whole in replay; commit #2 {k0} present: k0 holds #2's value, not #1's.
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('k9', 'base')]]);
    model.issue([put('k2', 'k2@25.0'), put('k0', 'k0@25.1')]);
    model.issue([put('k0', 'k0@26.1')]);
    model.crashed();
    const violations = model.checkRecovered(state({ k9: 'base', k0: 'k0@26.1' })).violations;
    expect(invariants(violations)).toEqual(['prefix']);
    expect(violations[0]).toMatchObject({ commit: 1, key: 'k2' });
    expect(violations[0]?.message).toMatch(/^hole: commit #1\b.*is missing.*while the later commit #2\b.*is present \(key k0\)/);
  });

  it('reports invented data for a key no commit wrote', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', ghost: 'boo' })).violations;
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'prefix', key: 'ghost', expected: 'absent' });
    expect(violations[0]?.message).toContain('invented');
  });

  it('reports invented data for a value no commit wrote to that key (silent corruption)', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', 'good')]]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: 'gooe' })).violations;
    expect(invariants(violations)).toEqual(['prefix']);
    expect(violations[0]?.message).toContain('no commit wrote');
  });

  it('reports resurrection when an acknowledged delete is lost and the key comes back', () => {
    const model = new CommitModel({ sync: 'group' });
    ackAll(model, [[put('a', '1')], [put('b', '1')], [del('a')], [put('c', '1')]]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: '1', c: '1' })).violations;
    expect(invariants(violations)).toContain('no-resurrection');
    expect(violations.find((v) => v.invariant === 'no-resurrection')).toMatchObject({ key: 'a', lsn: 3 });
  });

  it('reports resurrection when a key deleted before an earlier recovery comes back', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [del('a')]]);
    model.crashed();
    expect(model.checkRecovered(state({})).violations).toEqual([]);
    ackAll(model, [[put('b', '2')]], 3);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: '2' })).violations;
    expect(invariants(violations)).toEqual(['no-resurrection']);
    expect(violations[0]).toMatchObject({ key: 'a', commit: 0, expected: 'absent' });
  });

  it('reports resurrection when a commit found absent by one recovery appears in a later one', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.issue([put('b', 'maybe')]);
    model.crashed();
    const first = model.checkRecovered(state({ a: '1' }));
    expect(first.violations).toEqual([]);
    expect(first.absent).toEqual([1]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: 'maybe' })).violations;
    expect(invariants(violations)).toEqual(['idempotence', 'no-resurrection']);
    expect(violations[1]).toMatchObject({ commit: 1, key: 'b' });
  });

  it('reports durability when a commit found present by one recovery is gone in a later one', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.issue([put('a', '1')]);
    model.crashed();
    expect(model.checkRecovered(state({ a: '1' })).present).toEqual([0]);
    ackAll(model, [[put('b', '2')]], 2);
    model.crashed();
    const violations = model.checkRecovered(state({ b: '2' })).violations;
    expect(invariants(violations)).toEqual(['durability']);
    expect(violations[0]).toMatchObject({ key: 'a', commit: 0 });
  });

  it('reports idempotence when a second recovery with no commit in between differs', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.issue([put('b', '2')]);
    model.crashed();
    expect(model.checkRecovered(state({ a: '1', b: '2' })).violations).toEqual([]);
    model.crashed();
    expect(invariants(model.checkRecovered(state({ a: '1' })).violations)).toContain('idempotence');
  });

  it('carries the decisions of one recovery into the next', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.issue([put('a', '1')]);
    model.crashed();
    model.checkRecovered(state({ a: '1' }));
    model.crashed();
    expect(model.checkRecovered(state({ a: '1' })).violations).toEqual([]);
  });
});

describe('CommitModel: none mode', () => {
  it('lets a crash lose acknowledged commits that were never synced', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    model.crashed('power-loss');
    expect(model.checkRecovered(state({})).violations).toEqual([]);
  });

  it('reports durability when a synced commit is lost', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    expect(model.synced()).toEqual([]);
    ackAll(model, [[put('b', '2')]], 2);
    model.crashed('power-loss');
    expect(model.checkRecovered(state({ a: '1' })).violations).toEqual([]);
    const again = new CommitModel({ sync: 'none' });
    ackAll(again, [[put('a', '1')]]);
    again.synced();
    again.crashed('power-loss');
    expect(invariants(again.checkRecovered(state({})).violations)).toEqual(['durability']);
  });

  it('does not hold a sync against commits acknowledged after its mark', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    const mark = model.mark();
    ackAll(model, [[put('b', '2')]], 2);
    model.synced(mark);
    model.crashed('power-loss');
    expect(model.checkRecovered(state({ a: '1' })).violations).toEqual([]);
  });

  it('requires every acknowledged commit after a clean close', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.closed();
    expect(invariants(model.checkRecovered(state({})).violations)).toEqual(['durability']);
  });

  it('requires every acknowledged (written) commit after a kill -9, which keeps the page cache', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.crashed('kill-9');
    expect(invariants(model.checkRecovered(state({})).violations)).toEqual(['durability']);
  });

  it('requires every acknowledged (written) commit after a write met a full disk, failed the store and it was reopened: ENOSPC from a write takes nothing from the page cache', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.storeFailed(true);
    model.closed();
    const [violation] = model.checkRecovered(state({})).violations;
    expect(violation?.invariant).toBe('durability');
    expect(violation?.message).toMatch(/acknowledged \(written\) before a write met a full disk and failed the store/);
    // Found, it is kept: the restart found what the page cache held.
    const kept = new CommitModel({ sync: 'none' });
    ackAll(kept, [[put('a', '1')]]);
    kept.storeFailed(true);
    kept.closed();
    expect(kept.checkRecovered(state({ a: '1' })).violations).toEqual([]);
  });

  it('lets the reopen after a failed fsync (or write) lose unsynced commits, and a power loss after a full disk', () => {
    const dropped = new CommitModel({ sync: 'none' });
    ackAll(dropped, [[put('a', '1')]]);
    dropped.storeFailed(false);
    dropped.closed();
    expect(dropped.checkRecovered(state({})).violations).toEqual([]);
    const full = new CommitModel({ sync: 'none' });
    ackAll(full, [[put('a', '1')]]);
    full.storeFailed(true);
    full.closed();
    full.crashed('power-loss');
    expect(full.checkRecovered(state({})).violations).toEqual([]);
  });

  it('lets a power loss after a kill -9 lose unsynced commits', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.crashed('kill-9');
    model.crashed('power-loss');
    expect(model.checkRecovered(state({})).violations).toEqual([]);
  });
});

describe('CommitModel: promises of durability (what a look after a step waits for)', () => {
  it('counts a commit acknowledged in a durable mode once, when it is acknowledged', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    expect(model.promised).toBe(2);
    expect(model.synced()).toEqual([]);
    expect(model.promised).toBe(2);
  });

  it('counts a commit acknowledged without fsync only when a sync() covers it', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    expect(model.promised).toBe(0);
    const mark = model.mark();
    ackAll(model, [[put('c', '3')]], 3);
    expect(model.synced(mark)).toEqual([]);
    expect(model.promised).toBe(2);
    expect(model.clone().promised).toBe(2);
  });
});

describe('CommitModel: rejected commits', () => {
  it('reports honest-failure when a commit rejected as absent appears', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    const id = model.issue([put('b', '2')]);
    model.rejected(id, 'absent');
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: '2' })).violations;
    expect(invariants(violations)).toEqual(['honest-failure']);
    expect(violations[0]).toMatchObject({ commit: 1, key: 'b' });
  });

  it('accepts a commit rejected as unknown either present or absent', () => {
    for (const recovered of [state({ a: '1' }), state({ a: '1', b: '2' })]) {
      const model = new CommitModel({ sync: 'strict' });
      ackAll(model, [[put('a', '1')]]);
      const id = model.issue([put('b', '2')]);
      model.rejected(id, 'unknown');
      model.storeFailed();
      model.closed();
      expect(model.checkRecovered(recovered).violations).toEqual([]);
    }
  });

  it('reports honest-failure for an acknowledgement after a failed fsync, before reopening', () => {
    const model = new CommitModel({ sync: 'group' });
    const id = model.issue([put('a', '1')]);
    model.storeFailed();
    const violations = model.acked(id, 1);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ invariant: 'honest-failure', commit: 0, lsn: 1 });
  });

  it('reports honest-failure for a sync acknowledged after a failed fsync', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.storeFailed();
    expect(invariants(model.synced())).toEqual(['honest-failure']);
  });

  it('does not count an acknowledgement after a failed fsync as durable', () => {
    const model = new CommitModel({ sync: 'strict' });
    const id = model.issue([put('a', '1')]);
    model.storeFailed();
    model.acked(id, 1);
    model.crashed();
    expect(model.checkRecovered(state({})).violations).toEqual([]);
  });

  it('accepts acknowledgements again once the store was reopened', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.storeFailed();
    model.closed();
    model.checkRecovered(state({}));
    const id = model.issue([put('a', '1')]);
    expect(model.acked(id, 1)).toEqual([]);
  });

  it('ignores resolutions that arrive after their session crashed', () => {
    const model = new CommitModel({ sync: 'strict' });
    const id = model.issue([put('a', '1')]);
    model.crashed();
    expect(model.acked(id, 1)).toEqual([]);
    expect(model.statusOf(id)).toBe('in-flight');
    expect(model.checkRecovered(state({})).violations).toEqual([]);
  });
});

describe('CommitModel: refusals to open', () => {
  const corruption = new CorruptionError('wal/000001.log', 4096, 'bad checksum');

  it('counts a CorruptionError after a damaging fault as detected', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.crashed();
    const check = model.openRefused(refusalOf(corruption), true);
    expect(check).toEqual({ detected: true, violations: [] });
    expect(model.counts().detected).toBe(1);
  });

  it('reports false-corruption for a CorruptionError after a plain power loss', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.crashed();
    const check = model.openRefused(refusalOf(corruption), false);
    expect(check.detected).toBe(false);
    expect(invariants(check.violations)).toEqual(['false-corruption']);
  });

  it('counts a refusal that names no place, after damage, as detected', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.crashed();
    expect(model.openRefused({ message: 'checksum mismatch' }, true)).toEqual({ detected: true, violations: [] });
    expect(model.counts().detected).toBe(1);
  });
});

describe('CommitModel: reads and expected state', () => {
  it('accepts reads of the state after every acknowledged commit', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('a', '2')]]);
    expect(model.checkRead('a', bytes('2'))).toEqual([]);
    expect(model.checkRead('zzz', undefined)).toEqual([]);
  });

  it('reports a read of an overwritten value', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('a', '2')]]);
    expect(model.checkRead('a', bytes('1'))).toMatchObject([{ invariant: 'reads', key: 'a' }]);
  });

  it('lets a read see an in-flight commit or not', () => {
    const model = new CommitModel({ sync: 'group' });
    ackAll(model, [[put('a', '1')]]);
    model.issue([put('a', '2')]);
    expect(model.checkRead('a', bytes('1'))).toEqual([]);
    expect(model.checkRead('a', bytes('2'))).toEqual([]);
  });

  it('gives the state after every commit not known absent', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '1')], [del('a')]]);
    expect([...model.expectedState().keys()]).toEqual(['b']);
  });
});

describe('CommitModel: self-consistency', () => {
  it('reports replayStats.lastLsn that is not the LSN of the last recovered commit', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')], [put('b', '2')]]);
    model.crashed();
    const violations = model.checkRecovered(state({ a: '1', b: '2' }), stats(1)).violations;
    expect(invariants(violations)).toEqual(['self-consistency']);
  });

  it('uses replayStats to choose between prefixes a no-op commit leaves equal', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.issue([put('a', '1')]);
    model.crashed();
    const check = model.checkRecovered(state({ a: '1' }), stats(1));
    expect(check.violations).toEqual([]);
    expect(check.present).toEqual([0]);
    expect(check.absent).toEqual([1]);
  });

  it('holds the LSNs after a recovery only to what every matching prefix allows: a commit that changes nothing may have been lost', () => {
    // A delete of a missing key, in flight at a power loss: the state cannot say whether it
    // survived, so an engine that lost it may hand its LSN to the next commit.
    const model = new CommitModel({ sync: 'strict' });
    model.issue([del('k0')]);
    model.crashed();
    expect(model.checkRecovered(state({})).violations).toEqual([]);
    const next = model.issue([put('a', '1')]);
    expect(model.acked(next, 1)).toEqual([]);
    // The same after acknowledged commits: the floor is the last acknowledged LSN.
    const after = new CommitModel({ sync: 'strict' });
    ackAll(after, [[put('a', '1')]], 5);
    after.issue([del('zz')]);
    after.crashed();
    expect(after.checkRecovered(state({ a: '1' })).violations).toEqual([]);
    expect(invariants(after.acked(after.issue([put('b', '1')]), 5))).toEqual(['self-consistency']);
    expect(after.acked(after.issue([put('c', '1')]), 6)).toEqual([]);
  });

  it('takes the replay statistics\' word for it when they say the commit that changes nothing survived', () => {
    const model = new CommitModel({ sync: 'strict' });
    model.issue([del('k0')]);
    model.crashed();
    expect(model.checkRecovered(state({}), stats(1)).violations).toEqual([]);
    expect(invariants(model.acked(model.issue([put('a', '1')]), 1))).toEqual(['self-consistency']);
  });

  it('reports an acknowledged LSN that does not follow issue order', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]], 5);
    const id = model.issue([put('b', '1')]);
    expect(invariants(model.acked(id, 5))).toEqual(['self-consistency']);
  });

  it('accepts acknowledgements out of issue order when their LSNs follow issue order', () => {
    const model = new CommitModel({ sync: 'group' });
    const first = model.issue([put('a', '1')]);
    const second = model.issue([put('b', '1')]);
    expect(model.acked(second, 2)).toEqual([]);
    expect(model.acked(first, 1)).toEqual([]);
  });

  it('reports an LSN above that of a later-issued commit', () => {
    const model = new CommitModel({ sync: 'group' });
    const first = model.issue([put('a', '1')]);
    const second = model.issue([put('b', '1')]);
    model.acked(second, 2);
    expect(invariants(model.acked(first, 3))).toEqual(['self-consistency']);
  });

  it('reports an LSN at or below the last LSN recovery reported', () => {
    const model = new CommitModel({ sync: 'strict' });
    ackAll(model, [[put('a', '1')]]);
    model.crashed();
    model.checkRecovered(state({ a: '1' }), stats(1));
    const id = model.issue([put('b', '1')]);
    expect(invariants(model.acked(id, 1))).toEqual(['self-consistency']);
  });

  it('lets a reopened engine reuse the LSN of an acknowledged commit that was legally lost', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.synced();
    ackAll(model, [[put('b', '1')]], 2);
    model.crashed();
    expect(model.checkRecovered(state({ a: '1' }), stats(1)).violations).toEqual([]);
    const id = model.issue([put('c', '1')]);
    expect(model.acked(id, 2)).toEqual([]);
  });
});

describe('CommitModel: operations that overlap', () => {
  it('holds a sync issued before a failure another operation reported to what it covered, without an honest-failure complaint', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    const mark = model.mark();
    const failedAtIssue = model.failed;
    model.storeFailed();
    expect(model.synced(mark, failedAtIssue)).toEqual([]);
    model.crashed('power-loss');
    expect(model.checkRecovered(state({})).violations).toEqual([
      expect.objectContaining({ invariant: 'durability', message: 'commit #0 (lsn 1), acknowledged and synced, is missing: key a should be "1" (1 byte) but is absent' }),
    ]);
  });

  it('reports honest-failure for a sync issued after the failure was reported', () => {
    const model = new CommitModel({ sync: 'none' });
    ackAll(model, [[put('a', '1')]]);
    model.storeFailed(false, 'checkpoint: StoreFailedError: write error on /db/snapshot.tmp');
    model.storeFailed(false, 'commit: StoreFailedError: the store failed');
    // The first failure is the cause, named as it was reported.
    expect(model.synced(model.mark(), model.failed)).toEqual([
      expect.objectContaining({ invariant: 'honest-failure', message: 'sync() was acknowledged after the store failed (checkpoint: StoreFailedError: write error on /db/snapshot.tmp) and before it was reopened: a failed store acknowledges nothing until it is opened again' }),
    ]);
  });

  it('holds a commit acknowledged before the session closed to the close, even when its acknowledgement came after the close resolved', () => {
    const model = new CommitModel({ sync: 'none' });
    const late = model.issue([put('a', '1')]);
    // The runner ends the session once every operation of the step settled.
    expect(model.acked(late, 1)).toEqual([]);
    model.closed();
    expect(invariants(model.checkRecovered(state({})).violations)).toEqual(['durability']);
  });

  it('sums up the session for the engine-report checks: acknowledged, the LSN promised durable, settled or not', () => {
    const model = new CommitModel({ sync: 'none' });
    model.checkRecovered(state({ z: '0' }), stats(4));
    ackAll(model, [[put('a', '1')], [put('b', '2')]], 5);
    model.synced();
    ackAll(model, [[put('c', '3')]], 7);
    expect(model.sessionFacts()).toEqual({ acknowledged: 3, lastAckedLsn: 7, durableLsnMin: 6, settled: true, keyCount: 4 });
    model.issue([put('d', '4')]);
    expect(model.sessionFacts()).toMatchObject({ acknowledged: 3, settled: false, keyCount: undefined });
  });

  it('leaves a session unsettled after a failure or a commit rejected as unknown, and does not count an acknowledgement after the failure', () => {
    const failed = new CommitModel({ sync: 'none' });
    ackAll(failed, [[put('a', '1')]]);
    failed.storeFailed();
    const late = failed.issue([put('b', '2')]);
    expect(failed.acked(late, 2)).toEqual([
      expect.objectContaining({ invariant: 'honest-failure', message: 'commit #1 (lsn 2) was acknowledged with lsn 2 after the store failed and before it was reopened: a failed store acknowledges nothing until it is opened again' }),
    ]);
    expect(failed.sessionFacts()).toEqual({ acknowledged: 1, lastAckedLsn: 1, durableLsnMin: undefined, settled: false, keyCount: undefined });
    const doubtful = new CommitModel({ sync: 'strict' });
    ackAll(doubtful, [[put('a', '1')]]);
    doubtful.rejected(doubtful.issue([put('b', '2')]), 'unknown');
    expect(doubtful.sessionFacts()).toEqual({ acknowledged: 1, lastAckedLsn: 1, durableLsnMin: 1, settled: false, keyCount: undefined });
  });

  it('lets a get issued before a commit was acknowledged see the value before it, and not a get issued after', () => {
    const model = new CommitModel({ sync: 'group' });
    ackAll(model, [[put('a', '1')]]);
    const id = model.issue([put('a', '2')]);
    const mark = model.mark();
    expect(model.acked(id, 2)).toEqual([]);
    expect(model.checkRead('a', bytes('1'), mark)).toEqual([]);
    expect(model.checkRead('a', bytes('1'))).toEqual([
      expect.objectContaining({ invariant: 'reads', message: 'get(a) returned "1" (1 byte); the model holds "2" (1 byte)' }),
    ]);
  });
});
