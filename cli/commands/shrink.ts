/**
 * `powercut shrink`: minimises the failing plan of one seed or plan file (harness/shrink.ts) and
 * writes it as JSON, ready for `powercut replay` or for a regression corpus. The plan written is
 * checked to fail in a fresh thread (harness/fresh-thread.ts); the unshrunk one is written when
 * only it does. Exit 1 when a failing plan was written; 3 when no plan fails in a fresh thread
 * (the failure depends on what ran before it); 0 when the plan does not fail (nothing is written).
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { findingOf, stableJson, unfiredFaults, unfiredList, type BasePlan } from '../../harness/index.ts';
import { replayCommand } from '../../harness/index.ts';
import { keptPlanNote, planToKeep, shrinkPlan, shrinkRunsMaxDefault } from '../../harness/index.ts';
import { crashStateWords, scheduledLabel } from '../../sim/index.ts';
import { workerScript } from '../../subjects/index.ts';
import { exitCodes } from '../errors.ts';
import { shrinkDriftNote } from '../format.ts';
import { checkOutputFile } from '../report-dir.ts';
import { everyFewSeconds } from '../progress.ts';
import { invocationOf } from '../invocation.ts';
import { integerOption } from '../options.ts';
import { planOf, subjectOptions, type PlanFlags } from '../subject-flags.ts';

interface ShrinkFlags extends PlanFlags {
  readonly out: string;
  readonly invariant?: string;
  readonly runsMax?: number;
  readonly reanchor: boolean;
}

/**
 * The crash states a shrunk plan lists, or what its power losses settle on when it lists none:
 * `crash states []` beside a scheduled power loss sent a new user looking for what was missing.
 * Nothing for a plan that can lose no power (a library workload's kill -9 alone), whose user
 * read that note as one more thing to look at.
 */
export function crashStatesText(plan: { readonly crashStates?: readonly number[] | undefined; readonly faults: Pick<BasePlan['faults'], 'rates' | 'scheduled'>; readonly finalCrash?: string }): string {
  const states = plan.crashStates;
  if (states !== undefined && states.length > 0) return `crash states [${states.join(', ')}]`;
  const powerLoss = plan.finalCrash !== 'kill-9' || (plan.faults.rates['power-loss'] ?? 0) > 0 || (plan.faults.scheduled ?? []).some((fault) => fault.kind === 'power-loss');
  return powerLoss ? `no crash states listed (a power loss settles on state 0: ${crashStateWords(0)})` : 'no power loss (kill -9 alone: no crash state to settle)';
}

/** Registers `shrink` on `program`. */
export function registerShrink(program: Command): void {
  subjectOptions(program.command('shrink'))
    .description('minimise the failing plan of one seed (or plan file) and write it as JSON')
    .option('--scenario <name>', 'scenario name (with --seed; not with --target)')
    .option('--seed <n>', 'seed', integerOption(0))
    .option('--plan <file>', 'shrink a plan file instead of a seed')
    .requiredOption('--out <file>', 'where to write the shrunk plan')
    .option('--invariant <name>', 'the invariant that must keep failing (default: the first one that fails)')
    .option('--runs-max <n>', `run budget (default: ${shrinkRunsMaxDefault})`, integerOption(1))
    .option('--no-reanchor', 'do not re-anchor scheduled faults when steps are removed')
    .action(async (flags: ShrinkFlags) => {
      checkOutputFile('--out', flags.out);
      const { subject, plan } = await planOf(flags);
      const started = performance.now();
      const runsMax = flags.runsMax ?? shrinkRunsMaxDefault;
      const progress = everyFewSeconds();
      const result = await shrinkPlan(subject, plan, {
        runsMax, reanchor: flags.reanchor, ...(flags.invariant !== undefined ? { invariant: flags.invariant } : {}),
        onRun: (runs, current) => progress((seconds) => `powercut: shrink: ${runs} of at most ${runsMax} runs in ${seconds} s; the plan now: ${subject.shrink.describeSize(current)}`),
      });
      const what = `${flags.plan === undefined ? '' : `the plan ${flags.plan} (`}${subject.unitOf(plan)} seed ${plan.seed}${flags.plan === undefined ? '' : ')'}`;
      if (!result.violation) {
        // Asked for an invariant it does not fail, say which it does: a mistyped name reads as a pass otherwise.
        const failing = flags.invariant === undefined ? [] : [...new Set((await subject.run(plan)).violations.map((violation) => violation.invariant))];
        const instead = failing.length === 0 ? '' : ` (it fails ${failing.join(', ')}: --invariant ${failing[0]})`;
        console.log(`${what} does not fail${flags.invariant !== undefined ? ` the ${flags.invariant} invariant` : ''}${instead}: nothing to shrink, nothing written`);
        // A kept plan that passes because the code moved under it tests nothing: said, exit 5 as replay's.
        const unfired = flags.plan === undefined ? [] : unfiredFaults(plan, await subject.run(plan));
        if (unfired.length > 0) {
          process.stderr.write(`powercut: incomplete: ${unfired.length} of its scheduled faults never fired (${unfiredList(unfired)}): the code changed under the plan. Shrink the bug from its seed instead (${subject.spec.kind === 'engine' ? `--scenario ${subject.unitOf(plan)} ` : ''}--seed ${plan.seed}) on the new code with the bug put back\n`);
          process.exitCode = exitCodes.incomplete;
          return;
        }
        process.exitCode = exitCodes.ok;
        return;
      }
      // What a user's replay will see: the plan run alone, in a thread that ran nothing else.
      const kept = await planToKeep(subject, plan, result.plan, result.violation.invariant, workerScript);
      await writeFile(flags.out, stableJson({ ...kept.plan, found: findingOf(result.violation) }));
      const seconds = (performance.now() - started) / 1000;
      const faults = (result.plan.faults.scheduled ?? []).map(scheduledLabel).join(', ') || 'none';
      // The shrunk plan's violation, said to be its: a new user read it as the input's.
      console.log(`${what}, shrunk: ${result.violation.invariant}: ${result.violation.message}`);
      console.log(`before: ${result.before}`);
      if (result.explicit !== undefined) console.log(`pinned: ${result.explicit} (the faults that fired, each scheduled at its I/O, and the crash states drawn)`);
      console.log(`after:  ${result.after}; scheduled ${faults}; ${crashStatesText(result.plan)}`);
      console.log(`runs:   ${result.runs}${result.budgetExhausted ? ' (budget exhausted: the plan may shrink further with a larger --runs-max)' : ''} in ${seconds.toFixed(1)} s; faults ${result.explicitFaults ? 'made explicit' : 'left as rates (the run with the faults that fired scheduled at their I/O did not fail the same way)'}; ${result.reanchored} removals kept by re-anchoring faults`);
      const drift = shrinkDriftNote(result.original, result.violation);
      if (drift !== undefined) console.log(drift);
      const note = keptPlanNote(kept.which, result.violation.invariant);
      if (kept.which === 'shrunk') console.log(note);
      else console.error(`powercut: warning: ${note}`);
      console.log(`wrote ${flags.out}${kept.which === 'unshrunk' ? ' (the unshrunk plan)' : ''}; replay: ${replayCommand(invocationOf(process.argv, process.env, process.cwd()), flags.out)}`);
      process.exitCode = result.violation.invariant === 'harness' || kept.which === 'unreproduced' ? exitCodes.harness : exitCodes.violation;
    });
}
