import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario, scenarios } from '../../scenarios/index.ts';
import type { Plan } from '../../sim/plan.ts';
import type { TraceEvent } from '../../sim/types.ts';
import { acknowledgesWithoutWriting, brokenEngine, startsAfreshOnDamage } from './broken-engines.ts';
import { loadPlanted, plantedBug } from './planted.ts';

const plan = (scenario: string, seed: number): Plan => findScenario(scenario)!.plan(seed);

/** A plan of `steps` with no fault at all. */
const clean = (steps: Plan['steps']): Plan => ({ ...plan('wal-append', 2), faults: { ...plan('wal-append', 2).faults, rates: {} }, steps });

describe('runner', () => {
  it('finds no violation in the reference engine over 5 seeds of every scenario', async () => {
    for (const scenario of scenarios) {
      for (let seed = 1; seed <= 5; seed++) {
        const result = await runPlan(scenario.plan(seed), referenceEngine);
        expect(result.violations, `${scenario.name} seed ${seed}`).toEqual([]);
      }
    }
  });

  it('does not hold a crash against uncleanShutdown when lost names took every file that could tell (lost-file seed 1751: the manifest, then the only segment)', async () => {
    const result = await runPlan(plan('lost-file', 1751), referenceEngine);
    expect(result.faults['lost-entry']).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('gives the same digest and result for the same plan, and a different digest for another seed', async () => {
    const a = await runPlan(plan('swarm', 11), referenceEngine);
    const b = await runPlan(plan('swarm', 11), referenceEngine, { trace: 'full' });
    const c = await runPlan(plan('swarm', 12), referenceEngine);
    expect(b.digest).toBe(a.digest);
    expect(b.faults).toEqual(a.faults);
    expect(c.digest).not.toBe(a.digest);
  });

  it('replays a run from its fired faults and crash states alone (rates off) with the same digest', async () => {
    const original = plan('wal-append', 3);
    const first = await runPlan(original, referenceEngine);
    expect(first.crashes).toBeGreaterThan(0);
    expect(first.crashStates).toHaveLength(first.crashes);
    const explicit: Plan = { ...original, faults: { ...original.faults, rates: {}, scheduled: first.faultsFired }, crashStates: first.crashStates };
    const again = await runPlan(explicit, referenceEngine);
    expect(again.digest).toBe(first.digest);
  });

  it('catches an engine that acknowledges commits it never wrote: durability names the missing commit', async () => {
    const result = await runPlan(plan('wal-append', 3), acknowledgesWithoutWriting(3, false));
    expect(result.violations).toContainEqual(expect.objectContaining({
      invariant: 'durability', message: expect.stringMatching(/^commit #2, acknowledged, is missing: key k4 should be/),
    }));
  });

  it('catches an acknowledgement with an LSN out of issue order (self-consistency)', async () => {
    const result = await runPlan(plan('wal-append', 1), acknowledgesWithoutWriting(3, true));
    // The store's own count of commits gives it away too (metrics), one step earlier.
    expect(result.violations).toContainEqual(expect.objectContaining({
      invariant: 'self-consistency', message: 'commit #3 was acknowledged with lsn 3; LSNs must follow issue order, so it should be > 3',
    }));
  });

  it('reports a read that returns a wrong value as a reads violation', async () => {
    const engine = brokenEngine('stale-reads', () => ({ async get() { return new TextEncoder().encode('stale'); } }));
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: 'fresh' }] }, { op: 'get', key: 'a' }]), engine);
    expect(result.violations[0]).toMatchObject({ invariant: 'reads', step: 1, message: expect.stringContaining('get(a) returned') });
  });

  it('reports an engine that leaves a promise rejected with nobody handling it as engine-error, instead of ending powercut', async () => {
    const engine = brokenEngine('forgets-a-rejection', (handle) => ({
      async commit(ops) {
        void Promise.reject(new Error('forgotten background flush'));
        return handle.commit(ops);
      },
    }));
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }]), engine);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'engine-error', message: expect.stringContaining('uncaught, which would end a real process: Error: forgotten background flush') }));
  });

  it('says of an I/O error nobody handled that a port call\'s promise was left unawaited', async () => {
    const engine = brokenEngine('unawaited-write', (handle, env) => ({
      async commit(ops) {
        const file = await env.fs.open(`${env.dir}/side`, { create: true });
        void file.write(-1, new Uint8Array([1]));
        return handle.commit(ops);
      },
    }));
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }]), engine);
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'engine-error', message: expect.stringMatching(/^uncaught, which would end a real process: IoError: EINVAL: write '\/db\/side': position -1 is not a natural number .*: an I\/O call failed and nothing handled its error: its promise \(or one awaiting it\) was never awaited or caught/) as unknown }));
  });

  it('reports an engine that throws in a callback nobody catches as engine-error, and stops the run there', async () => {
    const engine = brokenEngine('throws-in-a-tick', (handle) => ({
      async commit(ops) {
        process.nextTick(() => {
          throw new Error('thrown in a tick');
        });
        return handle.commit(ops);
      },
    }));
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }]), engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'engine-error', message: 'uncaught, which would end a real process: Error: thrown in a tick' })]);
  });

  it('reports a background rejection nobody handled before the deadlock it left (a commit waiting for it), as the root cause', async () => {
    const engine = brokenEngine('rejects-in-the-background', () => ({
      commit: () => new Promise<undefined>(() => {
        void (async () => {
          await Promise.resolve();
          throw new Error('background boom');
        })();
      }),
    }));
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }]), engine);
    expect(result.violations.map((v) => v.invariant)).toEqual(['engine-error', 'liveness']);
    expect(result.violations[0]?.message).toBe('uncaught, which would end a real process: Error: background boom');
  });

  it('counts the operations that failed while faults were on, however the engine wrapped the fault', async () => {
    const result = await runPlan(findScenario('fsync-failure')!.plan(1), referenceEngine);
    expect(result.faults['fsync-error']).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
    expect(result.failedOperations).toBeGreaterThan(0);
    expect((await runPlan(findScenario('wal-append')!.plan(1), referenceEngine)).failedOperations).toBe(0);
  });

  it('reports a deadlocked engine as a liveness failure instead of hanging', async () => {
    const engine = brokenEngine('hangs-on-sync', () => ({ sync: () => new Promise<void>(() => undefined) }));
    const result = await runPlan(clean([{ op: 'sync' }]), engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'liveness', message: expect.stringMatching(/^step 0 \(sync\): deadlocked/) })]);
  });

  describe('a retry after an open whose recovery fsync failed (the finding recovery-fsyncgate)', () => {
    const entry = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../scenarios/regressions/recovery-fsyncgate.json'), 'utf8')) as { plan: Plan };
    /** How each process after a failed recovery fsync began: `power-loss` or `clean`. */
    const restartsAfterFailedRecoveryFsync = (trace: readonly TraceEvent[]): string[] => trace.flatMap((event, i) => {
      if (event.type !== 'fault' || event.name !== 'fsync-error' || event.phase !== 'recovery') return [];
      const restart = trace.slice(i).find((later) => later.type === 'restart');
      return restart === undefined ? [] : [restart.name];
    });

    it('follows a power loss with ext4 after-effects, so no recovery serves pages ext4 marked clean without writing', async () => {
      const result = await runPlan(entry.plan, referenceEngine, { trace: 'full' });
      // With the retry keeping the page cache, it served a frame that was not on disk and a later
      // power loss took it back: idempotence and durability violations no engine can avoid.
      expect(result.violations).toEqual([]);
      expect(restartsAfterFailedRecoveryFsync(result.trace)).toEqual(['power-loss']);
    });

    it('keeps the page cache with btrfs after-effects, whose revert leaves no page that lies', async () => {
      const btrfs: Plan = { ...entry.plan, faults: { ...entry.plan.faults, fsyncFailureMode: 'btrfs' } };
      const result = await runPlan(btrfs, referenceEngine, { trace: 'full' });
      expect(result.violations).toEqual([]);
      expect(restartsAfterFailedRecoveryFsync(result.trace)).toEqual(['clean']);
    });
  });

  it('says a lost commit rests on pages an fsync failed on ext4\'s way when a reopen served them before the power loss took them', async () => {
    const engine = (await import('../fixtures/engines/trusts-forgotten-pages.ts')).default;
    // fsync-failure seed 1324, on the run's own path: the store failed, was reopened with the page
    // cache kept, served the commit whose fsync failed, and a power loss took it. (A later append
    // to the same page would have written the forgotten line after all, as writeback writes whole
    // pages: only a line whose page no later write dirtied is lost.)
    const result = await runPlan({ ...findScenario('fsync-failure')!.plan(1324), looks: 0 }, engine);
    expect(result.violations[0]).toMatchObject({ invariant: 'durability' });
    expect(result.violations[0]?.message).toMatch(/^key k\d+, present after commit #\d+, found by an earlier recovery, is missing: .*; before that power loss an fsync had failed ext4's way/);
  });

  it('counts a refusal to open after an injected bit flip as detected damage, not a violation', async () => {
    let detected = 0;
    for (let seed = 1; seed <= 30 && detected === 0; seed++) {
      const result = await runPlan(plan('read-corruption', seed), referenceEngine);
      expect(result.violations).toEqual([]);
      detected += result.detected;
    }
    expect(detected).toBeGreaterThan(0);
  });
});

