/**
 * The engine under simulation: the figures users care about most.
 * - A standard run: 100 strict commits, one power loss, recovery, check (the target:
 *   well under a millisecond of CPU per run).
 * - Engine commits per second under simulation, and seeds per second of `swarm` in this thread
 *   (campaigns with one and two threads: bench/swarm-warm.ts).
 * - The same plan's commits alone against `NodeFileSystem` in a real temp folder, side by side
 *   in this process: not like for like (no crash, no checks); bench/sim-vs-real.ts is.
 */
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../engine/store.ts';
import { NodeFileSystem, SystemClock } from '../engine/node/index.ts';
import { referenceEngine } from '../sim/index.ts';
import { runPlan } from '../sim/index.ts';
import type { Plan } from '../sim/index.ts';
import { findScenario } from '../scenarios/index.ts';
import { standardPlan } from './standard-plan.ts';

const encoder = new TextEncoder();

async function timeRuns(label: string, runs: number, plan: (i: number) => Plan): Promise<number> {
  for (let i = 0; i < Math.min(20, runs); i++) await runPlan(plan(10_000 + i), referenceEngine);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let commits = 0;
  for (let i = 0; i < runs; i++) commits += (await runPlan(plan(i + 1), referenceEngine)).acknowledged;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / runs;
  console.log(
    `${label.padEnd(36)} ${runs} runs  ${(runs / (wallMs / 1000)).toFixed(0).padStart(6)} runs/s  ` +
    `${cpuMsPerRun.toFixed(3)} ms CPU/run  ${(commits / (wallMs / 1000)).toFixed(0)} commits/s`,
  );
  return wallMs / runs;
}

/** The workload of one plan (its commits and syncs) on the real disk, without faults. */
async function realDiskRun(plan: Plan): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'powercut-bench-sim-'));
  const t0 = performance.now();
  const store = await Store.open({ dir: join(root, 'db'), fs: new NodeFileSystem(nodeFs), clock: new SystemClock(), ...plan.engine });
  for (const step of plan.steps) {
    if (step.op === 'commit') await store.commit(step.batch.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: encoder.encode(op.value) } : op)));
    else if (step.op === 'sync') await store.sync();
    else if (step.op === 'checkpoint') await store.checkpoint();
  }
  await store.close();
  const reopened = await Store.open({ dir: join(root, 'db'), fs: new NodeFileSystem(nodeFs), clock: new SystemClock(), ...plan.engine });
  await reopened.close();
  const ms = performance.now() - t0;
  rmSync(root, { recursive: true, force: true });
  return ms;
}

console.log(`\n## The engine under simulation`);
const standardMs = await timeRuns('100 strict commits + power loss', 300, standardPlan);
const swarm = findScenario('swarm')!;
await timeRuns('swarm seeds (--jobs 1)', 300, (seed) => swarm.plan(seed));
const realRuns = 20;
let realMs = 0;
for (let i = 0; i < realRuns; i++) realMs += await realDiskRun(standardPlan(i + 1));
realMs /= realRuns;
console.log(`${'same workload on NodeFileSystem'.padEnd(36)} ${realRuns} runs  ${realMs.toFixed(2)} ms/run (real temp folder, fsync per commit)`);
console.log(`the real disk's commits alone over the checked simulated run: ${(realMs / standardMs).toFixed(1)}x (not like for like: bench/sim-vs-real.ts is)`);
