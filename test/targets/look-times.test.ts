/**
 * A second look at a library's power loss happens when the crash did: its clock goes on from the
 * run's time and its files keep the times the run gave them (facade/times.ts), so a file never
 * shows an mtime older than the bytes it holds, nor time running backwards.
 */
import { describe, expect, it } from 'vitest';
import { loadSubject } from '../../subjects/index.ts';

describe('second looks at a library\'s power loss', () => {
  it('go on from the run\'s time and its files\' times (mtime-probe)', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/mtime-probe.ts' });
    let looks = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const result = await subject.run(subject.plan('mtime-probe', seed));
      expect(result.violations, `seed ${seed}`).toEqual([]);
      looks += result.looks ?? 0;
    }
    expect(looks).toBeGreaterThan(20);
  });
});
