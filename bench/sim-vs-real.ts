/**
 * The simulator against the real disk, like for like: the same plan, the same engine, the same
 * opens and checks. On the real disk (`replay --real`, real/replay.ts) every crash of the plan is
 * a SIGKILL of a real child process, every recovery runs in a new child and is judged by the same
 * oracle (the model, the crash check before it, the self-check after it); in the simulator the
 * plan runs as a campaign runs it (digest trace). Measured in a temporary folder on the disk and,
 * where the machine has one, on tmpfs (/dev/shm), which takes fsync latency out. Uses the
 * compiled modules when `npm run build` made them, as the CLI does. Prints figures; asserts
 * nothing. Part of `npm run bench:sim`.
 *
 * A real run is mostly process starts: the figure without them subtracts, per recovery, the
 * median start of a child (fork, load the engine, say hello; the child the CLI uses, compiled
 * or not as above) and shows what the disk and the checks themselves cost.
 *
 * What the ratio leaves out: the simulator also injects what the real disk cannot (power loss,
 * torn writes, fsync errors, ...), and checks the recovered state at every crash state it draws;
 * the real run is the cheaper test, not the same power.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../sim/index.ts';
import { standardPlan } from './standard-plan.ts';

const compiled = existsSync(new URL('../dist/real/index.js', import.meta.url));
const from = (module: string): string => new URL(`../${compiled ? 'dist/' : ''}${module}.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
const { runPlan, referenceEngine } = (await import(from('sim/index'))) as typeof import('../sim/index.ts');
const { replayPlanReal } = (await import(from('real/index'))) as typeof import('../real/index.ts');
const { findScenario } = (await import(from('scenarios/index'))) as typeof import('../scenarios/index.ts');

/**
 * The standard plan (100 strict commits, one crash: the fsync latency of the real disk shows)
 * and kill9-anywhere, whose crashes are all kill -9, which the real disk reproduces exactly.
 */
const plans: Plan[] = [standardPlan(1), ...[1, 2, 3].map((seed) => findScenario('kill9-anywhere')!.plan(seed))];

/** Median wall milliseconds of the simulated run of `plan`, warm. */
async function simulatedMs(plan: Plan): Promise<number> {
  for (let i = 0; i < 20; i++) await runPlan(plan, referenceEngine);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const start = performance.now();
    await runPlan(plan, referenceEngine);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[10]!;
}

/** Wall milliseconds of the plan on the real disk under `root`, its kills and recoveries. */
async function realMs(plan: Plan, root: string): Promise<{ ms: number; kills: number; recoveries: number; ok: boolean }> {
  const base = mkdtempSync(join(root, 'powercut-bench-real-'));
  try {
    const result = await replayPlanReal(plan, { dir: join(base, 'db') });
    return { ms: result.realMs, kills: result.kills, recoveries: result.recoveries, ok: result.ok };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Median milliseconds from forking a real-disk child to its hello (the engine loaded). */
async function childStartMs(): Promise<number> {
  const script = new URL(`../${compiled ? 'dist/real/child.js' : 'real/child.ts'}`, import.meta.url);
  const { childExecArgv } = (await import(from('real/index'))) as typeof import('../real/index.ts');
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const base = mkdtempSync(join(tmpdir(), 'powercut-bench-child-'));
    const start = performance.now();
    const child = fork(script, [JSON.stringify({ dir: join(base, 'db'), config: plans[0]!.engine })], { execArgv: childExecArgv(), serialization: 'advanced', stdio: 'ignore' });
    await new Promise<void>((hello) => child.on('message', (message: { type: string }) => {
      if (message.type === 'hello') hello();
    }));
    times.push(performance.now() - start);
    child.kill('SIGKILL');
    await new Promise((gone) => child.once('exit', gone));
    rmSync(base, { recursive: true, force: true });
  }
  return times.sort((a, b) => a - b)[3]!;
}

const roots: [string, string][] = [['disk', tmpdir()]];
if (existsSync('/dev/shm')) roots.push(['tmpfs', '/dev/shm']);
console.log(`\n## The simulator against the real disk, like for like (${compiled ? 'compiled' : 'under tsx'})`);
console.log('same plan, same opens and checks; every crash a SIGKILL of a real child process on the real disk');
const startMs = await childStartMs();
console.log(`a real-disk child starts (fork to hello) in ${startMs.toFixed(0)} ms (median of 7)`);
for (const plan of plans) {
  const sim = await simulatedMs(plan);
  const cells: string[] = [];
  for (const [label, root] of roots) {
    const real = await realMs(plan, root);
    const perRecovery = real.ms / real.recoveries;
    const withoutStarts = real.ms - real.recoveries * startMs;
    cells.push(`${label} ${real.ms.toFixed(0)} ms (${real.kills} kills, ${real.recoveries} recoveries, ${perRecovery.toFixed(0)} ms each${real.ok ? '' : ', NOT ok'}) = ${(real.ms / sim).toFixed(0)}×, ${(withoutStarts / sim).toFixed(0)}× without process starts`);
  }
  console.log(`  ${plan.scenario} seed ${plan.seed}: simulated ${sim.toFixed(2)} ms; real ${cells.join('; ')}`);
}
