/**
 * `powercut repro` (one seed) and `powercut replay` (a plan file, or a regression corpus entry):
 * run one plan of any subject with the full trace, print the plan, the violations and the trace
 * around the first failed check, and optionally write the whole trace as JSONL. `replay --real`
 * runs an engine plan on the real disk instead, with a kill -9 at each of its crash points
 * (real/replay.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { envChangedSince, envHere, replayCommand, reproCommand } from '../../harness/index.ts';
import type { BasePlan, Subject } from '../../harness/index.ts';
import { parseEntry, unfiredFaults, unfiredList } from '../../harness/index.ts';
import { replayPlanReal, type CrashPoint, type RealReplayResult } from '../../real/index.ts';
import type { DiskImage, Plan, RunResult } from '../../sim/index.ts';
import { readJsonDocument } from '../../sim/index.ts';
import { openPlan } from '../../subjects/load.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { checkOutputFile } from '../report-dir.ts';
import { checkDumpDir, writeDiskDump } from '../disk-dump.ts';
import { killNineNote } from './real.ts';
import { runSummary } from '../format.ts';
import { invocationOf } from '../invocation.ts';
import { integerOption } from '../options.ts';
import { realExitCode } from './real.ts';
import { subjectOf, subjectOptions, unitOf, type SubjectFlags } from '../subject-flags.ts';

/**
 * Writes the disk of the run's first failed check to `dir` (`--disk`) and says so, or says why
 * there is none: the run failed no check, or only a look did (its disk was another world's).
 */
function reportDump(dir: string, disk: DiskImage | undefined, violations: RunResult['violations']): void {
  const violated = violations.length > 0;
  if (disk === undefined) {
    const why = violated
      ? 'only a second look failed a check, on a disk of its own: shrink the seed (it moves the look onto the run\'s own path) and replay the shrunk plan with --disk'
      : 'the run failed no check';
    process.stderr.write(`powercut: --disk ${dir}: nothing written: ${why}\n`);
    return;
  }
  const written = writeDiskDump(disk, dir);
  const own = violations.findIndex((violation) => violation.look === undefined);
  // The first violation may be a look's, on a disk of its own: say whose check this disk is.
  const whose = own > 0 ? ` on the run's own path (violation ${own + 1}, ${violations[own]!.invariant}; violation 1 was a second look's, on a disk of its own: shrink the seed to move it onto the path, then replay with --disk)` : '';
  console.log(`disk at the first failed check${whose}: ${files(written.now)} as read then in ${join(dir, 'now')}, ${files(written.durable)} as durable then in ${join(dir, 'durable')}, the exact image in ${join(dir, 'disk-image.json')}`);
}

/** `1 file`, `3 files`. */
function files(count: number): string {
  return `${count} file${count === 1 ? '' : 's'}`;
}

/**
 * Runs one plan with the full trace and prints it.
 * @returns the exit code: 3 harness, 1 violation, 5 a scheduled fault never fired, 0 otherwise
 */
