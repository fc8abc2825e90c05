/**
 * Searches the seeds of a careful-engine planted bug (careful-catalogue.ts) as `bench:mutants`
 * searches the reference engine's: its target scenarios round-robin, seed 0 upwards, until the
 * first violation; a plan the shipped example engine fails too is not counted as a catch.
 */
import { loadSubject } from '../../subjects/index.ts';
import type { Mutant } from './catalogue.ts';
import { writeCarefulCopy } from './careful-loader.ts';

/** What a search found. */
export interface CarefulSearch {
  readonly caught: boolean;
  /** Seeds run, up to and including the one that caught it. */
  readonly seeds: number;
  readonly scenario?: string;
  readonly seed?: number;
  readonly invariant?: string;
  readonly message?: string;
  /** Plans the shipped example engine failed too (skipped). */
  readonly referenceFailures: number;
}

/** The shipped example engine, as a user's `--engine` module. */
export const shippedCareful = 'examples/careful-engine/engine.ts';

/**
 * Runs up to `budget` seeds of `mutant`'s scenarios round-robin.
 * @returns the first seed that caught it, or how many ran
 */
export async function searchCarefulMutant(mutant: Mutant, budget: number): Promise<CarefulSearch> {
  const planted = await loadSubject({ kind: 'engine', module: writeCarefulCopy(mutant) });
  const shipped = await loadSubject({ kind: 'engine', module: shippedCareful });
  const count = mutant.scenarios.length;
  let referenceFailures = 0;
  for (let index = 0; index < budget; index++) {
    const scenario = mutant.scenarios[index % count]!;
    const seed = Math.floor(index / count);
    const run = await planted.run(planted.plan(scenario, seed));
    const [first] = run.violations;
    if (first === undefined) continue;
    if ((await shipped.run(shipped.plan(scenario, seed))).violations.length > 0) {
      referenceFailures++;
      continue;
    }
    return { caught: true, seeds: index + 1, scenario, seed, invariant: first.invariant, message: first.message, referenceFailures };
  }
  return { caught: false, seeds: budget, referenceFailures };
}
