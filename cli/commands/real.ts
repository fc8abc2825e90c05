/** `powercut real`: the kill -9 campaign against an engine in a real child process on the real disk (real/). */
import type { Command } from 'commander';
import type { SyncMode } from '../../engine/index.ts';
import { commandLine, describeAddons, envAssignments, rootCauseKey } from '../../harness/index.ts';
import { runRealCampaign, runRealTargetCampaign, type RealCampaignResult, type RealTargetResult } from '../../real/index.ts';
import type { DurationSummary } from '../../real/index.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { invocationOf } from '../invocation.ts';
import { choiceOption, integerOption, secondsOption } from '../options.ts';

/** Most seconds between two progress lines: a cycle of a slow library can take seconds. */
const progressSecondsMax = 5;
let lastProgressMs = Date.now();

/** Whether to print progress after `cycle`: every 10th cycle, or once {@link progressSecondsMax} have passed. */
function due(cycle: number): boolean {
  const now = Date.now();
  if (cycle % 10 !== 0 && now - lastProgressMs < progressSecondsMax * 1000) return false;
  lastProgressMs = now;
  return true;
}

interface RealOptions {
  engine?: string;
  target?: string;
  cycles?: number;
  seed?: string;
  dir?: string;
  sync?: SyncMode;
  concurrency?: number;
  timeout?: number;
  quiet?: boolean;
}

/** Shapes of violations listed one per line; the rest are counted. */
const violationsListedMax = 20;

/**
 * What a run on the real disk does not show, said after a pass of `real` and after `replay --real`.
 * @param crash - what crashed the process, as the sentence's subject
 * @param instead - where the simulated disk covers it
 */
export function killNineNote(crash = 'a kill -9', instead = 'powercut run'): string {
  return `note: ${crash} keeps every page the process wrote (the OS page cache survives): a missing fsync or a torn write cannot show here; the simulated disk covers them (${instead})`;
}

/**
 * {@link killNineNote} for a library workload whose modules loaded native addons (`files`): the
 * simulated disk covers only the I/O through Node's `fs`, so what the addons persist is tested by
 * these kills alone.
 */
export function killNineNoteWithAddons(files: readonly string[]): string {
  if (files.length === 0) return killNineNote();
  return `note: a kill -9 keeps every page the process wrote (the OS page cache survives): a missing fsync or a torn write cannot show here; the simulated disk covers them only for I/O through Node's fs (powercut run), not for the native addons the workload loaded (${describeAddons(files)}): what they persist is tested by these kills alone, never by a power loss`;
}

function duration(d: DurationSummary): string {
  return `p50 ${d.p50Ms.toFixed(1)} ms, p99 ${d.p99Ms.toFixed(1)} ms, max ${d.maxMs.toFixed(1)} ms (${d.count})`;
}

/**
 * The violations of a real campaign, those of one shape (the same invariant and message but for
 * numbers, harness/triage.ts) as one line with the first of them and how many there were: one
 * LSN handed out again showed as 143 lines, one per commit after it. At most
 * {@link violationsListedMax} lines.
 */
export function violationLines(violations: readonly { readonly invariant: string; readonly place: string; readonly message: string }[]): string[] {
  const groups = new Map<string, { first: (typeof violations)[number]; count: number }>();
  for (const violation of violations) {
    const key = rootCauseKey(violation.invariant, violation.message);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: violation, count: 1 });
    else group.count++;
  }
  const lines = [...groups.values()].slice(0, violationsListedMax).map(({ first, count }) =>
    `  [${first.invariant}] ${first.place}: ${first.message}${count > 1 ? ` (and ${count - 1} more of this shape)` : ''}`);
  if (groups.size > violationsListedMax) lines.push(`  ... and ${groups.size - violationsListedMax} more shapes`);
  return lines;
}

