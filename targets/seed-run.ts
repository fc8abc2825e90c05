/**
 * One seed of a library workload as a campaign task: what sim/campaign.ts calls (in this thread
 * or in a worker thread) when a task names a `target` module instead of a scenario. It loads the
 * module once per thread, runs the seed's plan and returns the same compact {@link SeedRun} an
 * engine seed returns, so aggregation, traces, shards, merge and reports are shared.
 */
import type { SeedRun, SeedTask, SeedViolation } from '../sim/campaign.ts';
import { targetPlan, type TargetPlan } from './plan.ts';
export { describeCrash } from './runner.ts';
import { describeCrash, loadWorkload, runTargetPlan, type TargetRunResult } from './runner.ts';
import type { Workload } from './workload.ts';

const loaded = new Map<string, Promise<Workload<unknown, unknown>>>();

/**
 * The workload exported by `file` (resolved against the working directory), loaded once per
 * thread.
 * @throws TypeError when the module does not export a workload
 */
export function workloadOf(file: string): Promise<Workload<unknown, unknown>> {
  let workload = loaded.get(file);
  if (workload === undefined) {
    workload = loadWorkload(file);
    loaded.set(file, workload);
  }
  return workload;
}

/** A run's violations in the campaign's form: the crash they followed is part of the message. */
export function targetRunViolations(result: TargetRunResult): SeedViolation[] {
  return result.violations.map((violation) => ({
    invariant: violation.invariant,
    message: `${violation.message} (${describeCrash(violation.crash)})`,
    step: violation.crash.afterOperation,
  }));
}

/**
 * Runs the plan of `task.seed` of the workload in `task.target`.
 * @throws Error when the module is not a workload, or its setup fails with faults off
 */
export async function runTargetTask(task: SeedTask & { readonly target: string }): Promise<SeedRun> {
  const workload = await workloadOf(task.target);
  return seedRunOf(task.scenario, await runTargetPlan(workload, targetPlan(workload, task.target, task.seed), task.trace === 'full' ? { trace: 'full' } : {}), task.trace === 'full');
}

/** The compact form of a run. */
export function seedRunOf(name: string, result: TargetRunResult, withTrace: boolean): SeedRun {
  return {
    scenario: name, seed: result.plan.seed, violations: targetRunViolations(result), detected: 0,
    faults: result.faults, coverage: result.coverage, digest: result.digest, crashes: result.crashCount,
    commitsAcknowledged: result.acknowledgedCount,
    ...(withTrace ? { trace: result.trace } : {}),
  };
}

/**
 * Checks that `plan` belongs to `workload` (same name), so a plan is never run against another
 * workload that happens to live in the same file.
 * @throws Error naming both
 */
export function checkPlanWorkload(plan: TargetPlan, workload: Workload<unknown, unknown>): void {
  if (plan.workload !== workload.name) {
    throw new Error(`the plan is for workload ${JSON.stringify(plan.workload)}, but ${plan.target} exports ${JSON.stringify(workload.name)}`);
  }
}
