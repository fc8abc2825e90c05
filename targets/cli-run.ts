/**
 * `powercut run --target FILE`: a campaign on a library workload (targets/runner.ts), with a
 * summary (or one JSON object) on stdout. Wired from cli/commands/run.ts.
 */
import { existsSync } from 'node:fs';
import { wallClockMs } from '../sim/node/wall-clock.ts';
import { loadWorkload, runTargetCampaign, type TargetCampaignResult } from './runner.ts';

/** Options the run command passes on. */
export interface TargetCliOptions {
  readonly target: string;
  readonly seeds: number;
  readonly seedStart: number;
  readonly json?: boolean;
}

/** Summary lines: counts, then each invariant's first seeds with their crash and repro. */
export function targetSummary(result: TargetCampaignResult): string[] {
  const lines = [
    `target ${result.workload}: ${result.seeds} seeds, ${result.crashCount} crashes checked, ${result.failedOperationCount} operations failed on injected faults, ${result.violations.length} violations (${(result.durationMs / 1000).toFixed(1)} s)`,
  ];
  const byInvariant = new Map<string, typeof result.violations>();
  for (const violation of result.violations) byInvariant.set(violation.invariant, [...(byInvariant.get(violation.invariant) ?? []), violation]);
  for (const [invariant, violations] of byInvariant) {
    const first = violations[0]!;
    const states = [...new Set(violations.map((v) => v.crash.crashState))].sort().join(',');
    lines.push(`  ${invariant}: ${violations.length} (seeds ${[...new Set(violations.map((v) => v.seed))].slice(0, 8).join(', ')}${violations.length > 8 ? ', ...' : ''}; crash states ${states})`);
    lines.push(`    seed ${first.seed}, after ${first.crash.kind} (crash state ${first.crash.crashState}${first.crash.final ? ', final' : `, during operation ${first.crash.afterOperation}`}): ${first.message}`);
    lines.push(`    repro: ${first.repro}`);
  }
  return lines;
}

/**
 * Runs the campaign and prints it.
 * @returns the exit code: 0 clean, 1 violations, 2 the file is missing or is not a workload
 */
export async function runTargetCli(options: TargetCliOptions, print: (line: string) => void, printError: (line: string) => void): Promise<number> {
  if (!existsSync(options.target)) {
    printError(`powercut: --target ${options.target}: no such file.`);
    return 2;
  }
  let workload;
  try {
    workload = await loadWorkload(options.target);
  } catch (error) {
    printError(`powercut: ${(error as Error).message.split('\n')[0]}`);
    return 2;
  }
  const result = await runTargetCampaign(workload, { seeds: options.seeds, seedStart: options.seedStart, targetFile: options.target }, wallClockMs);
  const exitCode = result.violations.length > 0 ? 1 : 0;
  if (options.json === true) {
    print(JSON.stringify({ exitCode, ...result, violations: result.violations.map(({ faultsFired, ...rest }) => ({ ...rest, faultsFiredCount: faultsFired.length })) }));
  } else {
    for (const line of targetSummary(result)) print(line);
  }
  return exitCode;
}
