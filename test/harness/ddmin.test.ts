/**
 * The search steps of shrinking (harness/ddmin.ts): ddmin itself, where each crash of a run
 * struck, which crash states a candidate keeps, and faults aimed by step when steps go.
 */
import { describe, expect, it } from 'vitest';
import { crashSitesOf, crashStatesWithout, ddmin, keepAimedSteps, reanchorFaults } from '../../harness/ddmin.ts';

type Event = { readonly type: string; readonly name: string };
const io = (name: string): Event => ({ type: 'io', name });
const step: Event = { type: 'op', name: 'step' };
const crash: Event = { type: 'crash', name: 'power-loss' };

describe('ddmin', () => {
  it('finds the one item a test needs among eight, trying complements', async () => {
    let last: readonly number[] = [];
    const removed = await ddmin(8, async (keep) => {
      const ok = keep.includes(5);
      if (ok) last = keep;
      return ok;
    });
    expect(removed).toBe(true);
    expect(last).toEqual([5]);
  });

  it('keeps both items of a pair that fails only together', async () => {
    let last: readonly number[] = [];
    await ddmin(6, async (keep) => {
      const ok = keep.includes(1) && keep.includes(4);
      if (ok) last = keep;
      return ok;
    });
    expect(last).toEqual([1, 4]);
  });
});

describe('crashSitesOf', () => {
  const fault: Event = { type: 'fault', name: 'power-loss' };
  const crashStep: Event = { type: 'op', name: 'crash' };
  const isStart = (event: Event): boolean => event === step || event === crashStep;

  it('places a crash a fault caused at the I/O it struck, a crash step\'s at its step, and the final power loss at neither', () => {
    const trace = [io('mkdir'), io('open'), step, io('write'), fault, io('sync'), crash, io('open'), crashStep, crash, step, io('write'), io('sync'), crash];
    expect(crashSitesOf(trace, isStart)).toEqual([
      { io: 3, step: 0, byStep: false },
      { io: -1, step: 1, byStep: true },
      { io: -1, step: 2, byStep: false },
    ]);
  });

  it('places a crash inside the first open before any step', () => {
    expect(crashSitesOf([io('mkdir'), fault, io('readdir'), crash, io('mkdir'), step], isStart)).toEqual([{ io: 1, step: -1, byStep: false }]);
  });

  it('places a crash the harness made after a fault (a power loss before retrying an open whose fsync failed ext4\'s way) at that fault\'s I/O', () => {
    expect(crashSitesOf([step, { type: 'fault', name: 'fsync-error' }, io('sync'), crash], isStart)).toEqual([{ io: 0, step: 0, byStep: false }]);
  });

  it('does not take a fault an I/O before for the cause of a crash that follows a later I/O (the final power loss)', () => {
    expect(crashSitesOf([step, { type: 'fault', name: 'fsync-error' }, io('sync'), io('close'), crash], isStart)).toEqual([{ io: -1, step: 0, byStep: false }]);
  });
});

describe('crashStatesWithout', () => {
  const crashes = [{ io: 2, step: 0, byStep: false }, { io: -1, step: 1, byStep: true }, { io: 5, step: 2, byStep: false }];

  it('drops the state of each crash that is gone, so each later crash keeps its own', () => {
    expect(crashStatesWithout([7, 3, 10], crashes, (c) => c.io === 2)).toEqual([3, 10]);
    expect(crashStatesWithout([7, 3, 10], crashes, (c) => c.step === 1)).toEqual([7, 10]);
  });

  it('says when nothing changes, and leaves states past the run\'s crashes alone', () => {
    expect(crashStatesWithout([7, 3, 10], crashes, () => false)).toBeUndefined();
    expect(crashStatesWithout(undefined, crashes, () => true)).toBeUndefined();
    expect(crashStatesWithout([7, 3, 10, 4], crashes, (c) => c.io === 5)).toEqual([7, 3, 4]);
  });
});

describe('keepAimedSteps', () => {
  it('renumbers faults aimed at kept steps, drops those of removed steps, and keeps faults before the first step', () => {
    const faults = [
      { io: 1, kind: 'kill-9' as const, step: -1, ioInStep: 1 },
      { io: 9, kind: 'kill-9' as const, step: 1, ioInStep: 0 },
      { io: 14, kind: 'power-loss' as const, step: 3, ioInStep: 2, at: 'sync /db/a' },
      { io: 0, kind: 'power-loss' as const },
    ];
    expect(keepAimedSteps(faults, [0, 3])).toEqual([
      { io: 1, kind: 'kill-9', step: -1, ioInStep: 1 },
      { io: 14, kind: 'power-loss', step: 1, ioInStep: 2, at: 'sync /db/a' },
      { io: 0, kind: 'power-loss' },
    ]);
  });
});

describe('reanchorFaults', () => {
  it('moves a fault back by the I/O of the removed steps before it, and drops one inside a removed step', () => {
    const anchors = { stepStartIo: [0, 4, 10], ioCount: 20 };
    expect(reanchorFaults([{ io: 5, kind: 'kill-9' }, { io: 12, kind: 'kill-9' }], anchors, [0, 2])).toEqual([{ io: 6, kind: 'kill-9' }]);
    expect(reanchorFaults([{ io: 2, kind: 'kill-9' }], anchors, [0, 1])).toBeUndefined();
  });
});
