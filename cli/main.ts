/**
 * The powercut command line. Each command lives in cli/commands/ and only wires options to the
 * library (sim/, reports/, engine/, real/) and prints; nothing here is logic a test would need.
 *
 * Exit codes (cli/errors.ts): 0 nothing found; 1 a violation (or, for `verify`/`real`, damage or
 * a lost commit); 2 bad usage or input, always ONE line on stderr; 3 a harness error or a
 * nondeterministic run. commander is told to throw instead of exiting (`exitOverride`) and to
 * print its own errors as one line, so its usage errors also end in exit 2.
 */
import { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../sim/index.ts';
import { seedTimeoutSecDefault, startWatchdog } from '../harness/index.ts';
import { oneLine, reportError } from './errors.ts';
import { invocationOf } from './invocation.ts';
import { secondsOrZero } from './options.ts';
import { register as registerList } from './commands/list.ts';
import { register as registerMerge } from './commands/merge.ts';
import { register as registerReal } from './commands/real.ts';
import { register as registerRepro } from './commands/repro.ts';
import { register as registerRun } from './commands/run.ts';
import { register as registerStore } from './commands/store.ts';
import { registerCi } from './commands/ci.ts';
import { registerExec } from './commands/exec.ts';
import { registerExplore } from './commands/explore.ts';
import { registerShrink } from './commands/shrink.ts';

/** A command module: adds one or more commands to the program. */
export type RegisterCommands = (program: Command) => void;

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const version = packageVersion();
  const program = new Command('powercut')
    .description('deterministic crash-consistency simulation and fault injection for storage engines')
    .version(version)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`powercut: ${oneLine(text.replace(/^error: /, ''))}\n`) })
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .option('--seed-timeout <seconds>', 'name a run of code under test that gives the simulated world no turn (no I/O, no timer) for this much wall time (it spins where no simulated step budget reaches): a worker\'s run is ended and reported as a liveness violation, one in this thread ends the process; 0: never', secondsOrZero, seedTimeoutSecDefault)
    .hook('preAction', (thisCommand) => {
      const limit = thisCommand.opts<{ seedTimeout: number }>().seedTimeout;
      // Its lines rerun a run that spun: with the limit given, not the default's.
      const given = limit === seedTimeoutSecDefault ? '' : ` --seed-timeout ${limit}`;
      if (limit > 0) startWatchdog(limit, `${invocationOf(process.argv, process.env, process.cwd())}${given}`);
    });
  // Settings above are copied to every command added below (commander's inherited settings).
  const commands: RegisterCommands[] = [
    registerList, registerRun, registerRepro, registerStore, registerMerge, registerReal,
    registerShrink, registerExplore, registerCi, registerExec,
  ];
  for (const register of commands) register(program);
  return program;
}

/**
 * Runs the CLI on `argv` (as `process.argv`).
 * @returns the exit code
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, (line) => process.stderr.write(`${line}\n`));
  }
}

// A closed pipe (`powercut list | head`) is the reader's choice, not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/** Whether this module is the process's entry (`node dist/cli/main.js`, `tsx cli/main.ts`), not imported by the bin. */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) process.exitCode = await main(process.argv);
