import { describe, expect, it } from 'vitest';
import { sleep } from '../../../engine/ports/clock.ts';
import { SystemClock } from '../../../engine/node/index.ts';

describe('SystemClock', () => {
  it('reports monotonic time that never decreases', () => {
    const clock = new SystemClock();
    let previous = clock.now();
    for (let i = 0; i < 1000; i++) {
      const now = clock.now();
      expect(now).toBeGreaterThanOrEqual(previous);
      previous = now;
    }
  });

  it('fires a timer after at least its delay', async () => {
    const clock = new SystemClock();
    const start = clock.now();
    await sleep(clock, 20);
    // setTimeout may fire up to a millisecond early by the monotonic clock's reckoning.
    expect(clock.now() - start).toBeGreaterThanOrEqual(19);
  });

  it('never fires a cancelled timer', async () => {
    const clock = new SystemClock();
    let fired = false;
    const timer = clock.setTimer(5, () => {
      fired = true;
    });
    timer.cancel();
    await sleep(clock, 20);
    expect(fired).toBe(false);
    timer.cancel();
  });

  it('fires timers in order of their deadlines', async () => {
    const clock = new SystemClock();
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      clock.setTimer(15, () => { order.push(15); resolve(); });
      clock.setTimer(0, () => order.push(0));
      clock.setTimer(5, () => order.push(5));
    });
    expect(order).toEqual([0, 5, 15]);
  });
});