export async function runOnce<P extends BasePlan>(subject: Subject<P>, plan: P, reproduce: () => string, traceFile: string | undefined, diskDir?: string, fromSeed = false, allEvents = false): Promise<number> {
  if (traceFile !== undefined) checkOutputFile('--trace', traceFile);
  if (diskDir !== undefined) checkDumpDir(diskDir);
  let disk: DiskImage | undefined;
  const onFirstViolation = diskDir === undefined ? undefined : (image: DiskImage): void => {
    disk = image;
  };
  const result = await subject.run(plan, { trace: 'full', ...(onFirstViolation === undefined ? {} : { onFirstViolation }) }).catch((error: unknown) => setupFailed(error, traceFile));
  // Written before anything is printed: piped into \`head\`, the process may end at the first lines.
  if (traceFile !== undefined) await writeFile(traceFile, result.trace.map((event) => JSON.stringify(event)).join('\n') + (result.trace.length ? '\n' : ''), 'utf8');
  // Made after the run: the variables the user's code read are known only once it ran (a planted
  // bug's switch read inside a function, `COW_BUG=...`).
  for (const line of runSummary(subject.describePlan(plan), result, reproduce(), allEvents)) console.log(line);
  if (traceFile !== undefined) console.log(`trace: ${result.trace.length} events written to ${traceFile}`);
  if (diskDir !== undefined) reportDump(diskDir, disk, result.violations);
  if (result.violations.some((violation) => violation.invariant === 'harness')) return exitCodes.harness;
  if (result.violations.length > 0) return exitCodes.violation;
  const unfired = unfiredFaults(plan, result);
  // A plan whose faults no longer fire is not fixed: it no longer tests what it was kept for (said below).
  if (plan.found !== undefined && unfired.length === 0) {
    const missing = envChangedSince(plan.found.env);
    process.stderr.write(missing === ''
      ? `powercut: note: this plan was saved from a run that failed ${plan.found.invariant}, and it passes now: fixed, or that run leaned on something the plan does not record (an environment variable, a file outside the simulated root, a module's state)\n`
      : `powercut: note: this plan was saved from a run that failed ${plan.found.invariant} with ${missing.trim()} set, and it passes now, ${envHere(plan.found.env)}: rerun it as found with \`${missing}${withoutAssignments(reproduce(), plan.found.env)}\`\n`);
  }
  // A new user's seed stopped failing once he added a directory fsync, and nothing said why.
  if (fromSeed) process.stderr.write(`powercut: note: a seed's faults strike at I/O counts, so once the code under test makes other I/O they land elsewhere, and a seed that failed before may pass without the bug being gone; a failure kept as a shrunk plan (shrink --out FILE) keeps its faults at the steps they struck\n`);
  if (unfired.length > 0) {
    const missing = envChangedSince(plan.found?.env);
    // A plan found with a bug's variable set aims at I/O that may exist only with it (a new Raft user's "fixed" plan, exit 5 with no word of the variable).
    const env = missing === '' ? '' : `; it was found with ${missing.trim()} set, ${envHere(plan.found?.env)}: the I/O it aimed at may be that setting's only (rerun it as found with \`${missing}${withoutAssignments(reproduce(), plan.found?.env)}\`)`;
    process.stderr.write(`powercut: incomplete: ${unfired.length} scheduled fault${unfired.length === 1 ? '' : 's'} never fired (${unfiredList(unfired)}): the plan no longer reaches the I/O it was written for${env}\n`);
    return exitCodes.incomplete;
  }
  return exitCodes.ok;
}

/** `command` without the assignments of the names in `env` it starts with (a replay line is given the plan's own). */
function withoutAssignments(command: string, env: Readonly<Record<string, string>> = {}): string {
  return Object.keys(env).reduce((line, name) => line.replace(new RegExp(`(^| )${name}=(?:'[^']*'|\\S)* `), '$1'), command);
}

/**
 * A library workload whose setup failed: its trace so far is what explains it, written to the
 * `--trace` file when one was asked for, pointed to when not; then the error goes on to the
 * one-line report (exit 3).
 */
async function setupFailed(error: unknown, traceFile: string | undefined): Promise<never> {
  const trace = (error as { code?: unknown; trace?: unknown }).code === 'TARGET_SETUP' ? (error as { trace: readonly unknown[] }).trace : undefined;
  if (trace === undefined || !(error instanceof Error)) throw error;
  if (traceFile === undefined) {
    error.message += ` (rerun with --trace FILE for the ${trace.length} trace events of the setup: its I/O and console output)`;
  } else {
    await writeFile(traceFile, trace.map((event) => JSON.stringify(event)).join('\n') + (trace.length ? '\n' : ''), 'utf8');
    error.message += ` (the ${trace.length} trace events of the setup are in ${traceFile})`;
  }
  throw error;
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
    `engine: ${result.engine} (${result.module ?? 'reference'})`,
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
    lines.push(`  [${violation.invariant}] ${violation.place}: ${violation.message}`);
  }
  if (result.failedCalls.length > 0) lines.push('engine calls that failed (a real disk injects no faults; worth a look):', ...result.failedCalls.map((call) => `  ${call}`));
  if (result.harnessErrors.length > 0) lines.push(`harness errors: ${result.harnessErrors.length}`, ...result.harnessErrors.map((error) => `  ${error}`));
  const powerLoss = result.crashPoints.some((point) => point.simulated === 'power-loss');
  lines.push(killNineNote(powerLoss ? 'power-loss crash points were replayed as kill -9, which' : 'a kill -9', 'replay without --real'));
  lines.push(`data folder: ${result.dir} (${result.dirKept ? 'kept' : 'removed'})`);
  return lines;
}

/**
 * What `replay --real` says when the simulator's run of the plan fails and the real disk's does
 * not: not a pass of the plan, a failure the real disk could not show.
 */
export function notReproducedLine(simulatedViolations: number): string {
  return `not reproduced on the real disk: the simulated run of this plan fails (${simulatedViolations} violation${simulatedViolations === 1 ? '' : 's'}), the real one did not. A kill -9 there lands after the engine's calls of a step were issued, not at the I/O the plan crashes at, and a power loss, a torn write or an injected fault cannot be made at all: the simulated failure stands (replay without --real)`;
}

