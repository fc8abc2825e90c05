// The V8 flags a `powercut` command that runs seeds is started with, and the command line that
// starts it. V8 reads them only when the process starts (setting them later from JavaScript
// aborts V8), so the launcher starts Node again with them. Commands that run one seed or none
// (`--help`, `list`, `repro`, `replay`, `store`, `merge`, `real`, `exec`) are not worth the second
// process start (~130 ms).
// POWERCUT_V8_DEFAULTS=1 keeps V8's defaults. Why each flag (`npm run bench:sim`, README):
//
// --single-threaded-gc: a campaign keeps every core busy with seeds (this thread and one worker
//   thread per extra job), and V8's parallel and concurrent GC helper threads only compete with
//   them: a warm swarm seed costs ~2.6 ms of CPU instead of ~3.1, and warm `--jobs 2` runs
//   ~1.2x the seeds per second.
// --max-inlined-bytecode-size-cumulative=200 (V8's default is 920): most of a fresh thread's
//   first seconds go to TurboFan compiling the same large async functions of the engine and the
//   simulator again after each deoptimisation, on a background thread. Inlining less makes each
//   compilation cheaper: the first 1,500 swarm seeds of a thread take ~15-20 % less CPU, and
//   warm seeds cost the same.

/** The commands that run many simulated seeds. */
export const seedCommands = new Set(['run', 'ci', 'explore', 'shrink']);

/** The flags, in the order they are passed. */
export const v8Flags = ['--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=200'];

/**
 * The arguments to start Node with for this command (`execPath` then these), or undefined to run
 * it in this process: already started with the flags, asked not to, or a command that runs no seeds.
 * @param {readonly string[]} argv this process's `process.argv`
 * @param {readonly string[]} execArgv this process's `process.execArgv`
 * @param {Readonly<Record<string, string | undefined>>} env this process's environment
 * @returns {string[] | undefined}
 */
export function relaunchArgs(argv, execArgv, env) {
  if (v8Flags.every((flag) => execArgv.includes(flag)) || env.POWERCUT_V8_DEFAULTS === '1') return undefined;
  if (!seedCommands.has(argv[2] ?? '')) return undefined;
  return [...execArgv, ...v8Flags, ...argv.slice(1)];
}
