/**
 * Loading a user's TypeScript module (an engine, a workload) from compiled powercut: tsx's
 * loaders are registered the first time one is needed, resolved from powercut's own install
 * (never from the current folder), for ES modules and CommonJS alike. Running from source,
 * tsx is already in place. Plain JavaScript modules never pay for it.
 */
import { runningFromSource } from '../sim/contract.ts';

let registered: Promise<void> | undefined;

/** Whether `path` needs a TypeScript loader. */
export function isTypeScript(path: string): boolean {
  return /\.(?:ts|mts|cts|tsx)$/.test(path);
}

/** Makes `import()` of TypeScript files work in this thread (once). */
export function ensureTypeScript(): Promise<void> {
  if (runningFromSource) return Promise.resolve();
  registered ??= (async () => {
    const esm = await import('tsx/esm/api');
    esm.register();
    const cjs = await import('tsx/cjs/api');
    cjs.register();
  })();
  return registered;
}
