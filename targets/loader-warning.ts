/**
 * freshRequire and freshImport compile a library's modules with
 * `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`, so that the library's own dynamic `import()`
 * works; Node 20 calls that experimental and prints an `ExperimentalWarning` the first time such
 * an `import()` runs, in every thread (a new user's PGlite campaign printed it at the top, twice).
 * The warning is about powercut's loader, not about the code under test: it is dropped, and every
 * other warning goes through as before.
 */

/** The start of the message Node emits for the loader option. */
const loaderWarning = 'vm.USE_MAIN_CONTEXT_DEFAULT_LOADER';

/** Whether `warning` (what `process.emitWarning` was given) is Node's about the loader option. */
export function isLoaderWarning(warning: unknown): boolean {
  const text = typeof warning === 'string' ? warning : warning instanceof Error ? warning.message : '';
  return text.startsWith(loaderWarning);
}

let installed = false;

/**
 * Drops Node's warning about the loader option from `process.emitWarning` (once per thread; a
 * pinned run holds its warnings and drops it in process-events.ts).
 */
export function quietLoaderWarning(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    if (isLoaderWarning(warning)) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}
