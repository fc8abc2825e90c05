/**
 * Swarm seeds per second once every thread is warm, in one thread and in two (this thread and a
 * worker), beside the same campaign from cold: what `--jobs 2` gives in steady state, and what
 * the warm-up of a fresh thread costs a short campaign. V8's flags are fixed when a process
 * starts, so each measurement (bench/swarm-warm-child.ts) runs in a child process, in turn with
 * V8's defaults and with the flags the `powercut` launcher starts campaigns with
 * (bin/v8-flags.mjs). Prints figures; asserts nothing. Part of `npm run bench:sim`.
 *
 * Usage: npx tsx bench/swarm-warm.ts [seeds per round, default 1000] [pairs of children, default 1] [looks]
 * (`looks` as `--looks`; absent, the looks swarm plans; 0, the work a seed did before second looks)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { v8Flags } from '../bin/v8-flags.mjs';
import { parallelCapacity } from './parallel-probe.ts';

const seeds = process.argv[2] ?? '1000';
const pairs = Number(process.argv[3] ?? 1);
const looks = process.argv[4] === undefined ? [] : [process.argv[4]];
const child = fileURLToPath(new URL('./swarm-warm-child.ts', import.meta.url));
console.log(`parallel capacity now: two threads do ${(await parallelCapacity()).toFixed(2)}× the work of one (2.00: two free cores)`);
for (let pair = 0; pair < pairs; pair++) {
  for (const flags of [[], v8Flags]) {
    console.log(`node ${flags.length === 0 ? '(V8 defaults)' : flags.join(' ')}:`);
    process.stdout.write(execFileSync(process.execPath, [...flags, '--import', 'tsx', child, seeds, ...looks], { encoding: 'utf8' }));
  }
}
