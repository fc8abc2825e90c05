/**
 * Second looks at a power loss (sim/second-look.ts): the same disk settled on other crash states,
 * each recovered in a world of its own and judged by a copy of the model, while the run goes on
 * with its own crash state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import { runPlan } from '../../sim/runner.ts';
import { CommitModel } from '../../sim/model.ts';
import { checkPlan } from '../../sim/plan-file.ts';
import type { Plan } from '../../sim/plan.ts';
import { findScenario } from '../../scenarios/index.ts';
import { explorationBase } from '../../scenarios/engine-explore.ts';
import { explicitLook } from '../../scenarios/engine-shrink.ts';
import { withLooks } from '../../harness/pin-look.ts';
import { secondLooks } from '../../scenarios/scenario.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

const plan = (scenario: string, seed: number): Plan => findScenario(scenario)!.plan(seed);
const mutant = (id: string): Promise<Engine> => loadMutant(mutants.find((m) => m.id === id)!);

afterAll(() => removeMutantCopies());

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
    expect(violation?.message).toMatch(/^crash 1 \(a power loss\) settled on crash state 9 instead of 3: /);
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
    const quiet: Plan = {
      ...plan('wal-append', 2),
      engine: { ...plan('wal-append', 2).engine, sync: 'strict', sidecarEveryFrames: 0 },
      faults: { ...plan('wal-append', 2).faults, rates: {} },
      steps: [
        { op: 'commit', batch: [{ type: 'put', key: 'a', value: '1' }] },
        { op: 'crash', kind: 'power-loss' },
        { op: 'commit', batch: [{ type: 'put', key: 'b', value: '2' }] },
      ],
    };
    const result = await runPlan(withLooks(quiet, 3), referenceEngine);
    expect(result.crashes).toBe(1);
    expect(result.looks).toBeUndefined();
    // The control: a sidecar after every frame is written without an fsync of its own, so the
    // same power loss can leave another disk, and it is looked at.
    const sidecar = await runPlan(withLooks({ ...quiet, engine: { ...quiet.engine, sidecarEveryFrames: 1 } }, 3), referenceEngine);
    expect(sidecar.looks).toBeGreaterThan(0);
  });

  it('are on by default in the scenarios about power loss, and off in those about media faults', () => {
    for (const scenario of ['wal-append', 'rotation', 'checkpoint-prune', 'sidecar-rewrite', 'group-commit', 'recovery-crash', 'overlap', 'swarm']) {
      expect(plan(scenario, 1).looks, scenario).toBe(secondLooks);
    }
    for (const scenario of ['read-corruption', 'sector-damage', 'misdirected-write', 'lost-file', 'fsync-failure', 'disk-full', 'kill9-anywhere']) {
      expect(plan(scenario, 1).looks, scenario).toBeUndefined();
    }
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

  it('are a plan field a plan file may carry, a natural number', () => {
    const document = JSON.parse(JSON.stringify(withLooks(plan('wal-append', 1), 2))) as Record<string, unknown>;
    expect(checkPlan(document, 'plan.json').looks).toBe(2);
    expect(() => checkPlan({ ...document, looks: -1 }, 'plan.json')).toThrow(/looks must be an integer >= 0/);
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
