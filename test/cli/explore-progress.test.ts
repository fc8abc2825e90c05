/** explore's progress line (cli/commands/explore.ts): none for a short exploration, one every few seconds for a long one. */
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../cli/commands/explore.ts';
import { progressEverySec as exploreProgressEverySec } from '../../cli/progress.ts';

describe('explore\'s progress on stderr', () => {
  it('says nothing in its first seconds, then how many crash candidates ran, every few seconds', () => {
    let now = 0;
    const lines: string[] = [];
    const progress = progressLine(() => now, (line) => lines.push(line));
    now = 1_000;
    progress(10, 100);
    expect(lines).toEqual([]);
    now = exploreProgressEverySec * 1000;
    progress(40, 100);
    now += 1_000;
    progress(50, 100);
    now += exploreProgressEverySec * 1000;
    progress(90, 100);
    expect(lines).toEqual([
      `powercut: explore: 40 of 100 crash candidates run in ${exploreProgressEverySec} s\n`,
      `powercut: explore: 90 of 100 crash candidates run in ${2 * exploreProgressEverySec + 1} s\n`,
    ]);
  });
});