/** The summary `real` prints. */
export function realSummary(result: RealCampaignResult, reproduce: string): string[] {
  const verdict = result.harnessErrors.length > 0 ? 'HARNESS FAILURE' : result.violations.length > 0 ? 'FAILED' : result.nothingTested !== undefined ? 'NOTHING TESTED' : 'ok';
  const lines = [
    `${verdict}: engine ${result.engine} (${result.module ?? 'reference'}), ${result.cyclesRun} of ${result.cycles} kill -9 cycles, sync ${result.sync}, seed ${result.seed}, ${(result.durationMs / 1000).toFixed(1)} s`,
    `commits: ${result.commitsIssued} issued, ${result.commitsAcknowledged} acknowledged, ${result.commitsRecoveredUnacknowledged} recovered unacknowledged (allowed)`,
    `kills: ${result.kills}, ${result.killsDuringRecovery} during recovery; recoveries checked: ${result.recoveries}`,
    `recovery (replayStats.recoveryMs): ${result.recovery.count === 0 ? 'not reported' : duration(result.recovery)}`,
    `restart (process start + recovery): ${duration(result.restart)}`,
    `tails truncated: ${result.truncatedBytesTotal} B over ${result.recoveriesWithTruncation} recoveries`,
    `violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`,
  ];
  lines.push(...violationLines(result.violations));
  if (result.failedCallCount > 0) {
    lines.push(`engine calls that failed (a real disk injects no faults; worth a look): ${result.failedCallCount}`, ...result.failedCalls.map((call) => `  ${call}`));
  }
  if (result.harnessErrors.length > 0) lines.push(`harness errors: ${result.harnessErrors.length}`, ...result.harnessErrors.map((error) => `  ${error}`));
  const rerun = result.reproduceArgs.includes('--dir') ? '; empty it before running the line below' : '';
  lines.push(`data folder (--dir): ${result.dir} (${result.dirKept ? `kept${rerun}` : 'removed'})`);
  lines.push(`reproduce: ${reproduce}`);
  if (result.ok) lines.push(killNineNote());
  return lines;
}

/** 3 when the harness failed (whatever else was found), 1 on a violation, 4 when nothing was tested, 0 otherwise. */
export function realExitCode(result: Pick<RealCampaignResult, 'harnessErrors' | 'violations'> & { readonly nothingTested?: string | undefined }): number {
  if (result.harnessErrors.length > 0) return exitCodes.harness;
  if (result.violations.length > 0) return exitCodes.violation;
  return result.nothingTested !== undefined ? exitCodes.nothingTested : exitCodes.ok;
}

export function register(program: Command): void {
  program.command('real')
    .description('kill -9 a real process running an engine (or a library workload), repeatedly, and check every recovery (the commit model, or the workload\'s invariants); exit 1 on a violation, 3 if the harness failed')
    .option('--engine <file>', 'a module whose default export is your engine (see defineEngine; default: the reference engine)')
    .option('--target <file>', 'a module whose default export is a library workload (see defineWorkload) instead of an engine')
    .option('--cycles <n>', 'kill-and-restart cycles (default: 100, 20 with --target)', integerOption(1))
    .option('--seed <s>', 'seed of the workload and the kill plan (default: random, printed)')
    .option('--dir <path>', 'data folder, missing or empty, kept afterwards (default: a temporary folder)')
    .option('--sync <mode>', 'durability mode: strict, group or none (default: strict)', choiceOption(['strict', 'group', 'none'] as const))
    .option('--concurrency <n>', 'commits in flight (default: 4 in strict mode, 16 otherwise)', integerOption(1))
    .option('--timeout <seconds>', 'longest wait for the engine to answer a call (open, commit, close) before it counts as a harness failure', secondsOption, 30)
    .option('--quiet', 'no per-cycle progress on stderr')
    .action(async (options: RealOptions) => {
      if (options.target !== undefined) return realTarget(options);
      const result = await runRealCampaign({
        cycles: options.cycles ?? 100,
        timeoutMs: (options.timeout ?? 30) * 1000,
        ...(options.engine !== undefined ? { engine: options.engine } : {}),
        ...(options.sync !== undefined ? { sync: options.sync } : {}),
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.dir !== undefined ? { dir: options.dir } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.quiet ? {} : {
          onCycle: (cycle) => {
            if (due(cycle.cycle)) process.stderr.write(`powercut real: cycle ${cycle.cycle}/${options.cycles ?? 100}, ${cycle.violations} violations so far\n`);
          },
        }),
      });
      const reproduce = envAssignments() + commandLine(invocationOf(process.argv, process.env, process.cwd()), result.reproduceArgs);
      for (const line of realSummary(result, reproduce)) console.log(line);
      if (result.harnessErrors.length > 0) process.stderr.write(`powercut: harness failure: ${result.harnessErrors[0]}\n`);
      else if (result.violations.length === 0 && result.nothingTested !== undefined) process.stderr.write(`powercut: nothing was tested: ${result.nothingTested}\n`);
      process.exitCode = realExitCode(result);
    });
}