/** Replays `plan` on the real disk on the engine `module` names; prints; returns the exit code. */
async function replayReal(plan: Plan, module: string | undefined, dir: string | undefined): Promise<number> {
  const result = await replayPlanReal(plan, { engine: module, ...(dir === undefined ? {} : { dir }) });
  for (const line of realReplaySummary(plan, result)) console.log(line);
  if (result.harnessErrors.length > 0) process.stderr.write(`powercut: harness failure: ${result.harnessErrors[0]}\n`);
  else if (result.violations.length === 0 && result.simulatedViolations > 0) process.stderr.write(`powercut: ${notReproducedLine(result.simulatedViolations)}\n`);
  return realExitCode(result);
}

/** The plan in a plan file or in a regression corpus entry (which holds one). */
async function planDocument(file: string): Promise<unknown> {
  const document = await readJsonDocument(file);
  const format = (document as { format?: unknown } | null)?.format;
  return format === 'powercut-regression' ? parseEntry(document, file).plan : document;
}

const allEventsHelp = 'print every trace event, not only those around the first violation (or the last ones)';

const diskHelp = 'write the simulated disk at the first failed check to this new or empty folder: now/ (the files as read then), durable/ (what the platter held), disk-image.json';

export function register(program: Command): void {
  subjectOptions(program.command('repro'))
    .description('rerun one seed, tracing every event: print its plan, its violations and the trace events around the first (--all-events: every one; --trace FILE: all as JSON lines); exit 1 if it reproduces a violation')
    .option('--scenario <name>', 'scenario name (see: powercut list; not with --target)')
    .requiredOption('--seed <s>', 'the seed', integerOption(0))
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .option('--all-events', allEventsHelp)
    .option('--disk <dir>', diskHelp)
    .action(async (options: SubjectFlags & { scenario?: string; seed: number; trace?: string; disk?: string; allEvents?: boolean }) => {
      const subject = await subjectOf(options);
      const unit = unitOf(subject, options.scenario);
      const reproduce = (): string => reproCommand(invocationOf(process.argv, process.env, process.cwd()), subject, unit, options.seed);
      process.exitCode = await runOnce(subject, subject.plan(unit, options.seed), reproduce, options.trace, options.disk, true, options.allEvents === true);
    });

  program.command('replay')
    .description('run a plan file (any subject\'s plan, or a regression corpus entry); exit 1 if a violation is found')
    .argument('<file>', 'the plan file')
    .option('--engine <file>', 'run an engine plan on this engine instead of the one it names')
    .option('--target <file>', 'run a library workload\'s plan on this workload module instead of the one it names (a fixed copy, even under another name)')
    .option('--trace <file>', 'write the whole trace as JSON lines')
    .option('--all-events', allEventsHelp)
    .option('--real', 'run an engine plan against the real file system, with kill -9 in place of each crash point (see README, "The real disk")')
    .option('--dir <path>', 'with --real: the data folder (missing or empty), kept afterwards')
    .option('--disk <dir>', diskHelp)
    .action(async (file: string, options: { engine?: string; target?: string; trace?: string; real?: boolean; dir?: string; disk?: string; allEvents?: boolean }) => {
      if (options.dir !== undefined && options.real !== true) throw new UsageError('--dir needs --real');
      if (options.disk !== undefined && options.real === true) throw new UsageError('--disk writes the simulated disk; with --real the data folder is --dir, kept afterwards');
      if (options.trace !== undefined && options.real === true) throw new UsageError('--trace has no meaning with --real (a real process has no trace; replay without --real for it)');
      if (options.engine !== undefined && options.target !== undefined) throw new UsageError('give either --engine or --target, not both');
      const { subject, plan, note } = await openPlan(await planDocument(file), file, { engine: options.engine, target: options.target, renameWorkload: true });
      if (note !== undefined) process.stderr.write(`powercut: ${note}\n`);
      if (options.real === true) {
        if (subject.spec.kind !== 'engine') throw new UsageError('--real runs engine plans; a library workload\'s plan runs in the simulator only: on the real disk, run its workload with `powercut real --target FILE` (kill -9 at seeded moments)');
        process.exitCode = await replayReal(plan as Plan, subject.spec.module, options.dir);
        return;
      }
      process.exitCode = await runOnce(subject, plan, () => replayCommand(invocationOf(process.argv, process.env, process.cwd()), file, overrideArgs(options)), options.trace, options.disk, false, options.allEvents === true);
    });
}

/** The `--engine FILE` or `--target FILE` a replay was given, for its repro line. */
function overrideArgs(options: { readonly engine?: string | undefined; readonly target?: string | undefined }): string[] {
  if (options.engine !== undefined) return ['--engine', options.engine];
  return options.target === undefined ? [] : ['--target', options.target];
}
