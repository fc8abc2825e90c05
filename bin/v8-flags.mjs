// The V8 flags a `powercut` command that runs seeds is started with, and the command line that
// starts it. V8 reads them only when the process starts (setting them later from JavaScript
// aborts V8), so the launcher starts Node again with them. Commands that run one seed or none
// (`--help`, `list`, `repro`, `replay`, `store`, `merge`, `real`, `exec`) are not worth the second
// process start (~130 ms).
// POWERCUT_V8_DEFAULTS=1 keeps V8's defaults. Why each flag (`npm run bench:sim`, README):
//
// --single-threaded-gc: only when the command runs seeds on every core (`--jobs` at least the
//   cores there are; `run`'s default): this thread and one worker thread per extra job keep them
//   all busy, and V8's parallel and concurrent GC helper threads only compete with them (`--jobs
//   2` on 2 cores: ~10-15 % more swarm seeds per second with it). With a core to spare (`--jobs 1`
//   on 2 cores, as `ci`, `explore` and `shrink` run by default) the helpers run there, and the
//   flag costs ~15-25 % (`npm run bench:sim`, docs/speed-history.md, "V8 flags").
// --max-inlined-bytecode-size-cumulative=200 (V8's default is 920): most of a fresh thread's
//   first seconds go to TurboFan compiling the same large async functions of the engine and the
//   simulator again after each deoptimisation, on a background thread. Inlining less makes each
//   compilation cheaper: the first 1,500 swarm seeds of a thread take ~15-20 % less CPU, and
//   warm seeds cost the same.
import { availableParallelism } from 'node:os';

/** The commands that run many simulated seeds. */
export const seedCommands = new Set(['run', 'ci', 'explore', 'shrink']);

/** Every flag, in the order they are passed. */
export const v8Flags = ['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=200'];

/** The commands whose `--jobs` defaults to the cores there are; the others' is 1. */
const allCoresByDefault = new Set(['run']);

/**
 * The threads a command will run seeds on: its `--jobs` (`--jobs N` or `--jobs=N`, the last one
 * given), or its default. A value that is no number is left to the command to refuse.
 * @param {readonly string[]} args the command and its arguments (`process.argv` from index 2)
 * @param {number} cores the cores there are
 * @returns {number}
 */
export function jobsOf(args, cores) {
  let jobs = allCoresByDefault.has(args[0] ?? '') ? cores : 1;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    const value = arg === '--jobs' ? args[++i] : arg.startsWith('--jobs=') ? arg.slice('--jobs='.length) : undefined;
    if (value !== undefined && /^\d+$/.test(value)) jobs = Number(value);
  }
  return jobs;
}

/**
 * The flags a seed-running command is started with: {@link v8Flags}, without
 * `--single-threaded-gc` when the command leaves a core to GC's helper threads.
 * @param {readonly string[]} args the command and its arguments (`process.argv` from index 2)
 * @param {number} cores the cores there are
 * @returns {string[]}
 */
export function flagsFor(args, cores) {
  return jobsOf(args, cores) >= cores ? [...v8Flags] : v8Flags.filter((flag) => flag !== '--single-threaded-gc');
}

/**
 * The arguments to start Node with for this command (`execPath` then these), or undefined to run
 * it in this process: already started with the flags, asked not to, or a command that runs no seeds.
 * @param {readonly string[]} argv this process's `process.argv`
 * @param {readonly string[]} execArgv this process's `process.execArgv`
 * @param {Readonly<Record<string, string | undefined>>} env this process's environment
 * @param {number} [cores] the cores there are
 * @returns {string[] | undefined}
 */
export function relaunchArgs(argv, execArgv, env, cores = availableParallelism()) {
  if (env.POWERCUT_V8_DEFAULTS === '1' || !seedCommands.has(argv[2] ?? '')) return undefined;
  const flags = flagsFor(argv.slice(2), cores);
  if (flags.every((flag) => execArgv.includes(flag))) return undefined;
  return [...execArgv, ...flags, ...argv.slice(1)];
}
