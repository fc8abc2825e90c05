/**
 * Second looks at a crash (sim/second-look.ts): the same disk settled on other crash states, or
 * with a bit of its newest durable data rotted, each recovered in a world of its own and judged
 * by a copy of the model, while the run goes on with its own disk.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { runPlan } from '../../sim/runner.ts';
import type { RunResult } from '../../sim/run-result.ts';
import { CommitModel } from '../../sim/model.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import type { Plan } from '../../sim/plan.ts';
import { findScenario } from '../../scenarios/index.ts';
import { explorationBase } from '../../scenarios/engine-explore.ts';
import { explicitLook } from '../../scenarios/engine-shrink.ts';
import { withLooks } from '../../harness/pin-look.ts';
import { shrinkPlan } from '../../harness/shrink.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { secondLooks } from '../../scenarios/scenario.ts';
import { Rng } from '../../sim/rng.ts';
import { lookPrefix, PowerLossWatch, RotWatch } from '../../sim/second-look.ts';
import { noFaults, SimWorld, type ScheduledFault } from '../../sim/world.ts';
import { mutants } from '../mutants/catalogue.ts';
import { carefulMutants } from '../mutants/careful-catalogue.ts';
import { removeCarefulCopies, writeCarefulCopy } from '../mutants/careful-loader.ts';
import { loadEngine } from '../../subjects/index.ts';
import { filled, inWorld } from './helpers.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

const plan = (scenario: string, seed: number): Plan => findScenario(scenario)!.plan(seed);
const mutant = (id: string): Promise<Engine> => loadMutant(mutants.find((m) => m.id === id)!);

/** wal-append seed 2 with strict commits, no sidecars, no fault rates, and `steps`: nothing is unsynced at a crash between commits. */
function strictPlan(steps: Plan['steps']): Plan {
  const base = plan('wal-append', 2);
  return { ...base, engine: { ...base.engine, sync: 'strict', sidecarEveryFrames: 0 }, faults: { ...base.faults, rates: {} }, steps };
}

/** `strictPlan(steps)` in `none` mode (commits acknowledged without an fsync), with no crash state named. */
function unsyncedPlan(steps: Plan['steps']): Plan {
  const base = strictPlan(steps);
  return { ...base, engine: { ...base.engine, sync: 'none' }, crashStates: [] };
}

