/**
 * The naive example engine (examples/naive-engine/) is caught: a short campaign, loaded by
 * module name as `--engine` loads it, finds the bugs it was written with. It also works, as far
 * as it goes, on the real file system.
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { loadEngine, loadSubject } from '../../subjects/index.ts';
import { NodeFileSystem, SystemClock } from '../../engine/node/index.ts';
import { baseEngine } from '../../scenarios/scenario.ts';
import type { Plan } from '../../sim/plan.ts';

const module = 'examples/naive-engine/engine.ts';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('the naive example engine', () => {
  it('loses acknowledged commits to power loss and refuses its own torn index, in a short campaign', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const result = await runCampaign({ subject, units: ['wal-append', 'checkpoint-prune'], seeds: 10 });
    const invariants = new Set(result.violations.map((violation) => violation.invariant));
    // No fsync anywhere: commits acknowledged in strict mode are gone after a power loss.
    expect(invariants).toContain('durability');
    // The index rewritten in place is empty or half written after a crash, and open refuses it
    // although no fault damaged durable data.
    expect(invariants).toContain('false-corruption');
    expect(result.failingSeeds).toBeGreaterThan(5);
    expect(result.violations[0]!.repro).toContain(`--engine ${module}`);
  });
});

describe('the naive example engine\'s trace', () => {
  it('says a checkpoint step was skipped, as the engine has no checkpoint, instead of showing one that never ran', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const plan = subject.plan('checkpoint-prune', 1) as Plan;
    expect(plan.steps.some((step) => step.op === 'checkpoint')).toBe(true);
    const { trace } = await subject.run(plan, { trace: 'full' });
    const checkpoints = trace.filter((event) => event.type === 'op' && event.name === 'checkpoint');
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(new Set(checkpoints.map((event) => event.detail))).toEqual(new Set(['skipped: the engine has no checkpoint']));
  });
});

describe('the naive example engine on the real file system', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('commits, closes, reopens and reads back through NodeFileSystem', async () => {
    dir = mkdtempSync(join(tmpdir(), 'powercut-naive-'));
    const engine = await loadEngine(module);
    const env = { fs: new NodeFileSystem(fs), clock: new SystemClock(), dir, config: baseEngine, probe: () => undefined, hit: () => undefined };
    const first = await engine.open(env);
    await first.commit([{ type: 'put', key: 'a', value: encoder.encode('one') }, { type: 'put', key: 'b', value: encoder.encode('two') }]);
    await first.commit([{ type: 'delete', key: 'a' }]);
    await first.close();
    const second = await engine.open(env);
    expect(await second.get('a')).toBeUndefined();
    expect(decoder.decode(await second.get('b'))).toBe('two');
    expect([...await second.state()].map(([key, value]) => [key, decoder.decode(value)])).toEqual([['b', 'two']]);
    await second.close();
  });
});
