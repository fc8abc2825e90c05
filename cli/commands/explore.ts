/**
 * `powercut explore`: crashes a short fault-free prefix of one seed's workload at every I/O
 * operation, with kill -9 and each power-loss crash state (sim/explore.ts; targets/explore.ts
 * for a library workload). Exit 1 on any violation.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { exploreStatesDefault, exploreStepsDefault, explorePlan } from '../../sim/explore.ts';
import { stableJson } from '../../sim/regressions.ts';
import { exitCodes } from '../errors.ts';
import { integerOption } from '../options.ts';
import { planFromFlags } from './shrink.ts';
import type { TargetPlanChoice } from '../target.ts';
import { exploreTargetPlan, targetExploreOperationsDefault } from '../../targets/explore.ts';

interface ExploreFlags {
  readonly scenario?: string;
  readonly target?: string;
  readonly seed?: number;
  readonly plan?: string;
  readonly states: number;
  readonly steps?: number;
  readonly out?: string;
}

/** Explores a library workload's plan and prints it. @returns the exit code */
async function exploreTarget(choice: TargetPlanChoice, flags: ExploreFlags): Promise<number> {
  const result = await exploreTargetPlan(choice.workload, choice.plan, { states: flags.states, operations: flags.steps ?? targetExploreOperationsDefault });
  console.log(`${choice.plan.workload} seed ${choice.plan.seed}: ${result.plan.operations.length} operations, ${result.crashPoints} crash points x (kill-9 + ${flags.states} power-loss states) + ${flags.states} final power-loss states = ${result.statesExplored} states`);
  console.log(`${result.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.runsPerSecond.toFixed(0)} runs/s)`);
  for (const violation of result.violations) {
    const at = violation.io === 'end' ? 'the final power loss' : `I/O ${violation.io}`;
    const crash = violation.kind === 'kill-9' ? 'kill-9' : `power-loss state ${violation.crashState}`;
    console.log(`violation: ${violation.invariant}: ${violation.message} (first at ${at}, ${crash}; ${violation.count} runs, after ${violation.crashes.join(', ')})`);
  }
  const first = result.violations[0];
  if (first && flags.out !== undefined) {
    await writeFile(flags.out, stableJson(first.plan));
    console.log(`wrote the plan of the first violation to ${flags.out}`);
  }
  if (result.violations.length === 0) console.log('no violation');
  return result.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
}

/** Registers `explore` on `program`. */
export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('crash a short fault-free workload at every I/O operation (kill -9 and K power-loss states)')
    .option('--scenario <name>', 'scenario name')
    .option('--target <file>', 'a library workload module instead of a scenario')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'explore a plan file instead of a seed')
    .option('--states <k>', 'power-loss crash states per crash point', integerOption(1), exploreStatesDefault)
    .option('--steps <n>', `workload steps kept (default ${exploreStepsDefault}; for a library workload: operations, default ${targetExploreOperationsDefault})`, integerOption(1))
    .option('--out <file>', 'write the plan of the first violation here')
    .action(async (flags: ExploreFlags) => {
      const choice = await planFromFlags(flags);
      if (choice.kind === 'target') {
        process.exitCode = await exploreTarget(choice, flags);
        return;
      }
      const plan = choice.plan;
      const result = await explorePlan(plan, referenceEngine, { states: flags.states, steps: flags.steps ?? exploreStepsDefault });
      console.log(`${plan.scenario} seed ${plan.seed}: ${result.plan.steps.length} steps, ${result.crashPoints} crash points x (kill-9 + ${flags.states} power-loss states) = ${result.statesExplored} states`);
      console.log(`${result.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.runsPerSecond.toFixed(0)} runs/s)`);
      for (const violation of result.cleanViolations) console.log(`without any crash: ${violation.invariant}: ${violation.message}`);
      for (const violation of result.violations) {
        const crash = violation.kind === 'kill-9' ? 'kill-9' : `power-loss state ${violation.crashState}`;
        console.log(`violation: ${violation.invariant}: ${violation.message} (first at I/O ${violation.io}, ${crash}; ${violation.count} runs)`);
      }
      const first = result.violations[0];
      if (first && flags.out !== undefined) {
        await writeFile(flags.out, stableJson(first.plan));
        console.log(`wrote the plan of the first violation to ${flags.out}`);
      }
      const all = [...result.cleanViolations, ...result.violations];
      if (all.length === 0) console.log('no violation');
      process.exitCode = all.some((v) => v.invariant === 'harness') ? exitCodes.harness : all.length > 0 ? exitCodes.violation : exitCodes.ok;
    });
}
