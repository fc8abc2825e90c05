/**
 * freshImport (targets/fresh-import.ts): an ES module graph evaluated again, module-level state
 * fresh in every view, giving what Node's own import gives; and what a workload run says when its
 * library was not loaded afresh.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noFaults } from '../../sim/world.ts';
import { freshImport } from '../../targets/fresh-import.ts';
import { targetPlan } from '../../targets/plan.ts';
import { runTargetPlan } from '../../targets/runner.ts';
import { defineWorkload, type Workload } from '../../targets/workload.ts';

const libUrl = new URL('./fixtures/esm-lib/index.js', import.meta.url);
const probe = fileURLToPath(new URL('./fixtures/esm-lib/probe.js', import.meta.url));

interface EsmLib {
  loads: number;
  bump(): void;
  enqueue(key: string, task: () => Promise<unknown>): Promise<unknown>;
  queued: number;
  dep: { kind: string; depLoads: number };
  depLoads: number;
  babel: unknown;
  marked: unknown;
  data: unknown;
  version: string;
  sawPartner: boolean;
  partner(): string;
  here: { url: string; filename: string; dirname: string; resolved: string };
  readsFs: unknown;
  later(): Promise<{ queued: number }>;
}

const lib = (): Promise<EsmLib> => freshImport<EsmLib>('./fixtures/esm-lib/index.js', import.meta.url);

describe('freshImport', () => {
  it('evaluates every module of the graph again: ES and CommonJS module-level state starts empty in each view', async () => {
    const first = await lib();
    first.bump();
    await first.enqueue('k', async () => {});
    const second = await lib();
    expect([first.loads, first.queued, first.dep.depLoads]).toEqual([2, 1, 1]);
    expect([second.loads, second.queued, second.dep.depLoads]).toEqual([1, 0, 1]);
    expect(second.dep).not.toBe(first.dep);
  });

  it('gives what Node\'s own import gives: the same export names and values, JSON, Babel-marked CommonJS (the marker hidden, or a plain property), cycles and import.meta', async () => {
    const node = (JSON.parse(execFileSync(process.execPath, [probe, '[]'], { encoding: 'utf8' })) as { namespace: Record<string, unknown> }).namespace;
    const fresh = await lib();
    const ours = {
      keys: Object.keys(fresh).sort(), loads: fresh.loads, data: fresh.data, babel: fresh.babel, marked: fresh.marked, dep: fresh.dep,
      version: fresh.version, sawPartner: fresh.sawPartner, partner: fresh.partner(), here: fresh.here,
    };
    expect(JSON.parse(JSON.stringify(ours))).toEqual(node);
    expect(fresh.babel).toEqual({ default: 'babel default', named: 'babel named' });
    expect(fresh.marked).toEqual({ __esModule: true, hash: 'sha' });
    expect(fresh.here.url).toBe(libUrl.href);
  });

  it('gives an .mjs module the default export of a CommonJS module as Node does: its module.exports', async () => {
    const file = './fixtures/esm-lib/default-of-cjs.mjs';
    const fresh = await freshImport<Record<string, unknown>>(file, import.meta.url);
    // Node itself, in a process of its own (vitest's import has interop of its own).
    const url = new URL(file, import.meta.url).href;
    const node = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify({ ...m }))`], { encoding: 'utf8' })) as Record<string, unknown>;
    expect({ ...fresh }).toEqual(node);
    expect(node).toEqual({ kind: 'cjs', babelDefault: 'babel default', babelNamed: 'babel named' });
  });

  it('keeps live bindings: an export reassigned in its module is seen by the importer', async () => {
    const fresh = await lib();
    fresh.bump();
    fresh.bump();
    expect(fresh.loads).toBe(3);
  });

  it('serves a dynamic import inside the graph from the same view', async () => {
    const fresh = await lib();
    await fresh.enqueue('k', async () => {});
    expect((await fresh.later()).queued).toBe(1);
  });

  it('gives built-ins as they are: the fs functions the facade routes', async () => {
    expect((await lib()).readsFs).toBe(fs.readFileSync);
  });

  it('loads npm packages with the export names import() gives: fast-check (an ES module build), commander (an ES module over CommonJS)', async () => {
    for (const name of ['fast-check', 'commander']) {
      const ours = await freshImport<Record<string, unknown>>(name, import.meta.url);
      const nodes = (await import(name)) as Record<string, unknown>;
      expect(Object.keys(ours).sort(), name).toEqual(Object.keys(nodes).sort());
    }
    const { Command } = await freshImport<{ Command: new () => { name(): string } }>('commander', import.meta.url);
    expect(new Command().name()).toBe('');
  });

  it('gives a CommonJS package its module.exports as the default export, and every own key as a named one (Node guesses fewer from the source)', async () => {
    const ours = await freshImport<{ default: (seed: string) => () => number; alea: unknown }>('seedrandom', import.meta.url);
    expect(ours.default('s')()).toBe((await import('seedrandom')).default('s')());
    expect(typeof ours.alea).toBe('function');
  });

  it('shares the packages named in share across views, loaded once per thread, while the rest stays fresh', async () => {
    type UsesPackages = { loads: number; Command: unknown; fc: Record<string, unknown> };
    const load = (share?: string[]) => freshImport<UsesPackages>('./fixtures/esm-lib/uses-packages.js', import.meta.url, share === undefined ? {} : { share });
    const [a, b] = [await load(['commander', 'fast-check']), await load(['commander', 'fast-check'])];
    expect(a.Command).toBe(b.Command);
    expect(a.fc.assert).toBe(b.fc.assert);
    expect(a).not.toBe(b);
    const [c, d] = [await load(), await load()];
    expect(c.Command).not.toBe(d.Command);
    expect(c.fc.assert).not.toBe(d.fc.assert);
  });

  it('converts the imports of a module that binds require itself (emscripten\'s output) to the view\'s require, not to that binding', async () => {
    const { loadModule } = await freshImport<{ loadModule(): Promise<string> }>('./fixtures/esm-lib/own-require.js', import.meta.url);
    await expect(loadModule()).resolves.toBe('cjs');
  });

  it('refuses a module with top-level await with a typed error naming the file', async () => {
    await expect(freshImport('./fixtures/esm-lib/tla.js', import.meta.url)).rejects.toMatchObject({
      code: 'POWERCUT_FRESH_IMPORT', message: expect.stringMatching(/tla\.js cannot be loaded afresh: Top-level await/),
    });
  });
});

/** A workload whose writes go through the fixture's module-level queue; a kill -9 mid-write leaves it held. */
function queuedWriter(load: () => Promise<EsmLib>): Workload<unknown, EsmLib> {
  return defineWorkload<Record<string, never>, EsmLib, EsmLib>({
    name: 'queued-writer',
    operationsCount: 3,
    initialState: () => ({}),
    load,
    open: (ctx, module) => module,
    operations: [{ name: 'write', run: async (ctx, queue) => { await queue.enqueue('a', () => fs.promises.writeFile(ctx.path('a'), 'y')); } }],
    async invariants() {},
  }) as unknown as Workload<unknown, EsmLib>;
}

describe('a library loaded with freshImport in a workload', () => {
  // Setup writes nothing; operation 0's write is I/O 0-2 (open, write, close): kill at its write.
  const killMidWrite = noFaults({ scheduled: [{ io: 1, kind: 'kill-9' }] });

  it('starts each incarnation with an empty queue, so the operation after a kill -9 runs', async () => {
    const workload = queuedWriter(lib);
    const result = await runTargetPlan(workload, targetPlan(workload, 'test', 1, killMidWrite));
    expect(result.crashes).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('when load() returns the same module again (plain import()), says so in the stuck operation and names freshImport', async () => {
    const shared = await lib();
    const workload = queuedWriter(async () => shared);
    const result = await runTargetPlan(workload, targetPlan(workload, 'test', 1, killMidWrite));
    expect(result.violations[0]).toMatchObject({
      invariant: 'liveness',
      message: expect.stringContaining("ended stuck; nothing was left to run (no timer, no I/O); load() returned the same module an earlier incarnation in this thread got (import() loads an ES module once per thread), so it still holds what a dead process, maybe of an earlier seed, left in it: load it with freshImport('<package>', import.meta.url)"),
    });
  });
});
