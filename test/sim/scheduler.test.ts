import { describe, expect, it } from 'vitest';
import { sleep } from '../../engine/ports/clock.ts';
import { onProgress, type BarrierKind } from '../../sim/scheduler.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { filled } from './helpers.ts';

/** Three writers that each append and sync in turn; returns the order their steps finished in. */
async function interleaving(seed: number, barrier?: BarrierKind): Promise<string[]> {
  const world = new SimWorld({ seed, faults: noFaults(), latency: { ioMsMax: 2 } });
  const order: string[] = [];
  const outcome = await world.run(async () => {
    await world.fs.mkdir('/d');
    await Promise.all(['a', 'b', 'c'].map(async (name) => {
      const handle = await world.fs.open(`/d/${name}`, { create: true });
      for (let i = 0; i < 4; i++) {
        await handle.append(filled(10, 1));
        order.push(`${name}${i}`);
        await handle.datasync();
      }
    }));
  }, barrier === undefined ? {} : { barrier });
  expect(outcome.outcome).toBe('done');
  return order;
}

describe('scheduler', () => {
  it('runs timers in (time, creation) order in virtual time', async () => {
    const world = new SimWorld({ seed: 1 });
    const fired: string[] = [];
    const outcome = await world.run(async () => {
      await Promise.all([
        sleep(world.clock, 5).then(() => fired.push(`x@${world.clock.now()}`)),
        sleep(world.clock, 1).then(() => fired.push(`y@${world.clock.now()}`)),
        sleep(world.clock, 5).then(() => fired.push(`z@${world.clock.now()}`)),
      ]);
      return world.clock.now();
    });
    expect(outcome).toEqual({ outcome: 'done', value: 5 });
    expect(fired).toEqual(['y@1', 'x@5', 'z@5']);
  });

  it('interleaves concurrent tasks identically for the same seed', async () => {
    expect(await interleaving(11)).toEqual(await interleaving(11));
  });

  it('interleaves concurrent tasks differently for some other seed', async () => {
    const first = (await interleaving(11)).join(',');
    const others = new Set<string>();
    for (let seed = 12; seed < 20; seed++) others.add((await interleaving(seed)).join(','));
    expect([...others].some((order) => order !== first)).toBe(true);
  });

  it('takes a synchronous main (a workload written as plain functions) as done with its value, or failed with what it throws', async () => {
    const world = new SimWorld({ seed: 1 });
    expect(await world.run(() => 42)).toEqual({ outcome: 'done', value: 42 });
    const error = new Error('plain');
    expect(await world.run(() => {
      throw error;
    })).toEqual({ outcome: 'error', error });
  });

  it('reports a deadlock as stuck instead of hanging', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(() => new Promise<void>(() => {}));
    expect(outcome).toEqual({ outcome: 'stuck' });
  });

  it('gives real work (a dynamic import(), a real timer) event-loop turns before it calls a run stuck', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      const { basename } = await import('node:path');
      await new Promise((resolve) => setTimeout(resolve, 5)); // a real timer: real work the simulator does not drive
      await world.fs.exists('/x');
      return basename('/a/b');
    });
    expect(outcome).toEqual({ outcome: 'done', value: 'b' });
  });

  it('calls a run waiting on real work stuck once the real turns are used up', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(() => new Promise((resolve) => setTimeout(resolve, 200)), { realTurnsMax: 3 });
    expect(outcome).toEqual({ outcome: 'stuck' });
  });

  it('reports steps-exceeded even when main catches the dead process\'s error and returns', async () => {
    const world = new SimWorld({ seed: 1 });
    const sync = world.kernel;
    const outcome = await world.run(async () => {
      for (let i = 0; i < 5; i++) await world.fs.exists('/x');
      // The sixth I/O is over budget: the synchronous path finds the process dead (the facade
      // throws ProcessCrashedError there); main catches that and returns.
      expect(sync.begin(sync.incarnation)).toBe(-1);
      return 'swallowed';
    }, { stepsMax: 5 });
    expect(outcome).toEqual({ outcome: 'steps-exceeded' });
  });

  it('ends the run with the error a timer callback throws', async () => {
    const world = new SimWorld({ seed: 1 });
    const boom = new Error('boom');
    const outcome = await world.run(() => new Promise(() => {
      world.clock.setTimer(1, () => {
        throw boom;
      });
    }));
    expect(outcome).toEqual({ outcome: 'error', error: boom, uncaught: true });
  });

  it('ends the run with an exception thrown in a tick or a callback, which would end a real Node process, instead of ending this one', async () => {
    for (const barrier of ['tick', 'macrotask'] as const) {
      const world = new SimWorld({ seed: 1 });
      const boom = new Error('thrown in a tick');
      const listeners = process.listenerCount('uncaughtException');
      const outcome = await world.run(async () => {
        await world.fs.exists('/x');
        process.nextTick(() => {
          throw boom;
        });
        await world.fs.exists('/y');
        return 'returned';
      }, { barrier });
      // The port had delivered /y, and main returned, before the tick ran: `returned` says so.
      expect(outcome).toEqual({ outcome: 'error', error: boom, uncaught: true, returned: true });
      // The run's listener is gone: outside a run, nothing of the simulator catches anything.
      expect(process.listenerCount('uncaughtException')).toBe(listeners);
    }
  });

  it('says main had returned only when it resolved before the uncaught error was heard, as its caller saw it succeed before the process died', async () => {
    const late = new SimWorld({ seed: 1 });
    const rejectedAfter = await late.run(async () => {
      await late.fs.exists('/x');
      void Promise.reject(new Error('left unhandled'));
      return 'returned';
    }, { barrier: 'macrotask' });
    expect(rejectedAfter).toMatchObject({ outcome: 'error', uncaught: true, returned: true });
    const early = new SimWorld({ seed: 1 });
    const thrownBefore = await early.run(async () => {
      process.nextTick(() => {
        throw new Error('thrown in a tick');
      });
      // A real macrotask, as a real file-system call takes: the tick runs before it ends.
      await new Promise((resolve) => setImmediate(resolve));
      return 'returned';
    }, { barrier: 'macrotask' });
    expect(thrownBefore).toMatchObject({ outcome: 'error', uncaught: true });
    expect('returned' in thrownBefore).toBe(false);
  });

  it('shares one pair of process listeners among runs in flight at once in one thread, the host\'s set aside, and puts the host\'s back after the last', async () => {
    const before = process.listeners('unhandledRejection');
    const beforeExceptions = process.listeners('uncaughtException');
    const worlds = Array.from({ length: 12 }, (_, seed) => new SimWorld({ seed }));
    const runs = worlds.map((world) => world.run(async () => {
      await world.fs.exists('/x');
      return 'done';
    }));
    expect(process.listenerCount('unhandledRejection')).toBe(1);
    expect(process.listenerCount('uncaughtException')).toBe(1);
    expect((await Promise.all(runs)).map((outcome) => outcome.outcome)).toEqual(Array(12).fill('done'));
    expect(process.listeners('unhandledRejection')).toEqual(before);
    expect(process.listeners('uncaughtException')).toEqual(beforeExceptions);
  });

  it('keeps a rejection of simulated code from the host\'s own listener (a test runner would fail its test for it)', async () => {
    const heardByHost: unknown[] = [];
    const host = (reason: unknown): void => {
      heardByHost.push(reason);
    };
    process.on('unhandledRejection', host);
    try {
      const world = new SimWorld({ seed: 1 });
      const outcome = await world.run(async () => {
        void Promise.reject(new Error('nobody awaited this'));
        await sleep(world.clock, 5);
        return 'returned';
      }, { barrier: 'macrotask' });
      expect(outcome).toMatchObject({ outcome: 'error', uncaught: true });
      expect(heardByHost).toEqual([]);
      expect(process.listeners('unhandledRejection')).toContain(host);
    } finally {
      process.off('unhandledRejection', host);
    }
  });

  it('ends the run with a rejection nobody handled, once Node reports it (at a macrotask barrier)', async () => {
    const world = new SimWorld({ seed: 1 });
    const rejection = new Error('nobody awaited this');
    const listeners = process.listenerCount('unhandledRejection');
    const outcome = await world.run(async () => {
      void Promise.reject(rejection);
      await sleep(world.clock, 5);
      return 'returned';
    }, { barrier: 'macrotask' });
    expect(outcome).toEqual({ outcome: 'error', error: rejection, uncaught: true });
    expect(process.listenerCount('unhandledRejection')).toBe(listeners);
  });

  it('reports a timer loop that never ends as steps-exceeded', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      for (;;) await sleep(world.clock, 1);
    }, { stepsMax: 100 });
    expect(outcome).toEqual({ outcome: 'steps-exceeded' });
  });

  it('reports an I/O loop that never ends as steps-exceeded, even with latency off', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      for (;;) await world.fs.exists('/x');
    }, { stepsMax: 1000 });
    expect(outcome).toEqual({ outcome: 'steps-exceeded' });
  });

  it('tells the progress listener of every step within the budget, and of none past it (the watchdog measures a spin from the last)', async () => {
    const world = new SimWorld({ seed: 1 });
    let told = 0;
    onProgress(() => { told++; });
    try {
      const outcome = await world.run(async () => {
        for (;;) await world.fs.exists('/x');
      }, { stepsMax: 40 });
      expect(outcome).toEqual({ outcome: 'steps-exceeded' });
      expect(told).toBe(40);
    } finally {
      onProgress(undefined);
    }
    // No listener: nobody is told, and nothing fails.
    await world.run(async () => world.fs.exists('/x'));
    expect(told).toBe(40);
  });

  it('reports a thrown error as error', async () => {
    const world = new SimWorld({ seed: 1 });
    const boom = new Error('boom');
    const outcome = await world.run(async () => {
      await world.fs.exists('/x');
      throw boom;
    });
    expect(outcome).toEqual({ outcome: 'error', error: boom });
  });

  it('returns crashed promptly and never settles the dead process\'s I/O', async () => {
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: 3, kind: 'kill-9' }] }), latency: { ioMsMax: 1 } });
    let after = false;
    const outcome = await world.run(async () => {
      for (let i = 0; i < 10; i++) await world.fs.exists('/x');
      after = true;
    });
    expect(outcome).toEqual({ outcome: 'crashed', kind: 'kill-9' });
    expect(after).toBe(false);
    expect(world.ioCount).toBe(4);
  });

  it('lets a zero-delay timer fire only after pending continuations settle', async () => {
    const world = new SimWorld({ seed: 1 });
    const order: string[] = [];
    await world.run(async () => {
      const timer = sleep(world.clock, 0).then(() => order.push('timer'));
      for (let i = 0; i < 5; i++) await world.fs.exists('/x');
      order.push('io');
      await timer;
    });
    expect(order).toEqual(['io', 'timer']);
  });

  it('interleaves the same way with the tick barrier as with the macrotask one', async () => {
    for (let seed = 11; seed < 16; seed++) expect(await interleaving(seed, 'tick')).toEqual(await interleaving(seed));
  });

  it('runs a whole simulated run without a real event-loop turn with the tick barrier', async () => {
    let turned = false;
    const immediate = setImmediate(() => { turned = true; });
    const world = new SimWorld({ seed: 1, latency: { ioMsMax: 3 } });
    const outcome = await world.run(async () => {
      for (let i = 0; i < 20; i++) await world.fs.exists('/x');
      await sleep(world.clock, 10);
      return world.clock.now();
    }, { barrier: 'tick' });
    expect(outcome.outcome).toBe('done');
    expect(turned).toBe(false);
    clearImmediate(immediate);
  });

  it('still gives real work event-loop turns with the tick barrier', async () => {
    const world = new SimWorld({ seed: 1 });
    const outcome = await world.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // a real timer: real work the simulator does not drive
      await world.fs.exists('/x');
      return 'done';
    }, { barrier: 'tick' });
    expect(outcome).toEqual({ outcome: 'done', value: 'done' });
  });
});
