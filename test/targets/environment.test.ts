/**
 * The pinned environment: while a target plan runs, the process id, the thread id, the time and
 * random numbers depend only on the seed and the simulated clock, and everything is put back
 * afterwards.
 */
import crypto from 'node:crypto';
import workerThreads from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SimWorld } from '../../sim/world.ts';
import { pinEnvironment, pinnedEpochMs, pinnedPid, pinnedPpid } from '../../targets/environment.ts';

/** Everything a library might read to name a file or make a choice. */
function sample(): unknown[] {
  return [
    process.pid, workerThreads.threadId, Math.random(), crypto.randomBytes(6).toString('hex'), crypto.randomUUID(),
    crypto.randomInt(1000), Array.from(crypto.getRandomValues(new Uint8Array(4))), Date.now(), new Date().toISOString(),
    performance.now(), process.hrtime.bigint(),
  ];
}

function pinnedSample(seed: number): unknown[] {
  const world = new SimWorld({ seed });
  const restore = pinEnvironment(world);
  try {
    return sample();
  } finally {
    restore();
  }
}

describe('pinEnvironment', () => {
  it('keeps the variables a run set in process.env across a second look, which starts without them, and removes them when the run ends', () => {
    const run = new SimWorld({ seed: 1 });
    const look = new SimWorld({ seed: 2 });
    let unpin = pinEnvironment(run);
    try {
      process.env['POWERCUT_TEST_SET_IN_OPEN'] = 'yes';
      // The run steps aside for a second look's process, then goes on.
      unpin();
      const unpinLook = pinEnvironment(look);
      try {
        expect(process.env['POWERCUT_TEST_SET_IN_OPEN']).toBeUndefined();
        process.env['POWERCUT_TEST_SET_BY_LOOK'] = 'look';
      } finally {
        unpinLook();
      }
      unpin = pinEnvironment(run);
      expect(process.env['POWERCUT_TEST_SET_IN_OPEN']).toBe('yes');
      expect(process.env['POWERCUT_TEST_SET_BY_LOOK']).toBeUndefined();
    } finally {
      unpin();
    }
    expect(process.env['POWERCUT_TEST_SET_IN_OPEN']).toBeUndefined();
  });

  it('undoes what a run set, replaced or deleted among process\'s own properties, keeping it across a second look, as signal-exit wraps process.emit at each load', () => {
    const realEmit = process.emit;
    const realExit = (process as { reallyExit?: unknown }).reallyExit;
    const patched = process as unknown as Record<string, unknown>;
    const loadLikeSignalExit = (): void => {
      const emit = process.emit;
      patched['emit'] = function (this: unknown, ...args: unknown[]) {
        return (emit as (...a: unknown[]) => unknown).apply(this, args);
      };
      patched['reallyExit'] = () => undefined;
      patched['__powercut_test_emitter__'] = { count: 1 };
    };
    const run = new SimWorld({ seed: 1 });
    let unpin = pinEnvironment(run);
    loadLikeSignalExit();
    const wrapped = process.emit;
    // A second look's process starts from the real process, then the run goes on with its own.
    unpin();
    expect(process.emit).toBe(realEmit);
    const unpinLook = pinEnvironment(new SimWorld({ seed: 2 }));
    expect(patched['__powercut_test_emitter__']).toBeUndefined();
    unpinLook();
    unpin = pinEnvironment(run);
    expect(process.emit).toBe(wrapped);
    unpin();
    // A thousand runs in one thread, each loading it afresh: no wrapper outlives its run.
    for (let seed = 0; seed < 1000; seed++) {
      const unpinRun = pinEnvironment(new SimWorld({ seed }));
      loadLikeSignalExit();
      unpinRun();
    }
    expect(process.emit).toBe(realEmit);
    expect((process as { reallyExit?: unknown }).reallyExit).toBe(realExit);
    expect(Object.hasOwn(process, '__powercut_test_emitter__')).toBe(false);
    expect((process as NodeJS.EventEmitter).emit('powercut-test-event')).toBe(false);
  });

  it('undoes what a run added to the global object, JSON and the timer functions, as gun 0.2020 keeps its turn queue on setTimeout: the next seed of the thread never finds the last one\'s, a second look\'s process neither, and the run finds its own again', () => {
    const global = globalThis as unknown as Record<string, unknown>;
    const loadLikeGun = (): void => {
      const timeout = setTimeout as unknown as Record<string, unknown>;
      timeout['turn'] ??= { queue: [], scheduled: false };
      (JSON as unknown as Record<string, unknown>)['parseAsync'] ??= (text: string) => JSON.parse(text) as unknown;
      global['__powercut_test_gun__'] ??= { peers: 0 };
    };
    const seen = (): unknown[] => [(setTimeout as unknown as Record<string, unknown>)['turn'], (JSON as unknown as Record<string, unknown>)['parseAsync'], global['__powercut_test_gun__']];
    const run = new SimWorld({ seed: 1 });
    let unpin = pinEnvironment(run);
    loadLikeGun();
    const runs = seen();
    unpin();
    expect(seen()).toEqual([undefined, undefined, undefined]);
    const unpinLook = pinEnvironment(new SimWorld({ seed: 2 }));
    expect(seen()).toEqual([undefined, undefined, undefined]);
    unpinLook();
    unpin = pinEnvironment(run);
    expect(seen()).toEqual(runs);
    unpin();
    // The next seed loads it afresh, with a turn queue of its own.
    const unpinNext = pinEnvironment(new SimWorld({ seed: 3 }));
    loadLikeGun();
    expect(seen()[0]).not.toBe(runs[0]);
    unpinNext();
    // A loadOnce library's load keeps what it set: it runs once for the thread.
    const unpinLoad = pinEnvironment(new SimWorld({ seed: 0 }), { undoGlobals: false });
    loadLikeGun();
    unpinLoad();
    expect(global['__powercut_test_gun__']).toEqual({ peers: 0 });
    const unpinCleanUp = pinEnvironment(new SimWorld({ seed: 0 }), { undoGlobals: false });
    delete (setTimeout as unknown as Record<string, unknown>)['turn'];
    unpinCleanUp();
    delete global['__powercut_test_gun__'];
    delete (JSON as unknown as Record<string, unknown>)['parseAsync'];
  });

  it('gives the same values for the same seed, other values for another seed', () => {
    const first = pinnedSample(1);
    expect(pinnedSample(1)).toEqual(first);
    const other = pinnedSample(2);
    expect(other.slice(2, 7)).not.toEqual(first.slice(2, 7));
  });

  it('pins the process id, the thread id and the clock to the simulated world', () => {
    const [pid, threadId, , , uuid, , , now, iso, perf, hr] = pinnedSample(1);
    expect(pid).toBe(pinnedPid);
    expect(threadId).toBe(0);
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(now).toBe(pinnedEpochMs);
    expect(iso).toBe('2020-01-01T00:00:00.000Z');
    expect(perf).toBe(0);
    expect(hr).toBe(0n);
  });

  it('gives a process restarted after a crash another id, as a real restart does: its temporary names and lock files differ from the dead one\'s', () => {
    const world = new SimWorld({ seed: 1 });
    const restore = pinEnvironment(world);
    try {
      expect(process.pid).toBe(pinnedPid);
      world.restart({ crashState: 0 });
      expect(process.pid).toBe(pinnedPid + 1);
    } finally {
      restore();
      world.finish();
    }
  });

  it('answers process.kill(pid, 0) for the simulated machine and never signals a real process: the running process and its parent are alive, a crashed incarnation is not', () => {
    const world = new SimWorld({ seed: 1 });
    const restore = pinEnvironment(world);
    try {
      const dead = process.pid;
      expect(process.kill(dead, 0)).toBe(true);
      world.restart({ crashState: 0 });
      expect(() => process.kill(dead, 0)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'kill' }));
      expect(process.kill(process.pid, 0)).toBe(true);
      expect(process.kill(pinnedPpid, 0)).toBe(true);
      // A real process with this id, on this machine, is not asked.
      expect(() => process.kill(1, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
      expect(() => process.kill(process.pid, 'SIGTERM')).toThrow(/not simulated/);
    } finally {
      restore();
      world.finish();
    }
    expect(process.kill(process.pid, 0)).toBe(true);
  });

  it('moves Date, performance.now (timeOrigin + now() is the time of day), process.hrtime and process.uptime with the simulated clock during a run', async () => {
    const world = new SimWorld({ seed: 1 });
    const restore = pinEnvironment(world);
    try {
      const readings: unknown[] = [];
      const read = (): void => {
        readings.push([Date.now() - pinnedEpochMs, new Date().getTime() - pinnedEpochMs, performance.timeOrigin + performance.now() - pinnedEpochMs, performance.now(), process.hrtime(), process.hrtime.bigint(), process.uptime()]);
      };
      const outcome = await world.run(async () => {
        read();
        const start = process.hrtime();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        read();
        const elapsed = process.hrtime(start);
        await new Promise((resolve) => setTimeout(resolve, 250));
        read();
        return elapsed;
      });
      expect(world.clock.now()).toBe(1750);
      expect(readings).toEqual([
        [0, 0, 0, 0, [0, 0], 0n, 0],
        [1500, 1500, 1500, 1500, [1, 500_000_000], 1_500_000_000n, 1.5],
        [1750, 1750, 1750, 1750, [1, 750_000_000], 1_750_000_000n, 1.75],
      ]);
      expect(outcome).toEqual({ outcome: 'done', value: [1, 500_000_000] });
    } finally {
      restore();
      world.finish();
    }
  });

  it('starts performance.now and process.uptime again in a restarted process, timeOrigin moving with them; Date and hrtime go on', async () => {
    const world = new SimWorld({ seed: 1 });
    const restore = pinEnvironment(world);
    try {
      const reading = (): unknown[] => [Date.now() - pinnedEpochMs, performance.timeOrigin - pinnedEpochMs, performance.now(), process.uptime(), process.hrtime.bigint()];
      await world.run(() => new Promise((resolve) => setTimeout(resolve, 2000)));
      const before = reading();
      world.crashNow('kill-9');
      world.restart();
      const start = world.clock.now();
      expect(start).toBeGreaterThan(2000);
      const after = reading();
      expect(before).toEqual([2000, 0, 2000, 2, 2_000_000_000n]);
      expect(after).toEqual([start, start, 0, 0, BigInt(start) * 1_000_000n]);
    } finally {
      restore();
      world.finish();
    }
  });

  it('gives the real values again once unpinned, and a second unpin does nothing', () => {
    const pid = process.pid;
    const swappedBefore = [Date, console.log, globalThis.setTimeout];
    const restore = pinEnvironment(new SimWorld({ seed: 3 }));
    expect([Date.now(), process.pid, performance.now()]).toEqual([pinnedEpochMs, pinnedPid, 0]);
    restore();
    restore();
    // Swapped properties are Node's own objects again; routed functions answer as Node's.
    expect([Date, console.log, globalThis.setTimeout]).toEqual(swappedBefore);
    expect(process.pid).toBe(pid);
    expect(new Date(0).getTime()).toBe(0);
    expect(Date.now()).toBeGreaterThan(pinnedEpochMs);
    expect(performance.now()).toBeGreaterThan(0);
    expect(performance.timeOrigin).toBeGreaterThan(pinnedEpochMs);
    expect(process.hrtime.bigint()).toBeGreaterThan(0n);
    // Two draws after the run are not the seed's: the real generators serve them.
    const draws = [Math.random(), crypto.randomUUID(), crypto.randomBytes(8).toString('hex')];
    expect([Math.random(), crypto.randomUUID(), crypto.randomBytes(8).toString('hex')]).not.toEqual(draws);
    expect(pinnedSample(3).slice(2, 5)).not.toEqual(draws);
  });

  it('pins functions a module took before the run (after the first pin of the thread put the routers in place)', () => {
    pinEnvironment(new SimWorld({ seed: 0 }))();
    const { random } = Math;
    const { randomUUID } = crypto;
    const hrtime = process.hrtime;
    const restore = pinEnvironment(new SimWorld({ seed: 5 }));
    let taken: unknown[];
    try {
      taken = [random(), randomUUID(), hrtime.bigint()];
    } finally {
      restore();
    }
    const direct = pinnedSample(5);
    expect(taken[0]).toBe(direct[2]);
    expect(taken[2]).toBe(0n);
  });

  it('keeps Date usable with arguments and as a type', () => {
    const restore = pinEnvironment(new SimWorld({ seed: 4 }));
    try {
      const date = new Date(86_400_000);
      expect(date.toISOString()).toBe('1970-01-02T00:00:00.000Z');
      expect(date).toBeInstanceOf(Date);
      expect(Date.UTC(2000, 0, 1)).toBe(946_684_800_000);
    } finally {
      restore();
    }
  });
});

describe('a library that sets process.env in open, under second looks', () => {
  it('finds its variable on every write of every seed: no operation fails with faults off', async () => {
    const { runCampaign } = await import('../../harness/campaign.ts');
    const { loadSubject } = await import('../../subjects/index.ts');
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/sets-env-in-open.ts' });
    const result = await runCampaign({ subject, seeds: 10, jobs: 1, invocation: 'npx powercut' });
    expect(result.looks).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
    expect(process.env['POWERCUT_FIXTURE_OPENED']).toBeUndefined();
  });
});
