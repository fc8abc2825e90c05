/**
 * One fs call through any of Node's three faces, for the differential specs: the same call on a
 * real temporary directory and on the facade.
 */
import fs from 'node:fs';

/** Which face of Node's fs a call goes through. */
export type Api = 'sync' | 'callback' | 'promise';

/** Calls `fs.<name>` through `api`, returning its result. */
export function call(api: Api, name: string, ...args: unknown[]): Promise<unknown> {
  const f = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const p = fs.promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  if (api === 'sync') return Promise.resolve().then(() => f[`${name}Sync`]!(...args));
  if (api === 'promise' && name !== 'exists') return p[name]!(...args);
  return new Promise((resolve, reject) => {
    if (name === 'exists') f.exists!(...args, (found: boolean) => resolve(found));
    else f[name]!(...args, (error: Error | null, value: unknown) => (error ? reject(error) : resolve(value)));
  });
}
