/**
 * Paths that end in a slash (facade/trailing-slash.ts): each call below, on a file `f`, a
 * directory `d` and a missing name `m`, gives the same result or error code and syscall on a
 * real temporary folder and on the simulated disk, through the sync, callback and promise faces.
 */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

type Call = (at: (name: string) => string) => unknown;

/** The calls, each on a fresh tree (file f, directory d, nothing at m). */
const calls: Record<string, { sync: Call; promise: Call }> = {
  'open f/ r': { sync: (at) => fs.closeSync(fs.openSync(at('f/'), 'r')), promise: async (at) => (await fs.promises.open(at('f/'), 'r')).close() },
  'open d/ r': { sync: (at) => fs.closeSync(fs.openSync(at('d/'), 'r')), promise: async (at) => (await fs.promises.open(at('d/'), 'r')).close() },
  'open m/ w': { sync: (at) => fs.openSync(at('m/'), 'w'), promise: (at) => fs.promises.open(at('m/'), 'w') },
  'open f/ w': { sync: (at) => fs.openSync(at('f/'), 'w'), promise: (at) => fs.promises.open(at('f/'), 'w') },
  'stat f/': { sync: (at) => fs.statSync(at('f/')).isFile(), promise: async (at) => (await fs.promises.stat(at('f/'))).isFile() },
  'stat d/': { sync: (at) => fs.statSync(at('d/')).isDirectory(), promise: async (at) => (await fs.promises.stat(at('d/'))).isDirectory() },
  'readFile f/': { sync: (at) => fs.readFileSync(at('f/'), 'utf8'), promise: (at) => fs.promises.readFile(at('f/'), 'utf8') },
  'writeFile m/': { sync: (at) => fs.writeFileSync(at('m/'), 'x'), promise: (at) => fs.promises.writeFile(at('m/'), 'x') },
  'appendFile f/': { sync: (at) => fs.appendFileSync(at('f/'), 'x'), promise: (at) => fs.promises.appendFile(at('f/'), 'x') },
  'unlink f/': { sync: (at) => fs.unlinkSync(at('f/')), promise: (at) => fs.promises.unlink(at('f/')) },
  'rm f/ recursive force': { sync: (at) => fs.rmSync(at('f/'), { recursive: true, force: true }), promise: (at) => fs.promises.rm(at('f/'), { recursive: true, force: true }) },
  'rm f/': { sync: (at) => fs.rmSync(at('f/')), promise: (at) => fs.promises.rm(at('f/')) },
  'mkdir f/ recursive': { sync: (at) => fs.mkdirSync(at('f/'), { recursive: true }), promise: (at) => fs.promises.mkdir(at('f/'), { recursive: true }) },
  'mkdir m/': { sync: (at) => fs.mkdirSync(at('m/')), promise: (at) => fs.promises.mkdir(at('m/')) },
  'readdir f/': { sync: (at) => fs.readdirSync(at('f/')), promise: (at) => fs.promises.readdir(at('f/')) },
  'truncate f/': { sync: (at) => fs.truncateSync(at('f/'), 1), promise: (at) => fs.promises.truncate(at('f/'), 1) },
  'access f/': { sync: (at) => fs.accessSync(at('f/')), promise: (at) => fs.promises.access(at('f/')) },
  'rename f m/': { sync: (at) => fs.renameSync(at('f'), at('m/')), promise: (at) => fs.promises.rename(at('f'), at('m/')) },
  'rename d m/': { sync: (at) => fs.renameSync(at('d'), at('m/')), promise: (at) => fs.promises.rename(at('d'), at('m/')) },
  'copyFile f m/': { sync: (at) => fs.copyFileSync(at('f'), at('m/')), promise: (at) => fs.promises.copyFile(at('f'), at('m/')) },
  'copyFile d m (a directory source)': { sync: (at) => fs.copyFileSync(at('d'), at('m')), promise: (at) => fs.promises.copyFile(at('d'), at('m')) },
  'link f m/': { sync: (at) => fs.linkSync(at('f'), at('m/')), promise: (at) => fs.promises.link(at('f'), at('m/')) },
  'realpath f/ (JavaScript: takes it)': { sync: (at) => fs.realpathSync(at('f/')).endsWith('/f'), promise: async (at) => (await fs.promises.realpath(at('f/'))).endsWith('/f') },
};

/** What a call gave, and the tree after it. */
async function outcome(root: string, call: Call): Promise<string> {
  const at = (name: string): string => join(root, name).replace(/\/$/, '') + (name.endsWith('/') ? '/' : '');
  fs.writeFileSync(at('f'), 'file f');
  fs.mkdirSync(at('d'));
  let result: string;
  try {
    result = `ok ${JSON.stringify(await call(at)) ?? ''}`;
  } catch (error) {
    const e = error as { code?: string; syscall?: string };
    result = `${e.code}/${e.syscall}`;
  }
  return `${result} | ${fs.readdirSync(root).sort().join(',')}`;
}

let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

async function both(call: Call): Promise<{ real: string; sim: string }> {
  const real = mkdtempSync(join(tmpdir(), 'powercut-slash-'));
  try {
    const viaReal = await outcome(real, call);
    facade = installFacade(new SimWorld({ seed: 1 }), '/powercut-slash');
    const viaSim = await outcome('/powercut-slash', call);
    return { real: viaReal, sim: viaSim };
  } finally {
    facade?.uninstall();
    facade = undefined;
    rmSync(real, { recursive: true, force: true });
  }
}

describe('a path that ends in a slash, on the simulated disk as on the real one', () => {
  for (const [name, faces] of Object.entries(calls)) {
    it(name, async () => {
      for (const face of ['sync', 'promise'] as const) {
        const { real, sim } = await both(faces[face]);
        expect(sim, face).toBe(real);
      }
    });
  }

  it('tells a file named with a slash apart: ENOTDIR to read it, EISDIR to create it, never the file itself', async () => {
    expect((await both(calls['readFile f/']!.sync)).sim).toMatch(/^ENOTDIR\/open/);
    expect((await both(calls['writeFile m/']!.sync)).sim).toMatch(/^EISDIR\/open \| d,f$/);
  });
});
