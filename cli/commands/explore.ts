/**
 * `powercut explore`: crashes a short fault-free prefix of one seed's plan at every I/O
 * operation, with kill -9 and each power-loss crash state, and second looks at other disks from
 * the kill -9 and state 0 runs (harness/explore.ts). Exit 1 on any violation.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { aimedPlan, commandLine, envAssignments, findingOf, replayCommand, stableJson, type BasePlan, type ExploreResult } from '../../harness/index.ts';
import { commandArgs, invocationOf } from '../invocation.ts';
import { crashName, exploreLooksDefault, exploreRecoveryCrashesDefault, exploreRecoverySyncsDepth, exploreStatesDefault, exploreStatesFor, explorePlan, threadsExecutor } from '../../harness/index.ts';
import { workerScript } from '../../subjects/index.ts';
import { everyFewSeconds } from '../progress.ts';
import { exitCodes } from '../errors.ts';
import { interruptOnSigint } from '../interrupt.ts';
import { checkOutputFile } from '../report-dir.ts';
import { integerOption, secondsOption } from '../options.ts';
import { planOf, subjectOptions, type PlanFlags } from '../subject-flags.ts';

/** Where the repro line of an exploration without `--out` writes the plan of its first violation. */
const exploreOutDefault = 'explore-bug.json';

interface ExploreFlags extends PlanFlags {
  readonly states?: number;
  readonly recoveryCrashes?: number;
  readonly syncFaults: boolean;
  readonly writeFaults: boolean;
  readonly readFaults: boolean;
  readonly rotLooks: boolean;
  readonly steps?: number;
  readonly out?: string;
  readonly jobs: number;
  readonly timeBudget?: number;
}

