/** Types of v8-flags.mjs (the launcher stays plain JavaScript, run before anything is compiled). */
export declare const seedCommands: ReadonlySet<string>;
export declare const v8Flags: readonly string[];
export declare function jobsOf(args: readonly string[], cores: number): number;
export declare function flagsFor(args: readonly string[], cores: number): string[];
export declare function relaunchArgs(argv: readonly string[], execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>, cores?: number): string[] | undefined;
