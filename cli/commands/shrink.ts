/**
 * `powercut shrink`: minimises the failing plan of one seed (sim/shrink.ts; targets/shrink.ts for
 * a library workload) and writes it as JSON, ready for `powercut replay` or for the regression
 * corpus (scenarios/regressions/). Exit 1 when a failing plan was written; 0 when the seed does
 * not fail.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Plan } from '../../sim/plan.ts';
import { stableJson } from '../../sim/regressions.ts';
import { shrinkPlan, shrinkRunsMaxDefault, type PlanSize } from '../../sim/shrink.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { integerOption } from '../options.ts';
import { readAnyPlan, targetSeedPlan, type EnginePlanChoice, type TargetPlanChoice } from '../target.ts';
import { shrinkTargetPlan, targetShrinkRunsMaxDefault } from '../../targets/shrink.ts';
import { targetPlanSize } from '../../targets/plan.ts';
import { describeCrash } from '../../targets/seed-run.ts';

interface ShrinkFlags {
  readonly scenario?: string;
  readonly target?: string;
  readonly seed?: number;
  readonly plan?: string;
  readonly out: string;
  readonly invariant?: string;
  readonly runsMax?: number;
  readonly reanchor: boolean;
}

/** `steps 40, ops 67, faults 4`. */
export function formatSize(size: PlanSize): string {
  return `steps ${size.steps}, ops ${size.ops}, faults ${size.faults}`;
}

/**
 * The plan named by `--scenario NAME --seed S` or `--target FILE --seed S`, or read from
 * `--plan FILE` (an engine plan or a library workload's).
 * @throws {@link UsageError} when not exactly one source is given, or the scenario is unknown
 */
export async function planFromFlags(flags: { scenario?: string; target?: string; seed?: number; plan?: string }): Promise<EnginePlanChoice | TargetPlanChoice> {
  const sources = [flags.plan, flags.scenario, flags.target].filter((source) => source !== undefined).length;
  if (sources !== 1) throw new UsageError('give one of --scenario NAME --seed S, --target FILE --seed S, or --plan FILE');
  if (flags.plan !== undefined) return readAnyPlan(flags.plan);
  if (flags.seed === undefined) throw new UsageError('--seed S is required with --scenario or --target');
  if (flags.target !== undefined) return targetSeedPlan(flags.target, flags.seed);
  const scenario = findScenario(flags.scenario!);
  if (!scenario) throw new UsageError(`unknown scenario '${flags.scenario}'`);
  return { kind: 'engine', plan: scenario.plan(flags.seed) };
}

/** Shrinks a library workload's plan and prints it. @returns the exit code */
async function shrinkTarget(choice: TargetPlanChoice, flags: ShrinkFlags): Promise<number> {
  const started = performance.now();
  const result = await shrinkTargetPlan(choice.workload, choice.plan, {
    runsMax: flags.runsMax ?? targetShrinkRunsMaxDefault, ...(flags.invariant !== undefined ? { invariant: flags.invariant } : {}),
  });
  const what = `${choice.plan.workload} seed ${choice.plan.seed}`;
  if (!result.violation) {
    console.log(`${what} does not fail${flags.invariant !== undefined ? ` the ${flags.invariant} invariant` : ''}: nothing to shrink, nothing written`);
    return exitCodes.ok;
  }
  await writeFile(flags.out, stableJson(result.plan));
  const size = (s: ReturnType<typeof targetPlanSize>): string => `operations ${s.operations}, faults ${s.faults}`;
  console.log(`${what}: ${result.violation.invariant}: ${result.violation.message} (${describeCrash(result.violation.crash)})`);
  console.log(`before: ${size(result.before)}`);
  console.log(`after:  ${size(result.after)}; operations [${result.plan.operations.join(', ')}], faults ${(result.plan.faults.scheduled ?? []).map((fault) => `${fault.kind}@${fault.io}`).join(', ') || 'none'}, crash states [${(result.plan.crashStates ?? []).join(', ')}]`);
  console.log(`runs:   ${result.runs}${result.budgetExhausted ? ' (budget exhausted: the plan may shrink further with a larger --runs-max)' : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`wrote ${flags.out}; replay: npm run -s powercut -- replay ${flags.out}`);
  return exitCodes.violation;
}

/** Registers `shrink` on `program`. */
export function registerShrink(program: Command): void {
  program
    .command('shrink')
    .description('minimise the failing plan of one seed and write it as JSON')
    .option('--scenario <name>', 'scenario name')
    .option('--target <file>', 'a library workload module instead of a scenario')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'shrink a plan file instead of a seed')
    .requiredOption('--out <file>', 'where to write the shrunk plan')
    .option('--invariant <name>', 'the invariant that must keep failing (default: the first one that fails)')
    .option('--runs-max <n>', `run budget (default: ${shrinkRunsMaxDefault}; ${targetShrinkRunsMaxDefault} for a library workload)`, integerOption(1))
    .option('--no-reanchor', 'do not re-anchor scheduled faults when steps are removed')
    .action(async (flags: ShrinkFlags) => {
      const choice = await planFromFlags(flags);
      if (choice.kind === 'target') {
        process.exitCode = await shrinkTarget(choice, flags);
        return;
      }
      const plan = choice.plan;
      const started = performance.now();
      const result = await shrinkPlan(plan, referenceEngine, {
        runsMax: flags.runsMax ?? shrinkRunsMaxDefault, reanchor: flags.reanchor, ...(flags.invariant !== undefined ? { invariant: flags.invariant } : {}),
      });
      const what = `${plan.scenario} seed ${plan.seed}`;
      if (!result.violation) {
        console.log(`${what} does not fail${flags.invariant !== undefined ? ` the ${flags.invariant} invariant` : ''}: nothing to shrink, nothing written`);
        process.exitCode = exitCodes.ok;
        return;
      }
      await writeFile(flags.out, stableJson(result.plan));
      const seconds = (performance.now() - started) / 1000;
      console.log(`${what}: ${result.violation.invariant}: ${result.violation.message}`);
      console.log(`before: ${formatSize(result.before)}`);
      console.log(`after:  ${formatSize(result.after)}`);
      console.log(`runs:   ${result.runs}${result.budgetExhausted ? ' (budget exhausted: the plan may shrink further with a larger --runs-max)' : ''} in ${seconds.toFixed(1)} s; faults ${result.explicitFaults ? 'made explicit' : 'kept rate-based (explicit replay did not fail)'}; ${result.reanchored} removals kept by re-anchoring faults`);
      console.log(`wrote ${flags.out}; replay: npm run -s powercut -- replay ${flags.out}`);
      process.exitCode = result.violation.invariant === 'harness' ? exitCodes.harness : exitCodes.violation;
    });
}
