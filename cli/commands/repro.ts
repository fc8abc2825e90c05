/**
 * `powercut repro` (one seed of a scenario) and `powercut replay` (a plan file): run one plan
 * with the full trace, print the plan, the violations and the end of the trace, and optionally
 * write the whole trace as JSONL.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { reproCommand } from '../../sim/campaign.ts';
import type { Plan } from '../../sim/plan.ts';
import { readPlanFile } from '../../sim/plan-file.ts';
import { runPlan } from '../../sim/runner.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { runSummary } from '../format.ts';
import { integerOption } from '../options.ts';

async function runOne(plan: Plan, reproduce: string, traceFile: string | undefined): Promise<void> {
  const result = await runPlan(plan, referenceEngine, { trace: 'full' });
  for (const line of runSummary(plan, result, reproduce)) console.log(line);
  if (traceFile !== undefined) {
    await writeFile(traceFile, result.trace.map((event) => JSON.stringify(event)).join('\n') + (result.trace.length ? '\n' : ''), 'utf8');
    console.log(`trace: ${result.trace.length} events written to ${traceFile}`);
  }
  const harness = result.violations.some((violation) => violation.invariant === 'harness');
  process.exitCode = harness ? exitCodes.harness : result.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
}

export function register(program: Command): void {
  program.command('repro')
    .description('rerun one seed of a scenario with the full trace; exit 1 if it reproduces a violation')
    .requiredOption('--scenario <name>', 'scenario name (see: powercut list)')
    .requiredOption('--seed <s>', 'the seed', integerOption(0))
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .action(async (options: { scenario: string; seed: number; trace?: string }) => {
      const scenario = findScenario(options.scenario);
      if (scenario === undefined) throw new UsageError(`unknown scenario ${JSON.stringify(options.scenario)} (see: powercut list)`);
      await runOne(scenario.plan(options.seed), reproCommand(scenario.name, options.seed), options.trace);
    });

  program.command('replay')
    .description('run a plan file (JSON, format "powercut-plan" version 1); exit 1 if a violation is found')
    .argument('<file>', 'the plan file')
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .action(async (file: string, options: { trace?: string }) => {
      const plan = await readPlanFile(file);
      await runOne(plan, `npm run -s powercut -- replay ${file}`, options.trace);
    });
}
