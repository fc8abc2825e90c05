/**
 * Whether a plan fails in a thread that has run nothing else: what a user's `replay` will see.
 * A shrink runs hundreds of candidates in one thread, and code under test that keeps state from
 * one run to the next there (a module loaded once, a global cache) can make a candidate fail
 * that fails nowhere else; so can the seed the campaign reported. Asked once per shrink, it
 * costs one worker's start (~0.2 s) and one run.
 */
import { WorkerPool, WorkerStartError } from './pool.ts';
import type { BasePlan, Subject } from './subject.ts';

/**
 * Whether `plan` breaks `invariant` when run alone in a fresh worker thread.
 * @param workerScript - the campaign workers' entry module (subjects/index.ts `workerScript`)
 */
export async function failsInFreshThread<P extends BasePlan>(subject: Subject<P>, plan: P, invariant: string, workerScript: URL): Promise<boolean> {
  const pool = new WorkerPool(1, workerScript, subject.spec);
  try {
    const run = await pool.run({ unit: subject.unitOf(plan), seed: plan.seed, plan });
    return run.violations.some((violation) => violation.invariant === invariant);
  } catch (error) {
    // A run that threw there did not fail the same way; a worker that could not start says nothing.
    if (error instanceof WorkerStartError) throw error;
    return false;
  } finally {
    await pool.close();
  }
}

/** Which plan to keep for a failure, as {@link planToKeep} decides. */
export interface KeptPlan<P extends BasePlan> {
  readonly plan: P;
  /**
   * `shrunk`: the shrunk plan fails in a fresh thread; `unshrunk`: only the plan it was shrunk
   * from does (shrinking leaned on state kept between runs); `unreproduced`: neither does, and
   * the shrunk plan is kept for what it is worth.
   */
  readonly which: 'shrunk' | 'unshrunk' | 'unreproduced';
}

/**
 * The plan to write for a failure of `invariant`: the shrunk one when it fails in a fresh
 * thread, else the one it was shrunk from when that one does, else the shrunk one, said to
 * reproduce nowhere but where it was found.
 */
export async function planToKeep<P extends BasePlan>(subject: Subject<P>, original: P, shrunk: P, invariant: string, workerScript: URL): Promise<KeptPlan<P>> {
  if (await failsInFreshThread(subject, shrunk, invariant, workerScript)) return { plan: shrunk, which: 'shrunk' };
  if (await failsInFreshThread(subject, original, invariant, workerScript)) return { plan: original, which: 'unshrunk' };
  return { plan: shrunk, which: 'unreproduced' };
}

/** What a shrink says of the plan it kept, after `which` ({@link KeptPlan}). */
export function keptPlanNote(which: KeptPlan<BasePlan>['which'], invariant: string): string {
  switch (which) {
    case 'shrunk':
      return `checked: it fails ${invariant} in a fresh thread too`;
    case 'unshrunk':
      return `the shrunk plan does not fail ${invariant} in a fresh thread (shrinking ran it after other runs in one thread, and the code under test kept state from them: a module loaded once, a cache); kept the unshrunk plan, which does`;
    default:
      return `neither the shrunk plan nor the one it came from fails ${invariant} in a fresh thread: the failure depends on what ran before it in the same thread (state the code under test keeps between runs), so replay will not reproduce it`;
  }
}