/** Two commits without fsync (`none` mode), then `middle` (a step that promises both), then a third commit. */
const twoCommitsThen = (middle: Plan['steps'][number]): Plan => unsyncedPlan([
  { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
  { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
  middle,
  { op: 'commit', batch: [{ type: 'put', key: 'c', value: '3' }] },
]);

/** The careful example engine, or a copy of it with the planted bug `id` (test/mutants/careful-catalogue.ts). */
const careful = (id?: string): Promise<Engine> => loadEngine(id === undefined ? 'examples/careful-engine/engine.ts' : writeCarefulCopy(carefulMutants.find((m) => m.id === id)!));

/**
 * `plan` on `engine`: the run without looks finds nothing; with them, its first violation (a
 * look's), and the plan with that look moved onto the run's own path (explicitLook).
 */
async function foundByLook(plan: Plan, engine: Engine): Promise<{ violation: RunResult['violations'][number] | undefined; pinned: Plan }> {
  expect((await runPlan(withLooks(plan, 0), engine)).violations).toEqual([]);
  const looked = await runPlan(withLooks(plan, secondLooks), engine);
  return { violation: looked.violations[0], pinned: explicitLook(withLooks(plan, secondLooks), looked) };
}

/** That the careful example takes no second look on `plan`, and its run with looks is byte for byte the run without. */
async function expectNoLook(plan: Plan): Promise<RunResult> {
  const engine = await careful();
  const [plain, looked] = [await runPlan(withLooks(plan, 0), engine), await runPlan(withLooks(plan, secondLooks), engine)];
  expect(looked.looks).toBeUndefined();
  expect(looked.violations).toEqual([]);
  expect(looked.digest).toBe(plain.digest);
  return looked;
}

afterAll(() => {
  removeMutantCopies();
  removeCarefulCopies();
});

describe('second looks at a power loss', () => {
  it('catch a bug only another disk of the same power loss shows, naming the crash and the crash state', async () => {
    // A batch written as two frames: the run's own power loss (crash state 3) keeps neither
    // frame; seeded random crash state 9 keeps the first and not the second.
    const engine = await mutant('batch-two-frames');
    const without = await runPlan(withLooks(plan('wal-append', 44), 0), engine);
    expect(without.violations).toEqual([]);
    const looked = await runPlan(withLooks(plan('wal-append', 44), 2), engine);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('atomicity');
    expect(violation?.look).toEqual({ crash: 0, crashState: 9, io: 30 });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) settled on crash state 9 \(a seeded random share of unsynced writes and names kept\) instead of 3: /);
  });

  it('move a look\'s violation onto the run\'s own path (explicitLook): the same invariant fails there, found by the run itself', async () => {
    const engine = await mutant('batch-two-frames');
    const looked = await runPlan(withLooks(plan('wal-append', 44), 2), engine);
    const pinned = explicitLook(withLooks(plan('wal-append', 44), 2), looked);
    expect(pinned.looks).toBeUndefined();
    expect(pinned.crashStates?.[0]).toBe(9);
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe('atomicity');
    expect(own.violations[0]?.look).toBeUndefined();
    expect(own.looks).toBeUndefined();
  });

  it('leave a run whose looks find nothing byte for byte as it was: the same digest, violations and crash states', async () => {
    let looks = 0;
    for (const scenario of ['wal-append', 'swarm', 'rotation']) {
      for (let seed = 1; seed <= 4; seed++) {
        const base = plan(scenario, seed);
        const [plain, looked] = [await runPlan(withLooks(base, 0), referenceEngine), await runPlan(withLooks(base, 3), referenceEngine)];
        expect(looked.violations).toEqual([]);
        expect(looked.digest).toBe(plain.digest);
        expect(looked.crashStates).toEqual(plain.crashStates);
        expect(looked.ioCount).toBe(plain.ioCount);
        looks += looked.looks ?? 0;
      }
    }
    // Not vacuous: the reference engine recovered other disks and passed.
    expect(looks).toBeGreaterThan(20);
  });

  it('run no look where the power loss had nothing unsynced to lose (every crash state leaves the same disk)', async () => {
    // Strict commits are fsynced before they are acknowledged: a crash step between two commits finds nothing unsynced.
    const quiet = strictPlan([
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'crash', kind: 'power-loss' },
      { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
    ]);
    const result = await runPlan(withLooks(quiet, 3), referenceEngine);
    expect(result.crashes).toBe(1);
    expect(result.looks).toBeUndefined();
    // The control: a sidecar after every frame is written without an fsync of its own, so the
    // same power loss can leave another disk, and it is looked at.
    const sidecar = await runPlan(withLooks({ ...quiet, engine: { ...quiet.engine, sidecarEveryFrames: 1 } }, 3), referenceEngine);
    expect(sidecar.looks).toBeGreaterThan(0);
  });

  it('at rot of a media fault the plan does not inject are asked for by looksAtRot (explore\'s kill -9 runs), which a plan file checks by name', () => {
    const base = explorationBase(plan('wal-append', 1), 6);
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/db');
    expect(new RotWatch(base.faults, secondLooks).wanted(world)).toEqual([]);
    expect(new RotWatch(base.faults, secondLooks, ['bit-flip']).wanted(world)).toEqual(['bit-flip']);
    expect(new RotWatch(base.faults, 0, ['bit-flip']).wanted(world)).toEqual([]);
    const kill = engineSubject(referenceEngine).explore.candidate(base, { io: 5, kind: 'kill-9', crashState: 0, looks: secondLooks });
    expect(kill?.looksAtRot).toEqual(['bit-flip']);
    expect(engineSubject(referenceEngine).explore.candidate(base, { io: 5, kind: 'power-loss', crashState: 0, looks: secondLooks })?.looksAtRot).toBeUndefined();
    const json = JSON.parse(JSON.stringify(kill)) as Plan;
    expect(checkPlan(json, 'plan.json').looksAtRot).toEqual(['bit-flip']);
    expect(() => checkPlan({ ...json, looksAtRot: ['rot'] }, 'plan.json')).toThrow(/looksAtRot\[0\] must be one of "bit-flip"/);
    expect(withLooks(kill!, 0).looksAtRot).toBeUndefined();
  });

  it('are on by default in the scenarios about power loss and bit rot, at rot only in sector-damage, at forgotten pages only in fsync-failure, and off in those about other media faults', () => {
    for (const scenario of ['wal-append', 'rotation', 'checkpoint-prune', 'sidecar-rewrite', 'group-commit', 'recovery-crash', 'overlap', 'swarm', 'read-corruption']) {
      expect(plan(scenario, 1).looks, scenario).toBe(secondLooks);
      expect(plan(scenario, 1).looksAtOtherStates, scenario).toBeUndefined();
    }
    expect(plan('sector-damage', 1)).toMatchObject({ looks: secondLooks, looksAtOtherStates: false });
    // fsync-failure injects no rot: with other crash states left out, its looks are those of PowerLossWatch.
    expect(plan('fsync-failure', 1)).toMatchObject({ looks: secondLooks, looksAtOtherStates: false });
    for (const scenario of ['misdirected-write', 'lost-file', 'disk-full', 'kill9-anywhere']) {
      expect(plan(scenario, 1).looks, scenario).toBeUndefined();
    }
  });

  it('are left out at a power loss when the plan asks for looks at rot only (looksAtOtherStates: false)', async () => {
    // wal-append seed 44 injects no media fault: its looks are all at other crash states.
    const both = await runPlan(withLooks(plan('wal-append', 44), 2), referenceEngine);
    expect(both.looks).toBeGreaterThan(0);
    const rotOnly = await runPlan({ ...withLooks(plan('wal-append', 44), 2), looksAtOtherStates: false }, referenceEngine);
    expect(rotOnly.looks).toBeUndefined();
    expect(rotOnly.digest).toBe(both.digest);
    // sector-damage takes looks at rot only: they still run, and a look never settles on another crash state.
    const engine = await mutant('snapshot-checksum-unchecked');
    let looks = 0;
    const foundAtRot: number[] = [];
    for (let seed = 56; seed <= 72; seed++) {
      const result = await runPlan(plan('sector-damage', seed), engine);
      looks += result.looks ?? 0;
      const found = result.violations.filter((violation) => violation.look !== undefined);
      for (const violation of found) expect(violation.look?.rot?.fault).toBe('sector-damage');
      if (found.length > 0) foundAtRot.push(seed);
    }
    expect(looks).toBeGreaterThan(0);
    // In a look at a bad sector of a snapshot.
    expect(foundAtRot).toEqual([59, 61, 67, 72]);
  });

  it('judge a disk where the power loss kept a misdirected write as damaged: a refusal there is detected damage, not false-corruption', async () => {
    // Crash 11 of misdirected-write seed 221 settles, in a look, on a disk where a pending
    // misdirected write landed in an fsynced segment; the engine refuses it (rule R4).
    const result = await runPlan(withLooks(plan('misdirected-write', 221), 5), referenceEngine);
    expect(result.looks).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });

  it('are not part of an exploration, which tries every crash state itself', () => {
    expect(explorationBase(withLooks(plan('wal-append', 1), 3), 5).looks).toBeUndefined();
  });

  it('are a plan field a plan file may carry, a natural number, with which kinds as a boolean', () => {
    const document = JSON.parse(JSON.stringify(withLooks(plan('wal-append', 1), 2))) as Record<string, unknown>;
    expect(checkPlan(document, 'plan.json').looks).toBe(2);
    expect(() => checkPlan({ ...document, looks: -1 }, 'plan.json')).toThrow(/looks must be an integer >= 0/);
    expect(checkPlan({ ...document, looksAtOtherStates: false }, 'plan.json').looksAtOtherStates).toBe(false);
    expect(() => checkPlan({ ...document, looksAtOtherStates: 'no' }, 'plan.json')).toThrow(/looksAtOtherStates/);
    // Without looks, the plan says nothing of their kinds either.
    expect(withLooks(plan('sector-damage', 1), 0)).not.toHaveProperty('looksAtOtherStates');
  });
});

