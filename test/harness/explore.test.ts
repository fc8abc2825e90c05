import { describe, expect, it } from 'vitest';
import type { SeedExecutor } from '../../harness/executor.ts';
import { crashName, explorePlan, exploreRecoveryCrashesDefault, spreadOrder } from '../../harness/explore.ts';
import { WorkerPool } from '../../harness/index.ts';
import { loadSubject, workerScript } from '../../subjects/index.ts';
import { engineSubject } from '../../scenarios/engine-subject.ts';
import { explorationBase } from '../../scenarios/engine-explore.ts';
import { findScenario } from '../../scenarios/index.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { namedCrashStates } from '../../sim/index.ts';
import { loadPlanted, plantedBug } from '../sim/planted.ts';
import { acknowledgesWithoutWriting } from '../sim/broken-engines.ts';
import { mutants } from '../mutants/catalogue.ts';
import { loadMutant, removeMutantCopies } from '../mutants/loader.ts';

// Explorations run thousands of crash candidates each: 25–60 s apiece on a quiet 2-core machine,
// more when the fresh-clone check runs its own test suite beside this one. The timeout guards
// against a hang, not the machine's speed.
describe('explorePlan on the engine subject', { timeout: 240_000 }, () => {
  it('finds nothing in the reference engine after crashing every I/O point in every state, and the end in every state', async () => {
    const states = 3;
    const subject = engineSubject(referenceEngine);
    const result = await explorePlan(subject, subject.plan('wal-append', 1), { size: 6, states, writeFaults: false, readFaults: false });
    expect(result.crashPoints).toBeGreaterThan(10);
    // Each crash point: a kill -9, each power-loss state, and its kill -9 crashed again in recovery
    // (a kill -9 and a power loss at each of its first I/Os); the end in each state; each sync failed once.
    expect(result.syncFaults).toBeGreaterThan(0);
    expect(result.writeFaults).toBe(0);
    expect(result.readFaults).toBe(0);
    expect(result.statesExplored).toBe(result.crashPoints * (1 + states) + 2 * result.recoveryCrashes + states + result.syncFaults);
    expect(result.recoveryCrashes).toBeGreaterThanOrEqual(result.crashPoints * exploreRecoveryCrashesDefault);
    expect(result.cleanViolations).toEqual([]);
    expect(result.violations).toEqual([]);
    // Each write failed once too, with an I/O error, and those that add a block with a full disk,
    // and each read with an I/O error: nothing found either.
    const withWrites = await explorePlan(subject, subject.plan('wal-append', 1), { size: 6, states });
    expect(withWrites.writeFaults).toBeGreaterThan(0);
    expect(withWrites.readFaults).toBeGreaterThan(0);
    expect(withWrites.syncFaults).toBe(result.syncFaults);
    expect(withWrites.violations).toEqual([]);
  });

  it('shows a violation the run without any crash already has once, as that run\'s, not as each crash\'s (an LSM user read "first at I/O 0, kill-9" for a bug no crash was needed for)', async () => {
    const subject = engineSubject(acknowledgesWithoutWriting(2, false));
    const result = await explorePlan(subject, subject.plan('wal-append', 1), { size: 4, states: 2, writeFaults: false, readFaults: false, recoveryCrashes: 0 });
    expect(result.cleanViolations.length).toBeGreaterThan(0);
    expect(result.sameAsClean).toBeGreaterThan(0);
    // Nor again with a note added (a failed fsync's): the same complaint before its notes.
    const core = (violation: { invariant: string; message: string }): string => `${violation.invariant} ${violation.message.split('; ')[0]!.replace(/\d+/g, 'N')}`;
    const clean = new Set(result.cleanViolations.map(core));
    for (const violation of result.violations) expect(clean.has(core(violation)), violation.message).toBe(false);
  });

  it('tries 5 crash states per crash point by default, and 12 on a disk that keeps directory operations per name (its bugs need random states)', async () => {
    const subject = engineSubject(referenceEngine);
    for (const [scenario, states] of [['wal-append', 5], ['unordered-names', 12]] as const) {
      const result = await explorePlan(subject, subject.plan(scenario, 1), { size: 2, recoveryCrashes: 0, syncFaults: false, writeFaults: false, readFaults: false });
      expect(result.statesExplored, scenario).toBe(result.crashPoints * (1 + states) + states);
    }
  });

  it('removes every fault, aim and crash step from the explored workload', () => {
    const base = explorationBase({ ...findScenario('swarm')!.plan(2), faults: { ...findScenario('swarm')!.plan(2).faults, phases: ['wal.append'], io: ['append'], capacityBytes: 9 } }, 100);
    expect(base.faults.rates).toEqual({});
    expect(base.faults.scheduled).toEqual([]);
    expect(base.faults.capacityBytes).toBeUndefined();
    expect(base.faults.phases).toBeUndefined();
    expect(base.faults.io).toBeUndefined();
    expect(base.crashStates).toBeUndefined();
    expect(base.steps.some((step) => step.op === 'crash')).toBe(false);
  });

  it('finds a planted rename before fsync: a torn manifest (a finding) that recovery then refuses (a violation), only in the power-loss states that drop unsynced data', async () => {
    const subject = engineSubject(await loadPlanted(plantedBug('stage-no-fsync')));
    const result = await explorePlan(subject, subject.plan('wal-append', 1), { size: 4, states: 5 });
    const torn = result.findings.find((finding) => finding.invariant === 'published-whole');
    expect(torn).toMatchObject({ message: 'right after a power-loss: the published manifest is torn', kind: 'power-loss' });
    // State 2 keeps every unsynced write and state 4 keeps data without names: neither tears it.
    // (So may a look at a power loss between steps, or after a crash whose recovery left writes
    // unsynced, or the power loss after a failed sync or write.)
    const alone = (crashes: readonly string[]): string[] => crashes.filter((crash) => !crash.endsWith(', then power-loss') && !crash.startsWith('power-loss before step') && !crash.includes(' after the restart') && !/sync-error|write-error|disk-full/.test(crash));
    expect(alone(torn!.crashes)).toEqual(['power-loss state 0', 'power-loss state 1', 'power-loss state 3']);
    const refused = result.violations.find((violation) => violation.invariant === 'false-corruption');
    expect(alone(refused!.crashes)).toEqual(['power-loss state 0', 'power-loss state 1', 'power-loss state 3']);
    // A kill -9 keeps the page cache: the missing fsync cannot show, but a power loss after it can.
    for (const violation of [...result.violations, ...result.findings]) expect(violation.crashes).not.toContain('kill-9');
    expect(refused!.crashes).toContain('kill-9, then power-loss');
    const rerun = await subject.run(refused!.plan);
    expect(rerun.violations.map((violation) => violation.message)).toContain(refused!.message);
  });

  it('counts the runs that showed a violation, not its occurrences: a run that loses three records counts once', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/loses-every-record.ts' });
    const result = await explorePlan(subject, subject.plan('loses-every-record', 1), { size: 3, states: 3 });
    const lost = result.violations.find((violation) => violation.invariant === 'durable');
    expect(lost).toBeDefined();
    expect(lost!.count).toBeLessThanOrEqual(result.statesExplored);
    // Every power loss at the end loses all three records (nothing was fsynced): three runs, each counted once.
    const atEnd = await Promise.all([0, 1, 2].map(async (state) => (await subject.run(subject.explore.candidate(subject.explore.base(subject.plan('loses-every-record', 1), 3), { io: undefined, kind: 'power-loss', crashState: state })!)).violations.length));
    expect(Math.max(...atEnd)).toBeGreaterThan(1);
  });

  it('under a time budget, stops starting crash candidates once it is spent, having run them in an order spread over every kind (the failed syncs, writes and reads listed last ran too), and says how many ran of how many', async () => {
    const subject = engineSubject(referenceEngine);
    const plan = subject.plan('wal-append', 1);
    // A clock that moves a second per candidate run: 3 start within 2.5 s, at 0, 1 and 2 s.
    let now = 0;
    const result = await explorePlan(subject, plan, { size: 6, states: 2, timeBudgetSec: 2.5, startedAtMs: 0, wallClockMs: () => now, onProgress: () => { now += 1000; } });
    expect(result.stoppedByTimeBudget).toBe(true);
    expect(result.statesExplored).toBe(3);
    const full = await explorePlan(subject, plan, { size: 6, states: 2 });
    expect(full.stoppedByTimeBudget).toBe(false);
    expect(result.candidates).toBe(full.statesExplored);
    expect(full.candidates).toBe(full.statesExplored);
    // A quarter of them: in candidate order, crashes at the first crash points only; spread, the
    // failed syncs, writes and reads (listed last) among them.
    now = 0;
    const quarter = await explorePlan(subject, plan, { size: 6, states: 2, timeBudgetSec: Math.floor(full.statesExplored / 4) - 0.5, startedAtMs: 0, wallClockMs: () => now, onProgress: () => { now += 1000; } });
    expect(quarter.statesExplored).toBe(Math.floor(full.statesExplored / 4));
    expect(quarter.syncFaults + quarter.writeFaults + quarter.readFaults).toBeGreaterThan(0);
    expect(quarter.runs).toBe(quarter.statesExplored + full.runs - full.statesExplored);
  });

  it('spreads a prefix of its budgeted order over the whole list: a permutation whose first k leave no gap above a few times count/k', () => {
    for (const count of [1, 2, 3, 10, 97, 5032]) {
      const order = spreadOrder(count);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, at) => at));
    }
    const order = spreadOrder(5032);
    const first = order.slice(0, 50).sort((a, b) => a - b);
    const gaps = first.slice(1).map((at, i) => at - first[i]!);
    expect(Math.max(...gaps, first[0]!, 5032 - first.at(-1)!)).toBeLessThan(3 * 5032 / 50);
  });

  it('gives the same result when its crashes run in worker threads', async () => {
    const subject = await loadSubject({ kind: 'engine', module: 'test/fixtures/engines/drops-every-second-commit.ts' });
    const plan = subject.plan('wal-append', 1);
    const alone = await explorePlan(subject, plan, { size: 6, states: 2 });
    const pool = new WorkerPool(2, workerScript, subject.spec);
    let inWorker = 0;
    const executor: SeedExecutor = { lanes: pool.lanes, run: (task) => { inWorker++; return pool.run(task); }, close: () => pool.close() };
    try {
      const spread = await explorePlan(subject, plan, { size: 6, states: 2, executor });
      expect(alone.violations.length).toBeGreaterThan(0);
      const { elapsedMs: _a, runsPerSecond: _b, ...expected } = alone;
      const { elapsedMs: _c, runsPerSecond: _d, ...actual } = spread;
      expect(actual).toEqual(expected);
      expect(inWorker).toBeGreaterThan(0);
    } finally {
      await executor.close();
    }
  });

  it('looks at other disks each power loss of state 0 could have left: it finds a log that refuses a torn last line, which the five named states miss, and a plan that crashes in that state on its own path', async () => {
    const strict = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/torn-line-log.ts' });
    const tolerant = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/torn-line-log-tolerant.ts' });
    for (const seed of [1, 2, 3]) {
      const plan = strict.plan('torn-line-log', seed);
      expect((await explorePlan(strict, plan, { looks: 0, recoveryCrashes: 0 })).violations, `seed ${seed} without looks`).toEqual([]);
      const result = await explorePlan(strict, plan);
      expect(result.looks, `seed ${seed}`).toBeGreaterThan(0);
      const refused = result.violations.find((violation) => violation.invariant === 'opens');
      expect(refused, `seed ${seed}`).toMatchObject({ kind: 'power-loss', message: expect.stringMatching(/^the library does not open after the crash: .*JSON/) as unknown });
      // Found by a look: a seeded state beyond the named ones, pinned on the plan's own path.
      expect(refused!.crashState).toBeGreaterThanOrEqual(namedCrashStates);
      expect((refused!.plan as { looks?: number }).looks).toBeUndefined();
      const rerun = await strict.run(refused!.plan);
      expect(rerun.violations.map((violation) => violation.message)).toContain(refused!.message);
      // The log that cuts a torn tail passes the same exploration.
      expect((await explorePlan(tolerant, tolerant.plan('torn-line-log-tolerant', seed))).violations, `seed ${seed}, tolerant`).toEqual([]);
    }
  });

  it('crashes each kill -9\'s recovery again: it finds a rollback that trusts an undo log the killed process never fsynced, which crashes before the recovery miss (and so do the looks inside the recovery), with a plan that replays it', async () => {
    const trusting = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/undo-log-trusts-unsynced.ts' });
    const careful = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/undo-log-writer.ts' });
    const plan = trusting.plan('undo-log-trusts-unsynced', 1);
    expect((await explorePlan(trusting, plan, { recoveryCrashes: 0, looks: 0 })).violations).toEqual([]);
    // The looks inside each kill -9's recovery find it too, at the fsync after the rollback's write
    // (PowerLossWatch.inRecovery), crashes in the recovery or not.
    const looked = (await explorePlan(trusting, plan, { recoveryCrashes: 0 })).violations.find((violation) => violation.invariant === 'whole');
    expect(looked).toMatchObject({ kind: 'kill-9', thenPowerLoss: true, message: expect.stringMatching(/^crash 2 \(a power loss\) before step 0, right before an fsync of an open that began on unsynced writes, after it wrote over durable data/) as unknown });
    const result = await explorePlan(trusting, plan);
    const torn = result.violations.find((violation) => violation.invariant === 'whole');
    expect(torn).toMatchObject({ kind: 'kill-9', then: { kind: 'power-loss' }, message: expect.stringMatching(/then power-loss during the reopen/) as unknown });
    expect(torn!.then!.offset).toBeLessThan(8);
    expect(crashName(torn!)).toMatch(/^kill-9, then power-loss state \d+ at I\/O \d after the restart$/);
    const rerun = await trusting.run(torn!.plan);
    expect(rerun.violations.map((violation) => violation.invariant)).toContain('whole');
    // The writer that fsyncs the log before it rolls back passes the same exploration.
    expect((await explorePlan(careful, careful.plan('undo-log-writer', 1))).violations).toEqual([]);
  });

  it('crashes the recovery\'s later writes too: it finds the same rollback when the open first reads what it finds, which puts the rollback past the recovery\'s first I/Os', async () => {
    const trusting = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/undo-log-reads-first.ts' });
    const plan = trusting.plan('undo-log-reads-first', 1);
    const result = await explorePlan(trusting, plan, { syncFaults: false, writeFaults: false, readFaults: false });
    const torn = result.violations.find((violation) => violation.invariant === 'whole' && violation.then?.kind === 'power-loss');
    expect(torn?.then?.offset).toBeGreaterThanOrEqual(exploreRecoveryCrashesDefault);
    const rerun = await trusting.run(torn!.plan);
    expect(rerun.violations.map((violation) => violation.invariant)).toContain('whole');
    // Each crash point's recovery crashed at its first I/Os and at as many of its later writes, syncs, renames, ...
    expect(result.recoveryCrashes).toBeGreaterThan(result.crashPoints * exploreRecoveryCrashesDefault);
    expect(result.recoveryCrashes).toBeLessThanOrEqual(result.crashPoints * 2 * exploreRecoveryCrashesDefault);
  });

  it('fails each sync once in a run of its own, the recovery\'s too: it finds a rollback that unlinks its undo log after its fsync failed, which no crash shows, with a plan that replays it', async () => {
    const careless = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/undo-log-rollback-unsynced.ts' });
    const careful = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/undo-log-writer.ts' });
    const plan = careless.plan('undo-log-rollback-unsynced', 1);
    expect((await explorePlan(careless, plan, { syncFaults: false })).violations).toEqual([]);
    const result = await explorePlan(careless, plan);
    const torn = result.violations.find((violation) => violation.invariant === 'whole' && violation.crashState === undefined);
    expect(torn).toMatchObject({ kind: 'kill-9', then: { kind: 'fsync-error' }, message: expect.stringMatching(/is torn/) as unknown });
    // The rollback's fsync comes after the undo log's reads and the document's writes: deeper than the recovery's crashes go.
    expect(torn!.then!.offset).toBeGreaterThanOrEqual(exploreRecoveryCrashesDefault);
    expect(crashName(torn!)).toMatch(/^kill-9, then fsync-error at I\/O \d+ after the restart/);
    const rerun = await careless.run(torn!.plan);
    expect(rerun.violations.map((violation) => violation.invariant)).toContain('whole');
    // The writer whose failed rollback leaves its undo log for the next open passes the same exploration.
    const passed = await explorePlan(careful, careful.plan('undo-log-writer', 1));
    expect(passed.syncFaults).toBe(result.syncFaults);
    expect(passed.violations).toEqual([]);
  });

  it('lands each write of a library short once: it finds a save that ignores the count fs.write returns, and passes the one that writes the rest', async () => {
    const careless = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/unchecked-count.ts' });
    const careful = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/checked-count.ts' });
    const plan = careless.plan('unchecked-count', 1);
    expect((await explorePlan(careless, plan, { writeFaults: false })).violations).toEqual([]);
    const result = await explorePlan(careless, plan);
    const truncated = result.violations.find((violation) => violation.invariant === 'whole');
    expect(truncated).toMatchObject({ kind: 'short-write', message: expect.stringMatching(/settings\.json is truncated: \d+ of \d+ bytes/) as unknown });
    const rerun = await careless.run(truncated!.plan);
    expect(rerun.faults['short-write']).toBe(1);
    expect(rerun.violations.map((violation) => violation.invariant)).toContain('whole');
    const passed = await explorePlan(careful, careful.plan('checked-count', 1));
    expect(passed.writeFaults).toBe(result.writeFaults);
    expect(passed.violations).toEqual([]);
  });

  it('fails no sync of a library workload whose own faults leave fsync errors out, as its campaigns fail none', async () => {
    // line-log-ordered.ts injects power losses and kill -9s only: it makes no promise under a failed fsync.
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/line-log-ordered.ts' });
    const result = await explorePlan(subject, subject.plan('line-log-ordered', 1));
    expect(result.syncFaults).toBe(0);
    expect(result.writeFaults).toBe(0);
    expect(result.readFaults).toBe(0);
    expect(result.violations).toEqual([]);
  });

  it('fails each sync once: it finds the planted bugs of an fsync error ignored or retried and of a directory fsync error ignored, which its crashes alone miss', async () => {
    try {
      for (const [id, invariant] of [['fsync-error-ignored', 'self-consistency'], ['fsync-error-retried', 'durability'], ['dir-sync-error-ignored', 'durability']] as const) {
        const subject = engineSubject(await loadMutant(mutants.find((mutant) => mutant.id === id)!));
        const plan = subject.plan('wal-append', 1);
        expect((await explorePlan(subject, plan, { size: 8, syncFaults: false })).violations, `${id} without sync faults`).toEqual([]);
        const found = (await explorePlan(subject, plan, { size: 8 })).violations;
        const first = found.find((violation) => violation.invariant === invariant);
        expect(first, id).toBeDefined();
        expect(crashName(first!), id).toMatch(/sync-error/);
        const rerun = await subject.run(first!.plan);
        expect(rerun.violations.map((violation) => violation.invariant), id).toContain(invariant);
      }
    } finally {
      removeMutantCopies();
    }
  });

  it('fails each write once, with an I/O error and, where it adds a block, with a full disk whose space comes back: it finds the planted bugs of a write error taken for a transient one and of a partial frame kept after ENOSPC, which its crashes and failed syncs miss', async () => {
    try {
      for (const [id, scenario, fault] of [['write-error-ignored', 'write-failure', 'write-error'], ['enospc-partial-kept', 'disk-full', 'disk-full']] as const) {
        const subject = engineSubject(await loadMutant(mutants.find((mutant) => mutant.id === id)!));
        const plan = subject.plan(scenario, 1);
        expect((await explorePlan(subject, plan, { size: 8, writeFaults: false })).violations, `${id} without write faults`).toEqual([]);
        const result = await explorePlan(subject, plan, { size: 8 });
        expect(result.writeFaults, id).toBeGreaterThan(0);
        const first = result.violations.find((violation) => crashName(violation).startsWith(`${fault}, then power-loss`));
        expect(first, id).toBeDefined();
        const rerun = await subject.run(first!.plan);
        expect(rerun.faults[fault], id).toBe(1);
        expect(rerun.violations.map((violation) => violation.invariant), id).toContain(first!.invariant);
      }
    } finally {
      removeMutantCopies();
    }
  });

  it('looks, at each crash point\'s kill -9, at a bit rotted in the newest durable data: it finds the planted bugs of damage cut off like a torn tail and of a snapshot whose checksum is never checked, which every crash and I/O error misses', async () => {
    try {
      for (const [id, scenario] of [['corruption-truncated', 'wal-append'], ['snapshot-checksum-unchecked', 'checkpoint-prune']] as const) {
        const subject = engineSubject(await loadMutant(mutants.find((mutant) => mutant.id === id)!));
        const plan = subject.plan(scenario, 1);
        expect((await explorePlan(subject, plan, { size: 8, looks: 0 })).violations, `${id} without looks`).toEqual([]);
        const found = (await explorePlan(subject, plan, { size: 8 })).violations;
        const rotted = found.find((violation) => /bit \d+ of \S+ rotted/.test(violation.message));
        expect(rotted, id).toBeDefined();
        expect(crashName(rotted!), id).toBe('kill-9');
        // Without the rot looks, the other looks are taken and find none of it.
        const withoutRot = await explorePlan(subject, plan, { size: 8, rotLooks: false });
        expect(withoutRot.looks, id).toBeGreaterThan(0);
        expect(withoutRot.violations.filter((violation) => /rotted/.test(violation.message)), id).toEqual([]);
        // Its plan keeps the look, which finds it again.
        const rerun = await subject.run(rotted!.plan);
        expect(rerun.violations.map((violation) => violation.message), id).toContain(rotted!.message);
      }
    } finally {
      removeMutantCopies();
    }
  });

  it('fails each read once with an I/O error, the recovery\'s too: it finds the planted bug of a recovery that takes a failed read of a segment for its end, which every other fault misses', async () => {
    try {
      const subject = engineSubject(await loadMutant(mutants.find((mutant) => mutant.id === 'read-error-as-end')!));
      const plan = subject.plan('read-corruption', 1);
      expect((await explorePlan(subject, plan, { size: 8, readFaults: false })).violations).toEqual([]);
      const result = await explorePlan(subject, plan, { size: 8 });
      expect(result.readFaults).toBeGreaterThan(0);
      const lost = result.violations.find((violation) => violation.invariant === 'durability');
      expect(lost).toBeDefined();
      expect(crashName(lost!)).toMatch(/^kill-9, then read-error at I\/O \d+ after the restart$/);
      const rerun = await subject.run(lost!.plan);
      expect(rerun.faults['read-error']).toBe(1);
      expect(rerun.violations.map((violation) => violation.message)).toContain(lost!.message);
    } finally {
      removeMutantCopies();
    }
  });

  it('lets a power-loss state that leaves the same disk as state 0 reuse its run without what its looks found', async () => {
    const subject = engineSubject(referenceEngine);
    const plan = subject.plan('wal-append', 1);
    const looked = await explorePlan(subject, plan, { size: 4 });
    const plain = await explorePlan(subject, plan, { size: 4, looks: 0 });
    expect(looked.looks).toBeGreaterThan(0);
    expect(looked.sameStates).toBe(plain.sameStates);
    expect(looked.sameStates).toBeGreaterThan(0);
  });

  it('finds with its looks the planted bugs of torn tails and of a recovery that serves unsynced data, which its crash states alone miss (torn-tail-kept, truncation-not-synced, torn-evidence-not-kept)', async () => {
    try {
      for (const [id, scenario] of [['torn-tail-kept', 'wal-append'], ['truncation-not-synced', 'recovery-crash'], ['torn-evidence-not-kept', 'kill9-anywhere']] as const) {
        const subject = engineSubject(await loadMutant(mutants.find((mutant) => mutant.id === id)!));
        const plan = subject.plan(scenario, 1);
        expect((await explorePlan(subject, plan, { size: 8, looks: 0, syncFaults: false })).violations, `${id} without looks`).toEqual([]);
        const found = (await explorePlan(subject, plan, { size: 8 })).violations;
        expect(found.length, id).toBeGreaterThan(0);
        // Each plan shows its violation on its own path.
        const rerun = await subject.run(found[0]!.plan);
        expect(rerun.violations.map((violation) => violation.message), id).toContain(found[0]!.message);
      }
    } finally {
      removeMutantCopies();
    }
  });
});

