/**
 * `fs.cp`, `fs.cpSync` and `fs.promises.cp` on simulated paths agree with Node's on a real
 * temporary directory: the same tree afterwards and the same error (code and syscall), case by
 * case, through each API. The cases are written out rather than generated: on the real disk a
 * directory's entries come in the file system's order, so a copy that fails half way would
 * leave different trees on the two sides.
 *
 * And what matters for crash testing: every step is I/O on the simulated disk, in Node's order,
 * so a file that already exists at the destination is unlinked before it is copied.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

type Api = 'sync' | 'callback' | 'promise';
const apis: readonly Api[] = ['sync', 'callback', 'promise'];

const simRoot = '/powercut-facade-cp';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** A start: `src/` with a file and a subdirectory, a lone file, and a directory `busy/` with `f`. */
function populate(base: string): void {
  fs.mkdirSync(join(base, 'src/sub'), { recursive: true });
  fs.writeFileSync(join(base, 'src/f'), 'src f');
  fs.writeFileSync(join(base, 'src/sub/g'), 'src g');
  fs.writeFileSync(join(base, 'file'), 'lone file');
  fs.mkdirSync(join(base, 'busy'));
  fs.writeFileSync(join(base, 'busy/f'), 'busy f');
}

/** Every path under `base` with its kind and, for a file, its text; sorted. */
function treeOf(base: string): string[] {
  return (fs.readdirSync(base, { recursive: true }) as string[]).map((name) => {
    const path = join(base, name);
    return fs.statSync(path).isDirectory() ? `${name}/` : `${name}=${fs.readFileSync(path, 'utf8')}`;
  }).sort();
}

/** `cp` through `api`. */
function cp(api: Api, src: string, dest: string, options: fs.CopyOptions = {}): Promise<void> {
  if (api === 'sync') return Promise.resolve().then(() => fs.cpSync(src, dest, options as fs.CopySyncOptions));
  if (api === 'promise') return fs.promises.cp(src, dest, options);
  return new Promise((resolve, reject) => fs.cp(src, dest, options, (error) => (error ? reject(error) : resolve())));
}

/** One case's outcome at `base`: the error (code/syscall) or `ok`, and the tree. */
async function outcome(base: string, body: (at: (name: string) => string) => Promise<void>): Promise<[string, string[]]> {
  populate(base);
  let result = 'ok';
  try {
    await body((name) => join(base, name));
  } catch (error) {
    const e = error as { code?: string; syscall?: string };
    result = `${e.code}/${e.syscall}`;
  }
  return [result, treeOf(base)];
}

/** The outcome of `body` on the real disk and on a simulated root. */
async function bothWays(body: (at: (name: string) => string) => Promise<void>): Promise<{ real: unknown; sim: unknown }> {
  const realBase = fs.mkdtempSync(join(tmpdir(), 'powercut-cp-'));
  try {
    const real = await outcome(realBase, body);
    facade = installFacade(new SimWorld({ seed: 1 }), simRoot);
    const sim = await outcome(simRoot, body);
    facade.uninstall();
    facade = undefined;
    return { real, sim };
  } finally {
    fs.rmSync(realBase, { recursive: true, force: true });
  }
}

const cases: ReadonlyArray<readonly [string, (api: Api, at: (name: string) => string) => Promise<void>]> = [
  ['a directory, recursively, to a new name', (api, at) => cp(api, at('src'), at('copy'), { recursive: true })],
  ['a directory into an existing one, merging and overwriting (force)', (api, at) => cp(api, at('src'), at('busy'), { recursive: true })],
  ['without overwriting (force: false)', (api, at) => cp(api, at('src'), at('busy'), { recursive: true, force: false })],
  ['refusing an existing file (errorOnExist)', (api, at) => cp(api, at('file'), at('busy/f'), { force: false, errorOnExist: true })],
  ['a directory without recursive', (api, at) => cp(api, at('src'), at('copy'))],
  ['a file to a new nested path (parents made)', (api, at) => cp(api, at('file'), at('n1/n2/file'))],
  ['a file over a file', (api, at) => cp(api, at('file'), at('src/f'))],
  ['a missing source', (api, at) => cp(api, at('missing'), at('copy'))],
  ['onto itself', (api, at) => cp(api, at('src'), at('src'), { recursive: true })],
  ['into its own subdirectory', (api, at) => cp(api, at('src'), at('src/sub/inner'), { recursive: true })],
  ['a directory over a file', (api, at) => cp(api, at('src'), at('file'), { recursive: true })],
  ['a file over a directory', (api, at) => cp(api, at('file'), at('busy'))],
  ['with a filter that leaves out one subtree', (api, at) => cp(api, at('src'), at('copy'), { recursive: true, filter: (src) => !src.endsWith('sub') })],
  ['with a filter that refuses the top', (api, at) => cp(api, at('src'), at('copy'), { recursive: true, filter: () => false })],
];

describe('cp on simulated paths', () => {
  for (const [name, body] of cases) {
    it(`agrees with Node's: ${name}`, async () => {
      for (const api of apis) {
        const { real, sim } = await bothWays((at) => body(api, at));
        expect({ api, outcome: sim }).toEqual({ api, outcome: real });
      }
    });
  }

  it('awaits an asynchronous filter in fs.cp and fs.promises.cp, and refuses one in cpSync as Node does', async () => {
    const filter = async (src: string): Promise<boolean> => !src.endsWith('/f');
    for (const api of apis) {
      const { real, sim } = await bothWays((at) => cp(api, at('src'), at('copy'), { recursive: true, filter }));
      expect({ api, outcome: sim }).toEqual({ api, outcome: real });
    }
    const { sim } = await bothWays((at) => cp('sync', at('src'), at('copy'), { recursive: true, filter }));
    expect(sim).toEqual(['ERR_INVALID_RETURN_VALUE/undefined', expect.not.arrayContaining(['copy/'])]);
  });

  it('issues every step as I/O on the simulated disk, unlinking an existing file before copying over it', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, simRoot);
    fs.writeFileSync(`${simRoot}/a`, 'new');
    fs.writeFileSync(`${simRoot}/b`, 'old');
    const before = world.trace.length;
    await fs.promises.cp(`${simRoot}/a`, `${simRoot}/b`);
    const ios = world.trace.recent.slice(-(world.trace.length - before)).filter((event) => event.type === 'io').map((event) => `${event.name} ${relative(simRoot, event.path ?? '')}`);
    // Node's checks (lstat of both, the parent's existence, lstat again), then unlink and copy.
    expect(ios).toEqual(['lstat a', 'lstat b', 'exists ', 'lstat a', 'unlink b', 'open a', 'read a', 'read a', 'close a', 'open b', 'write b', 'close b']);
    expect(fs.readFileSync(`${simRoot}/b`, 'utf8')).toBe('new');
  });
});
