/**
 * `mkdtemp` on simulated paths (facade/mkdtemp.ts): the six characters come from the world's
 * seeded stream, so a seed names its temporary directories the same way in every run, and
 * `Math.random` is never used. Routing goes by what is created, not by the prefix.
 * test/facade/differential.test.ts compares everything but the six characters with the real fs.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-mkdtemp';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
  vi.restoreAllMocks();
});

/** The names `count` mkdtemp calls (sync, callback, promise in turn) create in a world of `seed`. */
async function namesFor(seed: number, count: number): Promise<string[]> {
  facade = installFacade(new SimWorld({ seed }), root);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) names.push(fs.mkdtempSync(`${root}/tmp-`));
    else if (i % 3 === 1) names.push(await new Promise<string>((resolve, reject) => fs.mkdtemp(`${root}/tmp-`, (error, made) => (error ? reject(error) : resolve(made)))));
    else names.push(await fs.promises.mkdtemp(`${root}/tmp-`));
  }
  facade.uninstall();
  facade = undefined;
  return names;
}

describe('mkdtemp on a simulated path', () => {
  it('creates a directory named by the prefix and six letters or digits', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const made = fs.mkdtempSync(`${root}/tmp-`);
    expect(made).toMatch(new RegExp(`^${root}/tmp-[A-Za-z0-9]{6}$`));
    expect(fs.statSync(made).isDirectory()).toBe(true);
  });

  it('gives the same names for the same seed, through every API, and other names for another seed', async () => {
    const first = await namesFor(7, 6);
    expect(await namesFor(7, 6)).toEqual(first);
    expect(new Set(first).size).toBe(6);
    expect(await namesFor(8, 6)).not.toEqual(first);
  });

  it('never calls Math.random', async () => {
    const random = vi.spyOn(Math, 'random');
    await namesFor(3, 3);
    expect(random).not.toHaveBeenCalled();
  });

  it('draws another name when the drawn one is taken', async () => {
    const [firstName, secondName] = await namesFor(5, 2);
    facade = installFacade(new SimWorld({ seed: 5 }), root);
    fs.mkdirSync(firstName!);
    expect(fs.mkdtempSync(`${root}/tmp-`)).toBe(secondName);
  });

  it('creates inside the prefix directory when the prefix ends with a slash', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.mkdirSync(`${root}/d`);
    expect(fs.mkdtempSync(`${root}/d/`)).toMatch(new RegExp(`^${root}/d/[A-Za-z0-9]{6}$`));
  });

  it('returns a Buffer under encoding buffer', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const made = fs.mkdtempSync(`${root}/tmp-`, { encoding: 'buffer' });
    expect(Buffer.isBuffer(made)).toBe(true);
    expect(fs.existsSync(made.toString())).toBe(true);
  });

  it('reports a missing parent as Node does: ENOENT, syscall mkdtemp, the prefix with XXXXXX', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const expected = { code: 'ENOENT', syscall: 'mkdtemp', path: `${root}/missing/tmp-XXXXXX` };
    expect(() => fs.mkdtempSync(`${root}/missing/tmp-`)).toThrow(expect.objectContaining(expected));
    await expect(fs.promises.mkdtemp(`${root}/missing/tmp-`)).rejects.toMatchObject(expected);
  });

  it('leaves a prefix that creates outside the root (the root itself, no slash) to the real disk', () => {
    const realRoot = join(tmpdir(), `powercut-mkdtemp-root-${process.pid}`);
    facade = installFacade(new SimWorld({ seed: 1 }), realRoot);
    const made = fs.mkdtempSync(realRoot);
    try {
      expect(made.startsWith(`${realRoot}/`)).toBe(false);
      facade.uninstall();
      expect(fs.statSync(made).isDirectory()).toBe(true);
    } finally {
      fs.rmSync(made, { recursive: true, force: true });
    }
  });
});
