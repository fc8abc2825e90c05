/**
 * What the assertions share (api/assert.ts, api/explore.ts): the plan a failure is kept in, the
 * error that names it with the one way to rerun it, and the replay of such a plan instead of the
 * search (`plan` option or `POWERCUT_PLAN`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envAssignments, envChangedSince, envHere, replayCommand, shellQuote, stableJson, unfiredFaults, unfiredList } from '../harness/index.ts';
import type { BasePlan, Subject } from '../harness/index.ts';
import type { PlanFinding, RunViolation } from '../sim/index.ts';
import { readJsonDocument } from '../sim/index.ts';
import { locatePlanSubject, openPlan } from '../subjects/index.ts';
import { CrashSafetyError, IncompleteError } from './errors.ts';
import { currentTestName } from './test-name.ts';
import { specOfInput, type SubjectInput } from './subject-input.ts';

/**
 * The plan file this assertion replays instead of searching: the `plan` option, always; else
 * `POWERCUT_PLAN`, when the plan names this assertion's subject (the same kind and module) and
 * was found by this assertion's search (`found.by`: a campaign's plan for `assertCrashSafe`, an
 * exploration's for `assertExploresClean`), so that a plan set for one test in the environment
 * leaves the other assertions of the run alone.
 * @param search - the search of the asking assertion
 */
export async function planToReplay(subject: SubjectInput, option: string | URL | undefined, search: 'campaign' | 'explore'): Promise<string | undefined> {
  // A plan named as a URL (`new URL('./bug.json', import.meta.url)`), as a module may be.
  if (option instanceof URL) return fileURLToPath(option);
  if (option !== undefined && option !== '') return option.startsWith('file:') ? fileURLToPath(option) : option;
  const fromEnv = process.env['POWERCUT_PLAN'];
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const document = await readJsonDocument(fromEnv);
  const named = locatePlanSubject(document, fromEnv);
  const mine = specOfInput(subject);
  const where = (module: string | undefined): string | undefined => (module === undefined ? undefined : resolve(module));
  if (named.kind !== mine.kind || where(named.module) !== where(mine.module)) return undefined;
  const found = (document as { found?: { by?: unknown; test?: unknown } } | null)?.found;
  // A plan that names the test it was found in replays in that test only, when the runner says which runs.
  const here = currentTestName();
  if (typeof found?.test === 'string' && here !== undefined && found.test !== here) return undefined;
  const by = found?.by === 'explore' ? 'explore' : 'campaign';
  return by === search ? fromEnv : undefined;
}

/** `{ test }`: the running test's name, for a plan's `found` ({@link PlanFinding.test}), when the test runner says it. */
export function foundInTest(): { readonly test?: string } {
  const test = currentTestName();
  return test === undefined ? {} : { test };
}

/** Replays one plan file on `input`'s subject and throws if it fails. @returns what the plan says of the failure it was saved for, if anything */
export async function replayOne(planFile: string, input: SubjectInput, invocation: string): Promise<PlanFinding | undefined> {
  const spec = specOfInput(input);
  const override = spec.kind === 'engine' ? { engine: spec.module } : { target: spec.module, renameWorkload: true };
  const { subject, plan } = await openPlan(await readJsonDocument(planFile), planFile, override);
  const result = await subject.run(plan);
  const violation = result.violations[0];
  if (violation === undefined) {
    const unfired = unfiredFaults(plan, result);
    if (unfired.length > 0) {
      throw new IncompleteError(`powercut: ${planFile} passes, but ${unfired.length === 1 ? 'its scheduled fault' : `${unfired.length} of its scheduled faults`} never fired (${unfiredList(unfired)}): the code changed under the plan, which no longer reaches the I/O it was written for and tests nothing there. Shrink the bug again from its seed on the new code with the bug put back, or remove the plan`);
    }
    return plan.found;
  }
  const broken = [...new Set(result.violations.map((found) => found.invariant))];
  throw failure(subject, violation, planFile, subject.unitOf(plan), plan.seed, [`replayed from the plan file; invariants broken: ${broken.join(', ')}`], invocation);
}

