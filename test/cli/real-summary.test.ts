/** What `powercut real` prints of its violations (cli/commands/real.ts). */
import { describe, expect, it } from 'vitest';
import { violationLines } from '../../cli/commands/real.ts';

describe('violationLines', () => {
  it('folds the violations of one shape into one line with the first and how many more: one LSN handed out again is not 143 lines', () => {
    const reused = Array.from({ length: 143 }, (_, i) => ({
      invariant: 'self-consistency', place: `cycle ${3 + i}`, message: `commit #${20 + i} was acknowledged with lsn ${1 + i}; LSNs must follow issue order, so it should be > 19`,
    }));
    const lost = { invariant: 'durability', place: 'cycle 9', message: 'commit #7, acknowledged, is missing' };
    expect(violationLines([...reused, lost])).toEqual([
      `  [self-consistency] cycle 3: ${reused[0]!.message} (and 142 more of this shape)`,
      '  [durability] cycle 9: commit #7, acknowledged, is missing',
    ]);
  });

  it('lists at most 20 shapes and counts the rest', () => {
    const many = Array.from({ length: 23 }, (_, i) => ({ invariant: `invariant-${'abcdefghijklmnopqrstuvw'[i]}`, place: 'cycle 1', message: 'x' }));
    const lines = violationLines(many);
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('  ... and 3 more shapes');
  });
});
