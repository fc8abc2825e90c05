// The preload for child processes: `node --import /path/to/powercut/bin/powercut-preload.mjs app.js`
// runs app.js (plain JavaScript, CommonJS or ESM) with the simulated disk under POWERCUT_ROOT;
// see facade/preload.ts for every variable. It loads the compiled preload (dist/); in a checkout
// with no build, the TypeScript source through tsx's loader, registered under a namespace of its
// own so that it compiles powercut's TypeScript and leaves the program's modules to Node.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/facade/preload.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  const tsx = register({ namespace: 'powercut-preload' });
  await tsx.import('../facade/preload.ts', import.meta.url);
}