describe('runner: the engine contract, for engines that are not the reference one', () => {
  /** The reference engine behind a contract that says less: no LSNs, no replay facts, no phases, raw errors. */
  function plainEngine(name: string, overrides: Partial<Engine> = {}): Engine {
    return {
      name,
      async open(env) {
        const handle = await referenceEngine.open({ ...env, probe: () => undefined });
        return {
          commit: async (ops) => { await handle.commit(ops); },
          get: (key) => handle.get(key),
          state: () => handle.state(),
          sync: () => handle.sync!(),
          close: () => handle.close(),
        };
      },
      classifyError: referenceEngine.classifyError!,
      ...overrides,
    };
  }

  it('runs an engine without LSNs, replay statistics, phases, checkpoints or self-checks with no violation', async () => {
    for (const scenario of ['wal-append', 'swarm', 'fsync-failure']) {
      for (let seed = 1; seed <= 3; seed++) {
        const result = await runPlan(plan(scenario, seed), plainEngine('plain'));
        expect(result.violations, `${scenario} seed ${seed}`).toEqual([]);
      }
    }
  });

  it('judges a commit rejected with an error the contract does not name as in doubt, never a harness error', async () => {
    // The reference engine's typed errors, hidden: a full disk now surfaces as a plain Error.
    const engine = plainEngine('raw-errors', { classifyError: () => undefined });
    let rejected = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const result = await runPlan(plan('disk-full', seed), engine);
      expect(result.violations.filter((v) => v.invariant === 'harness'), `disk-full seed ${seed}`).toEqual([]);
      rejected += result.faults['disk-full'];
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('reports a programming error thrown by open as engine-error, naming it', async () => {
    const engine: Engine = { name: 'throws', async open() { throw new TypeError('cannot read properties of undefined'); } };
    const result = await runPlan(clean([]), engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'engine-error', message: 'open threw TypeError: cannot read properties of undefined' })]);
  });

  it('counts a refusal coded corruption without any damaging fault as false-corruption', async () => {
    const engine: Engine = { name: 'refuses', async open() { throw Object.assign(new Error('bad header'), { code: 'corruption' }); } };
    const result = await runPlan(clean([]), engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'false-corruption', message: 'open refused with "bad header" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine\'s own writes left what it refuses (data relied on before it was synced, an overwrite in place a power loss tore sector by sector, or data relied on after a write or fsync failed)' })]);
  });

  it('judges a refusal coded corruption while the recovered state is read, or by a get, as it judges one by open: an engine that reads its values from disk when asked', async () => {
    const refusal = (): Error => Object.assign(new Error('value fails its checksum'), { code: 'corruption', file: '/db/1.data', offset: 40 });
    const inState = plainEngine('refuses-in-state', {
      async open(env) {
        const handle = await plainEngine('inner').open(env);
        return { ...handle, state: async () => { throw refusal(); } };
      },
    });
    const stateResult = await runPlan(clean([]), inState);
    expect(stateResult.violations).toEqual([expect.objectContaining({ invariant: 'false-corruption', message: expect.stringMatching(/^reading the recovered state refused with "value fails its checksum" although no fault damaged durable data/) })]);
    const inGet = plainEngine('refuses-in-get', {
      async open(env) {
        const handle = await plainEngine('inner').open(env);
        return { ...handle, get: async () => { throw refusal(); } };
      },
    });
    const getResult = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'k0', value: '1' }] }, { op: 'get', key: 'k0' }]), inGet);
    expect(getResult.violations).toEqual([expect.objectContaining({ invariant: 'false-corruption', message: expect.stringMatching(/^get\(k0\) refused with "value fails its checksum" although no fault/) })]);
  });

  it('retries an open whose recovered state could not be read for an injected read error, as a transient failure of the open, never an engine error', async () => {
    let reads = 0;
    const readsItsData = plainEngine('reads-on-state', {
      async open(env) {
        const handle = await plainEngine('inner').open(env);
        return {
          ...handle,
          state: async () => {
            reads++;
            if (reads === 1) throw Object.assign(new Error("EIO: read '/db/1.data' (injected)"), { code: 'EIO' });
            return handle.state();
          },
        };
      },
    });
    const result = await runPlan(clean([{ op: 'commit', batch: [{ type: 'put', key: 'k0', value: '1' }] }]), readsItsData);
    expect(result.violations).toEqual([]);
    expect(reads).toBeGreaterThan(1);
  });

  it('names an injected bit flip that struck a read earlier in the run in a complaint of lost data, and only then (a shrunk plan pins a rotted bit as one)', async () => {
    // Forgets the smallest key at every open: lost data in every run, bit flips or not.
    const forgets = brokenEngine('forgets-a-key', (handle) => ({
      state: async () => new Map([...(await handle.state())].sort(([a], [b]) => (a < b ? -1 : 1)).slice(1)),
    }));
    const noted = { flipped: 0, clean: 0 };
    let cleanRuns = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const result = await runPlan(plan('swarm', seed), forgets);
      const lost = result.violations.filter((v) => v.look === undefined && v.invariant === 'durability');
      const flipped = result.faultsFired.some((fault) => fault.kind === 'bit-flip');
      if (!flipped && lost.length > 0) cleanRuns++;
      noted[flipped ? 'flipped' : 'clean'] += lost.filter((v) => v.message.includes('an injected bit flip struck a read earlier in this run')).length;
    }
    expect(cleanRuns).toBeGreaterThan(0);
    expect(noted.clean).toBe(0);
    expect(noted.flipped).toBeGreaterThan(0);
  });

  it('does not name a lost file name in an LSN-order complaint: the loss of what a name held shows as its own violation, which names it', async () => {
    const inner = await loadPlanted(plantedBug('segment-no-dirsync'));
    const repeatsLsn: Engine = {
      ...inner,
      name: 'segment-no-dirsync-repeats-lsn-1',
      async open(env) {
        const handle = await inner.open(env);
        return { ...handle, commit: async (ops) => { await handle.commit(ops); return 1; } };
      },
    };
    const lostName = /which named a file whose data was durable/;
    let hinted = 0;
    for (const seed of [1, 3, 4]) {
      const { violations } = await runPlan(plan('wal-append', seed), repeatsLsn);
      hinted += violations.filter((v) => v.invariant === 'durability' && lostName.test(v.message)).length;
      const lsnOrder = violations.filter((v) => v.invariant === 'self-consistency' && v.lsn !== undefined);
      expect(lsnOrder.length, `seed ${seed}`).toBeGreaterThan(0);
      for (const violation of lsnOrder) expect(violation.message).not.toMatch(lostName);
    }
    expect(hinted).toBeGreaterThan(0);
  });

  it('says, of a commit that looks torn once media damage struck, that media damage struck: a lost file the engine ignored leaves a store that only looks torn', async () => {
    const { violations } = await runPlan(plan('lost-file', 3), startsAfreshOnDamage);
    const torn = violations.find((violation) => violation.invariant === 'atomicity');
    expect(torn?.message).toMatch(/ is torn: .*; media damage struck durable bytes earlier in this run \(the trace's misdirected-write, sector-damage or lost-entry fault names it\)/);
  });

  it('says, of an LSN handed out again once media damage struck, that the commits that had it are gone: the loss of found commits that changed no key shows only there', async () => {
    const repeatsLsn = brokenEngine('repeats-lsn-1', (handle) => ({ commit: async (ops) => { await handle.commit(ops); return 1; } }));
    const lsnMessages = async (scenario: string): Promise<string[]> => (await runPlan(plan(scenario, 2), repeatsLsn)).violations.filter((v) => v.invariant === 'self-consistency' && v.lsn !== undefined).map((v) => v.message);
    const damaged = await lsnMessages('lost-file');
    expect(damaged.some((message) => /LSNs must follow issue order.*; media damage struck durable bytes earlier in this run .*an LSN handed out again means the commits that had it are gone/.test(message))).toBe(true);
    const undamaged = await lsnMessages('wal-append');
    expect(undamaged.length).toBeGreaterThan(0);
    expect(undamaged.filter((message) => message.includes('media damage'))).toEqual([]);
  });

  it('skips sync and checkpoint steps an engine does not offer', async () => {
    const result = await runPlan(clean([{ op: 'checkpoint' }, { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] }, { op: 'sync' }]), plainEngine('no-checkpoint'));
    expect(result.violations).toEqual([]);
    expect(result.acknowledged).toBe(1 + plan('wal-append', 2).livenessCommits);
  });

  it('counts coverage by I/O class when asked, and by phase by default', async () => {
    const byIo = await runPlan(plan('wal-append', 3), referenceEngine, { coverBy: 'io' });
    const byPhase = await runPlan(plan('wal-append', 3), referenceEngine);
    const total = (coverage: typeof byIo.coverage): number => Object.values(coverage).reduce((sum, kinds) => sum + kinds['power-loss'] + kinds['kill-9'], 0);
    expect(Object.keys(byIo.coverage).every((site) => ['create', 'open', 'read', 'append', 'write', 'truncate', 'fsync', 'rename', 'unlink', 'mkdir', 'dir-sync', 'other'].includes(site))).toBe(true);
    expect(Object.keys(byPhase.coverage).every((site) => ['wal.append', 'wal.sync'].includes(site))).toBe(true);
    expect(total(byIo.coverage)).toBe(total(byPhase.coverage));
    expect(total(byIo.coverage)).toBeGreaterThan(0);
  });
});
