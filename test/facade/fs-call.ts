/**
 * One fs call through any of Node's three faces, for the differential specs: the same call on a
 * real temporary directory and on the facade.
 */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { installFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

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

/**
 * Plays `play` on a fresh real temporary directory (named from `prefix`) and on a fresh simulated
 * root, the facade installed for both (real paths pass through it), and expects the same results.
 */
export async function expectSameOnRealAndSimulated<T>(play: (base: string) => Promise<T>, simRoot: string, prefix: string): Promise<void> {
  const real = mkdtempSync(join(tmpdir(), prefix));
  const facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
  try {
    const viaReal = await play(real);
    const viaSim = await play(simRoot);
    expect(viaSim).toEqual(viaReal);
  } finally {
    facade.uninstall();
    rmSync(real, { recursive: true, force: true });
  }
}