describe('second looks at bit rot', () => {
  it('catch a recovery that cuts acknowledged frames off as a torn tail, which the run\'s own bit flips miss, naming the crash, the bit and the read that met it', async () => {
    // corruption-truncated: damage in the last segment is cut off like a torn tail. The run's
    // own flips land in headers and older segments, which the engine refuses; the look lets a
    // bit rot in what the last fsync made durable, and the cut loses an acknowledged commit.
    const engine = await mutant('corruption-truncated');
    const without = await runPlan(withLooks(plan('read-corruption', 26), 0), engine);
    expect(without.violations).toEqual([]);
    const looked = await runPlan(plan('read-corruption', 26), engine);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('durability');
    expect(violation?.look).toEqual({ crash: 0, crashState: 0, io: 20, rot: { fault: 'bit-flip', path: '/db/00000000000000000001.wal', at: 1066, read: 32, arg: 1066 } });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\), then bit 1066 of \/db\/00000000000000000001\.wal rotted: commit #0 \(lsn 1\), acknowledged, is missing/);
    // It says why a flipped bit is no torn write, and what to do instead of cutting.
    expect(violation?.message).toMatch(/; one flipped bit excuses no loss, under any damage contract: .*refuse to open \(code corruption\), or tell the flip from a tear/);
  });

  it('move onto the run\'s own path as a bit flip at that read (explicitLook): the same invariant fails there, found by the run itself', async () => {
    const engine = await mutant('corruption-truncated');
    const looked = await runPlan(plan('read-corruption', 26), engine);
    const pinned = explicitLook(plan('read-corruption', 26), looked);
    expect(pinned.looks).toBeUndefined();
    expect(pinned.faults.scheduled?.at(-1)).toEqual({ io: 32, kind: 'bit-flip', arg: 1066 });
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe('durability');
    expect(own.violations[0]?.look).toBeUndefined();
  });

  it('leave a run whose looks find nothing byte for byte as it was, and pass the reference engine, which refuses what it cannot prove torn', async () => {
    let looks = 0;
    for (const scenario of ['read-corruption', 'swarm']) {
      for (let seed = 1; seed <= 6; seed++) {
        const base = plan(scenario, seed);
        const [plain, looked] = [await runPlan(withLooks(base, 0), referenceEngine), await runPlan(base, referenceEngine)];
        expect(looked.violations).toEqual([]);
        expect(looked.digest).toBe(plain.digest);
        looks += looked.looks ?? 0;
      }
    }
    expect(looks).toBeGreaterThan(20);
  });

  it('let a sector of the newest durable data go bad in plans that inject sector damage: a recovery that cuts it as a torn tail although evidence vouched for it is caught, and shrinks onto the run\'s own path', async () => {
    // r4-evidence-ignored: recovery reads no evidence that a damaged frame was durable. With
    // looks (sector-damage takes them at rot), crash 2's disk with sector 1 of the first segment
    // (synced by the fsync before the last) gone bad loses a commit an earlier recovery had found.
    const engine = await mutant('r4-evidence-ignored');
    const subject = engineSubject(engine);
    const base = withLooks(plan('sector-damage', 26), 5);
    expect((await runPlan(withLooks(base, 0), engine)).violations).toEqual([]);
    const looked = await runPlan(base, engine);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('durability');
    expect(violation?.look?.rot).toEqual({ fault: 'sector-damage', path: '/db/00000000000000000001.wal', at: 1, read: 85, arg: 3 });
    expect(violation?.message).toMatch(/^crash 2 \(a power loss\), then sector 1 of \/db\/00000000000000000001\.wal rotted: key k0, present after commit #0/);
    const shrunk = await shrinkPlan(subject, base);
    expect(shrunk.violation).toMatchObject({ invariant: 'durability' });
    expect(shrunk.violation?.look).toBeUndefined();
    expect(shrunk.plan.faults.scheduled).toContainEqual(expect.objectContaining({ kind: 'sector-damage', arg: 3 }));
  });

  it('run only in plans that inject bit flips, at a kill -9 as at a power loss', async () => {
    // Strict commits and kill -9 crashes: nothing is unsynced at a crash, so no other crash
    // state is looked at, and every look is a look at rot.
    const base = strictPlan([
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'crash', kind: 'kill-9' },
      { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
      { op: 'crash', kind: 'kill-9' },
    ]);
    expect((await runPlan(withLooks(base, 3), referenceEngine)).looks).toBeUndefined();
    // A bit-flip rate too small to fire: the plan injects bit flips, so its crashes are looked at.
    const rotting = { ...base, faults: { ...base.faults, rates: { 'bit-flip': 1e-12 } } };
    const result = await runPlan(withLooks(rotting, 3), referenceEngine);
    expect(result.faults['bit-flip']).toBe(0);
    expect(result.looks).toBeGreaterThan(0);
    expect(result.violations).toEqual([]);
  });
});

