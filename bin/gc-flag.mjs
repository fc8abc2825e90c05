// Whether a `powercut` command should run in a Node started with `--single-threaded-gc`, and the
// command line that starts it. A campaign keeps every core busy with seeds (this thread and one
// worker thread per extra job), so V8's parallel and concurrent GC helper threads only compete
// with them: with the flag, a warm swarm seed costs ~2.6 ms of CPU instead of ~3.1-3.7 ms, and
// `--jobs 2` runs 1.2x the seeds per second (`npm run bench:sim`, README). The flag is one V8
// reads when the process starts (setting it later aborts V8), so the launcher starts Node again
// with it. Commands that run no seeds (`--help`, `list`, `store`, `merge`, `real`, `exec`) are not
// worth a second process start. POWERCUT_GC=parallel keeps V8's default GC.

/** The commands that run simulated seeds. */
export const seedCommands = new Set(['run', 'ci', 'explore', 'shrink', 'repro']);

/** The V8 flag. */
export const gcFlag = '--single-threaded-gc';

/**
 * The arguments to start Node with for this command (`execPath` then these), or undefined to run
 * it in this process: already flagged, asked not to, or a command that runs no seeds.
 * @param {readonly string[]} argv this process's `process.argv`
 * @param {readonly string[]} execArgv this process's `process.execArgv`
 * @param {Readonly<Record<string, string | undefined>>} env this process's environment
 * @returns {string[] | undefined}
 */
export function relaunchArgs(argv, execArgv, env) {
  if (execArgv.includes(gcFlag) || env.POWERCUT_GC === 'parallel') return undefined;
  if (!seedCommands.has(argv[2] ?? '')) return undefined;
  return [...execArgv, gcFlag, ...argv.slice(1)];
}
