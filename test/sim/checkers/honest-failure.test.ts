import { describe, expect, it } from 'vitest';
import { CorruptionError, DiskFullError } from '../../../engine/errors.ts';
import { ackAfterFailure, judgeOpenRefusal, syncAfterFailure } from '../../../sim/checkers/honest-failure.ts';

describe('honest failure', () => {
  it('builds a violation naming a commit acknowledged after a failed fsync', () => {
    expect(ackAfterFailure({ id: 3 }, 8)).toMatchObject({ invariant: 'honest-failure', commit: 3, lsn: 8, seen: 'acknowledged' });
  });

  it('builds a violation for a sync acknowledged after a failed fsync', () => {
    expect(syncAfterFailure().invariant).toBe('honest-failure');
  });

  it('counts a CorruptionError that names its damage after a damaging fault as detected', () => {
    expect(judgeOpenRefusal(new CorruptionError('wal/1.log', 512, 'bad crc'), true)).toEqual({ verdict: 'detected', file: 'wal/1.log', offset: 512 });
  });

  it('reports a CorruptionError with no damaging fault as false corruption', () => {
    const judged = judgeOpenRefusal(new CorruptionError('wal/1.log', 512, 'bad crc'), false);
    expect(judged).toMatchObject({ verdict: 'violation', violation: { invariant: 'false-corruption' } });
  });

  it('reports a CorruptionError that does not name the damage', () => {
    const judged = judgeOpenRefusal(new CorruptionError('', -1, 'bad'), true);
    expect(judged).toMatchObject({ verdict: 'violation', violation: { invariant: 'honest-failure' } });
  });

  it('does not judge other errors', () => {
    expect(judgeOpenRefusal(new DiskFullError('wal/1.log'), true)).toEqual({ verdict: 'not-judged' });
    expect(judgeOpenRefusal(new Error('EIO'), false)).toEqual({ verdict: 'not-judged' });
  });
});
