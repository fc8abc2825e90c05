import { describe, expect, it } from 'vitest';
import { SimClock } from '../../sim/clock.ts';

describe('SimClock', () => {
  it('fires timers in (time, creation) order and advances time to each', () => {
    const clock = new SimClock();
    const fired: string[] = [];
    clock.setTimer(5, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(1, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(5, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(0, () => fired.push(`z@${clock.now()}`));
    while (clock.fireNext());
    expect(fired).toEqual(['z@0', 'a@1', 'b@5', 'c@5']);
  });

  it('never fires a cancelled timer', () => {
    const clock = new SimClock();
    let fired = false;
    clock.setTimer(1, () => { fired = true; }).cancel();
    expect(clock.fireNext()).toBe(false);
    expect(fired).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  it('measures delays from the time a timer is set', () => {
    const clock = new SimClock();
    const times: number[] = [];
    clock.setTimer(10, () => clock.setTimer(5, () => times.push(clock.now())));
    while (clock.fireNext());
    expect(times).toEqual([15]);
  });

  it('drops every timer on clear but keeps the time', () => {
    const clock = new SimClock();
    clock.setTimer(3, () => {});
    clock.fireNext();
    clock.setTimer(1, () => {});
    clock.clear();
    expect(clock.nextTimeMs()).toBeUndefined();
    expect(clock.now()).toBe(3);
  });
});
