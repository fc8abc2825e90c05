/**
 * `powercut shrink`: minimises the failing plan of one seed (sim/shrink.ts) and writes it as
 * JSON, ready for `powercut replay` or for the regression corpus (scenarios/regressions/).
 * Exit 1 when a failing plan was written; 0 when the seed does not fail.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Plan } from '../../sim/plan.ts';
import { readPlanFile } from '../../sim/plan-file.ts';
import { stableJson } from '../../sim/regressions.ts';
import { shrinkPlan, shrinkRunsMaxDefault, type PlanSize } from '../../sim/shrink.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { integerOption } from '../options.ts';

interface ShrinkFlags {
  readonly scenario?: string;
  readonly seed?: number;
  readonly plan?: string;
  readonly out: string;
  readonly invariant?: string;
  readonly runsMax: number;
  readonly reanchor: boolean;
}

/** `steps 40, ops 67, faults 4`. */
export function formatSize(size: PlanSize): string {
  return `steps ${size.steps}, ops ${size.ops}, faults ${size.faults}`;
}

/**
 * The plan named by `--scenario NAME --seed S`, or read from `--plan FILE`.
 * @throws {@link UsageError} when neither or both are given, or the scenario is unknown
 */
export async function planFromFlags(flags: { scenario?: string; seed?: number; plan?: string }): Promise<Plan> {
  if (flags.plan !== undefined) {
    if (flags.scenario !== undefined) throw new UsageError('give either --plan or --scenario, not both');
    return readPlanFile(flags.plan);
  }
  if (flags.scenario === undefined || flags.seed === undefined) throw new UsageError('--scenario NAME and --seed S are required (or --plan FILE)');
  const scenario = findScenario(flags.scenario);
  if (!scenario) throw new UsageError(`unknown scenario '${flags.scenario}'`);
  return scenario.plan(flags.seed);
}

/** Registers `shrink` on `program`. */
export function registerShrink(program: Command): void {
  program
    .command('shrink')
    .description('minimise the failing plan of one seed and write it as JSON')
    .option('--scenario <name>', 'scenario name')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'shrink a plan file instead of a scenario seed')
    .requiredOption('--out <file>', 'where to write the shrunk plan')
    .option('--invariant <name>', 'the invariant that must keep failing (default: the first one that fails)')
    .option('--runs-max <n>', 'run budget', integerOption(1), shrinkRunsMaxDefault)
    .option('--no-reanchor', 'do not re-anchor scheduled faults when steps are removed')
    .action(async (flags: ShrinkFlags) => {
      const plan = await planFromFlags(flags);
      const started = performance.now();
      const result = await shrinkPlan(plan, referenceEngine, {
        runsMax: flags.runsMax, reanchor: flags.reanchor, ...(flags.invariant !== undefined ? { invariant: flags.invariant } : {}),
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
