/**
 * Shrinking benchmark: the plans the shrinker leaves for every planted bug of
 * test/mutants/catalogue.ts, at the (scenario, seed) `bench:mutants` last caught it with
 * (bench/results/mutants.json), this checkout side by side with an older one.
 *
 * Usage: npm run bench:shrink -- --baseline DIR [--runs 2000] [--only id,id]
 * Without `--baseline` it shrinks with this checkout alone.
 *
 * One child process per checkout (bench/shrink-child.ts), asked in turn. Prints, per planted
 * bug, steps/ops/faults of the shrunk plan and the runs spent on each side, then the totals: a
 * shrunk plan is a regression test a user keeps and reads, so fewer steps and faults is better,
 * as long as the same invariant still fails.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ask, askInTurn, startChild } from './checkout-children.ts';

interface Reply {
  readonly id: string;
  readonly missing?: boolean;
  readonly failed?: boolean;
  readonly invariant?: string;
  readonly steps?: number;
  readonly ops?: number;
  readonly faults?: number;
  readonly runs?: number;
  readonly cpuMs?: number;
}

interface Caught {
  readonly id: string;
  readonly scenario: string;
  readonly seed: number;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const here = resolve(fileURLToPath(new URL('..', import.meta.url)));
const runsMax = Number(option('runs') ?? 2000);
const only = option('only')?.split(',');
const baselineDir = option('baseline');

/** The (scenario, seed) each planted bug was last caught with. */
function caughtPlans(): Caught[] {
  const rows = (JSON.parse(readFileSync(resolve(here, 'bench/results/mutants.json'), 'utf8')) as { rows: { id: string; results: { full: { scenario?: string; seed?: number } } }[] }).rows;
  return rows.flatMap((row) => {
    const { scenario, seed } = row.results.full;
    if (scenario === undefined || seed === undefined || (only && !only.includes(row.id))) return [];
    return [{ id: row.id, scenario, seed }];
  });
}

const size = (reply: Reply): string => (reply.missing ? 'missing' : !reply.failed ? 'no failure' : `${reply.steps}/${reply.ops}/${reply.faults} in ${reply.runs}`);

async function main(): Promise<void> {
  const script = fileURLToPath(new URL('./shrink-child.ts', import.meta.url));
  const current = await startChild(script, here);
  const baseline: ChildProcess | undefined = baselineDir === undefined ? undefined : await startChild(script, resolve(baselineDir));
  const totals = { current: [0, 0, 0, 0], baseline: [0, 0, 0, 0] };
  console.log(`planted bug                   scenario/seed            steps/ops/faults in runs: current${baseline ? ' | baseline' : ''}`);
  let turn = 0;
  for (const caught of caughtPlans()) {
    const request = { ...caught, runsMax };
    const [mine, theirs] = baseline === undefined ? [await ask<Reply>(current, request), undefined] : await askInTurn<Reply>(current, baseline, turn++, request);
    // Totals over the planted bugs both sides shrank, so they compare.
    if (mine.failed && (theirs === undefined || theirs.failed)) {
      add(totals.current, mine);
      if (theirs !== undefined) add(totals.baseline, theirs);
    }
    console.log(`${caught.id.padEnd(29)} ${`${caught.scenario} ${caught.seed}`.padEnd(24)} ${size(mine).padEnd(22)}${theirs ? ` | ${size(theirs)}` : ''}`);
  }
  const line = (label: string, [steps, ops, faults, runs]: number[]): string => `${label}: ${steps} steps, ${ops} ops, ${faults} faults, ${runs} runs`;
  console.log(line('current total', totals.current));
  if (baseline) console.log(line('baseline total', totals.baseline));
  current.disconnect();
  baseline?.disconnect();
}

function add(total: number[], reply: Reply): void {
  total[0]! += reply.steps!;
  total[1]! += reply.ops!;
  total[2]! += reply.faults!;
  total[3]! += reply.runs!;
}

await main();
