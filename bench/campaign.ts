/**
 * Campaign benchmark, side by side: the same `powercut run` commands against this checkout and
 * (with `--baseline DIR`) an older checkout, interleaved round by round so that both see the
 * same machine load. Each run is a child process; its CPU time (user + system, from the
 * children's counters in /proc/self/stat) is the figure, wall time is printed beside it.
 * Prints a table; asserts nothing.
 *
 * Usage: npm run bench:campaign [-- --baseline /path/to/older/checkout] [--rounds 3]
 * The baseline checkout needs its dependencies installed; its bin is run as it is (so each side
 * starts campaigns as its own launcher does). The swarm seeds stop at 4,000: seed 4003 fails on
 * the checkout issue 16 was filed on (03d6e56), whose bug was fixed since. The first command runs
 * the scenarios both checkouts have (from each side's `powercut list`), so that both run the same
 * seeds: `all` would give a newer checkout more scenarios, and more seeds, than an older one.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const TICKS_PER_SECOND = 100;

interface Sample {
  readonly cpuMs: number;
  readonly wallMs: number;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** CPU time of all waited-for children so far, in ms (cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  return ((cutime + cstime) * 1000) / TICKS_PER_SECOND;
}

function runOnce(root: string, args: readonly string[]): Sample {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, [resolve(root, 'bin/powercut.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  const wallMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`${root}: powercut ${args.join(' ')} exited ${result.status}: ${result.stderr.split('\n')[0]}`);
  return { cpuMs: childrenCpuMs() - cpuBefore, wallMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The scenario names `powercut list` prints in `root` (a name starts a line; descriptions follow it). */
function scenarioNames(root: string): string[] {
  const result = spawnSync(process.execPath, [resolve(root, 'bin/powercut.mjs'), 'list'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${root}: powercut list exited ${result.status}: ${result.stderr.split('\n')[0]}`);
  return result.stdout.split('\n').filter((line) => /^\S/.test(line)).map((line) => line.split(/\s+/)[0]!);
}

const here = resolve('.');
const baselineArg = argument('--baseline');
const baseline = baselineArg ? resolve(baselineArg) : undefined;
const rounds = Number(argument('--rounds') ?? '3');
const theirNames = baseline === undefined ? undefined : new Set(scenarioNames(baseline));
const shared = scenarioNames(here).filter((name) => theirNames === undefined || theirNames.has(name));
if (shared.length === 0) throw new Error('the two checkouts have no scenario in common');

const commands: readonly (readonly string[])[] = [
  ['run', '--scenario', ...shared, '--seeds', '200', '--jobs', '1'],
  ['run', '--scenario', 'swarm', '--seeds', '1000', '--jobs', '1'],
  ['run', '--scenario', 'swarm', '--seeds', '1000', '--jobs', '2'],
  ['run', '--scenario', 'swarm', '--seeds', '4000', '--jobs', '2'],
];

console.log(`| command | this build: CPU s (wall s) | ${baseline ? `baseline ${baseline}: CPU s (wall s) | CPU ratio baseline/this` : 'baseline'} |`);
console.log(`|---|---:|${baseline ? '---:|---:|' : '---|'}`);
for (const args of commands) {
  const mine: Sample[] = [];
  const theirs: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    mine.push(runOnce(here, args));
    if (baseline) theirs.push(runOnce(baseline, args));
  }
  const cell = (samples: Sample[]) => `${(median(samples.map((s) => s.cpuMs)) / 1000).toFixed(1)} (${(median(samples.map((s) => s.wallMs)) / 1000).toFixed(1)})`;
  const ratio = baseline ? (median(theirs.map((s) => s.cpuMs)) / median(mine.map((s) => s.cpuMs))).toFixed(2) : '';
  const shown = args === commands[0] ? ['run', '--scenario', `(the ${shared.length} both have)`, ...args.slice(-4)] : args;
  console.log(`| \`powercut ${shown.join(' ')}\` | ${cell(mine)} | ${baseline ? `${cell(theirs)} | ${ratio}×` : '-'} |`);
}

const { parallelCapacity } = await import('./parallel-probe.ts');
console.log(`\nparallel capacity of this machine after the runs: two threads did ${(await parallelCapacity()).toFixed(2)}× the work of one (2.00: two free cores)`);