/** Appends each of `chunks` to `path` (created if need be), each followed by a datasync. */
async function appendSynced(world: SimWorld, path: string, ...chunks: readonly Uint8Array[]): Promise<void> {
  const handle = await world.fs.open(path, { create: true });
  for (const chunk of chunks) {
    await handle.append(chunk);
    await handle.datasync();
  }
}

describe('the bits a look lets rot (SimWorld.letRot, RotWatch)', () => {
  /** A world where `/d/a` (100 bytes, then 50 more) and then `/d/b` (30 bytes) are written and fsynced; `scheduled` faults strike later I/O. */
  async function syncedFiles(scheduled: ScheduledFault[] = []): Promise<SimWorld> {
    const world = new SimWorld({ seed: 3, trace: 'full', faults: noFaults({ sectorBytes: 512, scheduled }) });
    world.createDirectory('/d');
    await inWorld(world, async () => {
      await appendSynced(world, '/d/a', filled(100, 0xaa), filled(50, 0xcc));
      await appendSynced(world, '/d/b', filled(30, 0xbb));
      await world.fs.syncDir('/d');
    });
    return world;
  }

  it('are in what the last fsync of the files synced last made durable, newest file first', async () => {
    const world = await syncedFiles();
    const rng = new Rng(1);
    const newest = world.letRot(0, rng);
    expect(newest?.path).toBe('/d/b');
    expect(newest!.at).toBeLessThan(30 * 8);
    const before = world.letRot(1, rng);
    expect(before?.path).toBe('/d/a');
    // Only the 50 bytes the second fsync of /d/a made durable, never the 100 before them.
    expect(before!.at).toBeGreaterThanOrEqual(100 * 8);
    expect(before!.at).toBeLessThan(150 * 8);
    expect(world.letRot(2, rng)).toBeUndefined();
  });

  it('flip at the first read that covers them, as an injected bit flip at that I/O, and not before', async () => {
    const world = await syncedFiles();
    const rot = world.letRot(1, new Rng(2))!;
    const byte = Math.floor(rot.at / 8);
    const [head, whole] = await inWorld(world, async () => {
      const a = await world.fs.open('/d/a');
      return [await a.read(0, 100), await a.read(0, 150)] as const;
    });
    expect(head).toEqual(filled(100, 0xaa));
    expect(whole[byte]).toBe(0xcc ^ (1 << (rot.at % 8)));
    expect(world.faultCounts['bit-flip']).toBe(1);
    expect(world.faultsFired).toContainEqual({ kind: 'bit-flip', io: world.rotRead!.io, arg: rot.at });
    expect(world.rotRead?.arg).toBe(rot.at);
  });

  it('of a sector: it reads back as zeros or garbage from the first read that covers it, as injected sector damage that replays at that I/O', async () => {
    const world = await syncedFiles();
    const rot = world.letRot(1, new Rng(4), 'sector-damage')!;
    expect(rot).toEqual({ fault: 'sector-damage', path: '/d/a', at: 0 });
    const read = async (target: SimWorld): Promise<Uint8Array> => inWorld(target, async () => (await target.fs.open('/d/a')).read(0, 150));
    const damaged = await read(world);
    expect(damaged).not.toEqual(new Uint8Array([...filled(100, 0xaa), ...filled(50, 0xcc)]));
    expect(world.mediaDamage).toBe(1);
    const met = world.rotRead!;
    expect(world.faultsFired).toContainEqual({ io: met.io, kind: 'sector-damage', arg: met.arg });
    // The same fault scheduled at that read of the same disk gives the same bytes.
    const again = await syncedFiles([{ io: met.io, kind: 'sector-damage', arg: met.arg }]);
    expect(await read(again)).toEqual(damaged);
  });

  it('of a sector: it may be one the fsync before the last made durable, where a later synced frame can stay intact; a bit only in the last', async () => {
    // /d/a: 600 bytes fsynced (sectors 0 and 1), then 100 more (sector 1).
    const world = new SimWorld({ seed: 3, faults: noFaults({ sectorBytes: 512 }) });
    world.createDirectory('/d');
    await inWorld(world, () => appendSynced(world, '/d/a', filled(600, 0xaa), filled(100, 0xcc)));
    const sectors = new Set<number>();
    const bits: number[] = [];
    for (let seed = 0; seed < 40; seed++) {
      sectors.add(world.letRot(0, new Rng(seed), 'sector-damage')!.at);
      bits.push(world.letRot(0, new Rng(seed))!.at);
    }
    expect([...sectors].sort()).toEqual([0, 1]);
    expect(Math.min(...bits)).toBeGreaterThanOrEqual(600 * 8);
  });

  it('strike a padded page where its data is: a sector that holds bytes, a bit drawn again while it lands on a zero byte', async () => {
    // A meta page as a copy-on-write store writes one: 36 bytes of fields, then zeros to 4 KiB.
    const page = new Uint8Array(4096);
    page.set(filled(36, 0x5a));
    const world = new SimWorld({ seed: 3, faults: noFaults({ sectorBytes: 512 }) });
    world.createDirectory('/d');
    await inWorld(world, () => appendSynced(world, '/d/meta', page));
    let inFields = 0;
    for (let seed = 0; seed < 200; seed++) {
      if (world.letRot(0, new Rng(seed))!.at < 36 * 8) inFields++;
      expect(world.letRot(0, new Rng(seed), 'sector-damage')!.at).toBe(0);
    }
    // Uniform over the page: 36 / 4096 of them, about 2; over its first sector, about 14.
    expect(inFields).toBeGreaterThan(50);
  });

  it('come once per crash after something new was synced, only for plans with bit flips, and never after a bit flipped', async () => {
    const world = await syncedFiles();
    expect(new RotWatch({ rates: {} }, 5).wanted(world)).toEqual([]);
    expect(new RotWatch({ rates: { 'bit-flip': 0.01 } }, 0).wanted(world)).toEqual([]);
    expect(new RotWatch({ rates: { 'sector-damage': 0.01, 'bit-flip': 0.01 } }, 5).wanted(world)).toEqual(['bit-flip', 'sector-damage']);
    const watch = new RotWatch({ rates: { 'bit-flip': 0.01 } }, 5);
    expect(watch.wanted(world)).toEqual(['bit-flip']);
    expect(watch.wanted(world)).toEqual([]);
    await inWorld(world, async () => {
      const b = await world.fs.open('/d/b');
      await b.append(filled(10, 0xdd));
      await b.datasync();
    });
    expect(watch.wanted(world)).toEqual(['bit-flip']);
    world.letRot(0, new Rng(3));
    await inWorld(world, async () => {
      const b = await world.fs.open('/d/b');
      await b.read(0, 40);
      await b.append(filled(10, 0xee));
      await b.datasync();
    });
    expect(world.faultCounts['bit-flip']).toBe(1);
    expect(watch.wanted(world)).toEqual([]);
  });
});

