/**
 * Linux's limits on names, on a real temporary folder and on the simulated disk alike: a name of
 * more than 255 bytes (`NAME_MAX`, counted in UTF-8), or a path of more than 4,095 bytes
 * (`PATH_MAX`), fails every call with `ENAMETOOLONG` before any I/O; 255 bytes are fine.
 */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

type Case = (at: (name: string) => string) => Promise<unknown>;

/** What `call` did: `ok`, `ok <value>` or the error's code. */
function attempt(call: () => unknown): string {
  try {
    const value = call();
    return value === undefined ? 'ok' : `ok ${String(value)}`;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const cases: Record<string, Case> = {
  'a name of 255 bytes is fine, one of 256 is not, whatever the call': async (at) => [
    attempt(() => fs.writeFileSync(at('a'.repeat(255)), 'x')),
    attempt(() => fs.readFileSync(at('a'.repeat(255)), 'utf8')),
    attempt(() => fs.writeFileSync(at('b'.repeat(256)), 'x')),
    attempt(() => fs.statSync(at('b'.repeat(256)))),
    attempt(() => fs.existsSync(at('b'.repeat(256)))),
    attempt(() => fs.mkdirSync(at('c'.repeat(256)))),
    attempt(() => fs.renameSync(at('a'.repeat(255)), at('d'.repeat(256)))),
    attempt(() => fs.readdirSync(at('')).length),
  ],
  'names count bytes in UTF-8, not characters': async (at) => [
    attempt(() => fs.writeFileSync(at('日'.repeat(85)), 'x')),
    attempt(() => fs.writeFileSync(at('日'.repeat(86)), 'x')),
    attempt(() => fs.readdirSync(at('')).length),
  ],
  'a path of more than 4,095 bytes': async (at) => {
    const deep = Array.from({ length: 17 }, (_, i) => String(i).padStart(250, 'p')).join('/');
    return [
      attempt(() => fs.mkdirSync(at(deep), { recursive: true })),
      attempt(() => fs.existsSync(at(deep.split('/')[0]!))),
      attempt(() => fs.writeFileSync(at(`${deep}/f`), 'x')),
    ];
  },
};

let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

describe('name and path limits, on the simulated disk as on the real one', () => {
  for (const [name, run] of Object.entries(cases)) {
    it(name, async () => {
      const real = mkdtempSync(join(tmpdir(), 'powercut-names-'));
      try {
        const at = (root: string) => (child: string): string => (child === '' ? root : join(root, child));
        const onReal = JSON.stringify(await run(at(real)));
        facade = installFacade(new SimWorld({ seed: 1 }), '/powercut-names');
        const onSim = JSON.stringify(await run(at('/powercut-names')));
        expect(onSim).toBe(onReal);
        expect(onReal).toContain('ENAMETOOLONG');
      } finally {
        facade?.uninstall();
        facade = undefined;
        rmSync(real, { recursive: true, force: true });
      }
    });
  }
});
