/** Quoting for the command lines powercut prints (harness/repro.ts, harness/env-reads.ts). */

/** Quotes one argument for a POSIX shell when it needs it. */
export function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}