/** Registers `explore` on `program`. */
export function registerExplore(program: Command): void {
  subjectOptions(program.command('explore'))
    .description('crash a short fault-free workload at every I/O operation (kill -9 and K power-loss states; the kill -9 run and the run in state 0 of each crash point also look at up to 16 other disks each power loss could have left: --looks N, 0 for none), crash each recovery again, and fail each sync, write and read once')
    .option('--scenario <name>', 'scenario name (with --seed; not with --target)')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'explore a plan file instead of a seed')
    .option('--states <k>', `power-loss crash states per crash point (default: ${exploreStatesDefault}, or 12 on a disk that keeps directory operations per name)`, integerOption(1))
    .option('--recovery-crashes <n>', `I/Os after each crash point's kill -9 (its recovery) crashed again, by kill -9 and by a power loss keeping nothing unsynced, then as many of its later I/Os that change the disk; 0: none (default: ${exploreRecoveryCrashesDefault})`, integerOption(0))
    .option('--no-sync-faults', `do not also fail each sync of the clean run, and each in the first ${exploreRecoverySyncsDepth} I/Os after each kill -9 (its recovery), once in a run of its own that ends with a power loss`)
    .option('--no-write-faults', `do not also fail each write of the clean run, and each in the first ${exploreRecoverySyncsDepth} I/Os after each kill -9, once with an I/O error and, where it adds a block to its file, once with a full disk, in a run of its own that ends with a power loss`)
    .option('--no-read-faults', `do not also fail each read of the clean run, and each in the first ${exploreRecoverySyncsDepth} I/Os after each kill -9, once with an I/O error in a run of its own that ends with a power loss`)
    .option('--no-rot-looks', 'do not also look, at each crash point\'s kill -9, at the disk with a bit rotted in the newest durable data (an engine\'s), for a design that cannot tell a rotted last record from a torn one')
    .option('--steps <n>', 'steps (a workload\'s operations) kept from the plan (default: 12 for an engine, 4 for a workload)', integerOption(1))
    .option('--out <file>', 'write the plan of the first violation here')
    .option('--jobs <n>', 'threads running the crashes: 1 is this one, more are n worker threads (worth it for long workloads: a worker takes ~0.3 s to start)', integerOption(1), 1)
    .option('--time-budget <sec>', 'stop starting crash candidates this many seconds after the command started; under a budget they run in an order spread over every crash point and kind', secondsOption)
    .action(async (flags: ExploreFlags) => {
      if (flags.out !== undefined) checkOutputFile('--out', flags.out);
      const { subject, plan } = await planOf(flags);
      const executor = threadsExecutor(subject, flags.jobs, workerScript);
      const states = flags.states ?? exploreStatesFor(plan);
      const looks = flags.looks ?? exploreLooksDefault;
      const recoveryCrashes = flags.recoveryCrashes ?? exploreRecoveryCrashesDefault;
      const interrupt = interruptOnSigint('crash candidates');
      let result;
      try {
        result = await explorePlan(subject, plan, { states, looks, recoveryCrashes, syncFaults: flags.syncFaults, writeFaults: flags.writeFaults, readFaults: flags.readFaults, rotLooks: flags.rotLooks, executor, onProgress: progressLine(), signal: interrupt.signal, ...(flags.steps !== undefined ? { size: flags.steps } : {}),
          // The budget counts from the start of the command (the process), as run's does.
          ...(flags.timeBudget !== undefined ? { timeBudgetSec: flags.timeBudget, startedAtMs: 0 } : {}) });
      } finally {
        interrupt.dispose();
        await executor.close();
      }
      const again = recoveryCrashes > 0 ? `, and each kill -9 crashed again at the first ${recoveryCrashes} I/Os of its recovery and up to ${recoveryCrashes} later ones that change the disk (${result.recoveryCrashes} places in all)` : '';
      const failed = [
        ...(result.syncFaults > 0 ? [`${result.syncFaults} in which one sync failed`] : []),
        ...(result.writeFaults > 0 ? [`${result.writeFaults} in which one write failed (an I/O error, a full disk or a short count)`] : []),
        ...(result.readFaults > 0 ? [`${result.readFaults} in which one read failed`] : []),
      ];
      const last = failed.length > 1 ? ` and ${failed.pop()!}` : '';
      const syncs = failed.length > 0 ? `, and runs ${failed.join(', ')}${last}, then a ${result.powerLossStates > 0 ? 'power loss' : 'kill -9'}` : '';
      const kinds = result.powerLossStates > 0 ? `(kill-9 + ${result.powerLossStates} power-loss states)` : 'kill-9 (the workload has no power losses)';
      console.log(`${subject.unitOf(plan)} seed ${plan.seed}: ${subject.shrink.stepCount(result.plan)} steps, ${result.crashPoints} crash points x ${kinds}, plus the end${again}${syncs}: ${result.statesExplored} states`);
      console.log(`${result.runs} runs in ${(result.elapsedMs / 1000).toFixed(1)} s (${result.runsPerSecond.toFixed(result.runsPerSecond < 10 ? 1 : 0)} runs/s)`);
      if (result.stoppedByTimeBudget) console.log(budgetLine(result, flags.timeBudget!));
      if (result.interrupted) console.log(`interrupted (Ctrl-C): ${result.statesExplored} of ${result.candidates} crash candidates run, in order from the first crash point; the other ${result.candidates - result.statesExplored} were not run`);
      const rot = subject.spec.kind === 'engine' && flags.rotLooks ? ', or with a bit rotted in the newest durable data at each kill -9' : '';
      if (looks > 0 && (result.looks > 0 || result.powerLossStates > 0)) console.log(`second looks: ${result.looks} other disks the power losses of the kill -9 and state 0 runs could have left (up to ${looks} each)${rot}, recovered and checked`);
      if (result.sameStates > 0) console.log(`${result.sameStates} power-loss states left the same disk as an earlier state at the same crash point: their outcome is that state's (run once per thread)`);
      // A library workload's run always ends with a crash and a check; an engine's need not.
      const clean = subject.spec.kind === 'library' ? 'with no crash injected (only the final one every workload run ends with)' : 'without any crash';
      for (const violation of result.cleanViolations) console.log(`${clean}: ${violation.invariant}: ${violation.message}`);
      if (result.sameAsClean > 0) console.log(`${result.sameAsClean} run${result.sameAsClean === 1 ? '' : 's'} with a crash failed that way too, which needs no crash: not listed below, as crashes' violations`);
      for (const violation of result.violations) {
        const at = violation.io === 'end' ? 'a power loss after the last step' : `I/O ${violation.io}`;
        console.log(`violation: ${violation.invariant}: ${violation.message} (first at ${at}, ${crashName(violation)}; ${violation.count} run${violation.count === 1 ? '' : 's'}, after: ${crashesShown(violation.crashes)})`);
      }
      for (const finding of result.findings) {
        console.log(`finding (apart from violations): ${finding.invariant}: ${finding.message} (${finding.count} run${finding.count === 1 ? '' : 's'}, after: ${crashesShown(finding.crashes)})`);
      }
      const first = result.violations[0];
      if (first && flags.out !== undefined) {
        // Aimed by step, the plan stays aimed when a fix adds I/O before its fault (harness/aim.ts).
        const kept = await aimedPlan(subject, first.plan, first.invariant);
        await writeFile(flags.out, stableJson({ ...kept, found: { ...findingOf(first), by: 'explore' } }));
        console.log(`wrote the plan of the first violation to ${flags.out}`);
      } else if (first) {
        // The plan is the exploration's own (a crash or a failed sync at an I/O), not a seed's: it is written, then replayed (`;`: explore exits 1 on the violation).
        const invocation = invocationOf(process.argv, process.env, process.cwd());
        const write = envAssignments() + commandLine(invocation, [...commandArgs(process.argv, 'explore'), '--out', exploreOutDefault]);
        console.log(`to reproduce the first violation (or shrink --plan it): ${write}; ${replayCommand(invocation, exploreOutDefault)}`);
      }
      const all = [...result.cleanViolations, ...result.violations];
      const steps = subject.shrink.stepCount(result.plan);
      if (all.length === 0 && result.statesExplored > 0) console.log(result.stoppedByTimeBudget || result.interrupted ? `no violation in the ${result.statesExplored} of ${result.candidates} crash candidates run of the first ${steps} steps` : `no violation in the first ${steps} steps (--steps N explores a longer prefix)`);
      const untested = result.crashPoints === 0 ? 'the clean run did no I/O to crash at'
        : result.statesExplored === 0 ? `the time budget was spent before the first crash candidate started (${(result.elapsedMs / 1000).toFixed(1)} s; give a larger --time-budget)` : undefined;
      if (untested !== undefined) process.stderr.write(`powercut: nothing was tested: ${untested}\n`);
      process.exitCode = all.some((v) => v.invariant === 'harness') ? exitCodes.harness : all.length > 0 ? exitCodes.violation
        : result.interrupted ? exitCodes.interrupted : untested !== undefined ? exitCodes.nothingTested : exitCodes.ok;
    });
}

