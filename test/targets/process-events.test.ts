/**
 * A simulated process's lifecycle listeners and warnings (targets/process-events.ts): exit and
 * signal listeners are the incarnation's own and die with it; warnings wait for the run's end,
 * so a once-per-process warning cannot make a seed's trace depend on which seeds ran before it.
 */
import cluster from 'node:cluster';
import { deprecate } from 'node:util';
import { describe, expect, it } from 'vitest';
import { noFaults } from '../../sim/world.ts';
import { targetPlan } from '../../targets/plan.ts';
import { isLifecycleEvent } from '../../targets/process-events.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { defineWorkload, type Workload } from '../../targets/workload.ts';

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;

/** Registers an exit and a SIGTERM listener at every open, as when-exit does when it loads; reports what it sees. */
const registersExitHandlers = asAny(defineWorkload<{ seen: number[] }, undefined>({
  name: 'registers-exit-handlers',
  operationsCount: 4,
  initialState: () => ({ seen: [] }),
  open(ctx) {
    process.on('exit', () => {});
    process.once('SIGTERM', () => {});
    // log4js listens for messages from a cluster's primary at every configure.
    process.on('message', () => {});
    // acebase and log4js listen on the cluster module at every fresh load.
    cluster.on('online', () => {}).on('message', () => {});
    ctx.state.seen.push(process.listenerCount('exit'), process.listeners('SIGTERM').length);
    return undefined;
  },
  operations: [{ name: 'look', run(ctx) { ctx.state.seen.push(process.listenerCount('exit')); } }],
  invariants(ctx) {
    if (process.listenerCount('exit') !== 1) ctx.violate('one-exit-listener', `the incarnation sees ${process.listenerCount('exit')} exit listeners`);
    if (cluster.listenerCount('message') !== 1) ctx.violate('one-cluster-listener', `the incarnation sees ${cluster.listenerCount('message')} cluster message listeners`);
  },
}));

describe('exit, signal, IPC message and cluster listeners of a simulated process', () => {
  it('are the incarnation\'s own: each incarnation sees only its own, and none reaches the real process', async () => {
    // 'message' too where the process has no IPC channel (vitest's forks pool gives it one).
    const counts = (): number[] => [process.listenerCount('exit'), process.listenerCount('SIGTERM'), cluster.listenerCount('online'), cluster.listenerCount('message'), ...(process.channel === undefined ? [process.listenerCount('message')] : [])];
    const before = counts();
    const plan = targetPlan(registersExitHandlers, 'test', 1, noFaults({ scheduled: [{ io: 0, kind: 'kill-9' }] }));
    const result = await runTargetPlan(registersExitHandlers, plan);
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
    expect(counts()).toEqual(before);
  });

  it('take IPC messages as the simulated process\'s own only where the real process has no IPC channel: with one, its messages are the host\'s (a test runner\'s RPC)', () => {
    expect(isLifecycleEvent('message', false)).toBe(true);
    expect(isLifecycleEvent('disconnect', false)).toBe(true);
    expect(isLifecycleEvent('message', true)).toBe(false);
    expect(isLifecycleEvent('exit', true)).toBe(true);
    expect(isLifecycleEvent('SIGTERM', true)).toBe(true);
    expect(isLifecycleEvent('uncaughtException', false)).toBe(false);
  });

  it('leave other events to the real process: an uncaughtException listener is Node\'s as before', async () => {
    const listener = (): void => {};
    const plan = targetPlan(registersExitHandlers, 'test', 2, noFaults());
    await runTargetPlan(asAny(defineWorkload({
      ...registersExitHandlers as object,
      name: 'adds-an-uncaught-listener',
      open: () => { process.on('uncaughtException', listener); },
    } as never)), plan);
    expect(process.listeners('uncaughtException')).toContain(listener);
    process.off('uncaughtException', listener);
  });
});

/** Calls a deprecated function: Node warns the first time in the process only. */
const deprecated = deprecate(() => {}, 'powercut test: this function is deprecated', 'POWERCUT_TEST_DEP');
const callsDeprecated = asAny(defineWorkload({
  name: 'calls-deprecated',
  operationsCount: 2,
  initialState: () => ({}),
  open: () => undefined,
  operations: [{ name: 'call', run() { deprecated(); } }],
  invariants() {},
}));

describe('warnings during a run', () => {
  it('are emitted after the run, outside its trace: the first run in a process has the same digest as a later one', async () => {
    // Node prints a warning with the console (a test runner's console is another object: print it with the global one here).
    const printed: string[] = [];
    const printer = (warning: Error): void => {
      printed.push(warning.message);
      console.error(warning.message);
    };
    process.on('warning', printer);
    try {
      const run = async (seed: number) => (await runTargetPlan(callsDeprecated, targetPlan(callsDeprecated, 'test', seed, noFaults()))).digest;
      const first = await run(7);
      const again = await run(7);
      expect(again).toBe(first);
      await new Promise((resolve) => setImmediate(resolve));
      expect(printed).toEqual(['powercut test: this function is deprecated']);
    } finally {
      process.off('warning', printer);
    }
  });
});

describe('process.env during a run', () => {
  it('is put back when the run ends: a variable a library set as a once-guard does not reach the next seed', async () => {
    const setsGuard = asAny(defineWorkload<{ sawGuard: boolean }, undefined>({
      name: 'sets-an-env-guard',
      operationsCount: 1,
      initialState: () => ({ sawGuard: false }),
      open(ctx) {
        if (process.env['POWERCUT_TEST_GUARD'] !== undefined && ctx.crashCount === 0) ctx.state.sawGuard = true;
        process.env['POWERCUT_TEST_GUARD'] = '1';
        return undefined;
      },
      operations: [{ name: 'nothing', run() {} }],
      invariants(ctx) {
        if (ctx.state.sawGuard) ctx.violate('fresh-env', 'the guard an earlier run set was still there');
      },
    }));
    const run = async () => runTargetPlan(setsGuard, targetPlan(setsGuard, 'test', 3, noFaults()));
    const first = await run();
    const second = await run();
    expect(second.digest).toBe(first.digest);
    expect(second.violations).toEqual([]);
    expect(process.env['POWERCUT_TEST_GUARD']).toBeUndefined();
  });
});