describe('second looks at a power loss while a failed fsync\'s pages are readable unwritten (PowerLossWatch)', () => {
  /**
   * Two strict commits with no fault rates; the WAL fsync of the second (I/O 19) fails ext4's
   * way: its pages stay readable, marked clean, never to be written. Nothing else fails and no
   * power is lost, so the run alone cannot see what an engine did with those pages.
   */
  const forgetting: Plan = (() => {
    const base = strictPlan([
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
    ]);
    return { ...base, faults: { ...base.faults, fsyncFailureMode: 'ext4', scheduled: [{ io: 19, kind: 'fsync-error' }] } };
  })();

  it('catch an engine that retries the failed fsync and acknowledges (fsyncgate), which the run alone misses, naming the step the power loss struck before', async () => {
    const engine = await mutant('fsync-error-retried');
    expect((await runPlan(withLooks(forgetting, 0), engine)).violations).toEqual([]);
    const looked = await runPlan(withLooks(forgetting, secondLooks), engine);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('durability');
    expect(violation?.look).toEqual({ crash: 0, crashState: 0, io: 21, beforeStep: 2, why: 'fsync-failed' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) before step 2, with pages a failed fsync left unwritten: commit #1 \(lsn 2\), acknowledged, is missing/);
  });

  it('move onto the run\'s own path as a power-loss step before that step (explicitLook): the same invariant fails there, found by the run itself', async () => {
    const engine = await mutant('fsync-error-retried');
    const looked = await runPlan(withLooks(forgetting, secondLooks), engine);
    const pinned = explicitLook(withLooks(forgetting, secondLooks), looked);
    expect(pinned.steps.map((step) => step.op)).toEqual(['commit', 'commit', 'crash']);
    expect(pinned.steps[2]).toEqual({ op: 'crash', kind: 'power-loss' });
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe('durability');
    expect(own.violations[0]?.look).toBeUndefined();
  });

  it('pass the reference engine, which cuts the pages back when the fsync fails, and leave its run byte for byte as it was', async () => {
    const [plain, looked] = [await runPlan(withLooks(forgetting, 0), referenceEngine), await runPlan(withLooks(forgetting, secondLooks), referenceEngine)];
    expect(looked.faults['fsync-error']).toBe(1);
    // Not vacuous: the store failed with the fsync (no look at the end of that step), and the
    // reopen after it, where the pages were cut back, was looked at; no step followed.
    expect(looked.looks).toBe(1);
    expect(looked.violations).toEqual([]);
    expect(looked.digest).toBe(plain.digest);
  });

  it('come at the next two moments after an fsync forgot unsynced pages, never after a kill -9 kept such pages, again after a power loss took them', async () => {
    // I/O: open 0, append 1, datasync 2 (fails), datasync 3 (fails, nothing unsynced), then a
    // kill -9; in the next process: open 4, append 5, datasync 6 (fails); then a power loss:
    // open 7, append 8, datasync 9 (fails).
    const fails = [2, 3, 6, 9].map((io): ScheduledFault => ({ io, kind: 'fsync-error' }));
    const world = new SimWorld({ seed: 1, faults: noFaults({ fsyncFailureMode: 'ext4', scheduled: fails }) });
    world.createDirectory('/d');
    const failedSync = (syncs: number): Promise<void> => inWorld(world, async () => {
      const file = await world.fs.open('/d/a', { create: true });
      await file.append(filled(10, 0xaa));
      for (let i = 0; i < syncs; i++) await expect(file.datasync()).rejects.toMatchObject({ code: 'EIO' });
    });
    const watch = new PowerLossWatch(secondLooks);
    expect(new PowerLossWatch(0).wanted(world)).toBe(false);
    await failedSync(2);
    // The second failure found nothing unsynced: nothing more was forgotten.
    expect(world.forgottenWrites).toBe(1);
    expect([watch.wanted(world), watch.wanted(world), watch.wanted(world)]).toEqual([true, true, false]);
    world.crashNow('kill-9');
    world.restart();
    watch.crashed(world, 'kill-9');
    await failedSync(1);
    expect(world.forgottenWrites).toBe(2);
    expect(watch.wanted(world)).toBe(false);
    world.crashNow('power-loss');
    world.restart();
    watch.crashed(world, 'power-loss');
    expect(world.forgottenWrites).toBe(0);
    await failedSync(1);
    expect(watch.wanted(world)).toBe(true);
  });
});

describe('second looks at a power loss right after an open that left writes unsynced (PowerLossWatch)', () => {
  /** Two commits in `none` mode (acknowledged unsynced), a kill -9 (the page cache stays), a third commit. */
  const killed: Plan = (() => {
    const base = strictPlan([
      { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
      { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
      { op: 'crash', kind: 'kill-9' },
      { op: 'commit', batch: [{ type: 'put', key: 'c', value: '3' }] },
    ]);
    return { ...base, engine: { ...base.engine, sync: 'none' } };
  })();

  it('catch a recovery that serves what a kill -9 left in the page cache without fsyncing it, at once, which the run alone misses', async () => {
    const engine = await careful('careful-recovery-unsynced');
    expect((await runPlan(withLooks(killed, 0), engine)).violations).toEqual([]);
    const [violation] = (await runPlan(withLooks(killed, secondLooks), engine)).violations;
    // The power loss takes the records the open served; its own record of what it served
    // (careful.served) then makes the next open refuse the log.
    expect(violation?.invariant).toBe('false-corruption');
    expect(violation?.look).toMatchObject({ crash: 1, crashState: 0, beforeStep: 3, why: 'open-unsynced' });
    expect(violation?.message).toMatch(/^crash 2 \(a power loss\) before step 3, right after an open that left writes unsynced: open refused with "corruption in \/db\/careful\.log/);
  });

  it('look at the other crash states of that power loss too, and pin the one that fails onto the run', async () => {
    // A recovery that cuts a torn tail and never fsyncs the cut: crash state 0 loses the cut
    // and the tail is cut again, but a state that keeps the appends after the cut without the
    // cut refuses a log the manifest says is whole.
    const engine = await mutant('truncation-not-synced');
    const base = plan('recovery-crash', 5);
    expect((await runPlan(base, referenceEngine)).violations).toEqual([]);
    const looked = await runPlan(base, engine);
    const [violation] = looked.violations;
    expect(violation?.look).toMatchObject({ crash: 5, why: 'open-unsynced', crashState: 8 });
    expect(violation?.message).toMatch(/^crash 6 \(a power loss\) before step 18, right after an open that left writes unsynced, settled on crash state 8 \(a seeded random share of unsynced writes and names kept\): open refused/);
    expect(violation?.message.replace(lookPrefix, '')).toMatch(/^open refused/);
    const pinned = explicitLook(base, looked);
    expect(pinned.crashStates?.[5]).toBe(8);
    const [own] = (await runPlan(pinned, engine)).violations;
    expect(own?.invariant).toBe('false-corruption');
    expect(own?.look).toBeUndefined();
  });

  it('name a look right after the first open as before step 0, and pin it there', async () => {
    // An engine that writes a header into a new file at its first open and never fsyncs it, and
    // refuses a header it cannot read: a power loss that keeps the name without the data.
    const headerEngine: Engine = {
      name: 'header-unsynced',
      async open(env) {
        const path = `${env.dir}/hdr`;
        if (!(await env.fs.exists(env.dir))) await env.fs.mkdir(env.dir);
        const created = !(await env.fs.exists(path));
        const handle = await env.fs.open(path, { create: true });
        if (created) await handle.append(new TextEncoder().encode('HDR1'));
        const size = await handle.size();
        await handle.close();
        if (size !== 4) throw Object.assign(new Error(`${path}: a header of ${size} bytes`), { code: 'corruption' });
        const state = new Map<string, Uint8Array>();
        return { commit: () => Promise.reject(new Error('read-only')), get: async (key: string) => state.get(key), state: async () => state, close: async () => undefined };
      },
    };
    const reads = strictPlan([{ op: 'get', key: 'a' }, { op: 'get', key: 'b' }]);
    const looked = await runPlan({ ...reads, crashStates: [] }, headerEngine);
    const [violation] = looked.violations;
    expect(violation?.invariant).toBe('false-corruption');
    expect(violation?.look).toMatchObject({ crash: 0, beforeStep: 0, why: 'open-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) before step 0, right after an open that left writes unsynced, settled on crash state \d+ \([^)]+\): open refused/);
    const pinned = explicitLook({ ...reads, crashStates: [] }, looked);
    expect(pinned.steps[0]).toEqual({ op: 'crash', kind: 'power-loss' });
    expect((await runPlan(pinned, headerEngine)).violations[0]?.invariant).toBe('false-corruption');
  });

  it('cost an engine whose open syncs what it wrote and served nothing: no look, the same run', async () => {
    expect((await expectNoLook(killed)).crashes).toBe(1);
  });
});

describe('second looks at a power loss right after a step that promised durability (PowerLossWatch)', () => {
  /** Two commits without fsync (`none` mode), a `sync()` that promises both, a third commit. */
  const synced = twoCommitsThen({ op: 'sync' });

  it('catch a sync() that returns without an fsync at once, which a run without a power loss there misses', async () => {
    const engine = await careful('careful-sync-noop');
    const { violation, pinned } = await foundByLook(synced, engine);
    // The power loss keeps nothing unsynced, so both commits the sync promised are gone.
    expect(violation?.invariant).toBe('durability');
    expect(violation?.look).toMatchObject({ crash: 0, crashState: 1, beforeStep: 3, why: 'promise-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) before step 3, right after a step that promised durability left writes unsynced: /);
    // Triage strips the place to group it with the same bug found on a run's own path.
    expect(violation?.message.replace(lookPrefix, '')).toMatch(/^commit #0, acknowledged and synced, is missing/);
    expect(pinned.steps[3]).toEqual({ op: 'crash', kind: 'power-loss' });
    expect(pinned.crashStates).toEqual([1]);
    const [own] = (await runPlan(pinned, engine)).violations;
    expect(own?.invariant).toBe('durability');
    expect(own?.look).toBeUndefined();
  });

  it('stop once one found a violation: the run has failed, and more looks would only repeat it', async () => {
    const engine = await careful('careful-sync-noop');
    const twice: Plan = { ...synced, steps: [...synced.steps, { op: 'sync' }, { op: 'commit', batch: [{ type: 'put', key: 'd', value: '4' }] }, { op: 'sync' }] };
    const looked = await runPlan(withLooks(twice, secondLooks), engine);
    // Three syncs each left the commits they promised unsynced; only the first was looked at.
    expect(looked.looks).toBe(1);
    expect(looked.violations.filter((v) => v.look !== undefined).map((v) => v.look?.beforeStep)).toEqual([3]);
  });

  it('look once at a file an engine leaves unsynced after every commit, not at every step', async () => {
    // Strict commits: a log appended and fsynced, then an index rewritten in place and never
    // fsynced (recovery reads only the log). Correct, and every commit leaves the index unsynced.
    const encoder = new TextEncoder();
    const indexing: Engine = {
      name: 'unsynced-index',
      async open(env) {
        if (!(await env.fs.exists(env.dir))) await env.fs.mkdir(env.dir);
        const log = await env.fs.open(`${env.dir}/log`, { create: true });
        const index = await env.fs.open(`${env.dir}/index`, { create: true });
        await env.fs.syncDir(env.dir);
        const state = new Map<string, Uint8Array>();
        const text = new TextDecoder().decode(await log.read(0, await log.size()));
        for (const line of text.split('\n').filter((l) => l.endsWith('.'))) state.set(line.slice(0, line.indexOf('=')), encoder.encode(line.slice(line.indexOf('=') + 1, -1)));
        return {
          async commit(ops) {
            for (const op of ops) if (op.type === 'put') state.set(op.key, op.value);
            await log.append(encoder.encode(ops.map((op) => `${op.key}=${op.type === 'put' ? new TextDecoder().decode(op.value) : ''}.\n`).join('')));
            await log.datasync();
            await index.write(0, encoder.encode(String(state.size)));
          },
          get: async (key: string) => state.get(key),
          state: async () => state,
          close: async () => undefined,
        };
      },
    };
    const commits = strictPlan(['a', 'b', 'c', 'd', 'e'].map((key) => ({ op: 'commit', batch: [{ type: 'put', key, value: key }] })));
    const looked = await runPlan(withLooks(commits, secondLooks), indexing);
    expect(looked.violations).toEqual([]);
    // The first commit left the index's data unsynced; the four after it, the same file.
    expect(looked.looks).toBe(1);
  });

  it('cost an engine whose sync() syncs: no look, the same run', async () => {
    await expectNoLook(synced);
  });

  it('come only when the step promised something and a power loss could lose more than new names', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/d');
    const watch = new PowerLossWatch(secondLooks);
    // A new name left unsynced (a temporary file a careful engine creates between steps): no look.
    await inWorld(world, async () => {
      const file = await world.fs.open('/d/tmp', { create: true });
      await file.append(filled(10, 0xaa));
      await file.datasync();
    });
    expect(world.unsyncedCount).toBe(1);
    expect(watch.afterStep(world, true)).toBeUndefined();
    // Data written and not synced: a look, but only after a step that promised durability.
    await inWorld(world, async () => {
      const file = await world.fs.open('/d/tmp');
      await file.append(filled(10, 0xbb));
    });
    expect(watch.afterStep(world, false)).toBeUndefined();
    expect(watch.afterStep(world, true)).toBe('promise-unsynced');
    expect(new PowerLossWatch(0).afterStep(world, true)).toBeUndefined();
  });
});

describe('second looks at a power loss right after a clean close that left writes unsynced (PowerLossWatch)', () => {
  /** Two commits without fsync (`none` mode), a clean close and open (`reopen`), a third commit. */
  const reopened = twoCommitsThen({ op: 'reopen' });

  it('catch a close that vouches for records it never fsynced, between the close and the open, and pin it at the open\'s first I/O', async () => {
    const engine = await careful('careful-close-unsynced');
    const { violation, pinned } = await foundByLook(reopened, engine);
    // A clean close promised both commits; the power loss keeps nothing unsynced, and the
    // close's own record of what it vouched for makes the next open refuse the emptied log.
    expect(violation?.invariant).toBe('false-corruption');
    expect(violation?.look).toMatchObject({ crash: 0, crashState: 1, beforeStep: 2, why: 'close-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) in step 2, right after a clean close that left writes unsynced: open refused with "corruption in \/db\/careful\.log/);
    expect(violation?.message.replace(lookPrefix, '')).toMatch(/^open refused/);
    expect(pinned.steps).toEqual(reopened.steps);
    // Right before that I/O: a write there would not reach the page cache first.
    expect(pinned.faults.scheduled).toEqual([{ io: violation!.look!.io, kind: 'power-loss', arg: 0 }]);
    expect(pinned.crashStates).toEqual([1]);
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe('false-corruption');
    expect(own.violations[0]?.look).toBeUndefined();
    expect(own.crashes).toBe(1);
  });

  it('cost an engine whose close syncs: no look, the same run', async () => {
    await expectNoLook(reopened);
  });
});

describe('second looks at a power loss right after a rename moved a file whose data was not synced (PowerLossWatch)', () => {
  /** Two strict commits, a checkpoint (the compacted log written to a temporary file and renamed over the log), a third commit. */
  const compacted: Plan = { ...strictPlan([
    { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
    { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
    { op: 'checkpoint' },
    { op: 'commit', batch: [{ type: 'put', key: 'c', value: '3' }] },
  ]), crashStates: [] };

  it('catch a file renamed into place before its data was synced, in the window before its fsync, and pin it at the next I/O', async () => {
    const engine = await careful('careful-checkpoint-renamed-before-fsync');
    const { violation, pinned } = await foundByLook(compacted, engine);
    // The power loss keeps the rename and drops the data it published: the log is empty.
    expect(violation?.look).toMatchObject({ crash: 0, crashState: 3, beforeStep: 2, why: 'rename-unsynced' });
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) in step 2, right after a rename moved a file whose data was not synced: /);
    expect(violation?.message.replace(lookPrefix, '')).not.toMatch(/^crash/);
    expect(pinned.steps).toEqual(compacted.steps);
    // Right before that I/O: a write there would not reach the page cache first.
    expect(pinned.faults.scheduled).toEqual([{ io: violation!.look!.io, kind: 'power-loss', arg: 0 }]);
    expect(pinned.crashStates).toEqual([3]);
    const own = await runPlan(pinned, engine);
    expect(own.violations[0]?.invariant).toBe(violation?.invariant);
    expect(own.violations[0]?.look).toBeUndefined();
    expect(own.crashes).toBe(1);
  });

  it('cost an engine that syncs a file before renaming it: no look, the same run', async () => {
    await expectNoLook(compacted);
  });

  it('are told of a rename only while the renamed file has unsynced data', async () => {
    const world = new SimWorld({ seed: 1 });
    world.createDirectory('/d');
    let told = 0;
    world.onUnsyncedRename = () => told++;
    await inWorld(world, async () => {
      const synced = await world.fs.open('/d/a.tmp', { create: true });
      await synced.append(filled(10, 0xaa));
      await synced.datasync();
      await world.fs.rename('/d/a.tmp', '/d/a');
      const unsynced = await world.fs.open('/d/b.tmp', { create: true });
      await unsynced.append(filled(10, 0xbb));
      await world.fs.rename('/d/b.tmp', '/d/b');
    });
    expect(told).toBe(1);
  });
});

describe('a copy of the commit model (what a look is judged by)', () => {
  it('judges a recovery as the original would', () => {
    const original = new CommitModel({ sync: 'strict' });
    original.checkRecovered(new Map());
    const id = original.issue([{ type: 'put', key: 'k', value: new Uint8Array([1]) }]);
    original.acked(id, 1);
    original.crashed('power-loss');
    // An acknowledged strict commit must survive: the copy says so as the original would.
    expect(original.clone().checkRecovered(new Map()).violations.map((v) => v.invariant)).toEqual(['durability']);
    expect(original.checkRecovered(new Map()).violations.map((v) => v.invariant)).toEqual(['durability']);
  });

  it('keeps what its recovery decided to itself: the original is not bound by it', () => {
    // Without fsync (`none`) an acknowledged commit may be lost in a power loss, unless a
    // recovery already served it. The copy's recovery serves it; the original's may still lose it.
    const original = new CommitModel({ sync: 'none' });
    original.checkRecovered(new Map());
    const id = original.issue([{ type: 'put', key: 'k', value: new Uint8Array([1]) }]);
    original.acked(id, 1);
    original.crashed('power-loss');
    const copy = original.clone();
    expect(copy.checkRecovered(new Map([['k', new Uint8Array([1])]])).violations).toEqual([]);
    copy.crashed('power-loss');
    expect(copy.checkRecovered(new Map()).violations.map((v) => v.invariant)).toContain('durability');
    expect(original.checkRecovered(new Map()).violations).toEqual([]);
  });
});
