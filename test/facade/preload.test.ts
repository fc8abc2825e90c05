/**
 * The preload, with real child processes (facade/preload.ts, started by facade/child.ts): an
 * unmodified program sees the simulated disk under its root, the disk outlives the process in an
 * image file, and a power loss between processes loses exactly what the program left unsynced.
 * Each child costs about half a second (Node plus tsx), so independent children run in parallel.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { powerLossImage, runUnderFacade, type ChildRun, type RunUnderFacadeOptions } from '../../facade/child.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'powercut-preload-test-'));
/** The simulated root: a real path that does not exist on the real disk. */
const root = join(work, 'sim-root');
afterAll(() => rmSync(work, { recursive: true, force: true }));

let imageCount = 0;
/** A fresh image path (no file yet: an empty disk). */
function freshImage(): string {
  return join(work, `image-${imageCount++}.json`);
}

function run(script: string, image: string, options: Partial<RunUnderFacadeOptions> = {}): Promise<ChildRun> {
  return runUnderFacade({ script: fixture(script), args: [root], root, image, seed: 7, ...options });
}

/** The files under the root as a fixture program sees them, by path. */
async function show(image: string): Promise<Record<string, string>> {
  const child = await run('show.mjs', image);
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as Record<string, string>;
}

describe('the preload', () => {
  const shared = freshImage();
  let cjs: ChildRun;
  beforeAll(async () => {
    cjs = await run('cjs-writer.cjs', shared);
  });

  it('serves a CommonJS program (require) from the simulated disk, and nothing reaches the real disk', () => {
    expect(cjs.stderr).toBe('');
    expect(cjs).toMatchObject({ exitCode: 0, signal: null, stdout: '["hello.txt"]\n' });
    expect(cjs.status).toMatchObject({ outcome: 'normal-exit', exitCode: 0, incarnation: 0, ioFirst: 0, faultsFired: [], crashState: null });
    expect(existsSync(root)).toBe(false);
    expect(existsSync(shared)).toBe(true);
  });

  it('serves an ESM program (named imports from node:fs), which sees what an earlier process left, exit listeners included', async () => {
    const esm = await run('esm-writer.mjs', shared);
    expect(esm.stderr).toBe('');
    expect(JSON.parse(esm.stdout)).toEqual({ earlier: 'written by CommonJS', names: ['cjs', 'esm.txt'], cjs: ['at-exit.txt', 'hello.txt'] });
    expect(esm.status).toMatchObject({ outcome: 'normal-exit', incarnation: 1, ioFirst: cjs.status!.ioCount });
    expect(existsSync(root)).toBe(false);
  });

  it('keeps a symbolic link in the image: the next process walks through what the last one switched', async () => {
    const image = freshImage();
    const first = await run('link-switcher.mjs', image);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual({ current: null, next: 1, isLink: true });
    const second = await run('link-switcher.mjs', image);
    expect(second.stderr).toBe('');
    expect(JSON.parse(second.stdout)).toEqual({ current: { link: 'v1', data: '1' }, next: 2, isLink: true });
    expect(existsSync(root)).toBe(false);
  });

  describe('across a power loss between two processes', () => {
    const oldText = 'old '.repeat(2500);
    const newText = 'NEW!'.repeat(3000);
    const crashStates = [0, 1, 2, 3, 4, 5];

    /** Runs update.mjs in `style`, then each crash state on a copy of the image, then a checker on each. */
    async function afterPowerLoss(style: 'careful' | 'careless'): Promise<Array<string | undefined>> {
      const image = freshImage();
      const writer = await run('update.mjs', image, { args: [root, style] });
      expect(writer.stderr).toBe('');
      expect(writer.status?.outcome).toBe('normal-exit');
      return Promise.all(crashStates.map(async (crashState) => {
        const copy = freshImage();
        copyFileSync(image, copy);
        powerLossImage(copy, 7, crashState);
        return (await show(copy))[`${root}/config`];
      }));
    }

    it('a careless writer (in place, no fsync) loses or tears the file in some crash state', async () => {
      const seen = await afterPowerLoss('careless');
      expect(seen.some((text) => text !== oldText && text !== newText)).toBe(true);
    });

    it('a careful writer (temporary file, fsync, rename, fsync of the directory) keeps old or new in every crash state', async () => {
      const seen = await afterPowerLoss('careful');
      for (const text of seen) expect([oldText, newText]).toContain(text);
    });

    /**
     * The file after a power loss at each I/O of the replacement (the process dies there), by
     * I/O index, in crash state `stateOf(k)` for the k-th I/O.
     */
    async function duringReplacement(style: 'careful' | 'careless', stateOf: (k: number) => number): Promise<Array<string | undefined>> {
      const before = await run('update.mjs', freshImage(), { args: [root, 'old-only'] });
      const whole = await run('update.mjs', freshImage(), { args: [root, style] });
      const first = before.status!.ioCount;
      const last = whole.status!.ioCount;
      expect(last).toBeGreaterThan(first);
      return Promise.all(Array.from({ length: last - first }, async (_, k) => {
        const image = freshImage();
        const io = first + k;
        const writer = await run('update.mjs', image, { args: [root, style], faults: { scheduled: [{ io, kind: 'power-loss' }] }, crashState: stateOf(k) });
        expect(writer.status).toMatchObject({ outcome: 'power-loss', faultsFired: [{ io, kind: 'power-loss' }] });
        return (await show(image))[`${root}/config`];
      }));
    }

    it('a careful writer keeps old or new whatever I/O of the replacement the power fails at', async () => {
      const seen = await duringReplacement('careful', (k) => k % 6);
      expect(seen.length).toBeGreaterThanOrEqual(5);
      for (const text of seen) expect([oldText, newText]).toContain(text);
      expect(seen).toContain(oldText);
    });

    it('a careless writer tears or loses the file when the power fails during its replacement', async () => {
      // Crash state 0: a seeded random subset of the unsynced writes (here: the truncation without the new data).
      const seen = await duringReplacement('careless', () => 0);
      expect(seen.some((text) => text !== oldText && text !== newText)).toBe(true);
    });
  });

  describe('when a simulated crash fires', () => {
    it('dies by SIGKILL at a kill-9 scheduled by I/O index, runs no further, and keeps its page cache', async () => {
      const image = freshImage();
      // appendFileSync is open, write, close: I/O 7 is the write of the third line.
      const child = await run('appender.mjs', image, { faults: { scheduled: [{ io: 7, kind: 'kill-9' }] } });
      expect(child).toMatchObject({ exitCode: null, signal: 'SIGKILL', stdout: 'appended 0\nappended 1\n' });
      expect(child.status).toMatchObject({ outcome: 'kill-9', exitCode: null, faultsFired: [{ io: 7, kind: 'kill-9', arg: 0 }], ioCount: 8, crashState: null });
      expect(await show(image)).toEqual({ [`${root}/log`]: 'line 0\nline 1\n' });
    });

    it('applies a scheduled power loss in the crash state asked for before dying', async () => {
      const image = freshImage();
      const child = await run('appender.mjs', image, { faults: { scheduled: [{ io: 7, kind: 'power-loss' }] }, crashState: 1 });
      expect(child).toMatchObject({ exitCode: null, signal: 'SIGKILL', stdout: 'appended 0\nappended 1\n' });
      expect(child.status).toMatchObject({ outcome: 'power-loss', crashState: 1 });
      // Nothing was synced: in crash state 1 not even the file's name survives.
      expect(await show(image)).toEqual({});
    });
  });

  it('runs the same way twice from the same image and seed', async () => {
    const faults = { rates: { 'fsync-error': 0.4, 'power-loss': 0.02 } };
    const images = [freshImage(), freshImage()];
    const [first, second] = await Promise.all(images.map((image) => run('update.mjs', image, { args: [root, 'careful'], faults, seed: 9 })));
    expect(first!.status!.faultsFired.length).toBeGreaterThan(0);
    expect(second!.status).toEqual(first!.status);
    expect(second!.stderr).toBe(first!.stderr);
    expect(readFileSync(images[1]!, 'utf8')).toBe(readFileSync(images[0]!, 'utf8'));
  });

  describe.concurrent('refuses a bad configuration with one line on stderr and exit code 2', () => {
    const refusals: Array<[string, () => Partial<RunUnderFacadeOptions>, RegExp]> = [
      ['a relative root', () => ({ env: { POWERCUT_ROOT: 'sim-root' } }), /^powercut preload: POWERCUT_ROOT must be an absolute path, found "sim-root"\n$/],
      ['a missing image variable', () => ({ env: { POWERCUT_IMAGE: undefined } }), /^powercut preload: POWERCUT_IMAGE is not set/],
      ['a misspelt fault kind', () => ({ faults: { rates: { 'kill9': 1 } } as never }), /^powercut preload: POWERCUT_FAULTS rates has unknown fault kind "kill9"\n$/],
      ['a misspelt sector-write kind', () => ({ faults: { sectorWrites: 'whole' } as never }), /^powercut preload: POWERCUT_FAULTS sectorWrites must be "torn" or "atomic"\n$/],
      ['a malformed image', () => {
        const image = freshImage();
        writeFileSync(image, '{"format":"powercut-disk-image","version":99}');
        return { image };
      }, /^powercut preload: POWERCUT_IMAGE \S+: not a valid powercut disk image: version 99 is not supported \(this build reads version 1\)\n$/],
    ];
    for (const [what, options, message] of refusals) {
      it(`refuses ${what}`, async ({ expect }) => {
        const child = await run('show.mjs', freshImage(), options());
        expect(child).toMatchObject({ exitCode: 2, signal: null, stdout: '', status: undefined });
        expect(child.stderr).toMatch(message);
        expect(child.stderr.trim().split('\n')).toHaveLength(1);
      });
    }
  });
});
