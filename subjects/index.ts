/**
 * Subjects by name: load an engine module, a workload module or the reference engine from plain
 * data, open a plan file for the subject it names, and the worker script that does the same in
 * every campaign thread.
 */
export { loadEngine, loadSubject, loadWorkload, locatePlanSubject, openPlan, specOfPlan, SubjectLoadError, type OpenedPlan, type PlanOverride } from './load.ts';

/**
 * What a library campaign says of the native addons its workload loaded in this thread
 * (targets/native-addons.ts), or `undefined`; loads the library side only when asked, so an
 * engine campaign never loads it.
 */
export async function nativeAddonsLine(): Promise<string | undefined> {
  return (await import('../targets/index.ts')).nativeAddonsLine();
}

/**
 * The entry module of campaign worker threads (pass as `workerScript` to the harness): the
 * compiled worker, or from source a plain-JS entry that registers tsx in the worker first (on
 * Node 20 a worker's own entry does not get loader hooks through `execArgv`).
 */
export const workerScript = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.mjs' : './worker.js', import.meta.url);
