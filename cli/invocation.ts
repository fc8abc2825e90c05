/**
 * How the user ran powercut, so that every printed command (repro lines, "replay FILE") is one
 * that works where they ran it: `npm run -s powercut --` in powercut's own checkout (the
 * `powercut` npm script), `npx powercut` when npx ran it or where powercut is an installed
 * package, and the binary's own path otherwise.
 */
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { shellQuote } from '../harness/index.ts';

/**
 * The prefix of printed commands for this process.
 * @param argv - `process.argv`
 * @param env - `process.env`
 * @param cwd - the working directory
 */
export function invocationOf(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  if (env['npm_lifecycle_event'] === 'powercut') return 'npm run -s powercut --';
  // Through npx, in a project or in powercut's own checkout: npx finds it again.
  if (env['npm_lifecycle_event'] === 'npx' && env['npm_lifecycle_script'] === 'powercut') return 'npx powercut';
  const launcher = argv[1];
  if (launcher === undefined) return 'npx powercut';
  let real = launcher;
  try {
    real = realpathSync(launcher);
  } catch {
    // Keep the path as given.
  }
  if (launcher.includes(`${sep}node_modules${sep}`) || real.includes(`${sep}node_modules${sep}powercut${sep}`)) return 'npx powercut';
  const path = relative(cwd, real);
  const shown = shellQuote(path.startsWith('..') || path === '' ? real : `./${path}`);
  // TypeScript source (a checkout run through tsx, as `npm start` does) needs tsx to run again.
  return real.endsWith('.ts') ? `npx tsx ${shown}` : shown;
}

/**
 * The arguments that ran `command`, as typed: the program's options before it (`--seed-timeout
 * 60`), the command, and its own arguments after it. `argv` is `process.argv`.
 */
export function commandArgs(argv: readonly string[], command: string): string[] {
  const args = argv.slice(2);
  const at = args.indexOf(command);
  return at < 0 ? [command, ...args] : args;
}