/**
 * Replays the plan file an assertion was given instead of searching ({@link planToReplay}) and
 * throws if it fails. A plan asked for from the environment is a rerun of a failure: that it
 * passes now is news (as `powercut replay` says), told as a warning the test runner shows with
 * the test; a `plan` option is a regression test, whose passing is the point, and passes quietly.
 */
export async function replayAsked(planFile: string, input: SubjectInput, invocation: string, option: string | URL | undefined): Promise<void> {
  const found = await replayOne(planFile, input, invocation);
  if (option === undefined || option === '') {
    const missing = envChangedSince(found?.env);
    console.warn(missing === ''
      ? `powercut: POWERCUT_PLAN=${planFile} passes now: fixed, or that run leaned on something the plan does not record (an environment variable, a file outside the simulated root)`
      : `powercut: POWERCUT_PLAN=${planFile} passes now, but it was found with ${missing.trim()} set (${envHere(found?.env)}): rerun it as found with ${missing}POWERCUT_PLAN=${planFile}, in the test that found it`);
  }
}

/**
 * What an assertion whose time budget ran out before its search did says as it passes: what ran
 * passed, the rest did not run (a new user's budgeted exploration passed without a word of it).
 */
export function partialPass(budgetSec: number | undefined, ran: number, planned: number, what: string): string {
  return `powercut: the time budget (${budgetSec} s) was spent after ${ran} of ${planned} ${what}: those passed, the rest did not run`;
}

/** Writes a failure's plan where a test can find it again (`-<suffix>` after the seed, when given). @returns the file */
export function writeFailure(dir: string | undefined, subject: Subject, plan: BasePlan, unit: string, seed: number, suffix = ''): string {
  const folder = dir ?? join('.powercut', 'failures');
  mkdirSync(folder, { recursive: true });
  // A library workload's unit is its own name: named once (`sonic-boom-2.json`, not `sonic-boom-sonic-boom-2.json`).
  const name = `${unit === subject.name ? `${unit}-${seed}` : `${subject.name}-${unit}-${seed}`}${suffix === '' ? '' : `-${suffix}`}`;
  // A name with spaces or brackets (`cowstore (no-dirsync)`) becomes dashes, one at a time, none at the ends.
  const file = join(folder, `${name.replace(/[^\w.@-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-|-$/g, '')}.json`);
  writeFileSync(file, stableJson(plan));
  return file;
}

/**
 * Which test to run with `POWERCUT_PLAN`: this one, by its name when the test runner says it (`-t`,
 * Jest's and Vitest's filter), and the plan names it too ({@link foundInTest}), so the file's
 * other assertions leave it alone; without a name (Node's test runner), this test alone, since
 * every assertion on the same subject replays the plan (a new user who reran his whole file saw
 * his other tests fail on it).
 */
function thisTestAlone(): string {
  const name = currentTestName();
  if (name === undefined) return 'this test again, alone (every assertion on this subject replays the plan)';
  // `-t` is a pattern over the names of the suites and the test joined by spaces (Vitest reports
  // them joined by ' > '): the test's own name, its pattern characters escaped, matches it.
  const own = name.split(' > ').at(-1)!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `this test: -t ${shellQuote(own)} (the plan names it: other tests leave the plan alone)`;
}

export function failure(subject: Subject, violation: RunViolation, file: string, unit: string, seed: number, facts: readonly string[], invocation: string): CrashSafetyError {
  const message = [
    `powercut: ${subject.label} failed the ${violation.invariant} check (${subject.unitWord} ${unit}, seed ${seed}):`,
    `  ${violation.message}`,
    // Where the code under test threw, for an engine error: the first frames of its stack.
    ...(violation.thrownAt ?? []).map((frame) => `    at ${frame}`),
    ...facts.map((fact) => `  ${fact}`),
    `  plan: ${file}`,
    // The environment the subject read (`BUG=x`) goes with both ways: without it the rerun would test another program.
    `  rerun exactly this: ${envAssignments()}POWERCUT_PLAN=${file} and run ${thisTestAlone()}, or: ${replayCommand(invocation, file)}`,
  ].join('\n');
  return new CrashSafetyError(message, violation.invariant, file, unit, seed);
}
