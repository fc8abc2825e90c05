/**
 * What every command shares for library workloads (`--target FILE`, target plan files): loading
 * the module with one-line errors, telling a target plan from an engine plan, and the summary of
 * one target run. The commands (run, repro, replay, shrink, explore) only wire these.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Plan } from '../sim/plan.ts';
import { checkPlan, readJsonDocument } from '../sim/plan-file.ts';
import { checkTargetPlan, isTargetPlanJson, targetPlan, targetPlanSize, type TargetPlan } from '../targets/plan.ts';
import { runTargetPlan, type TargetRunResult } from '../targets/runner.ts';
import { checkPlanWorkload, describeCrash, workloadOf } from '../targets/seed-run.ts';
import type { Workload } from '../targets/workload.ts';
import { exitCodes, UsageError } from './errors.ts';
import { traceLine } from './format.ts';

/** A library workload and one of its plans. */
export interface TargetPlanChoice {
  readonly kind: 'target';
  readonly plan: TargetPlan;
  readonly workload: Workload<unknown, unknown>;
}

/** An engine plan. */
export interface EnginePlanChoice {
  readonly kind: 'engine';
  readonly plan: Plan;
}

/**
 * Loads the workload exported by `file`.
 * @throws {@link UsageError} (one line) when the file is missing or does not export a workload
 */
export async function loadTarget(file: string): Promise<Workload<unknown, unknown>> {
  if (!existsSync(file)) throw new UsageError(`--target ${file}: no such file`);
  try {
    return await workloadOf(file);
  } catch (error) {
    throw new UsageError(`--target ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * Reads a plan file of either kind: a target plan (format `powercut-target-plan`, its workload
 * loaded from the module it names) or an engine plan.
 * @throws PlanFileError or {@link UsageError}, one line each
 */
export async function readAnyPlan(file: string): Promise<TargetPlanChoice | EnginePlanChoice> {
  const document = await readJsonDocument(file);
  if (!isTargetPlanJson(document)) return { kind: 'engine', plan: checkPlan(document, file) };
  const plan = checkTargetPlan(document, file);
  const workload = await loadTarget(plan.target);
  try {
    checkPlanWorkload(plan, workload);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  return { kind: 'target', plan, workload };
}

/** The plan of `--target FILE --seed S`. */
export async function targetSeedPlan(file: string, seed: number): Promise<TargetPlanChoice> {
  const workload = await loadTarget(file);
  return { kind: 'target', plan: targetPlan(workload, file, seed), workload };
}

/** The summary of one target run (`repro --target`, `replay` of a target plan). */
export function targetRunSummary(result: TargetRunResult, reproduce: string, traceTail = 40): string[] {
  const plan = result.plan;
  const size = targetPlanSize(plan);
  const rates = Object.entries(plan.faults.rates).filter(([, rate]) => (rate ?? 0) > 0).map(([kind, rate]) => `${kind} ${rate}`);
  const lines = [
    `target ${plan.target} (workload ${plan.workload}), seed ${plan.seed}`,
    `plan: ${size.operations} operations [${plan.operations.join(', ')}], ${size.faults} fault sources; step budget ${plan.stepsMax}`,
    `faults: rates ${rates.length ? rates.join(', ') : 'none'}; ${plan.faults.scheduled?.length ?? 0} scheduled; fsync failure mode ${plan.faults.fsyncFailureMode}; sector ${plan.faults.sectorBytes} B`
      + `${plan.crashStates ? `; crash states [${plan.crashStates.join(', ')}]` : ''}`,
    `result: ${result.ioCount} I/O, ${result.crashCount} crashes (states ${result.crashStates.join(', ') || 'none'}), ${result.acknowledgedCount} operations acknowledged, ${result.failedOperationCount} failed on injected faults; digest ${result.digest}`,
    `faults fired: ${result.faultsFired.map((fault) => `${fault.kind}@${fault.io}`).join(', ') || 'none'}`,
    `violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`,
  ];
  for (const violation of result.violations) lines.push(`  [${violation.invariant}] ${violation.message} (${describeCrash(violation.crash)})`);
  if (result.violations.length > 0) lines.push(`reproduce: ${reproduce}`);
  const tail = result.trace.slice(-traceTail);
  lines.push(`last ${tail.length} of ${result.trace.length} trace events:`);
  lines.push(...tail.map((event) => `  ${traceLine(event)}`));
  return lines;
}

/**
 * Runs one target plan with the full trace and prints it.
 * @returns the exit code: 1 when it violates an invariant
 */
export async function runTargetOnce(choice: TargetPlanChoice, reproduce: string, traceFile: string | undefined, print: (line: string) => void): Promise<number> {
  const result = await runTargetPlan(choice.workload, choice.plan, { trace: 'full' });
  for (const line of targetRunSummary(result, reproduce)) print(line);
  if (traceFile !== undefined) {
    await writeFile(traceFile, result.trace.map((event) => JSON.stringify(event)).join('\n') + (result.trace.length ? '\n' : ''), 'utf8');
    print(`trace: ${result.trace.length} events written to ${traceFile}`);
  }
  return result.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
}
