/**
 * Planted bugs caught per CPU-minute, this checkout side by side with an older one
 * (`npm run bench:mutants -- --baseline DIR`): the figure that counts for a campaign's speed.
 *
 * One child process per checkout (bench/mutant-searcher.ts) searches each planted bug under the
 * full fault model until the first violation or the budget; the two are asked in turn, one at a
 * time, the order swapped from one mutant to the next, so that a noisy, shared machine weighs
 * on both alike. CPU time (user + system, all threads of the child) is measured around the
 * search alone. Seeds-to-catch must match between checkouts whose runs are the same for the same
 * seed; the table shows both so a difference is seen.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { mutants } from '../test/mutants/catalogue.ts';
import { askInTurn, startChild } from './checkout-children.ts';

interface Reply {
  readonly id: string;
  readonly missing?: boolean;
  readonly caught?: boolean;
  readonly seeds?: number;
  readonly cpuMs?: number;
}

interface Side {
  readonly label: string;
  readonly child: ChildProcess;
  readonly replies: Reply[];
}

const searcher = fileURLToPath(new URL('./mutant-searcher.ts', import.meta.url));

/** Starts the searcher of `checkout` and waits until it has loaded. */
async function startSide(label: string, checkout: string): Promise<Side> {
  return { label, child: await startChild(searcher, checkout), replies: [] };
}

const perMinute = (replies: readonly Reply[]): number =>
  replies.filter((reply) => reply.caught).length / (replies.reduce((sum, reply) => sum + (reply.cpuMs ?? 0), 0) / 60_000);
const seedsPerCpuSecond = (replies: readonly Reply[]): number =>
  replies.reduce((sum, reply) => sum + (reply.seeds ?? 0), 0) / (replies.reduce((sum, reply) => sum + (reply.cpuMs ?? 0), 0) / 1000);

/**
 * Runs the comparison and prints the table and the totals.
 * @param baselineDir - the older checkout (its dependencies installed)
 * @param budget - seeds per mutant at most
 * @param only - mutant ids to run (all when undefined)
 */
export async function compareWithBaseline(baselineDir: string, budget: number, only: readonly string[] | undefined): Promise<void> {
  const current = await startSide('current', resolve(fileURLToPath(new URL('..', import.meta.url))));
  const baseline = await startSide('baseline', resolve(baselineDir));
  console.log(`mutant                    seeds (current / baseline)   CPU ms (current / baseline)   ratio`);
  let turn = 0;
  for (const mutant of mutants) {
    if (only && !only.includes(mutant.id)) continue;
    const [mine, theirs] = await askInTurn<Reply>(current.child, baseline.child, turn++, { id: mutant.id, budget });
    if (theirs.missing) {
      console.log(`${mutant.id.padEnd(25)} not in the baseline's catalogue`);
      continue;
    }
    current.replies.push(mine);
    baseline.replies.push(theirs);
    const seeds = `${mine.caught ? mine.seeds : 'no'} / ${theirs.caught ? theirs.seeds : 'no'}`;
    const cpu = `${mine.cpuMs!.toFixed(0)} / ${theirs.cpuMs!.toFixed(0)}`;
    console.log(`${mutant.id.padEnd(25)} ${seeds.padEnd(28)} ${cpu.padEnd(29)} ${(theirs.cpuMs! / mine.cpuMs!).toFixed(2)}x`);
  }
  for (const side of [current, baseline]) {
    const caught = side.replies.filter((reply) => reply.caught).length;
    console.log(`${side.label.padEnd(9)} caught ${caught}/${side.replies.length}, ${perMinute(side.replies).toFixed(0)} caught per CPU-minute, ${seedsPerCpuSecond(side.replies).toFixed(0)} seeds per CPU-second`);
    side.child.disconnect();
  }
  console.log(`ratio: ${(perMinute(current.replies) / perMinute(baseline.replies)).toFixed(2)}x caught per CPU-minute`);
}
