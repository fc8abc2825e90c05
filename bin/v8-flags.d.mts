/** Types of v8-flags.mjs (the launcher stays plain JavaScript, run before anything is compiled). */
export declare const seedCommands: ReadonlySet<string>;
export declare const v8Flags: readonly string[];
export declare function relaunchArgs(argv: readonly string[], execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): string[] | undefined;