/** The summary `real --target` prints. */
export function realTargetSummary(result: RealTargetResult, reproduce: string): string[] {
  const verdict = result.harnessErrors.length > 0 ? 'HARNESS FAILURE' : result.violations.length > 0 ? 'FAILED' : result.nothingTested !== undefined ? 'NOTHING TESTED' : 'ok';
  const lines = [
    `${verdict}: workload ${result.workload} (${result.module}), ${result.cyclesRun} of ${result.cycles} kill -9 cycles on the real disk, seed ${result.seed}, ${(result.durationMs / 1000).toFixed(1)} s`,
    `operations: ${result.operationsStarted} started, ${result.operationsAcknowledged} acknowledged, ${result.failedOperationCount} failed`,
    `kills: ${result.kills} (${result.killsWhileOpening} while the library was opening, ${result.killsAtIdle} after the last operation); checks after a kill: ${result.checks}`,
    `violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`,
  ];
  lines.push(...violationLines(result.violations));
  if (result.selfExits.length > 0) lines.push(`the process died by itself (an uncaught exception; restarted as after a kill): ${result.selfExits.length}`, ...result.selfExits.slice(0, 5).map((exit) => `  ${exit}`));
  if (result.failedOperationCount > 0) {
    lines.push(`operations that failed (a real disk injects no faults; worth a look): ${result.failedOperationCount}`, ...result.failedOperations.map((failed) => `  ${failed}`));
  }
  if (result.harnessErrors.length > 0) lines.push(`harness errors: ${result.harnessErrors.length}`, ...result.harnessErrors.map((error) => `  ${error}`));
  const rerun = result.reproduceArgs.includes('--dir') ? '; empty it before running the line below' : '';
  lines.push(`data folder (--dir): ${result.dir} (${result.dirKept ? `kept${rerun}` : 'removed'})`);
  lines.push(`reproduce: ${reproduce}`);
  if (result.ok) lines.push(killNineNoteWithAddons(result.nativeAddons));
  return lines;
}

/** 3 when the harness failed, 1 on a violation, 4 when nothing was tested (no check after a kill, no operation acknowledged), 0 otherwise. */
export function realTargetExitCode(result: Pick<RealTargetResult, 'harnessErrors' | 'violations' | 'nothingTested'>): number {
  if (result.harnessErrors.length > 0) return exitCodes.harness;
  if (result.violations.length > 0) return exitCodes.violation;
  return result.nothingTested !== undefined ? exitCodes.nothingTested : exitCodes.ok;
}

async function realTarget(options: RealOptions): Promise<void> {
  const engineOnly = (['engine', 'sync', 'concurrency'] as const).filter((name) => options[name] !== undefined);
  if (engineOnly.length > 0) throw new UsageError(`real --target: ${engineOnly.map((name) => `--${name}`).join(', ')} apply to an engine, not to a library workload`);
  const result = await runRealTargetCampaign({
    target: options.target!,
    timeoutMs: (options.timeout ?? 30) * 1000,
    ...(options.cycles !== undefined ? { cycles: options.cycles } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.quiet ? {} : {
      onCycle: (cycle, violations) => {
        if (cycle > 0 && due(cycle)) process.stderr.write(`powercut real: cycle ${cycle}/${options.cycles ?? 20}, ${violations} violations so far\n`);
      },
    }),
  });
  const reproduce = envAssignments() + commandLine(invocationOf(process.argv, process.env, process.cwd()), result.reproduceArgs);
  for (const line of realTargetSummary(result, reproduce)) console.log(line);
  if (result.harnessErrors.length > 0) process.stderr.write(`powercut: harness failure: ${result.harnessErrors[0]}\n`);
  else if (result.violations.length === 0 && result.nothingTested !== undefined) process.stderr.write(`powercut: nothing was tested: ${result.nothingTested}\n`);
  process.exitCode = realTargetExitCode(result);
}
