// The preload for child processes: `node --import /path/to/powercut/bin/powercut-preload.mjs app.js`
// runs app.js (plain JavaScript, CommonJS or ESM) with the simulated disk under POWERCUT_ROOT;
// see facade/preload.ts for every variable. tsx's loader is registered under a namespace of
// its own, so it compiles powercut's TypeScript and leaves the program's modules to Node.
import { register } from 'tsx/esm/api';

const tsx = register({ namespace: 'powercut-preload' });
await tsx.import('../facade/preload.ts', import.meta.url);
