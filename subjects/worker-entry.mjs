// Entry point of a campaign worker thread. On Node 20, loader hooks given to a worker through
// `execArgv: ['--import', 'tsx']` do not apply to the worker's own entry module, so a `.ts`
// entry fails with "Unknown file extension". This plain-JS entry registers tsx in the worker
// first (resolved from powercut's own install), then imports the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
