/**
 * Subjects by name: load an engine module, a workload module or the reference engine from plain
 * data, open a plan file for the subject it names, and the worker script that does the same in
 * every campaign thread.
 */
export { loadEngine, loadSubject, loadWorkload, openPlan, specOfPlan, SubjectLoadError } from './load.ts';

/** The entry module of campaign worker threads (pass as `workerScript` to the harness). */
export const workerScript = new URL('./worker-entry.mjs', import.meta.url);
