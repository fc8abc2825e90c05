/**
 * `powercut explore`: crashes a short fault-free prefix of one seed's workload at every I/O
 * operation, with kill -9 and each power-loss crash state (sim/explore.ts). Exit 1 on any
 * violation.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { exploreStatesDefault, exploreStepsDefault, explorePlan } from '../../sim/explore.ts';
import { stableJson } from '../../sim/regressions.ts';
import { exitCodes } from '../errors.ts';
import { integerOption } from '../options.ts';
import { planFromFlags } from './shrink.ts';

interface ExploreFlags {
  readonly scenario?: string;
  readonly seed?: number;
  readonly plan?: string;
  readonly states: number;
  readonly steps: number;
  readonly out?: string;
}

/** Registers `explore` on `program`. */
export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('crash a short fault-free workload at every I/O operation (kill -9 and K power-loss states)')
    .option('--scenario <name>', 'scenario name')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'explore a plan file instead of a scenario seed')
    .option('--states <k>', 'power-loss crash states per crash point', integerOption(1), exploreStatesDefault)
    .option('--steps <n>', 'workload steps kept', integerOption(1), exploreStepsDefault)
    .option('--out <file>', 'write the plan of the first violation here')
    .action(async (flags: ExploreFlags) => {
      const plan = await planFromFlags(flags);
      const result = await explorePlan(plan, referenceEngine, { states: flags.states, steps: flags.steps });
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
