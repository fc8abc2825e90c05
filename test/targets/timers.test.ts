/**
 * Virtual timers (targets/timers.ts): while a plan's environment is pinned, Node's timer
 * functions run on the world's clock, in Node's order, and everything is put back afterwards.
 */
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../sim/world.ts';
import { pinEnvironment } from '../../targets/environment.ts';
import { timerFunctions } from './timer-functions.ts';

/** Runs `main` in a fresh world with the environment pinned; returns its outcome and the world. */
async function pinned<T>(main: (world: SimWorld) => Promise<T>) {
  const world = new SimWorld({ seed: 1 });
  const restore = pinEnvironment(world);
  try {
    return { outcome: await world.run(() => main(world)), world };
  } finally {
    restore();
    world.finish();
  }
}

describe('virtual timers', () => {
  it('fire in virtual time, in Node\'s order: immediates, then timeouts by due time and creation', async () => {
    const { outcome } = await pinned(async (world) => {
      const order: string[] = [];
      await new Promise<void>((resolve) => {
        setTimeout(() => order.push(`timeout 0 @${world.clock.now()}`), 0);
        setTimeout(() => order.push(`timeout 5 @${world.clock.now()}`), 5);
        setImmediate(() => order.push(`immediate @${world.clock.now()}`));
        timers.setTimeout(() => order.push(`timers.setTimeout 1 @${world.clock.now()}`), 1);
        setTimeout(resolve, 6);
      });
      return { order, now: world.clock.now(), date: Date.now() - new Date(0).getTime() };
    });
    expect(outcome).toMatchObject({ outcome: 'done', value: { order: ['immediate @0', 'timeout 0 @1', 'timers.setTimeout 1 @1', 'timeout 5 @5'], now: 6 } });
  });

  it('repeat an interval until it is cleared, from its own callback too, and pass extra arguments', async () => {
    const { outcome } = await pinned(async () => {
      const seen: unknown[] = [];
      await new Promise<void>((resolve) => {
        const interval = setInterval((label: string) => {
          seen.push(`${label}@${performance.now()}`);
          if (seen.length === 3) {
            clearInterval(interval);
            setTimeout(resolve, 100);
          }
        }, 10, 'tick');
      });
      return seen;
    });
    expect(outcome).toEqual({ outcome: 'done', value: ['tick@10', 'tick@20', 'tick@30'] });
  });

  it('clear by handle and by number, refresh, and promisify as Node\'s do', async () => {
    const { outcome } = await pinned(async (world) => {
      const fired: string[] = [];
      const a = setTimeout(() => fired.push('a'), 5);
      clearTimeout(a);
      const b = setTimeout(() => fired.push('b'), 5);
      clearTimeout(Number(b));
      const c = setTimeout(() => fired.push(`c@${world.clock.now()}`), 5);
      const immediate = setImmediate(() => fired.push('immediate'));
      clearImmediate(immediate);
      await promisify(setTimeout)(3);
      c.refresh();
      expect(c.hasRef()).toBe(true);
      expect(c.unref().hasRef()).toBe(false);
      const value = await timersPromises.setTimeout(10, 'value');
      return { fired, value, now: world.clock.now() };
    });
    expect(outcome).toEqual({ outcome: 'done', value: { fired: ['c@8'], value: 'value', now: 13 } });
  });

  it('serve node:timers/promises: setImmediate, setInterval, scheduler.wait and an abort', async () => {
    const { outcome } = await pinned(async (world) => {
      const seen: number[] = [];
      await timersPromises.setImmediate();
      for await (const _ of timersPromises.setInterval(4)) {
        seen.push(world.clock.now());
        if (seen.length === 2) break;
      }
      await timersPromises.scheduler.wait(2);
      const controller = new AbortController();
      const aborted = timersPromises.setTimeout(50, undefined, { signal: controller.signal }).catch((error: Error) => error.name);
      controller.abort();
      return { seen, now: world.clock.now(), aborted: await aborted };
    });
    expect(outcome).toEqual({ outcome: 'done', value: { seen: [4, 8], now: 10, aborted: 'AbortError' } });
  });

  it('end the run with the error a timer callback throws (an uncaught exception)', async () => {
    const boom = new Error('boom');
    const { outcome } = await pinned(() => new Promise(() => {
      setTimeout(() => {
        throw boom;
      }, 1);
    }));
    expect(outcome).toEqual({ outcome: 'error', error: boom, uncaught: true });
  });

  it('are Node\'s own again after the run: globals, node:timers, its ESM bindings and node:timers/promises', async () => {
    const before = timerFunctions();
    let during: unknown[] = [];
    await pinned(async () => {
      during = timerFunctions();
    });
    expect(during.every((fn, index) => fn !== before[index])).toBe(true);
    const after = timerFunctions();
    for (const [index, fn] of after.entries()) expect(fn, `timer function ${index}`).toBe(before[index]);
    expect(Object.hasOwn(timersPromises.scheduler, 'wait')).toBe(false);
  });

  it('never fire after the run, even when code of the run kept the functions', async () => {
    let fired = 0;
    let keptSetTimeout: typeof setTimeout | undefined;
    await pinned(async () => {
      keptSetTimeout = setTimeout;
      setInterval(() => fired++, 1);
      await new Promise((resolve) => setTimeout(resolve, 3));
    });
    const firedInRun = fired;
    // At 1 and 2 ms; at 3 ms the timeout set before the interval's third arming comes first.
    expect(firedInRun).toBe(2);
    keptSetTimeout!(() => fired++, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toBe(firedInRun);
  });
});