/**
 * A line on stderr every {@link progressEverySec} seconds of a long exploration (a new user's
 * PGlite exploration printed nothing for seven minutes); a short one prints none.
 */
export function progressLine(nowMs?: () => number, write?: (line: string) => void): (done: number, total: number) => void {
  const every = everyFewSeconds(nowMs, write);
  return (done, total) => every((seconds) => `powercut: explore: ${done} of ${total} crash candidates run in ${seconds} s`);
}

/** What an exploration cut short by its time budget says it left out. */
export function budgetLine(result: Pick<ExploreResult<BasePlan>, 'statesExplored' | 'candidates'>, budgetSec: number): string {
  return `the time budget (${budgetSec} s) ran out: ${result.statesExplored} of ${result.candidates} crash candidates run, spread over every crash point and kind; the other ${result.candidates - result.statesExplored} were not run (a larger --time-budget, or fewer --steps, explores them all)`;
}

/** How many kinds of crash a violation line names before it counts the rest. */
export const crashKindsShownMax = 4;

/**
 * The kinds of crash that showed a violation, the first {@link crashKindsShownMax}, then how many
 * more; apart by semicolons, as a kind's own name may hold a comma (`kill-9, then power-loss
 * state 33 at I/O 9 after the restart`).
 */
export function crashesShown(crashes: readonly string[]): string {
  const more = crashes.length - crashKindsShownMax;
  return more > 0 ? `${crashes.slice(0, crashKindsShownMax).join('; ')}; and ${more} more kind${more === 1 ? '' : 's'} of crash` : crashes.join('; ');
}
