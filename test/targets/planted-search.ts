/** Searches seeds 0, 1, … of a planted writer (planted-writers.ts) until one catches it. */
import { targetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { flawedWriter, type Flaws, type Layout } from './planted-writers.ts';

/** What a search found. */
export interface WriterSearch {
  readonly caught: boolean;
  /** Seeds run, up to and including the one that caught it. */
  readonly seeds: number;
  readonly invariant?: string;
  readonly message?: string;
}

/** Runs seeds of the writer with `flaws` (in `layout`) until a violation, at most `budget`. */
export async function searchWriter(id: string, flaws: Flaws, budget: number, layout: Layout = 'root'): Promise<WriterSearch> {
  const workload = flawedWriter(id, flaws, layout);
  for (let seed = 0; seed < budget; seed++) {
    const [first] = (await runTargetPlan(workload, targetPlan(workload, 'test', seed))).violations;
    if (first !== undefined) return { caught: true, seeds: seed + 1, invariant: first.invariant, message: first.message };
  }
  return { caught: false, seeds: budget };
}
