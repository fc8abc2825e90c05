/**
 * Exit codes and the errors the CLI turns into them. Every failure the user can cause is
 * reported as ONE line on stderr, never a stack trace: the library's typed input errors (told
 * apart by their `code`, not their class, so copies of powercut loaded twice agree), commander's
 * own usage errors, and {@link UsageError} for checks made here.
 */
import { CommanderError } from 'commander';

/** What the process exit code means. */
export const exitCodes = {
  /** Nothing found, and something was tested. */
  ok: 0,
  /** A violation (or, for `verify` and `real`, damage or lost commits) was found. */
  violation: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /** The harness failed (a `harness` violation, an unexpected exception) or a run was not deterministic. */
  harness: 3,
  /**
   * Nothing was tested: no seed ran (0 seeds, or the time budget was spent before the first),
   * an empty or missing regression corpus, a store folder that holds no store, a library
   * workload whose I/O never reached the simulated disk, a campaign in which no commit or
   * operation was ever acknowledged (harness/untested.ts).
   */
  nothingTested: 4,
  /** Interrupted (Ctrl-C) before every seed ran, with nothing found in the seeds that did: 128 + SIGINT, as a shell says. */
  interrupted: 130,
  /**
   * Something promised was not exercised: a targeted (site × fault) cell never hit in `ci`, or
   * a scheduled fault of a plan that never fired.
   */
  incomplete: 5,
} as const;

/** The exit codes, one line each, for `--help`. */
export const exitCodesHelp = [
  'Exit codes: 0 nothing found (and something was tested), 1 violation found, 2 bad usage or input,',
  '3 harness error or nondeterminism, 4 nothing was tested (no seed ran, empty corpus, no store, no I/O reached',
  'the simulated disk, nothing ever acknowledged), 5 something promised was not exercised (a targeted cell never hit in ci, a scheduled',
  'fault that never fired). Killed by SIGKILL (137 in a shell), after one line naming the seed: a run of the code under test',
  'gave the simulated world no turn for --seed-timeout (it spins where no simulated step budget reaches).',
  '130: interrupted by Ctrl-C before every seed ran, nothing found in those that did (what ran is still reported).',
].join('\n');

/** Bad input detected by the CLI itself. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
}

/** Codes of the library's errors that mean bad input: one line, exit 2. */
const inputErrorCodes: ReadonlySet<string> = new Set([
  'USAGE', 'CAMPAIGN_INPUT', 'PLAN_FILE', 'CORPUS_INPUT', 'SUBJECT_LOAD', 'REAL_INPUT',
  'SUMMARY_MISSING', 'SUMMARY_MALFORMED', 'NOT_MERGEABLE', 'REPORT_DIR', 'WORKER_START', 'POWERCUT_BAD_IMAGE', 'POWERCUT_BAD_CONFIG',
]);

/** Collapses a multi-line message into one line. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The exit code for an error that reached the top level, after printing it as one line.
 * @param error - anything thrown by a command
 * @param writeErr - where the line goes (stderr)
 */
export function reportError(error: unknown, writeErr: (line: string) => void): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (through configureOutput, as one line).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
    return exitCodes.usage;
  }
  const code = codeOf(error);
  if (error instanceof Error && code !== undefined && inputErrorCodes.has(code)) {
    writeErr(`powercut: ${oneLine(error.message)}`);
    // A worker that cannot start is the harness's failure, not the user's input.
    return code === 'WORKER_START' ? exitCodes.harness : exitCodes.usage;
  }
  // A workload whose open or setup does not complete with faults off could not be tested: exit 3,
  // as \`run\` gives for the same seeds (each run threw), not the 2 of input refused before any work.
  if (error instanceof Error && code === 'TARGET_SETUP') {
    writeErr(`powercut: ${oneLine(error.message)}`);
    return exitCodes.harness;
  }
  // The library made a call the facade does not simulate: powercut could not test it (exit 3),
  // which is neither the user's input nor a bug of powercut's own.
  if (error instanceof Error && code === 'TARGET_UNSUPPORTED') {
    writeErr(`powercut: cannot simulate this run: ${oneLine(error.message)}`);
    return exitCodes.harness;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeErr(`powercut: internal error: ${oneLine(message)}${process.env['POWERCUT_DEBUG'] ? '' : ' (set POWERCUT_DEBUG=1 for the stack)'}`);
  if (process.env['POWERCUT_DEBUG'] && error instanceof Error && error.stack) writeErr(error.stack);
  return exitCodes.harness;
}
