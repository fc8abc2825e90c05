/**
 * Library runs on virtual time: a library that debounces its writes in a timer, or awaits
 * `import()` in an operation, runs to completion (never `stuck`), the same in any thread; the
 * timers of a crashed incarnation die with it, a finished run's never fire again, and Node's
 * timers are back after the run.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import { targetPlan, type TargetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { defineWorkload, type Workload } from '../../targets/workload.ts';
import dynamicImport from './fixtures/dynamic-import.ts';
import { debouncedWorkload } from './fixtures/debounced-writer.ts';
import { timerFunctions } from './timer-functions.ts';

const asAny = (workload: unknown): Workload<unknown, unknown> => workload as Workload<unknown, unknown>;

/** The plan of `seed` without random faults (only the final power loss). */
function quietPlan(workload: unknown, seed: number): TargetPlan {
  const plan = targetPlan(asAny(workload), 'test', seed);
  return { ...plan, faults: { ...plan.faults, rates: {} } };
}

async function campaign(target: string, seeds: number, jobs: number) {
  return runCampaign({ subject: await loadSubject({ kind: 'library', module: target }), seeds, jobs, workerScript, invocation: 'npx powercut' });
}

describe('a library on virtual time', () => {
  it.each([10, 0])('runs a library that flushes its writes in a %i ms timer to completion, in virtual time', async (delayMs) => {
    const workload = debouncedWorkload(`debounced-${delayMs}`, delayMs);
    const result = await runTargetPlan(asAny(workload), quietPlan(workload, 1), { trace: 'full' });
    expect(result.violations).toEqual([]);
    expect(result.acknowledged).toBe(10);
    // Each operation's flush waited for its timer: virtual time moved by at least the delay
    // (at least 1 ms: Node runs a 0 ms timeout after 1 ms) per operation.
    const lastWrite = result.trace.filter((event) => event.type === 'io' && event.phase === 'operation').at(-1)!;
    expect(lastWrite.t).toBeGreaterThanOrEqual(10 * Math.max(delayMs, 1));
  });

  it('runs a workload whose operations await import() (a built-in, a module of its folder) to completion', async () => {
    const result = await runTargetPlan(asAny(dynamicImport), quietPlan(dynamicImport, 1));
    expect(result.violations).toEqual([]);
    expect(result.acknowledged).toBe(6);
  });

  it.each(['debounced-writer', 'dynamic-import', 'hoisted-dependency'])('runs a %s campaign with faults, never stuck, to the same digest with --jobs 1 and 2', async (name) => {
    const module = `test/targets/fixtures/${name}.ts`;
    const one = await campaign(module, 16, 1);
    const two = await campaign(module, 16, 2);
    expect(one.violations.map((violation) => violation.message)).toEqual([]);
    expect(one.perScenario[name]!.crashes).toBeGreaterThan(16);
    expect(two.digest).toBe(one.digest);
  });
});

describe('timers of a run', () => {
  /** Ticks of each incarnation's interval, tagged `seed/incarnation`, and the checks' start. */
  const ticks: string[] = [];
  const heartbeat = defineWorkload({
    name: 'heartbeat',
    operationsCount: 3,
    idleMs: 20,
    initialState: () => ({}),
    open(ctx) {
      const tag = `${ctx.seed}/${ctx.crashCount}`;
      setInterval(() => ticks.push(tag), 5);
      return tag;
    },
    setup: async () => {},
    operations: [{ name: 'wait', run: async () => {} }],
    async invariants(ctx) {
      ticks.push(`check ${ctx.seed}/${ctx.crashCount}`);
      await new Promise((resolve) => setTimeout(resolve, 12));
    },
  });

  it('die with a crashed incarnation, and a finished run\'s never fire, in a later run or after it', async () => {
    const before = timerFunctions();
    await runTargetPlan(asAny(heartbeat), quietPlan(heartbeat, 1));
    // 3 idle periods of 20 ms, a tick every 5 ms; after the final power loss, only the new
    // incarnation's interval ticks (at 5 and 10 ms of the check's 12 ms wait).
    const check = ticks.indexOf('check 1/1');
    expect(check).toBeGreaterThanOrEqual(9);
    expect(ticks.slice(0, check).every((tick) => tick === '1/0')).toBe(true);
    expect(ticks.slice(check + 1)).toEqual(['1/1', '1/1']);
    const count = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ticks).toHaveLength(count);
    await runTargetPlan(asAny(heartbeat), quietPlan(heartbeat, 2));
    expect(ticks.slice(count).every((tick) => tick.endsWith('2/0') || tick.endsWith('2/1'))).toBe(true);
    const after = timerFunctions();
    for (const [index, fn] of after.entries()) expect(fn, `timer function ${index}`).toBe(before[index]);
  });
});
