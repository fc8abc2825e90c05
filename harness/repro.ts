/**
 * Repro lines: the exact command that reruns one seed or one plan, as the user invoked powercut
 * (`npx powercut` in a project, `npm run -s powercut --` in powercut's own checkout, or the
 * binary's path), naming the subject's module so it reruns the same code.
 */
import { envAssignments } from './env-reads.ts';
import { shellQuote } from './shell-quote.ts';

export { shellQuote };
import type { BasePlan, Subject } from './subject.ts';

/** How a repro line starts when the caller does not say: what works in a project that installed powercut. */
export const invocationDefault = 'npx powercut';

/** A command line from an invocation prefix and arguments. */
export function commandLine(invocation: string, args: readonly string[]): string {
  return [invocation, ...args.map(shellQuote)].join(' ');
}

/**
 * The command that reruns seed `seed` of `unit` with the full trace, after the environment
 * variables the user's module read (harness/env-reads.ts).
 */
export function reproCommand<P extends BasePlan>(invocation: string, subject: Subject<P>, unit: string, seed: number): string {
  return envAssignments() + commandLine(invocation, ['repro', ...subject.subjectArgs(), ...subject.seedArgs(unit, seed)]);
}

/**
 * The command that replays a plan file, after the environment variables the user's module read.
 * @param subjectArgs - `--engine FILE` or `--target FILE` when it runs on another subject than the one the plan names
 */
export function replayCommand(invocation: string, file: string, subjectArgs: readonly string[] = []): string {
  return envAssignments() + commandLine(invocation, ['replay', file, ...subjectArgs]);
}

/**
 * The command that shrinks the seed a repro line reruns: `repro` becomes `shrink`, with the
 * minimal plan written to `out`.
 * @returns undefined for a line that reruns no seed (a `replay` of a plan file)
 */
export function shrinkCommand(repro: string, out = 'bug.json'): string | undefined {
  const at = repro.indexOf(' repro ');
  if (at < 0) return undefined;
  return `${repro.slice(0, at)} shrink ${repro.slice(at + ' repro '.length)} --out ${shellQuote(out)}`;
}

/**
 * What to do next with a campaign's first root cause: its shrink command, or undefined when it
 * is to be rerun instead: a line that reruns no seed, a `harness` violation (the run threw:
 * the workload or the harness could not run it, an unsupported call say), which shrinking
 * cannot make smaller, or a run that spun (each candidate would spin again, for the limit).
 * @param root - the first violation of the root cause
 * @param afterLook - whether the root is its run's second (triage.ts `FailingRun.afterLook`): the
 *   shrink then names its invariant, or it would shrink the run's first violation, a look's
 */
export function nextShrinkCommand(root: { readonly invariant: string; readonly repro: string; readonly spun?: true | undefined }, afterLook = false): string | undefined {
  const shrink = root.invariant === 'harness' || root.spun === true ? undefined : shrinkCommand(root.repro);
  return shrink === undefined || !afterLook ? shrink : `${shrink} --invariant ${shellQuote(root.invariant)}`;
}
