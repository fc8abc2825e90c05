/**
 * Fixed costs a user pays on every command, measured side by side with an older build when one
 * is given (these machines are noisy: only ratios in one run mean something):
 * - `powercut --help`: wall time of the bin (median of 7);
 * - a campaign worker ready to run seeds: the first seed of a fresh worker minus the same seed on
 *   the warm worker (median of 5 fresh pools), in wall time and in CPU time;
 * - `run --scenario swarm --seeds 1000000000 --time-budget 5 --jobs 1`: wall time and peak RSS
 *   (GNU time), which lazy seeds and a budget counted from the command's start keep flat.
 *
 * Usage: npm run bench:startup [-- --baseline /path/to/an/older/checkout]
 * The baseline checkout needs its dependencies installed; its bin is run as it is.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const baselineAt = process.argv.indexOf('--baseline');
const baseline = baselineAt >= 0 ? resolve(process.argv[baselineAt + 1]!) : undefined;

function timed(command: string, args: readonly string[], cwd: string): Promise<{ ms: number; code: number; stderr: string }> {
  return new Promise((done) => {
    const started = performance.now();
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      done({ ms: performance.now() - started, code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr });
    });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function helpMs(checkout: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) times.push((await timed(process.execPath, [join(checkout, 'bin/powercut.mjs'), '--help'], checkout)).ms);
  return median(times);
}

/**
 * The first seed of a fresh worker minus the same seed on the warm worker, with the compiled
 * worker (dist/), in wall time and in CPU time (all threads). Measured in a plain `node` child
 * (bench/worker-ready.mjs), as the compiled CLI starts its workers: a worker started from this
 * process would inherit tsx's loader hooks, which slow every module it loads (345 against 232 ms).
 */
async function workerReadyMs(): Promise<{ wallMs: number; cpuMs: number }> {
  if (!existsSync(join(root, 'dist'))) throw new Error('no dist/: run npm run build first');
  return new Promise((done, fail) => {
    execFile(process.execPath, [join(root, 'bench/worker-ready.mjs')], { cwd: root }, (error, stdout) => {
      if (error !== null) fail(error);
      else done(JSON.parse(stdout) as { wallMs: number; cpuMs: number });
    });
  });
}

/** Wall time and peak RSS of a time-budgeted campaign of 10^9 seeds. */
async function hugeCampaign(checkout: string): Promise<string> {
  const args = [join(checkout, 'bin/powercut.mjs'), 'run', '--scenario', 'swarm', '--seeds', '1000000000', '--time-budget', '5', '--jobs', '1'];
  if (!existsSync('/usr/bin/time')) {
    const run = await timed(process.execPath, args, checkout);
    return `${(run.ms / 1000).toFixed(1)} s (exit ${run.code}; peak RSS needs GNU time)`;
  }
  const run = await timed('/usr/bin/time', ['-f', '@@ %M', process.execPath, ...args], checkout);
  const rssKb = Number(/@@ (\d+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  return `${(run.ms / 1000).toFixed(1)} s, peak RSS ${(rssKb / 1024).toFixed(0)} MB (exit ${run.code})`;
}

console.log('## Start-up (medians; lower is better)');
const rows: [string, string, string][] = [];
rows.push(['powercut --help', `${(await helpMs(root)).toFixed(0)} ms`, baseline ? `${(await helpMs(baseline)).toFixed(0)} ms` : '-']);
const ready = await workerReadyMs();
rows.push(['campaign worker ready', `${ready.wallMs.toFixed(0)} ms (${ready.cpuMs.toFixed(0)} ms CPU)`, '-']);
rows.push(['run swarm, 10^9 seeds, --time-budget 5', await hugeCampaign(root), baseline ? await hugeCampaign(baseline) : '-']);
console.log(`| figure | this build | ${baseline ? `baseline (${baseline})` : 'baseline'} |`);
console.log('|---|---:|---:|');
for (const [what, now, before] of rows) console.log(`| ${what} | ${now} | ${before} |`);
