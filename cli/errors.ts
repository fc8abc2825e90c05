/**
 * Exit codes and the errors the CLI turns into them. Every failure the user can cause is
 * reported as ONE line on stderr, never a stack trace: the library's typed input errors
 * ({@link CampaignInputError}, {@link PlanFileError}, {@link ReportInputError}, a workload whose
 * setup fails with faults off: {@link TargetSetupError}), commander's own
 * usage errors, and {@link UsageError} for checks made here.
 */
import { CommanderError } from 'commander';
import { ReportInputError } from '../reports/index.ts';
import { CampaignInputError } from '../sim/campaign.ts';
import { PlanFileError } from '../sim/plan-file.ts';
import { TargetSetupError } from '../targets/runner.ts';

/** What the process exit code means. */
export const exitCodes = {
  /** Nothing found. */
  ok: 0,
  /** A violation (or, for `verify` and `real`, damage or lost commits) was found. */
  violation: 1,
  /** Bad usage or bad input. */
  usage: 2,
  /** The harness failed (a `harness` violation, an unexpected exception) or a run was not deterministic. */
  harness: 3,
} as const;

/** Bad input detected by the CLI itself. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Collapses a multi-line message into one line. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

/**
 * The exit code for an error that reached the top level, after printing it as one line.
 * @param error - anything thrown by a command
 * @param writeErr - where the line goes (stderr)
 */
export function reportError(error: unknown, writeErr: (line: string) => void): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (through configureOutput, as one line).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
    return exitCodes.usage;
  }
  if (error instanceof UsageError || error instanceof CampaignInputError || error instanceof PlanFileError || error instanceof ReportInputError || error instanceof TargetSetupError) {
    writeErr(`powercut: ${oneLine(error.message)}`);
    return exitCodes.usage;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  writeErr(`powercut: internal error: ${oneLine(message)}${process.env['POWERCUT_DEBUG'] ? '' : ' (set POWERCUT_DEBUG=1 for the stack)'}`);
  if (process.env['POWERCUT_DEBUG'] && error instanceof Error && error.stack) writeErr(error.stack);
  return exitCodes.harness;
}
