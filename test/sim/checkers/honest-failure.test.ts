import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../../engine/errors.ts';
import { ackAfterFailure, judgeOpenRefusal, refusalOf, syncAfterFailure } from '../../../sim/checkers/honest-failure.ts';

describe('honest failure', () => {
  it('builds a violation naming a commit acknowledged after a failed fsync', () => {
    expect(ackAfterFailure({ id: 3 }, 8)).toMatchObject({ invariant: 'honest-failure', commit: 3, lsn: 8, seen: 'acknowledged' });
  });

  it('builds a violation for a sync acknowledged after a failed fsync', () => {
    expect(syncAfterFailure().invariant).toBe('honest-failure');
  });

  it('counts a CorruptionError that names its damage after a damaging fault as detected', () => {
    expect(judgeOpenRefusal(refusalOf(new CorruptionError('wal/1.log', 512, 'bad crc')), true)).toEqual({ verdict: 'detected', file: 'wal/1.log', offset: 512 });
  });

  it('reports a CorruptionError with no damaging fault as false corruption', () => {
    const judged = judgeOpenRefusal(refusalOf(new CorruptionError('wal/1.log', 512, 'bad crc')), false);
    expect(judged).toMatchObject({ verdict: 'violation', violation: { invariant: 'false-corruption' } });
  });

  it('reports a CorruptionError that does not name the damage', () => {
    const judged = judgeOpenRefusal(refusalOf(new CorruptionError('', -1, 'bad')), true);
    expect(judged).toMatchObject({ verdict: 'violation', violation: { invariant: 'honest-failure' } });
  });

  it('counts a refusal that does not say where the damage is (another engine\'s error) as detected after a damaging fault', () => {
    expect(judgeOpenRefusal(refusalOf(Object.assign(new Error('bad header'), { code: 'corruption' })), true)).toEqual({ verdict: 'detected' });
  });

  it('reports a refusal without damage as false-corruption even when it names no place', () => {
    expect(judgeOpenRefusal(refusalOf(new Error('bad header')), false)).toMatchObject({
      verdict: 'violation', violation: { invariant: 'false-corruption', message: 'open refused with "bad header" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine\'s own writes left what it refuses (data relied on before it was synced, an overwrite in place a power loss tore sector by sector, or data relied on after a write or fsync failed)' },
    });
  });
});
