/**
 * `powercut repro` (one seed of a scenario) and `powercut replay` (a plan file): run one plan
 * with the full trace, print the plan, the violations and the end of the trace, and optionally
 * write the whole trace as JSONL. `replay --real` runs the plan on the real disk instead, with a
 * kill -9 at each of its crash points (real/replay.ts).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { replayPlanReal, ReplayDirError } from '../../real/replay.ts';
import type { RealReplayResult } from '../../real/replay.ts';
import type { CrashPoint } from '../../real/replay-points.ts';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { reproCommand } from '../../sim/campaign.ts';
import type { Plan } from '../../sim/plan.ts';
import { runPlan } from '../../sim/runner.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { runSummary } from '../format.ts';
import { integerOption } from '../options.ts';
import { readAnyPlan, runTargetOnce, targetSeedPlan } from '../target.ts';

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

/** Crash points listed one per line; the rest are counted. */
const crashPointsListedMax = 30;

function crashPointLine(plan: Plan, point: CrashPoint): string {
  switch (point.at) {
    case 'crash-step':
      return `step ${point.step} (crash ${point.simulated}): kill -9 between steps`;
    case 'in-step':
      return `step ${point.step} (${plan.steps[point.step]?.op ?? '?'}): ${point.simulated} during the step; kill -9 once the child had issued its calls`;
    case 'recovery':
      return `before step ${point.step}: ${point.simulated} during recovery; kill -9 right after the recovery, whose state was checked`;
  }
}

/** The summary `replay --real` prints. */
export function realReplaySummary(plan: Plan, result: RealReplayResult): string[] {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `plan: ${plan.scenario} seed ${plan.seed}, ${plan.steps.length} steps, sync ${plan.engine.sync}`,
    `simulated first (${seconds(result.simulateMs)}): ${result.crashPoints.length} crash points, ${result.simulatedViolations} violations`,
    `steps run on the real disk: ${result.stepsRun} of ${result.stepsTotal} in ${seconds(result.realMs)} (${result.commitsIssued} commits issued, ${result.commitsAcknowledged} acknowledged, ${result.recoveries} recoveries checked)`,
    `crash points replayed as kill -9: ${result.kills} of ${result.crashPoints.length}`,
  ];
  for (const point of result.crashPoints.slice(0, crashPointsListedMax)) lines.push(`  ${crashPointLine(plan, point)}`);
  if (result.crashPoints.length > crashPointsListedMax) lines.push(`  ... and ${result.crashPoints.length - crashPointsListedMax} more`);
  const skipped = result.skippedFaults.map((fault) => `${fault.kind} ${fault.count}`).join(', ');
  lines.push(`skipped (cannot be injected on a real disk from user space): ${skipped || 'none fired'}`);
  lines.push(`violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`);
  for (const violation of result.violations) {
    lines.push(`  [${violation.invariant}] ${violation.step >= 0 ? `step ${violation.step}` : 'final recovery'}: ${violation.message}`);
  }
  if (result.errors.length > 0) lines.push(`harness errors: ${result.errors.length}`, ...result.errors.map((error) => `  ${error}`));
  if (result.crashPoints.some((point) => point.simulated === 'power-loss')) {
    lines.push('note: power-loss crash points were replayed as kill -9, which keeps every page the process wrote (the OS page cache survives); a missing fsync or a torn write cannot show here (the simulator covers them: replay without --real)');
  } else {
    lines.push('note: a kill -9 keeps every page the process wrote (the OS page cache survives); a missing fsync or a torn write cannot show here (the simulator covers them: replay without --real)');
  }
  lines.push(`data folder: ${result.dir} (${result.dirKept ? 'kept' : 'removed'})`);
  return lines;
}

async function replayReal(plan: Plan, dir: string | undefined): Promise<void> {
  let result: RealReplayResult;
  try {
    result = await replayPlanReal(plan, dir === undefined ? {} : { dir });
  } catch (error) {
    if (error instanceof ReplayDirError) throw new UsageError(error.message);
    throw error;
  }
  for (const line of realReplaySummary(plan, result)) console.log(line);
  process.exitCode = result.errors.length > 0 ? exitCodes.harness : result.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
}

export function register(program: Command): void {
  program.command('repro')
    .description('rerun one seed of a scenario (or of a library workload) with the full trace; exit 1 if it reproduces a violation')
    .option('--scenario <name>', 'scenario name (see: powercut list)')
    .option('--target <file>', 'a library workload module instead of a scenario')
    .requiredOption('--seed <s>', 'the seed', integerOption(0))
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .action(async (options: { scenario?: string; target?: string; seed: number; trace?: string }) => {
      if ((options.scenario === undefined) === (options.target === undefined)) throw new UsageError('give --scenario NAME or --target FILE (one of them)');
      if (options.target !== undefined) {
        const choice = await targetSeedPlan(options.target, options.seed);
        process.exitCode = await runTargetOnce(choice, reproCommand(choice.workload.name, options.seed, options.target), options.trace, (line) => console.log(line));
        return;
      }
      const scenario = findScenario(options.scenario!);
      if (scenario === undefined) throw new UsageError(`unknown scenario ${JSON.stringify(options.scenario)} (see: powercut list)`);
      await runOne(scenario.plan(options.seed), reproCommand(scenario.name, options.seed), options.trace);
    });

  program.command('replay')
    .description('run a plan file (JSON: an engine plan, format "powercut-plan", or a library workload\'s, "powercut-target-plan"); exit 1 if a violation is found')
    .argument('<file>', 'the plan file')
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .option('--real', 'run the plan against the real file system, with kill -9 in place of each crash point (see README, "The real disk")')
    .option('--dir <path>', 'with --real: the data folder (missing or empty), kept afterwards')
    .action(async (file: string, options: { trace?: string; real?: boolean; dir?: string }) => {
      if (options.dir !== undefined && options.real !== true) throw new UsageError('--dir needs --real');
      if (options.trace !== undefined && options.real === true) throw new UsageError('--trace has no meaning with --real (a real process has no trace; replay without --real for it)');
      const choice = await readAnyPlan(file);
      const reproduce = `npm run -s powercut -- replay ${file}`;
      if (choice.kind === 'target') {
        if (options.real === true) throw new UsageError('--real runs the reference engine; a library workload\'s plan runs in the simulator only');
        process.exitCode = await runTargetOnce(choice, reproduce, options.trace, (line) => console.log(line));
      } else if (options.real === true) await replayReal(choice.plan, options.dir);
      else await runOne(choice.plan, reproduce, options.trace);
    });
}
